"""Where every id of a rulebook is defined and used: levels, roles, actions, remedies,
categories, overrides and facts (in expressions too).

Built from the loaded YAML document (data and source map), so that it works on a rulebook the
schema refuses; offsets are character offsets into the text, as :class:`SourceFile` counts
them. :class:`Lines` converts them to and from the UTF-16 positions of the language server
protocol.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from ..load.sourcemap import Entry, SourceMap
from ..core.source import SourceFile

KINDS = ("level", "role", "action", "remedy", "category", "override", "fact")


@dataclass(frozen=True)
class Occurrence:
    kind: str  # one of KINDS
    name: str  # the id; for a map fact's field the dotted path (``partner.tier``)
    start: int
    end: int
    definition: bool
    path: tuple[Any, ...] = ()  # the YAML path of the scalar or key that holds it


_LAST: list["Lines"] = []


def lines_of(text: str) -> "Lines":
    """``Lines(text)``, reused while the text is the same (requests come for one text)."""
    if _LAST and _LAST[0].text is text or (_LAST and _LAST[0].text == text):
        return _LAST[0]
    lines = Lines(text)
    _LAST[:] = [lines]
    return lines


def _indent(text: str) -> int | None:
    stripped = text.lstrip(" ")
    if not stripped or stripped[0] == "#":
        return None
    return len(text) - len(stripped)


class Lines:
    """Offsets <-> LSP positions (0-based line, UTF-16 code units)."""

    def __init__(self, text: str):
        self.text = text
        self.rows = text.split("\n")
        self.starts = [0, *itertools.accumulate(len(r) + 1 for r in self.rows[:-1])]
        self._indents: list[int | None] | None = None
        self.cursors: dict[tuple[int, int], Any] = {}  # context.cursor_at's answers

    @property
    def indents(self) -> list[int | None]:
        """Each line's indentation (None: blank, or only a comment), made once per text."""
        if self._indents is None:
            self._indents = [_indent(r) for r in self.rows]
        return self._indents

    def line(self, n: int) -> str:
        if n < 0 or n >= len(self.rows):
            return ""
        return self.rows[n]

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        n = bisect.bisect_right(self.starts, offset) - 1
        before = self.text[self.starts[n]:offset]
        return n, len(before.encode("utf-16-le")) // 2

    def offset(self, line: int, character: int) -> int:
        if line >= len(self.starts):
            return len(self.text)
        line = max(0, line)
        text = self.line(line)
        units = 0
        for i, ch in enumerate(text):
            if units >= character:
                return self.starts[line] + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return self.starts[line] + len(text)


@dataclass
class SymbolIndex:
    occurrences: list[Occurrence] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.occurrences.sort(key=lambda o: (o.start, o.end))
        self._starts = [o.start for o in self.occurrences]

    def at(self, offset: int) -> Occurrence | None:
        """The occurrence under ``offset`` (its end counts: the cursor just after a word)."""
        k = bisect.bisect_right(self._starts, offset) - 1
        while k >= 0:
            o = self.occurrences[k]
            if o.start <= offset <= o.end:
                return o
            if o.end < offset and offset - o.start > 200:
                break
            k -= 1
        return None

    def _grouped(self) -> dict[tuple[str, str], list[Occurrence]]:
        """The occurrences by (kind, name), in order, grouped once."""
        groups: dict[tuple[str, str], list[Occurrence]] | None = self.__dict__.get("_groups")
        if groups is None:
            groups = {}
            for o in self.occurrences:
                groups.setdefault((o.kind, o.name), []).append(o)
            self.__dict__["_groups"] = groups
        return groups

    def definition(self, kind: str, name: str) -> Occurrence | None:
        found = self._grouped().get((kind, name), [])
        return next((o for o in found if o.definition), found[0] if found else None)

    def references(self, kind: str, name: str) -> list[Occurrence]:
        return list(self._grouped().get((kind, name), []))

    def names(self, kind: str) -> list[str]:
        """The ids of ``kind`` the rulebook defines (roles: also those only used), in order."""
        cache: dict[str, list[str]] = self.__dict__.setdefault("_names", {})
        if kind not in cache:
            seen: dict[str, None] = {}
            for o in self.occurrences:
                if o.kind == kind and (o.definition or kind == "role"):
                    seen.setdefault(o.name, None)
            cache[kind] = list(seen)
        return cache[kind]


def _span_offsets(source: SourceFile, span: Any) -> tuple[int, int]:
    return (source.offset(span.line, span.column),
            source.offset(span.end_line, span.end_column))


def _unquoted(source: SourceFile, start: int, end: int) -> tuple[int, int]:
    text = source.text
    if end - start >= 2 and text[start] in "'\"" and text[end - 1] == text[start]:
        return start + 1, end - 1
    return start, end


