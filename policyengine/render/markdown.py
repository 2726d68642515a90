"""Small Markdown helpers shared by the playbook and the memo: escaping and tables."""

from __future__ import annotations

import re
from typing import Iterable, Sequence

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape(text: str) -> str:
    """Text shown as written: Markdown's special characters escaped, one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _escape_run(text: str) -> str:
    """Like :func:`escape`, but keeps a space at either end (a piece of a longer line)."""
    return _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)))


def inline(text: str) -> str:
    """An engine message as Markdown: its `backticked` spans as code, the rest escaped."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # unbalanced: show it all as text
        return escape(text)
    text = "".join(code(p) if i % 2 and p else _escape_run(p) for i, p in enumerate(parts))
    return text.strip()


def code(text: str) -> str:
    """Inline code that survives backticks in the text."""
    text = " ".join(str(text).split())
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A pipe table; cells are already Markdown (escape them first)."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        out.append("| " + " | ".join(cell if cell else " " for cell in row) + " |")
    return out
