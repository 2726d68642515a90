"""Compose YAML into plain data plus a SourceMap, refusing what is hostile or careless.

Built on PyYAML's event stream (the C parser when available), walked iteratively, so that:

* duplicate keys are found (PyYAML's constructor silently keeps the last one);
* anchors and aliases are refused before anything is expanded (no alias bombs);
* nesting is bounded while parsing (PyYAML's recursive composer raises RecursionError);
* several documents, unknown tags and complex keys are refused;
* every node keeps the span of its key and its value.

Scalars resolve as YAML 1.1 does (PyYAML's resolver) except dates and times, which stay text:
the schema decides what a date is. Mapping keys are always their text.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterator

import yaml

from ..core.diagnostics import Diagnostic, Severity, Span
from ..core.source import SourceFile
from .reader import span_of
from .sourcemap import Entry, SourceMap

DEFAULT_MAX_DEPTH = 64

_Loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
_resolver = yaml.resolver.Resolver()
#: PyYAML's implicit resolver (its stubs leave it unannotated): (node kind, text, implicit) -> tag
_resolve_tag: Callable[[type, str, tuple[bool, bool]], str] = _resolver.resolve
_TRUE_FALSE = {"true", "false"}
_STD_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_EXPR_LINE = re.compile(r"^(\s*(?:-\s+)?\{?\s*)(when|amount|otherwise)(\s*:\s*)(.*?)\s*$")
_BAD_KEY = object()


def _resolve_plain(text: str) -> tuple[Any, bool]:
    """(value, surprising) for a plain scalar, as YAML 1.1 reads it."""
    tag = _resolve_tag(yaml.ScalarNode, text, (True, False))
    if tag == "tag:yaml.org,2002:bool":
        return text.lower() in ("yes", "true", "on"), text.lower() not in _TRUE_FALSE
    if tag == "tag:yaml.org,2002:null":
        return None, text == "~"
    if tag == "tag:yaml.org,2002:int":
        if sum(c.isdigit() for c in text) > MAX_INT_DIGITS:
            raise NumberError(f"`{_short(text)}` has more than {MAX_INT_DIGITS:,} digits: "
                              "no rulebook number is that long")
        value: Any = yaml.constructor.SafeConstructor.construct_yaml_int(
            _CONSTRUCTOR, yaml.ScalarNode(tag, text))
        surprising = ":" in text or "_" in text or (text.lstrip("+-").startswith("0")
                                                   and len(text.lstrip("+-")) > 1)
        return value, surprising
    if tag == "tag:yaml.org,2002:float":
        if ":" in text and sum(c.isdigit() for c in text) > MAX_INT_DIGITS:
            raise NumberError(f"`{_short(text)}` has more than {MAX_INT_DIGITS:,} digits: "
                              "no rulebook number is that long")
        value = yaml.constructor.SafeConstructor.construct_yaml_float(
            _CONSTRUCTOR, yaml.ScalarNode(tag, text))
        if value != value or value in (math.inf, -math.inf):
            if text.lower().lstrip("+-") not in (".nan", ".inf"):
                raise NumberError(f"`{_short(text)}` is too large for a number (it overflows "
                                  "to infinity)")
        return value, ":" in text or "_" in text
    return text, False  # str, timestamp (kept as text), anything else


_CONSTRUCTOR = yaml.constructor.SafeConstructor()

#: Longest integer accepted, in digits (Python refuses to convert more than 4,300).
MAX_INT_DIGITS = 4000


class NumberError(ValueError):
    """A number YAML can write but a rulebook cannot use (too long, or infinite)."""


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:20]}...{text[-10:]}"


def _explicit(tag: str, text: str) -> Any:
    if tag == "tag:yaml.org,2002:str":
        return text
    value, _ = _resolve_plain(text)
    if tag == "tag:yaml.org,2002:float" and isinstance(value, str):
        value = _float_text(text)
    want = {"tag:yaml.org,2002:int": int, "tag:yaml.org,2002:float": float,
            "tag:yaml.org,2002:bool": bool, "tag:yaml.org,2002:null": type(None)}[tag]
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        try:
            value = float(value)
        except OverflowError:
            raise NumberError(f"`{_short(text)}` is too large for a number (it overflows to "
                              "infinity)") from None
    if not isinstance(value, want) or (want is int and isinstance(value, bool)):
        raise ValueError(f"`{text}` is not a valid {tag.rsplit(':', 1)[-1]}")
    return value


def _float_text(text: str) -> Any:
    """``!!float`` on text the implicit resolver does not read as a number (``!!float 1``,
    ``!!float 1e400``): Python's reading, finite only."""
    try:
        value = float(text.replace("_", ""))
    except (ValueError, OverflowError):
        return text
    if value != value or value in (math.inf, -math.inf):
        if text.lower().lstrip("+-") not in ("nan", "inf", "infinity", ".nan", ".inf"):
            raise NumberError(f"`{_short(text)}` is too large for a number (it overflows to "
                              "infinity)")
    return value


