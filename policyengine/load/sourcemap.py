"""SourceMap: where each node of a loaded YAML document came from.

Paths are tuples of mapping keys (str) and sequence indices (int), as jsonschema's
``error.absolute_path`` spells them; ``()`` is the document root.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable, Iterator

from ..core.diagnostics import Span
from ..core.source import SourceFile
from .reader import span_of

Path = tuple[Any, ...]  # tuple[str | int, ...]


class Entry:
    """One node: the span of its key (None for the root and sequence items) and of its value.

    For scalars ``raw`` is the scalar's text as YAML parsed it (before type resolution),
    ``style`` is ``plain``, ``'``, ``"``, ``|`` or ``>``; ``yaml11`` marks a plain scalar YAML 1.1
    reads as something surprising (``NO`` -> false, ``~`` -> null, ``1:30`` -> 90).
    ``start``/``end`` are character offsets of the value in the source text.

    The spans are kept as character offsets and made into lines and columns when first asked
    for: a large rulebook has tens of thousands of nodes, and a load reads the spans of a few.
    """

    __slots__ = ("source", "start", "end", "raw", "style", "yaml11", "span_at", "key_at",
                 "_value_span", "_key_span")

    def __init__(self, source: SourceFile, span_at: tuple[int, int],
                 key_at: tuple[int, int] | None = None, start: int = 0, end: int = 0,
                 raw: str | None = None, style: str | None = None, yaml11: bool = False
                 ) -> None:
        self.source = source
        self.span_at = span_at  # [start, end) offsets of the value's span
        self.key_at = key_at  # and of its key's (set before the span is first read)
        self.start = start
        self.end = end
        self.raw = raw
        self.style = style
        self.yaml11 = yaml11
        self._value_span: Span | None = None
        self._key_span: Span | None = None

    @property
    def value_span(self) -> Span:
        span = self._value_span
        if span is None:
            span = self._value_span = span_of(self.source, *self.span_at)
        return span

    @property
    def key_span(self) -> Span | None:
        if self.key_at is None:
            return None
        span = self._key_span
        if span is None:
            span = self._key_span = span_of(self.source, *self.key_at)
        return span

    def place(self, span_at: tuple[int, int] | None = None,
              key_at: tuple[int, int] | None = None) -> None:
        """Move the value's span (a collection's, once its end is known) or set the key's."""
        if span_at is not None:
            self.span_at, self._value_span = span_at, None
        if key_at is not None:
            self.key_at, self._key_span = key_at, None

    def _fields(self) -> tuple[Any, ...]:
        return (self.value_span, self.key_span, self.start, self.end, self.raw, self.style,
                self.yaml11)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entry) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it replaces

    def __repr__(self) -> str:
        return (f"Entry(value_span={self.value_span!r}, key_span={self.key_span!r}, "
                f"start={self.start}, end={self.end}, raw={self.raw!r}, style={self.style!r}, "
                f"yaml11={self.yaml11})")


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

    @cached_property
    def comments(self) -> list[tuple[int, str]]:
        """Every YAML comment of the source: (0-based offset of its ``#``, its text without
        the line break), found once from the spans this map records (the keys' and the
        scalars'), without scanning the YAML again."""
        text = self.source.text
        scalars = []
        for entry in self.entries.values():
            if entry.raw is not None:
                scalars.append((entry.start, entry.end))
            k = entry.key_span
            if k is not None:
                scalars.append((self.source.offset(k.line, k.column),
                                self.source.offset(k.end_line, k.end_column)))
        return comments_outside(text, scalars)


def comments_outside(text: str, scalars: Iterable[tuple[int, int]]) -> list[tuple[int, str]]:
    """The comments of ``text`` given the offsets ``[start, end)`` of its scalars (keys
    included): a ``#`` outside every scalar, at the start of a line or after a blank, opens a
    comment that runs to the end of its line."""
    spans = sorted(scalars)
    starts = [a for a, _ in spans]
    ends: list[int] = []  # the furthest end of the spans up to each one (spans may nest)
    for _, b in spans:
        ends.append(max(b, ends[-1]) if ends else b)
    out: list[tuple[int, str]] = []
    pos = text.find("#")
    while pos != -1:
        k = bisect.bisect_right(starts, pos) - 1
        inside = k >= 0 and pos < ends[k]
        if not inside and (pos == 0 or text[pos - 1] in " \t\n"):
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            out.append((pos, text[pos:end].rstrip("\r")))
            pos = text.find("#", end)
        else:
            pos = text.find("#", pos + 1)
    return out
