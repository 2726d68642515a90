"""Inline suppressions: a YAML comment ``# policyengine: ignore[PE504]`` (several codes or rule
names comma-separated) silences those codes on its line. A suppression that silences nothing is
reported (PE801 unused-suppression), and so is one naming an unknown code or no code (PE802
invalid-suppression). Comments are found with PyYAML's scanner, so a ``#`` inside a quoted or
block scalar is text, not a comment (a file that does not scan is read line by line, quotes in
mind).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Callable

from ..codes import REGISTRY, lookup
from ..diagnostics import Diagnostic, Severity, Span
from ..source import SourceFile
_SUPPRESS = re.compile(r"policyengine\s*:\s*ignore\b(\[[^\]\n]*\]?)?")


@dataclass(frozen=True)
class Suppression:
    span: Span
    names: tuple[str, ...]  # as written
    codes: tuple[str, ...]  # resolved codes (unknown names left out)
    unknown: tuple[str, ...]


def find_suppressions(source: SourceFile) -> list[Suppression]:
    text = source.text
    matches = list(_SUPPRESS.finditer(text))
    if not matches:
        return []
    scalars = _scalar_spans(text)
    out = []
    for m in matches:
        hash_at = _comment_start(text, m.start(), scalars)
        if hash_at is None:
            continue
        line, col = source.position(hash_at)
        _, end_col = source.position(m.end())
        inside = (m.group(1) or "").strip("[]")
        names = tuple(x.strip() for x in inside.split(",") if x.strip())
        codes, unknown = [], []
        for name in names:
            found = lookup(name)
            (codes.append(found.code) if found is not None else unknown.append(name))
        out.append(Suppression(Span(source.path, line, col, line, end_col), names,
                               tuple(codes), tuple(unknown)))
    return out


def find_comments(text: str) -> list[tuple[int, str]]:
    """Every YAML comment of ``text``: (0-based offset of its ``#``, its text without the line
    break). A ``#`` inside a scalar is text; a comment starts at the line start or after a
    blank. The formatter checks with it that no comment is lost."""
    scalars = _scalar_spans(text)
    out: list[tuple[int, str]] = []
    pos = text.find("#")
    while pos != -1:
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
        if scalars is None:
            start = _comment_start(text, end, None)
            is_comment = start == pos
        else:
            is_comment = (pos == 0 or text[pos - 1] in " \t\n") and not _inside(pos, scalars)
        if is_comment:
            out.append((pos, text[pos:end].rstrip("\r")))
            pos = text.find("#", end)
        else:
            pos = text.find("#", pos + 1)
    return out


def _inside(pos: int, scalars: list[tuple[int, int]] | None) -> bool:
    if scalars is None:
        return False
    starts = [s for s, _ in scalars]
    k = bisect.bisect_right(starts, pos) - 1
    return k >= 0 and scalars[k][0] <= pos < scalars[k][1]


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


def _comment_start(text: str, at: int, scalars: list[tuple[int, int]] | None) -> int | None:
    """The offset of the ``#`` opening the comment that contains ``at``, or None when ``at``
    is not in a comment."""
    line_start = text.rfind("\n", 0, at) + 1
    if scalars is not None:
        starts = [s for s, _ in scalars]
        k = bisect.bisect_right(starts, at) - 1
        if k >= 0 and scalars[k][0] <= at < scalars[k][1]:
            return None
        pos = text.find("#", line_start, at)
        while pos != -1:
            k = bisect.bisect_right(starts, pos) - 1
            in_scalar = k >= 0 and scalars[k][0] <= pos < scalars[k][1]
            if not in_scalar and (pos == line_start or text[pos - 1] in " \t"):
                return pos
            pos = text.find("#", pos + 1, at)
        return None
    quote = None  # the text does not scan: read the line with quotes in mind
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


def apply_suppressions(diagnostics: list[Diagnostic], source: SourceFile | None,
                       enabled: Callable[[str], bool] = lambda code: True
                       ) -> list[Diagnostic]:
    """Drop the diagnostics an inline suppression silences; add PE801/PE802 for the
    suppressions that silence nothing or name what does not exist."""
    if source is None:
        return diagnostics
    found = find_suppressions(source)
    if not found:
        return diagnostics
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
    from ..suggest import did_you_mean

    names = [*REGISTRY, *(c.name for c in REGISTRY.values())]
    return did_you_mean(name, names) or "codes look like `PE504`; `policyengine explain` " \
                                         "lists them"