def requote(line_text: str) -> tuple[str, str] | None:
    """For a line holding an unquoted expression: (the line with the expression quoted, the
    quoted ``key: 'expression'`` part to show), or None when the line holds no expression."""
    m = _EXPR_LINE.match(line_text)
    if not m:
        return None
    head, key, colon, rest = m.groups()
    flow = head.rstrip().endswith("{")
    tail = ""
    if flow:
        # flow mapping: `{when: a ? b : c, level: x}`; keep what follows the last `, word:`
        cut = re.search(r",\s*[A-Za-z_]+\s*:[^,]*\}\s*$", rest)
        if cut:
            rest, tail = rest[: cut.start()], rest[cut.start():]
        elif rest.rstrip().endswith("}"):
            rest = rest.rstrip()[:-1]
    expr = rest.strip()
    if not expr or expr[0] in "'\"" and expr[-1:] == expr[0] and len(expr) > 1 and not tail:
        return None
    quoted = f"{key}{colon.strip()} '{expr.replace(chr(39), chr(39) * 2)}'"
    if flow:
        quoted = "{" + quoted + (tail if tail else "}")
        return head[: head.rfind("{")] + quoted, quoted
    return head + quoted, quoted


def quote_hint(line_text: str) -> str | None:
    """For a line holding an unquoted expression, the hint showing it quoted."""
    found = requote(line_text)
    return f"quote the expression: {found[1]}" if found else None


def _quoting_helps(source: SourceFile, line: int, new_line: str) -> bool:
    """Does the document parse past ``line`` once that line is replaced by ``new_line``?"""
    lines = source.text.split("\n")
    lines[line - 1] = new_line
    try:
        for _ in yaml.parse("\n".join(lines), Loader=_Loader):
            pass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and mark.line + 1 > line
    except yaml.YAMLError:
        return False
    return True


def _events(text: str) -> Iterator[Any]:
    """The parser's events (what ``yaml.parse`` yields, without its ``check_event`` before
    each: the parser returns None past the stream's end)."""
    loader = _Loader(text)
    try:
        get = loader.get_event
        ev = get()
        while ev is not None:
            yield ev
            ev = get()
    finally:
        loader.dispose()


class _Frame:
    """An open mapping or sequence: where it sits, and for a mapping the key awaiting its value
    and the keys seen so far."""

    __slots__ = ("container", "path", "is_map", "key", "key_at", "seen", "start")

    def __init__(self, container: Any, path: tuple[Any, ...], is_map: bool, start: int) -> None:
        self.container = container
        self.path = path
        self.is_map = is_map
        self.key: Any = None
        self.key_at: tuple[int, int] | None = None  # offsets of the key awaiting its value
        self.seen: dict[str, tuple[int, int]] = {}  # key -> its offsets
        self.start = start


_DROPPED: tuple[Any, ...] = ("\0dropped",)
_ANCHOR_HINT = ("write the value out in full: anchors and aliases are refused because they hide "
                "repetition and allow alias bombs")


