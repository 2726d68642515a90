"""Deadlines of the bundled regional-calendar policy against an independent computation.

For every day of the term of ``policies/global-channel-conflict.yaml`` and every region, the
decision's dates are recomputed here from the rulebook's raw YAML and the ``holidays`` package
directly, by stepping one day at a time (no ordinals, no shared code with the engine): business
days skip the region's weekend, its public holidays and its closures; day windows roll past
non-business days (`roll: next`); the deadline walk of an escalation climbs window by window.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
import pytest
import yaml

import policyengine
from conftest import POLICIES

PATH = POLICIES / "global-channel-conflict.yaml"
RAW = yaml.safe_load(PATH.read_text("utf-8"))
DAY = dt.timedelta(days=1)
KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _date(v) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(v)


class Brute:
    """One region's calendar from the raw YAML: inherit unset keys, step day by day."""

    def __init__(self, region: str | None):
        cal = RAW["calendar"]
        entry = cal.get("regions", {}).get(region, {}) if region else {}
        get = lambda k, d=None: entry.get(k, cal.get(k, d))  # noqa: E731
        code = get("holidays")
        country, _, sub = code.partition("-")
        self.holidays = holidays.country_holidays(country, subdiv=sub or None,
                                                  years=range(2024, 2030))
        self.weekend = {KEYS.index(k) for k in get("weekend", ["sat", "sun"])}
        self.closed: set[dt.date] = set()
        for item in get("closed", []):
            text = item.isoformat() if isinstance(item, dt.date) else item
            a, _, b = text.partition("..")
            day, last = _date(a), _date(b or a)
            while day <= last:
                self.closed.add(day)
                day += DAY
        self.roll = get("roll", "none") == "next"

    def business(self, day: dt.date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays \
            and day not in self.closed

    def add(self, start: dt.date, text: str) -> dt.date:
        n = int(text.rstrip("bdw"))
        if text.endswith("bd"):
            day = start
            while n:
                day += DAY
                if self.business(day):
                    n -= 1
            return day
        day = start + dt.timedelta(days=n * (7 if text.endswith("w") else 1))
        while self.roll and not self.business(day):
            day += DAY
        return day


LEVELS = {lv["id"]: lv for lv in RAW["ladder"]["levels"]}
ORDER = ["frontline", "regional", "executive", "mediation"]
REMEDIES = {r["id"]: r for r in RAW["remedies"]}
REGIONS = RAW["facts"]["region"]["enum"]


@lru_cache(maxsize=None)
def brute(region: str) -> Brute:
    return Brute(region if region in RAW["calendar"]["regions"] else None)


@pytest.fixture(scope="module")
def policy():
    return policyengine.load_policy(PATH)


def _term():
    day, last = _date(RAW["policy"]["effective"]), _date(RAW["policy"]["expires"])
    while day <= last:
        yield day
        day += DAY


@pytest.mark.parametrize("region", REGIONS)
def test_every_day_of_the_term_matches_the_independent_computation(policy, region):
    cal = brute(region)
    checked = 0
    for day in _term():
        # regional director: 3bd / 10bd; price realignment 90d / 30d; hold 30d
        d = policy.evaluate({"kind": "pricing", "amount": 120000.0, "region": region,
                             "partner": {"tier": "gold"}}, as_of=day)
        lv = LEVELS["regional"]
        assert d.respond_by == cal.add(day, lv["respond_within"]), (region, day)
        assert d.decide_by == cal.add(day, lv["decide_within"]), (region, day)
        for r in d.remedies:
            spec = REMEDIES[r.id]
            assert r.expires_on == cal.add(day, spec["sunset"]), (region, day, r.id)
            if "review_every" in spec:
                assert r.review_on == cal.add(day, spec["review_every"]), (region, day, r.id)
        # an escalation at the frontline for 25 days: the walk, window by window
        since = day - dt.timedelta(days=25)
        d = policy.evaluate({"kind": "lead_routing", "amount": 100.0, "region": region,
                             "partner": {"tier": "silver"},
                             "escalation": {"level": "frontline", "since": since.isoformat()},
                             "remedies_in_force": [{"id": "hold",
                                                    "granted_on": since.isoformat()}]},
                            as_of=day)
        rank, start = 0, since
        while rank + 1 < len(ORDER):
            end = cal.add(start, LEVELS[ORDER[rank]]["decide_within"])
            if day <= end:
                break
            rank, start = rank + 1, end
        assert d.level.id == ORDER[rank], (region, day)
        assert len([s for s in d.trace if s.kind == "deadline"]) == rank, (region, day)
        held = d.remedies_in_force[0]
        assert held.expires_on == cal.add(since, REMEDIES["hold"]["sunset"]), (region, day)
        checked += 1
    assert checked == 730


def test_the_bundled_policy_crosses_a_holiday_and_a_closure(policy):
    """The golden cases rely on these: a public holiday and a company closure do move dates."""
    na = brute("NA")
    assert not na.business(dt.date(2026, 11, 26))  # Thanksgiving Day
    assert not na.business(dt.date(2026, 12, 29))  # closure
    d = policy.evaluate({"kind": "lead_routing", "amount": 8000.0, "region": "NA",
                         "partner": {"tier": "silver"}}, as_of=dt.date(2026, 12, 21))
    assert d.decide_by == dt.date(2027, 1, 6)
    named = " ".join(s.detail for s in d.trace if s.kind == "calendar")
    assert "2026-12-25 Christmas Day" in named and "2026-12-29 company closure" in named
