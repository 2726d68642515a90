"""Durations (``Nd``, ``Nw``, ``Nbd``), business days (Monday to Friday) and windows."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Callable, overload

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


@overload
def adder(duration: "Duration") -> "Callable[[_dt.date], _dt.date]": ...
@overload
def adder(duration: None) -> None: ...
@overload
def adder(duration: "Duration | None") -> "Callable[[_dt.date], _dt.date] | None": ...
def adder(duration: "Duration | None") -> "Callable[[_dt.date], _dt.date] | None":
    """A fast ``date -> date`` function adding ``duration`` (None for no duration). It raises
    OverflowError beyond the calendar; callers turn that into CalendarError."""
    if duration is None:
        return None
    if duration.unit == "bd":
        count = duration.count
        return lambda start: add_business_days(start, count)
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


#: What the API accepts wherever it takes a day (``as_of``): a date, a datetime (its day), or an
#: ISO ``YYYY-MM-DD`` string.
AsOf = _dt.date | _dt.datetime | str


def as_day(value: AsOf | None, *, name: str = "as_of") -> _dt.date:
    """``value`` as a date; today when None. Raises ValueError naming ``name`` otherwise."""
    if value is None:
        return _dt.date.today()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    raise ValueError(f"{name} must be a date, a datetime or an ISO date YYYY-MM-DD")
