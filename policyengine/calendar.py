"""Durations (``Nd``, ``Nw``, ``Nbd``), business days (Monday to Friday) and windows."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

_DURATION = re.compile(r"^([1-9][0-9]{0,4})(d|w|bd)$")
_DAY = _dt.timedelta(days=1)
UNIT_WORDS = {"d": ("day", "days"), "w": ("week", "weeks"), "bd": ("business day", "business days")}


class CalendarError(ValueError):
    """A date computation left the calendar (beyond year 9999)."""


@dataclass(frozen=True, slots=True)
class Duration:
    count: int
    unit: str  # "d", "w" or "bd"

    @classmethod
    def parse(cls, text: str) -> "Duration":
        m = _DURATION.match(text.strip()) if isinstance(text, str) else None
        if not m:
            raise ValueError(f"`{text}` is not a duration (Nd, Nw or Nbd)")
        return cls(int(m.group(1)), m.group(2))

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def words(self) -> str:
        one, many = UNIT_WORDS[self.unit]
        return f"{self.count} {one if self.count == 1 else many}"

    def add_to(self, start: _dt.date) -> _dt.date:
        """The date this duration after ``start``."""
        try:
            if self.unit == "bd":
                return add_business_days(start, self.count)
            return start + self.delta
        except OverflowError:
            raise CalendarError(f"{self} after {start.isoformat()} is beyond the calendar") \
                from None

    @property
    def delta(self) -> _dt.timedelta:
        """The fixed calendar length of a ``d`` or ``w`` duration (not for business days)."""
        return _dt.timedelta(days=self.count * (7 if self.unit == "w" else 1))

    @property
    def min_days(self) -> int:
        """Fewest calendar days it can span (business days from a Sunday)."""
        if self.unit == "bd":
            return self.count + 2 * ((self.count - 1) // 5)
        return self.count * (7 if self.unit == "w" else 1)

    @property
    def max_days(self) -> int:
        """Most calendar days it can span (business days from a Friday or Saturday)."""
        if self.unit == "bd":
            return self.count + 2 * -(-self.count // 5)
        return self.count * (7 if self.unit == "w" else 1)

    def days_from(self, weekday: int) -> int:
        """Calendar days spanned when starting on ``weekday`` (Monday = 0)."""
        # 2024-01-01 was a Monday.
        start = _dt.date(2024, 1, 1) + _dt.timedelta(days=weekday)
        return (self.add_to(start) - start).days


_MONDAY = _dt.date(2024, 1, 1)


def adder(duration: "Duration | None"):
    """A fast ``date -> date`` function adding ``duration`` (None for no duration). It raises
    OverflowError beyond the calendar; callers turn that into CalendarError."""
    if duration is None:
        return None
    if duration.unit == "bd":
        # Saturdays and Sundays only: the result depends on the weekday of ``start`` alone, so
        # the seven answers are computed once (a week from a Monday), then one lookup and one
        # addition per date. Exact: shifting ``start`` by whole weeks shifts the result alike.
        count = duration.count
        deltas = tuple(add_business_days(_MONDAY + _dt.timedelta(days=w), count)
                       - (_MONDAY + _dt.timedelta(days=w)) for w in range(7))
        return lambda start: start + deltas[start.weekday()]
    delta = duration.delta
    return lambda start: start + delta


def add_business_days(start: _dt.date, count: int) -> _dt.date:
    """``count`` business days after ``start``: Saturdays and Sundays are skipped.

    3 business days from Sunday 2026-11-22 is Wednesday 2026-11-25; from a Friday, 1 is Monday.
    """
    if count <= 0:
        return start
    day = start
    if day.weekday() >= 5:  # counting from a weekend is counting from the Friday before
        day -= _dt.timedelta(days=day.weekday() - 4)
    weeks, rest = divmod(count, 5)
    day += _dt.timedelta(weeks=weeks)
    while rest:
        day += _DAY
        if day.weekday() < 5:
            rest -= 1
    return day


def parse_date(text: str) -> _dt.date:
    """A strict ISO ``YYYY-MM-DD`` date (no times, no week dates)."""
    if not isinstance(text, str) or len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(f"`{text}` is not an ISO date YYYY-MM-DD")
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"`{text}` is not a real date") from None