class _Stop(Exception):
    """The document cannot be used past this event (the finding is already recorded)."""


def _index(mark: Any) -> int:
    """The character offset of a PyYAML mark (every event has both of its marks)."""
    return int(mark.index) if mark is not None else 0


class _Composer:
    """Events -> plain data and a SourceMap: one handler per kind of event (:attr:`handlers`),
    on an explicit stack of open containers (no recursion, so depth is bounded by us)."""

    def __init__(self, source: SourceFile, max_depth: int) -> None:
        self.source = source
        self.max_depth = max_depth
        self.smap = SourceMap(source)
        self.diags: list[Diagnostic] = []
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.have_root = False
        self.documents = 0
        self.plain: dict[str, tuple[Any, bool]] = {}  # a plain scalar's text -> its reading
        self.handlers: dict[type, Callable[[Any], None]] = {
            yaml.StreamStartEvent: self.skip, yaml.StreamEndEvent: self.skip,
            yaml.DocumentEndEvent: self.skip, yaml.DocumentStartEvent: self.document,
            yaml.AliasEvent: self.alias, yaml.ScalarEvent: self.scalar,
            yaml.MappingStartEvent: self.start, yaml.SequenceStartEvent: self.start,
            yaml.MappingEndEvent: self.end, yaml.SequenceEndEvent: self.end,
        }

    # -- helpers ---------------------------------------------------------------------------
    def span(self, ev: Any) -> Span:
        return span_of(self.source, _index(ev.start_mark), _index(ev.end_mark))

    def error(self, code: str, message: str, sp: Span | None, hint: str | None = None,
              related: tuple[tuple[str, Span], ...] = ()) -> None:
        self.diags.append(Diagnostic.at(code, Severity.ERROR, message, sp, hint=hint,
                                        related=related))

    def awaiting_key(self) -> _Frame | None:
        """The open mapping when the next node is its key, else None."""
        top = self.stack[-1] if self.stack else None
        return top if top is not None and top.is_map and top.key is None else None

    def attach(self, value: Any, entry: Entry | None) -> tuple[Any, ...] | None:
        """Put ``value`` where the stack says; return its path (None when it is dropped)."""
        if not self.stack:
            self.root, self.have_root = value, True
            path: tuple[Any, ...] = ()
            if entry is not None:
                self.smap.entries[path] = entry
            return path
        top = self.stack[-1]
        key_at: tuple[int, int] | None
        if top.is_map:
            key, key_at = top.key, top.key_at
            top.key = None
            if key is _BAD_KEY or key is None or key_at is None:
                return None  # (a key always comes with its span)
            path = top.path + (key,)
            seen = top.seen
            if key in seen:
                self.error("PE006", f"duplicate key `{key}`", span_of(self.source, *key_at),
                           hint="remove or rename one of them: YAML tools would silently keep "
                                "only the last",
                           related=(("first defined here", span_of(self.source, *seen[key])),))
                return None
            seen[key] = key_at
            top.container[key] = value
        else:
            path = top.path + (len(top.container),)
            top.container.append(value)
            key_at = None
        if entry is not None:
            entry.key_at = key_at
            self.smap.entries[path] = entry
        return path

    def refuse_anchor(self, ev: Any) -> None:
        anchor = getattr(ev, "anchor", None)
        if anchor is not None:
            start = _index(ev.start_mark)  # the span of `&name` alone, not the node after it
            self.error("PE007", f"the YAML anchor `&{anchor}` is not allowed",
                       span_of(self.source, start, start + 1 + len(anchor)), hint=_ANCHOR_HINT)

    # -- one handler per event -------------------------------------------------------------
    def skip(self, ev: Any) -> None:
        return None

    def document(self, ev: Any) -> None:
        self.documents += 1
        if self.documents > 1:
            self.error("PE005", "the file holds more than one YAML document", self.span(ev),
                       hint="keep one rulebook per file: remove the `---` separator and what "
                            "follows, or move it to its own file")
            raise _Stop

    def alias(self, ev: Any) -> None:
        self.error("PE007", f"the YAML alias `*{ev.anchor}` is not allowed", self.span(ev),
                   hint=_ANCHOR_HINT)
        top = self.awaiting_key()
        if top is not None:
            top.key = _BAD_KEY
        else:
            self.attach(None, None)

    def scalar(self, ev: Any) -> None:
        if ev.anchor is not None:
            self.refuse_anchor(ev)
        start, end = ev.start_mark.index, ev.end_mark.index
        stack = self.stack
        if stack:
            top = stack[-1]
            if top.is_map and top.key is None:
                top.key, top.key_at = ev.value, (start, end)  # keys are always text
                return
        style = ev.style or "plain"
        surprising = False
        tag = ev.tag
        text = ev.value
        value: Any
        if tag is not None and tag != "!" and not ev.implicit[0] and not ev.implicit[1]:
            value = self.tagged(tag, text, span_of(self.source, start, end))
        elif style == "plain":
            known = self.plain.get(text)
            if known is not None:
                value, surprising = known
            else:
                try:
                    value, surprising = self.plain[text] = _resolve_plain(text)
                except NumberError as exc:
                    self.error("PE104", str(exc), span_of(self.source, start, end),
                               hint="write a number of sensible size")
                    value = None
        else:
            value = text
        self.attach(value, Entry(self.source, (start, end), None, start, end, text, style,
                                 surprising))

    def tagged(self, tag: str, text: str, sp: Span) -> Any:
        """The value of a scalar with an explicit tag (None, with a finding, when refused)."""
        if tag not in _STD_TAGS:
            hint = quote_hint(self.source.line_text(sp.line)) or (
                "remove the tag; if the value starts with `!`, quote it")
            self.error("PE003", f"the YAML tag `{_shown_tag(tag)}` is not supported", sp,
                       hint=hint)
            return None
        try:
            return _explicit(tag, text)
        except NumberError as exc:
            self.error("PE104", str(exc), sp, hint="write a number of sensible size")
        except ValueError as exc:
            self.error("PE003", str(exc), sp)
        return None

    def start(self, ev: Any) -> None:
        if ev.anchor is not None:
            self.refuse_anchor(ev)
        is_map = isinstance(ev, yaml.MappingStartEvent)
        if len(self.stack) >= self.max_depth:
            self.error("PE008", f"the YAML nests deeper than {self.max_depth} levels",
                       self.span(ev),
                       hint="a rulebook never needs this depth: flatten the structure")
            raise _Stop
        start = ev.start_mark.index
        container: Any = {} if is_map else []
        top = self.awaiting_key()
        if top is not None:
            self.error("PE003", "a mapping key must be a plain name, not a "
                       + ("mapping" if is_map else "list"), self.span(ev),
                       hint="write the key as a name, e.g. `amount:`; quote text that starts "
                            "with `[` or `{`")
            top.key = _BAD_KEY
            self.stack.append(_Frame(container, _DROPPED, is_map, start))
            return
        # the start event's own span until the collection's end is known
        entry = Entry(self.source, (start, ev.end_mark.index), None, start, start, None,
                      "flow" if ev.flow_style else "block")
        path = self.attach(container, entry)
        self.stack.append(_Frame(container, path if path is not None else _DROPPED, is_map,
                                 start))

    def end(self, ev: Any) -> None:
        frame = self.stack.pop()
        entry = self.smap.entries.get(frame.path)
        if entry is not None:
            entry.end = _index(ev.end_mark)
            entry.place(span_at=(entry.start, entry.end))

    # -- the walk --------------------------------------------------------------------------
    def run(self) -> bool:
        """Walk the event stream; True when the document can be used."""
        handlers = self.handlers
        try:
            for ev in _events(self.source.text):
                handler = handlers.get(type(ev))
                if handler is not None:
                    handler(ev)
        except _Stop:
            return False
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" in (exc.problem or ""):
                # PyYAML 6.0.4 and later bound nesting in their own scanner, which reads ahead
                # of the events this walk sees: the same limit as ours, so the same finding.
                mark = exc.problem_mark
                text = self.source.text
                offset = min(_index(mark), len(text))
                self.error("PE008", f"the YAML nests deeper than {self.max_depth} levels",
                           span_of(self.source, offset, min(offset + 1, len(text))),
                           hint="a rulebook never needs this depth: flatten the structure")
            else:
                self.diags.append(_syntax_error(self.source, exc))
            return False
        except yaml.YAMLError as exc:  # unmarked: rare, e.g. a reader error
            self.diags.append(Diagnostic.at("PE003", Severity.ERROR,
                                            f"the YAML does not parse: {_clean(str(exc))}", None,
                                            file=self.source.path))
            return False
        if not self.have_root or self.root is None:
            self.diags.append(Diagnostic.at(
                "PE010", Severity.ERROR, "the file holds no rulebook", None,
                file=self.source.path,
                hint="`policyengine init` writes a starter rulebook to begin from"))
            return False
        return True


