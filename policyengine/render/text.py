"""Diagnostics as text: ``file:line:col: CODE severity: message``, the source line with a caret
under the span, the hint and related locations. Colour only when asked (on a terminal)."""

from __future__ import annotations

import json
from typing import Iterable, Mapping

from ..core.diagnostics import Diagnostic, Severity
from ..core.source import SourceFile
from .escape import terminal

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def render_diagnostic(d: Diagnostic, source: SourceFile | None = None, *,
                      colour: bool = False) -> str:
    sev = _paint(d.severity.value, "1;" + _COLOURS[d.severity], colour)
    code = _paint(d.code, "1", colour)
    lines = [f"{terminal(d.location())}: {code} {sev}: {terminal(d.message)}"]
    if source is not None and d.line is not None and 1 <= d.line <= source.line_count:
        text = source.line_text(d.line).replace("\t", " ")
        number = str(d.line)
        pad = " " * len(number)
        start = max(1, d.column or 1)
        if d.end_line is not None and d.end_line == d.line and d.end_column:
            width = max(1, d.end_column - start)
        else:
            width = max(1, len(text) - start + 1)
        width = min(width, max(1, len(text) - start + 1))
        text, start, width = _window(text, start, width)
        lines.append(f" {number} | {_shown_source(text)}")
        lines.append(f" {pad} | {' ' * (start - 1)}{_paint('^' * width, _COLOURS[d.severity], colour)}")
    if d.hint:
        lines.append(f"  = hint: {terminal(d.hint)}")
    for note, span in d.related:
        lines.append(f"  = note: {terminal(note)} ({terminal(str(span))})")
    if d.witness is not None:
        lines.append("  = witness: " + json.dumps(d.witness, sort_keys=True, ensure_ascii=False))
    return "\n".join(lines)


def _shown_source(text: str) -> str:
    """A source line for the terminal: a control character keeps its one column (as ``?``)
    so that the caret line below still points at the span."""
    return "".join("?" if terminal(ch) != ch else ch for ch in text) \
        if terminal(text) != text else text


MAX_SHOWN = 100  # characters of a source line shown; longer lines are cut around the span
_LEAD = 30  # characters shown before the span in a cut line


def _window(text: str, start: int, width: int) -> tuple[str, int, int]:
    """Cut a long source line to about MAX_SHOWN characters around the span starting at the
    1-based column ``start``; returns (shown text, start, width) for the caret line."""
    if len(text) <= MAX_SHOWN:
        return text, start, width
    first = max(0, min(start - 1 - _LEAD, len(text) - MAX_SHOWN))
    last = min(len(text), first + MAX_SHOWN)
    head = "..." if first > 0 else ""
    tail = "..." if last < len(text) else ""
    start = start - first + len(head)
    width = max(1, min(width, last - first + len(head) - start + 1))
    return head + text[first:last] + tail, start, width


def summary_line(diagnostics: list[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
    infos = sum(d.severity is Severity.INFO for d in diagnostics)
    where = f"{files} file" + ("" if files == 1 else "s")
    if not diagnostics:
        return f"no problems found in {where}"
    parts = [f"{errors} error" + ("" if errors == 1 else "s"),
             f"{warnings} warning" + ("" if warnings == 1 else "s")]
    if infos:
        parts.append(f"{infos} info")
    return f"{', '.join(parts)} in {where}"


def render(diagnostics: Iterable[Diagnostic], *, sources: Mapping[str, SourceFile] = {},
           files: int = 0, colour: bool = False) -> str:
    items = list(diagnostics)
    blocks = [render_diagnostic(d, sources.get(d.file or ""), colour=colour) for d in items]
    blocks.append(summary_line(items, files))
    return "\n\n".join(blocks[:-1]) + ("\n\n" if len(blocks) > 1 else "") + blocks[-1] + "\n"
