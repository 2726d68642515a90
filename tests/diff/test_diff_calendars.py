"""Date regions under regional business calendars (issue 15's diff, issue 12's rule that a date
change is a behaviour change): a calendar change in one region is a region of that region's
disputes only, with a witness there; a change in every region shows in every calendar."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import pytest

from policyengine import loads_policy
from policyengine.diff import diff_policies
from policyengine.diff.dates import region_reproduces
from policyengine.decide.evaluate import level_dates

SRC = (Path(__file__).resolve().parents[2] / "policies" / "global-channel-conflict.yaml"
       ).read_text()
DAY = dt.date(2026, 11, 24)  # a Tuesday: Thanksgiving (US) is on Thursday
KEYS = ("NA", "EMEA", "APAC", "LATAM", "MENA")
EMEA = "EMEA: {holidays: GB-ENG, timezone: Europe/London}"


def version(*edits: tuple[str, str]) -> str:
    text = SRC.replace("version: 1.0.0", "version: 1.1.0")
    for a, b in edits:
        assert text.count(a) == 1, a
        text = text.replace(a, b)
    return text


CLOSURE = version((EMEA, "EMEA: {holidays: GB-ENG, timezone: Europe/London, closed: "
                         "[2026-11-27, 2026-12-24, \"2026-12-28..2026-12-31\", 2027-12-24, "
                         "\"2027-12-27..2027-12-31\"]}"))
CODE = version((EMEA, "EMEA: {holidays: GB-SCT, timezone: Europe/London}"))  # St Andrew's Day
WINDOW = version(("respond_within: 2bd       #", "respond_within: 3bd       #"))


@pytest.fixture(scope="module")
def old():
    return loads_policy(SRC, "old.yaml")


def run(old, text, day=DAY):
    return diff_policies(old, loads_policy(text, "new.yaml"), as_of=day, timeout=20.0,
                         budget=120.0)


def claimed(region) -> set[str]:
    """The calendars a dates region names (every calendar when it names none)."""
    m = re.search(r" in the (.*) calendars?$", region.subject)
    return set(KEYS) if m is None else set(re.findall(r"`([A-Z]+)`", m.group(1)))


def moving_levels(d, day=DAY) -> set[tuple[str, str]]:
    """(level, region) whose dates on DAY differ, computed independently per region."""
    co, cn = d.old.compiled, d.new.compiled
    out = set()
    for key in KEYS:
        facts = {"region": key}
        for lid, rank in co.rank.items():
            if lid in cn.rank and (level_dates(co.plan_for(facts), rank, day)
                                   != level_dates(cn.plan_for(facts), cn.rank[lid], day)):
                out.add((lid, key))
    return out


def check(d, day=DAY):
    dates = [r for r in d.behavior.regions if r.kind == "dates"]
    assert dates and d.verdict == "different" and d.behavior.complete
    assert {r.kind for r in d.behavior.regions} == {"dates"}  # outcomes are untouched
    for r in dates:
        assert region_reproduces(d.old, d.new, r), r.summary
        assert r.witness["facts"]["region"] in claimed(r), r.summary
    levels = {(m.group(1), key) for r in dates
              if (m := re.match(r"disputes decided alike at `([a-z]+)`", r.subject))
              for key in claimed(r)}
    assert levels == moving_levels(d, day)
    return dates


@pytest.mark.parametrize("text", [CLOSURE, CODE], ids=["closure", "holidays-code"])
def test_a_change_in_one_region_is_a_region_of_its_disputes(old, text):
    d = run(old, text)
    dates = check(d)
    checked = 0
    for r in dates:
        assert claimed(r) == {"EMEA"} and r.subject.endswith(" in the `EMEA` calendar")
        assert r.witness["facts"]["region"] == "EMEA"
        if r.formula is None or "escalation" in r.witness["facts"]:
            continue  # `contains` decides new disputes (not escalated) only
        # the z3 condition: the by fact equals the key; elsewhere the region does not hold
        facts = r.witness["facts"]
        assert d.behavior.contains(r, facts) is True
        for key in KEYS:
            if key != "EMEA":
                moved = copy.deepcopy(facts)
                moved["region"] = key
                assert d.behavior.contains(r, moved) is False, (r.summary, key)
        checked += 1
    assert checked >= 2
    frontline = [r for r in dates if r.subject.startswith("disputes decided alike at "
                                                          "`frontline`")]
    assert frontline and "decide_by 2026-12-01 -> 2026-12-02 (+1 day)" in frontline[0].change


def test_a_window_change_shows_in_every_calendar(old):
    d = run(old, WINDOW)
    dates = check(d)
    front = [r for r in dates if "`frontline`" in r.subject]
    # the US Thanksgiving and the Saudi weekend make three different moves
    assert len(front) == 3
    assert set().union(*(claimed(r) for r in front)) == set(KEYS)
    by_key = {k: r.change for r in front for k in claimed(r)}
    assert "respond_by 2026-11-27 -> 2026-11-30 (+3 days)" in by_key["NA"]
    assert "respond_by 2026-11-26 -> 2026-11-27 (+1 day)" in by_key["EMEA"]
    assert "respond_by 2026-11-26 -> 2026-11-29 (+3 days)" in by_key["MENA"]


def test_no_change_is_equivalent(old):
    d = run(old, version())
    assert d.verdict == "equivalent" and not d.behavior.regions



@pytest.mark.parametrize("day", [dt.date(2026, 8, 27), dt.date(2027, 3, 24)])
def test_on_other_days_the_calendars_claimed_are_those_whose_dates_move(old, day):
    """Differential: the (level, calendar) pairs the regions claim are exactly those whose dates
    the evaluator's functions move in that calendar (GB-ENG and GB-SCT differ on the August
    bank holiday and on Easter Monday)."""
    d = run(old, CODE, day)
    dates = [r for r in d.behavior.regions if r.kind == "dates"]
    assert dates and d.behavior.complete
    for r in dates:
        assert claimed(r) == {"EMEA"} and region_reproduces(d.old, d.new, r), r.summary
    levels = {(m.group(1), key) for r in dates
              if (m := re.match(r"disputes decided alike at `([a-z]+)`", r.subject))
              for key in claimed(r)}
    assert levels == moving_levels(d, day)