def compose(source: SourceFile, *, max_depth: int = DEFAULT_MAX_DEPTH
            ) -> tuple[Any, SourceMap, list[Diagnostic]]:
    """Parse ``source`` into (data, sourcemap, diagnostics); data is None when it cannot be used."""
    composer = _Composer(source, max_depth)
    usable = composer.run()
    _check_numbers(composer.smap, composer.diags)
    return (composer.root if usable else None), composer.smap, composer.diags


def _check_numbers(smap: SourceMap, diags: list[Diagnostic]) -> None:
    """NaN and infinities are not numbers a rulebook can mean."""
    low = smap.source.text.lower()
    if ".nan" not in low and ".inf" not in low:
        # no plain scalar can read `.nan` or `.inf`: such a scalar is written on one line as it
        # reads, so its lower-case text is in the lower-case document
        return
    for path, entry in smap.items():
        if entry.style == "plain" and entry.raw is not None and entry.raw.lower().lstrip(
                "+-") in (".nan", ".inf"):
            diags.append(Diagnostic.at("PE104", Severity.ERROR,
                                       f"`{entry.raw}` is not a finite number", entry.value_span,
                                       hint="write a finite number, or `true` for unlimited "
                                            "authority"))


def _shown_tag(tag: str) -> str:
    """A tag as its author wrote it: ``tag:yaml.org,2002:python/object`` -> ``!!python/object``."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


def _clean(text: str) -> str:
    return " ".join(text.split())


def _syntax_error(source: SourceFile, exc: yaml.MarkedYAMLError) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    problem = _clean(exc.problem or "invalid YAML")
    context = _clean(exc.context) if exc.context else ""
    if mark is not None:
        offset = min(mark.index, len(source.text))
        line, column = source.position(offset)
    else:
        line, column = 1, 1
    width = len(source.line_text(line))
    if column > width > 0:  # at the end of a line (or of the file): point at its last character
        column = width
    hint = None
    # An unquoted expression is the usual culprit: look at this line and the one before, and
    # offer the quoted form when quoting it lets the parser get past that line.
    for candidate in (line, line - 1):
        found = requote(source.line_text(candidate)) if candidate >= 1 else None
        if found and _quoting_helps(source, candidate, found[0]):
            hint = f"quote the expression: {found[1]}"
            break
    if hint is None and "\\t" in problem:
        hint = "indent with spaces only"
    if hint is None:
        hint = ("quote values that contain `: ` or start with `!`, `&`, `*`, `[`, `{`, `\"`, "
                "`|`, `>`, `%` or `@`")
    message = f"the YAML does not parse: {problem}"
    if context:
        message += f" ({context})"
    return Diagnostic("PE003", Severity.ERROR, message, source.path, line, column, line,
                      min(column + 1, width + 1), hint=hint)
