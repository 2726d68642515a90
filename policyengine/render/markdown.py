"""Small Markdown helpers shared by the playbook and the memo: escaping and tables."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from .escape import one_line

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&!~])")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")


def escape(text: str) -> str:
    """Text shown as written: Markdown's special characters escaped, one line (line breaks and
    control characters can never start a new block or leave a table row)."""
    return _SPECIAL.sub(r"\\\1", " ".join(one_line(text).split(" ")).strip())


def _escape_run(text: str) -> str:
    """Like :func:`escape`, but keeps a space at either end (a piece of a longer line)."""
    return _SPECIAL.sub(r"\\\1", re.sub(r" +", " ", one_line(text)))


def inline(text: str) -> str:
    """An engine message as Markdown: its `backticked` spans as code, the rest escaped."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # unbalanced: show it all as text
        return escape(text)
    text = "".join(code(p) if i % 2 and p else _escape_run(p) for i, p in enumerate(parts))
    return text.strip()


def code(text: str) -> str:
    """Inline code that survives any backticks in the text: the fence is one backtick longer
    than the longest run inside (CommonMark), and the text is one line. Raw HTML inside a code
    span is shown as text."""
    text = re.sub(r" +", " ", one_line(text))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (
        text.startswith(" ") and text.endswith(" ") and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def cell(text: str) -> str:
    """Markdown that stays in its table cell: every ``|`` not already escaped is escaped (GFM
    splits cells on ``|`` even inside code spans)."""
    return _UNESCAPED_PIPE.sub(lambda m: m.group(1) + "\\|", one_line(text))


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A pipe table; cells are already Markdown (escape them first); pipes and line breaks
    left in a cell are escaped here."""
    out = ["| " + " | ".join(cell(h) for h in header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(cell(c) if c else " " for c in row) + " |")
    return out
