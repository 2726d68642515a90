"""Durations (``Nd``, ``Nw``, ``Nbd``), business days and windows: the one home of date
arithmetic. ``BusinessCalendar`` is the calendar of a policy without ``calendar:`` (Monday to
Friday); ``ResolvedCalendar`` adds public holidays, company closures, other weekends and
``roll``, resolved over a bounded horizon at load (``policyengine.model.calendars`` builds it)."""

from __future__ import annotations

import datetime as _dt
import bisect
import re
from types import MappingProxyType
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

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


# -- business calendars: one home for date arithmetic ---------------------------------------
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Adder = Callable[[_dt.date], _dt.date]


class HorizonError(CalendarError):
    """A date computation needs a day outside the range the calendar was resolved over."""

    def __init__(self, day: _dt.date, first: _dt.date, last: _dt.date):
        super().__init__(f"{day.isoformat()} is outside the calendar's horizon "
                         f"({first.isoformat()} to {last.isoformat()})")
        self.day, self.first, self.last = day, first, last


def weekday_words(day: _dt.date) -> str:
    """``Wednesday 2026-11-25``."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.isoformat()}"


class BusinessCalendar:
    """The date arithmetic of a policy: ``add(date, duration)``, the deadline walk, the days a
    window skipped. This base is the calendar of a policy without ``calendar:``: a business day
    is Monday to Friday, every date is computable (up to year 9999), nothing else is skipped."""

    region: str | None = None
    roll: str = "none"
    weekend: tuple[int, ...] = (5, 6)
    timezone: str | None = None
    resolved = False  # True for a calendar resolved from a rulebook's ``calendar:``

    def adder(self, duration: Duration | None) -> Adder | None:
        """A fast ``date -> date`` function adding ``duration`` (None for no duration). It raises
        OverflowError beyond year 9999 (HorizonError outside a resolved calendar's horizon)."""
        if duration is None:
            return None
        if duration.unit == "bd":
            # Saturdays and Sundays only: the result depends on the weekday of ``start`` alone,
            # so the seven answers are computed once (a week from a Monday), then one lookup and
            # one addition per date. Exact: shifting ``start`` by whole weeks shifts the result
            # alike (tests/unit/test_calendar_adder.py checks it against add_business_days).
            count = duration.count
            deltas = tuple(add_business_days(_MONDAY + _dt.timedelta(days=w), count)
                           - (_MONDAY + _dt.timedelta(days=w)) for w in range(7))
            return lambda start: start + deltas[start.weekday()]
        delta = duration.delta
        return lambda start: start + delta

    def window(self, duration: Duration) -> Adder:
        """``adder`` of a duration that is always given (a decision window)."""
        fn = self.adder(duration)
        assert fn is not None
        return fn

    def add(self, start: _dt.date, duration: Duration) -> _dt.date:
        """The date ``duration`` after ``start`` (CalendarError when it cannot be computed)."""
        fn = self.adder(duration)
        assert fn is not None
        try:
            return fn(start)
        except OverflowError:
            raise CalendarError(f"{duration} after {start.isoformat()} is beyond the "
                                "calendar") from None

    def is_business_day(self, day: _dt.date) -> bool:
        return day.weekday() < 5

    def skipped(self, start: _dt.date, end: _dt.date, duration: Duration
                ) -> tuple[tuple[_dt.date, str], ...]:
        """The named days (public holidays, company closures; weekends are not named) that
        made ``start + duration`` land on ``end`` rather than on plain weekday arithmetic."""
        return ()

    def sample_starts(self) -> tuple[_dt.date, ...]:
        """The start days that reach every case of a window: one of each weekday here; every
        day of the term for a resolved calendar (holidays differ from year to year)."""
        return tuple(_MONDAY + _dt.timedelta(days=w) for w in range(7))

    def off_days(self, first: _dt.date, last: _dt.date) -> dict[_dt.date, str]:
        """Every non-business day of ``first..last`` with why (``Saturday``, a holiday's name,
        ``company closure``): what a diff compares."""
        out: dict[_dt.date, str] = {}
        day = first
        while day <= last:
            if not self.is_business_day(day):
                out[day] = WEEKDAY_NAMES[day.weekday()]
            day += _DAY
        return out

    def describe(self) -> Mapping[str, Any] | None:
        """What the decision records (None: the policy has no ``calendar:``)."""
        return None


_MONDAY = _dt.date(2024, 1, 1)
WEEKDAYS_ONLY = BusinessCalendar()


class ResolvedCalendar(BusinessCalendar):
    """A business calendar resolved over a horizon at load: weekend days, public holidays and
    company closures, with business-day ordinals precomputed so that adding ``Nbd`` is two list
    lookups. A computation that needs a day outside ``first..last`` raises HorizonError."""

    resolved = True

    def __init__(self, *, region: str | None, first: _dt.date, last: _dt.date,
                 weekend: tuple[int, ...], holidays: Mapping[_dt.date, str],
                 closed: Iterable[_dt.date], roll: str, timezone: str | None,
                 holidays_code: str | None, term: tuple[_dt.date, _dt.date]):
        self.region = region
        self.first, self.last = first, last
        self.weekend = tuple(sorted(set(weekend)))
        self.roll = roll
        self.timezone = timezone
        self.holidays_code = holidays_code
        self.term = term
        self.holidays = {d: n for d, n in sorted(holidays.items()) if first <= d <= last}
        self.closed = frozenset(d for d in closed if first <= d <= last)
        self._base = first.toordinal()
        size = last.toordinal() - self._base + 1
        weekend_set = frozenset(self.weekend)
        count = [0] * size
        bdays: list[_dt.date] = []
        named: list[tuple[int, str]] = []
        day = first
        for i in range(size):
            off = None
            if day in self.closed:
                off = "company closure"
            if day in self.holidays:
                off = self.holidays[day] if off is None else f"{self.holidays[day]}, " \
                    "company closure"
            if day.weekday() in weekend_set:
                pass  # a weekend day: counted out, never named
            elif off is not None:
                named.append((i, off))
            else:
                bdays.append(day)
            count[i] = len(bdays)
            day += _DAY
        self._count = count  # business days in first..first+i, inclusive
        self._bdays = bdays
        self._named_at = [i for i, _ in named]
        self._named = named
        named_count = [0] * size  # named (holiday, closure) weekdays in first..first+i
        k = 0
        for i, _ in named:
            named_count[i] = 1
        for i in range(size):
            k += named_count[i]
            named_count[i] = k
        self._named_count = named_count
        self._info = MappingProxyType({
            "region": self.region, "timezone": self.timezone, "holidays": self.holidays_code,
            "weekend": [WEEKDAY_KEYS[w] for w in self.weekend], "roll": self.roll})

    # -- arithmetic ----------------------------------------------------------------------------
    def _index(self, day: _dt.date) -> int:
        i = day.toordinal() - self._base
        if i < 0 or i >= len(self._count):
            raise HorizonError(day, self.first, self.last)
        return i

    def _past_end(self) -> HorizonError:
        """The error of a count that runs past the last business day of the horizon."""
        beyond = self.last + _DAY if self.last < _dt.date.max else self.last
        return HorizonError(beyond, self.first, self.last)

    def _next_business(self, k: int, day: _dt.date) -> _dt.date:
        if k >= len(self._bdays):
            raise self._past_end()
        return self._bdays[k]

    def adder(self, duration: Duration | None) -> Adder | None:
        if duration is None:
            return None
        count, bdays, index = duration.count, self._bdays, self._index
        counts = self._count
        if duration.unit == "bd":
            def add_bd(start: _dt.date) -> _dt.date:
                k = counts[index(start)] + count - 1
                if k >= len(bdays):
                    raise self._past_end()
                return bdays[k]
            return add_bd
        delta = duration.delta
        if self.roll != "next":
            return lambda start: start + delta

        base, size = self._base, len(counts)

        def add_rolled(start: _dt.date) -> _dt.date:
            end = start + delta
            i = end.toordinal() - base
            if not 0 <= i < size:
                raise HorizonError(end, self.first, self.last)
            k = counts[i]
            if k and bdays[k - 1] == end:
                return end
            return self._next_business(k, end)
        return add_rolled

    def is_business_day(self, day: _dt.date) -> bool:
        k = self._count[self._index(day)]
        return k > 0 and self._bdays[k - 1] == day

    def skipped(self, start: _dt.date, end: _dt.date, duration: Duration
                ) -> tuple[tuple[_dt.date, str], ...]:
        if duration.unit != "bd":
            days = duration.count * (7 if duration.unit == "w" else 1)
            if self.roll != "next" or end.toordinal() - start.toordinal() == days:
                return ()
            landed = start + _dt.timedelta(days=days)
            out = []  # every day it rolled past, weekends included
            while landed < end:
                out.append((landed, self.off_days(landed, landed).get(landed, "")))
                landed += _DAY
            return tuple(out)
        i, j = start.toordinal() - self._base, end.toordinal() - self._base  # (start, end]
        counts = self._named_count
        if 0 <= i < len(counts) and 0 <= j < len(counts) and counts[i] == counts[j]:
            return ()  # the common case, in two lookups
        a = bisect.bisect_right(self._named_at, i)
        b = bisect.bisect_right(self._named_at, j)
        return tuple((_dt.date.fromordinal(self._base + i), why)
                     for i, why in self._named[a:b])

    def note(self, start: _dt.date, duration: Duration, end: _dt.date) -> str | None:
        """The trace's words for a date that skipped named days or rolled (None otherwise):
        ``10 business days from 2026-11-22 skip 2026-11-26 Thanksgiving Day: Monday
        2026-12-07``."""
        days = self.skipped(start, end, duration)
        if not days:
            return None
        named = ", ".join(f"{d.isoformat()} {why}" for d, why in days)
        if duration.unit == "bd":
            how = f"{duration.words()} from {start.isoformat()} skip {named}"
        else:
            how = (f"{duration.words()} from {start.isoformat()} end on a non-business day, "
                   f"rolled past {named}")
        return f"{how}: {weekday_words(end)}"

    def notes(self, duration: Duration | None) -> "Notes":
        """Which start days of the horizon (index: ordinal - ``base``) give a date that
        skipped named days or rolled, found at load; the words of a note are formatted the
        first time a decision needs them and kept."""
        if duration is None or (duration.unit != "bd" and self.roll != "next"):
            return Notes(self, duration, [])
        size = len(self._count)
        out: list[Any] = [None] * size
        counts, bdays, named = self._count, self._bdays, self._named_count
        base = self._base
        if duration.unit == "bd":
            n = duration.count
            for i in range(size):  # the end is the (count[i] + n)-th business day
                k = counts[i] + n - 1
                if k >= len(bdays):
                    break
                j = bdays[k].toordinal() - base
                if named[j] != named[i]:
                    out[i] = bdays[k]
            return Notes(self, duration, out)
        days = duration.count * (7 if duration.unit == "w" else 1)
        for i in range(size - days):  # rolled when the landing day is not a business day
            j = i + days
            if counts[j] == counts[j - 1] if j else counts[j] == 0:
                start = _dt.date.fromordinal(base + i)
                try:
                    out[i] = self._next_business(counts[j], start)
                except HorizonError:
                    continue
        return Notes(self, duration, out)

    @property
    def base(self) -> int:
        return self._base

    def sample_starts(self) -> tuple[_dt.date, ...]:
        first, last = self.term
        return tuple(first + _dt.timedelta(days=k) for k in range((last - first).days + 1))

    def off_days(self, first: _dt.date, last: _dt.date) -> dict[_dt.date, str]:
        out: dict[_dt.date, str] = {}
        day = max(first, self.first)
        while day <= min(last, self.last):
            if day in self.holidays or day in self.closed:
                why = [self.holidays[day]] if day in self.holidays else []
                out[day] = ", ".join(why + (["company closure"] if day in self.closed else []))
            elif day.weekday() in self.weekend:
                out[day] = WEEKDAY_NAMES[day.weekday()]
            day += _DAY
        return out

    def describe(self) -> Mapping[str, Any]:
        return self._info

    def renamed(self, region: str | None, timezone: str | None) -> "ResolvedCalendar":
        """The same days under another region name and time zone (shares the tables)."""
        twin = object.__new__(ResolvedCalendar)
        twin.__dict__.update(self.__dict__)
        twin.region, twin.timezone = region, timezone
        twin._info = MappingProxyType({**self._info, "region": region, "timezone": timezone})
        return twin

    def longest_gap(self) -> tuple[int, _dt.date | None]:
        """The most consecutive non-business days within the term, and the first of them."""
        best, at = 0, None
        run, run_start = 0, None
        first, last = self.term
        day = max(first, self.first)
        while day <= min(last, self.last):
            if self.is_business_day(day):
                run = 0
            else:
                if run == 0:
                    run_start = day
                run += 1
                if run > best:
                    best, at = run, run_start
            day += _DAY
        return best, at


class Notes:
    """The trace notes of one window under one calendar, by start day (see ``notes``):
    ``slots[i]`` is None (nothing to say), the end date (to be put into words), or the words."""

    __slots__ = ("calendar", "duration", "slots")

    def __init__(self, calendar: ResolvedCalendar, duration: Duration | None,
                 slots: list[Any]):
        self.calendar, self.duration, self.slots = calendar, duration, slots

    def __len__(self) -> int:
        return len(self.slots)

    def get(self, i: int) -> str | None:
        slot = self.slots[i]
        if slot is None or type(slot) is str:
            return slot
        assert self.duration is not None
        start = _dt.date.fromordinal(self.calendar.base + i)
        words = self.calendar.note(start, self.duration, slot)
        self.slots[i] = words
        return words


#: What the API accepts wherever it takes a day (``as_of``): a date, a datetime (its day), or an
#: ISO ``YYYY-MM-DD`` string.
AsOf = _dt.date | _dt.datetime | str


def as_day(value: AsOf | None, *, name: str = "as_of") -> _dt.date:
    """``value`` as a date; today when None. Raises ValueError naming ``name`` otherwise (no
    name with ``name=""``). The one conversion of a day given to the API (the evaluator's
    ``as_of`` too)."""
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
            raise ValueError(f"{name}: {exc}" if name else str(exc)) from None
    raise ValueError(f"{name} must be a date, a datetime or an ISO date YYYY-MM-DD")
