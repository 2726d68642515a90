"""Read the key tables of docs/rulebook.md: for each section, its keys in order with their
type, whether they are required and what they mean.

The reference is the one text that describes the format: ``policyengine fmt`` orders keys as
these tables list them (checked by tests/fmt/test_fmt.py) and
``scripts/schema_descriptions.py`` writes the schema's descriptions from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "rulebook.md"


@dataclass(frozen=True)
class Row:
    keys: tuple[str, ...]  # `min`, `max` share a row
    cells: tuple[str, ...]  # the other cells, as written (markdown)


@dataclass(frozen=True)
class Table:
    heading: str  # the `## ...` heading it is under, backticks removed
    header: tuple[str, ...]
    rows: tuple[Row, ...]
    raw_rows: tuple[tuple[str, ...], ...] = ()  # every row's cells as written

    @property
    def keys(self) -> list[str]:
        return [k for row in self.rows for k in row.keys]

    def column(self, name: str) -> int | None:
        """The index in ``Row.cells`` of a column (the key column excluded)."""
        try:
            return self.header.index(name) - 1
        except ValueError:
            return None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def tables(text: str | None = None) -> list[Table]:
    """Every table whose first column names keys (`` `key` ``), in the order of the page."""
    return [t for t in tables_any(text) if t.rows and all(r.keys for r in t.rows)]


def tables_any(text: str | None = None) -> list[Table]:
    """Every table of the page, in order."""
    if text is None:
        text = REFERENCE.read_text("utf-8")
    out: list[Table] = []
    heading = ""
    lines = text.splitlines()
    i = 0
    in_code = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("## "):
            heading = line[3:].replace("`", "").strip()
        elif not in_code and line.startswith("|") and i + 1 < len(lines) \
                and re.match(r"^\|[\s\-|:]+\|\s*$", lines[i + 1]):
            header = tuple(_cells(line))
            rows = []
            raw = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                cells = _cells(lines[i])
                keys = tuple(re.findall(r"`([^`]+)`", cells[0]))
                rows.append(Row(keys, tuple(cells[1:])))
                raw.append(tuple(cells))
                i += 1
            out.append(Table(heading, header, tuple(rows), tuple(raw)))
            continue
        i += 1
    return out


def table_for(heading: str, first_column: str, text: str | None = None) -> Table:
    """The table under ``heading`` whose first column is headed ``first_column``."""
    for t in tables(text):
        if t.heading == heading and t.header[0] == first_column:
            return t
    raise LookupError(f"docs/rulebook.md has no `{first_column}` table under `{heading}`")
