"""SourceFile: a text with a line-start index, converting offsets to 1-based line/column."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceFile:
    path: str
    text: str
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        object.__setattr__(self, "_starts", tuple(starts))

    def position(self, offset: int) -> tuple[int, int]:
        """0-based character offset -> (line, column), both 1-based."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def positions(self, start: int, end: int) -> tuple[int, int, int, int]:
        """``position(start) + position(max(end, start + 1))`` (a span's two ends) with one
        search of the line index where both ends are on one line."""
        n = len(self.text)
        starts = self._starts
        a = 0 if start < 0 else (n if start > n else start)
        e = start + 1 if end <= start else end
        e = 0 if e < 0 else (n if e > n else e)
        line = bisect.bisect_right(starts, a) - 1
        if line + 1 < len(starts) and e >= starts[line + 1]:
            end_line = bisect.bisect_right(starts, e, line + 1) - 1
        else:
            end_line = line
        return line + 1, a - starts[line] + 1, end_line + 1, e - starts[end_line] + 1

    def offset(self, line: int, column: int) -> int:
        """1-based (line, column) -> 0-based character offset."""
        line = max(1, min(line, len(self._starts)))
        return min(self._starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break ('' when out of range)."""
        if line < 1 or line > len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    @property
    def line_count(self) -> int:
        return len(self._starts)
