"""Inline suppressions: a YAML comment ``# policyengine: ignore[PE504]`` (several codes or rule
names comma-separated) silences those codes on its line. A suppression that silences nothing is
reported (PE801 unused-suppression), and so is one naming an unknown code or no code (PE802
invalid-suppression). The comments of a loaded rulebook are those its source map records (a
``#`` inside a quoted or block scalar is text, not a comment); a file that did not load is
scanned, or read line by line, quotes in mind, when it does not scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from ..core.codes import REGISTRY, lookup
from ..core.diagnostics import Diagnostic, Severity, Span
from ..load.sourcemap import SourceMap, comments_outside
from ..core.source import SourceFile
_SUPPRESS = re.compile(r"policyengine\s*:\s*ignore\b(\[[^\]\n]*\]?)?")


@dataclass(frozen=True)
class Suppression:
    span: Span
    names: tuple[str, ...]  # as written
    codes: tuple[str, ...]  # resolved codes (unknown names left out)
    unknown: tuple[str, ...]


def find_suppressions(source: SourceFile | SourceMap) -> list[Suppression]:
    """The suppressions in the comments of ``source``: those the source map of a loaded
    rulebook recorded, or (a file that did not load) those found in its text."""
    comments = source.comments if isinstance(source, SourceMap) else None
    text_of = source.source if isinstance(source, SourceMap) else source
    if _SUPPRESS.search(text_of.text) is None:
        return []
    if comments is None:
        comments = find_comments(text_of.text)
    out = []
    for hash_at, comment in comments:
        for m in _SUPPRESS.finditer(comment):
            line, col = text_of.position(hash_at)
            _, end_col = text_of.position(hash_at + m.end())
            inside = (m.group(1) or "").strip("[]")
            names = tuple(x.strip() for x in inside.split(",") if x.strip())
            codes, unknown = [], []
            for name in names:
                found = lookup(name)
                (codes.append(found.code) if found is not None else unknown.append(name))
            out.append(Suppression(Span(text_of.path, line, col, line, end_col), names,
                                   tuple(codes), tuple(unknown)))
    return out


def find_comments(text: str) -> list[tuple[int, str]]:
    """Every YAML comment of ``text``: (0-based offset of its ``#``, its text without the line
    break). A ``#`` inside a scalar is text; a comment starts at the line start or after a
    blank. The text is scanned for its scalars (a loaded rulebook's
    :attr:`SourceMap.comments` has them without scanning); a text that does not scan is read
    line by line, quotes in mind. The formatter checks with it that no comment is lost."""
    scalars = _scalar_spans(text)
    if scalars is not None:
        return comments_outside(text, scalars)
    out: list[tuple[int, str]] = []
    pos = text.find("#")
    while pos != -1:
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        if _comment_start(text, end) == pos:
            out.append((pos, text[pos:end].rstrip("\r")))
            pos = text.find("#", end)
        else:
            pos = text.find("#", pos + 1)
    return out


def _scalar_spans(text: str) -> list[tuple[int, int]] | None:
    """Start/end offsets of every scalar token, or None when the text does not scan."""
    import yaml

    spans = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C scanner when available
    try:
        for token in yaml.scan(text, Loader=loader):
            if isinstance(token, yaml.ScalarToken):
                spans.append((token.start_mark.index, token.end_mark.index))
    except yaml.YAMLError:
        return None
    return spans


def _comment_start(text: str, at: int) -> int | None:
    """The offset of the ``#`` opening the comment that contains ``at`` in a text that does
    not scan (read with quotes in mind), or None when ``at`` is not in a comment."""
    line_start = text.rfind("\n", 0, at) + 1
    quote = None
    for pos in range(line_start, at):
        ch = text[pos]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (pos == line_start or text[pos - 1] in " \t"):
            return pos
    return None


def apply_suppressions(diagnostics: list[Diagnostic], source: SourceFile | SourceMap | None,
                       enabled: Callable[[str], bool] = lambda code: True
                       ) -> list[Diagnostic]:
    """Drop the diagnostics an inline suppression silences; add PE801/PE802 for the
    suppressions that silence nothing or name what does not exist. ``source``: the loaded
    rulebook's source map (its comments are recorded), or the text of one that did not load."""
    if source is None:
        return diagnostics
    found = find_suppressions(source)
    if not found:
        return diagnostics
    if isinstance(source, SourceMap):
        source = source.source
    by_line: dict[int, list[Suppression]] = {}
    for s in found:
        by_line.setdefault(s.span.line, []).append(s)
    used: set[tuple[int, str]] = set()
    kept = []
    for d in diagnostics:
        hit = None
        if d.file == source.path and d.line is not None:
            for s in by_line.get(d.line, ()):
                if d.code in s.codes:
                    hit = s
                    break
        if hit is None:
            kept.append(d)
        else:
            used.add((id(hit), d.code))
    for s in found:
        shown = f"# policyengine: ignore[{', '.join(s.names)}]"
        if not s.names:
            kept.append(Diagnostic.at(
                "PE802", Severity.WARNING, "this suppression names no code", s.span,
                hint="name the codes to silence: `# policyengine: ignore[PE504]`",
                element=f"suppression:{s.span.line}"))
        for name in s.unknown:
            kept.append(Diagnostic.at(
                "PE802", Severity.WARNING, f"`{name}` in `{shown}` is not a code or rule name",
                s.span, hint=_near(name), element=f"suppression:{name}"))
        for code in s.codes:
            if (id(s), code) not in used and enabled(code):
                kept.append(Diagnostic.at(
                    "PE801", Severity.WARNING, f"`{shown}` does not silence any `{code}` on "
                    "this line", s.span, hint=f"remove `{code}` from the suppression (or the "
                    "comment), or move it to the line the finding points at",
                    element=f"suppression:{code}"))
    return kept


def _near(name: str) -> str:
    from ..core.suggest import did_you_mean

    names = [*REGISTRY, *(c.name for c in REGISTRY.values())]
    return did_you_mean(name, names) or "codes look like `PE504`; `policyengine explain` " \
                                         "lists them"
