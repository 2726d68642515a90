"""SourceMap: where each node of a loaded YAML document came from.

Paths are tuples of mapping keys (str) and sequence indices (int), as jsonschema's
``error.absolute_path`` spells them; ``()`` is the document root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from ..diagnostics import Span
from ..source import SourceFile

Path = tuple[Any, ...]  # tuple[str | int, ...]


@dataclass(slots=True)
class Entry:
    """One node: the span of its key (None for the root and sequence items) and of its value.

    For scalars ``raw`` is the scalar's text as YAML parsed it (before type resolution),
    ``style`` is ``plain``, ``'``, ``"``, ``|`` or ``>``; ``yaml11`` marks a plain scalar YAML 1.1
    reads as something surprising (``NO`` -> false, ``~`` -> null, ``1:30`` -> 90).
    ``start``/``end`` are character offsets of the value in the source text.
    """

    value_span: Span
    key_span: Span | None = None
    start: int = 0
    end: int = 0
    raw: str | None = None
    style: str | None = None
    yaml11: bool = False


@dataclass
class SourceMap:
    source: SourceFile
    entries: dict[Path, Entry] = field(default_factory=dict)

    def get(self, path: Path) -> Entry | None:
        return self.entries.get(tuple(path))

    def value_span(self, path: Path) -> Span | None:
        """The span of the value at ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while True:
            entry = self.entries.get(path)
            if entry is not None:
                return entry.value_span
            if not path:
                return None
            path = path[:-1]

    def key_span(self, path: Path) -> Span | None:
        """The span of the key naming ``path`` (the value's span for sequence items)."""
        entry = self.entries.get(tuple(path))
        if entry is None:
            return self.value_span(path)
        return entry.key_span or entry.value_span

    def items(self) -> Iterator[tuple[Path, Entry]]:
        return iter(self.entries.items())