class _Builder:
    def __init__(self, data: Any, smap: SourceMap):
        self.data = data
        self.smap = smap
        self.source = smap.source
        self.out: list[Occurrence] = []

    def value(self, kind: str, path: tuple[Any, ...], definition: bool = False) -> None:
        entry = self.smap.get(path)
        value = self._get(path)
        if entry is None or not isinstance(value, str) or not value:
            return
        start, end = _unquoted(self.source, entry.start, entry.end)
        self.out.append(Occurrence(kind, value, start, end, definition, path))

    def key(self, kind: str, path: tuple[Any, ...], name: str, definition: bool) -> None:
        entry = self.smap.get(path)
        if entry is None or entry.key_span is None:
            return
        start, end = _unquoted(self.source, *_span_offsets(self.source, entry.key_span))
        self.out.append(Occurrence(kind, name, start, end, definition, path))

    def _get(self, path: tuple[Any, ...]) -> Any:
        node = self.data
        for p in path:
            if isinstance(node, dict) and isinstance(p, str):
                node = node.get(p)
            elif isinstance(node, list) and isinstance(p, int) and 0 <= p < len(node):
                node = node[p]
            else:
                return None
        return node

    def items(self, *path: Any) -> Iterator[tuple[int, dict[str, Any]]]:
        node = self._get(tuple(path))
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, dict):
                    yield i, item

    def mapping(self, *path: Any) -> dict[str, Any]:
        node = self._get(tuple(path))
        return node if isinstance(node, dict) else {}

    def build(self) -> SymbolIndex:
        if not isinstance(self.data, dict):
            return SymbolIndex([])
        self.facts(("facts",), "")
        for i, _ in self.items("ladder", "levels"):
            base: tuple[Any, ...] = ("ladder", "levels", i)
            self.value("level", base + ("id",), True)
            self.value("role", base + ("role",))
            self.value("level", base + ("next",))
        self.value("level", ("ladder", "entry"))
        for name in self.mapping("actions"):
            self.key("action", ("actions", name), str(name), True)
        for role, row in self.mapping("authority").items():
            self.key("role", ("authority", role), str(role), True)
            if isinstance(row, dict):
                for action in row:
                    self.key("action", ("authority", role, action), str(action), False)
        for i, _ in self.items("categories"):
            base = ("categories", i)
            self.value("category", base + ("id",), True)
            self.expression(base + ("when",))
            for j, band in self.items("categories", i, "thresholds"):
                self.value("level", base + ("thresholds", j, "level"))
                self.value("level", base + ("thresholds", j, "otherwise"))
                self.expression(base + ("thresholds", j, "when"))
            refs = self._get(base + ("remedies",))
            if isinstance(refs, list):
                for j in range(len(refs)):
                    self.value("remedy", base + ("remedies", j))
        for i, _ in self.items("overrides"):
            base = ("overrides", i)
            self.value("override", base + ("id",), True)
            self.value("level", base + ("min_level",))
            self.expression(base + ("when",))
        for i, _ in self.items("remedies"):
            base = ("remedies", i)
            self.value("remedy", base + ("id",), True)
            self.value("action", base + ("action",))
            self.expression(base + ("when",))
            self.expression(base + ("amount",))
        return SymbolIndex(self.out)

    def facts(self, path: tuple[Any, ...], prefix: str) -> None:
        stack = [(path, prefix)]
        while stack:
            where, dotted = stack.pop()
            for name, decl in self.mapping(*where).items():
                full = f"{dotted}{name}"
                self.key("fact", where + (name,), full, True)
                if isinstance(decl, dict) and isinstance(decl.get("fields"), dict):
                    stack.append((where + (name, "fields"), full + "."))

    def expression(self, path: tuple[Any, ...]) -> None:
        text = self._get(path)
        entry = self.smap.get(path)
        if not isinstance(text, str) or entry is None:
            return
        for name, start, end in expression_names(text):
            offsets = _offsets(self.smap, entry, text)
            if offsets is None:
                continue
            self.out.append(Occurrence("fact", name, offsets[start], offsets[end], False, path))


def _offsets(smap: SourceMap, entry: Entry, text: str) -> tuple[int, ...] | None:
    from ..model.build import expression_offsets

    return expression_offsets(smap, entry, text)


def expression_names(text: str) -> list[tuple[str, int, int]]:
    """The facts an expression names: (``amount`` or ``partner.tier``, start, end) with
    offsets into ``text``; nothing when it does not parse. Variables of macros are not facts."""
    from ..core.errors import ExpressionError
    from ..expr import ast
    from ..expr.parser import parse_expression

    try:
        tree = parse_expression(text)
    except (ExpressionError, RecursionError):
        return []
    bound = {n.var for n in ast.walk(tree) if isinstance(n, ast.Comprehension)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.name not in bound and node.span is not None:
            out.append((node.name, node.span[0], node.span[1]))
        elif isinstance(node, ast.Select) and not node.test and node.span is not None:
            chain = _chain(node)
            if chain is not None and chain[0] not in bound:
                end = node.span[1]
                out.append((".".join(chain), end - len(node.field), end))
    return out


def _chain(node: Any) -> list[str] | None:
    from ..expr import ast

    parts: list[str] = []
    while isinstance(node, ast.Select):
        parts.append(node.field)
        node = node.operand
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.name)
    return parts[::-1]


def build_index(data: Any, smap: SourceMap | None) -> SymbolIndex:
    if smap is None:
        return SymbolIndex([])
    return _Builder(data, smap).build()


def occurrences_of(index: SymbolIndex, kinds: Iterable[str]) -> list[Occurrence]:
    wanted = set(kinds)
    return [o for o in index.occurrences if o.kind in wanted]
