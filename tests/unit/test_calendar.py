"""calendar.py: durations, business days (Monday to Friday) and their calendar bounds."""

from __future__ import annotations

import datetime as dt

import pytest

from policyengine.core.calendar import CalendarError, Duration, add_business_days, parse_date

SUNDAY = dt.date(2026, 11, 22)
FRIDAY = dt.date(2026, 11, 27)


def brute_business_days(start: dt.date, count: int) -> dt.date:
    """Step one day at a time, counting only Monday to Friday."""
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def test_rulebook_examples():
    assert SUNDAY.weekday() == 6
    assert add_business_days(SUNDAY, 3) == dt.date(2026, 11, 25)
    assert FRIDAY.weekday() == 4
    assert add_business_days(FRIDAY, 1) == dt.date(2026, 11, 30)  # Monday
    assert add_business_days(dt.date(2026, 11, 28), 1) == dt.date(2026, 11, 30)  # Saturday


def test_zero_business_days_is_the_same_day():
    assert add_business_days(SUNDAY, 0) == SUNDAY


@pytest.mark.parametrize("weekday", range(7))
def test_business_days_against_brute_force(weekday):
    start = dt.date(2024, 1, 1) + dt.timedelta(days=weekday)
    for count in range(0, 61):
        assert add_business_days(start, count) == brute_business_days(start, count), count


@pytest.mark.parametrize("text,count,unit,words", [
    ("5d", 5, "d", "5 days"), ("1d", 1, "d", "1 day"), ("2w", 2, "w", "2 weeks"),
    ("1w", 1, "w", "1 week"), ("10bd", 10, "bd", "10 business days"),
    ("1bd", 1, "bd", "1 business day"), (" 3bd ", 3, "bd", "3 business days"),
])
def test_parse_and_show(text, count, unit, words):
    d = Duration.parse(text)
    assert (d.count, d.unit) == (count, unit)
    assert str(d) == text.strip()
    assert d.words() == words


@pytest.mark.parametrize("text", ["", "0d", "05d", "5", "d", "5 d", "5days", "1.5d", "-1d",
                                  "5D", "100000d", "5bdd", None, 5])
def test_invalid_durations(text):
    with pytest.raises(ValueError):
        Duration.parse(text)


def test_add_days_and_weeks():
    assert Duration.parse("30d").add_to(SUNDAY) == dt.date(2026, 12, 22)
    assert Duration.parse("2w").add_to(SUNDAY) == dt.date(2026, 12, 6)
    assert Duration.parse("90d").add_to(SUNDAY) == dt.date(2027, 2, 20)
    assert Duration.parse("3bd").add_to(SUNDAY) == dt.date(2026, 11, 25)


@pytest.mark.parametrize("unit", ["d", "w", "bd"])
def test_min_and_max_days_against_brute_force(unit):
    for count in range(1, 41):
        d = Duration(count, unit)
        spans = [d.days_from(w) for w in range(7)]
        assert d.min_days == min(spans), (count, unit)
        assert d.max_days == max(spans), (count, unit)


def test_days_from_weekday():
    d = Duration.parse("5bd")
    assert d.days_from(0) == 7  # Monday -> next Monday
    assert d.days_from(4) == 7  # Friday -> next Friday
    assert d.days_from(5) == 6  # Saturday -> Friday
    assert Duration.parse("6bd").days_from(0) == 8  # Monday -> Tuesday of the next week


def test_leaving_the_calendar_is_a_calendar_error():
    with pytest.raises(CalendarError):
        Duration.parse("99999d").add_to(dt.date(9999, 1, 1))
    with pytest.raises(CalendarError):
        Duration.parse("10bd").add_to(dt.date(9999, 12, 30))
    assert issubclass(CalendarError, ValueError)


def test_parse_date():
    assert parse_date("2026-01-01") == dt.date(2026, 1, 1)
    for bad in ("2026-1-1", "2026-02-30", "2026/01/01", "20260101", "2026-01-01T00:00",
                "", None, 20260101):
        with pytest.raises(ValueError):
            parse_date(bad)
