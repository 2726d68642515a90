"""Business calendars: the arithmetic against brute force, region selection, the horizon, the
digest, the default as_of's time zone, and what text, memo, playbook and diff show."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from conftest import POLICIES
from policyengine.model import calendars
from policyengine.core.calendar import Duration, HorizonError, ResolvedCalendar

CLEAN = (POLICIES.parent / "tests" / "golden" / "clean.yaml").read_text("utf-8")
FIRST, LAST = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
DAY = dt.timedelta(days=1)


def _cal(weekend=(5, 6), holidays=None, closed=(), roll="none") -> ResolvedCalendar:
    return ResolvedCalendar(region=None, first=FIRST, last=LAST, weekend=tuple(weekend),
                            holidays=holidays or {}, closed=closed, roll=roll, timezone=None,
                            holidays_code=None, term=(FIRST, LAST))


def _brute_business(cal: ResolvedCalendar, day: dt.date) -> bool:
    return day.weekday() not in cal.weekend and day not in cal.holidays \
        and day not in cal.closed


offsets = st.integers(min_value=0, max_value=300)


@settings(max_examples=60, deadline=None)
@given(weekend=st.sets(st.integers(0, 6), max_size=3),
       holidays=st.sets(offsets, max_size=20), closed=st.sets(offsets, max_size=20),
       start=offsets, count=st.integers(1, 25), unit=st.sampled_from(["bd", "d", "w"]),
       roll=st.sampled_from(["none", "next"]))
def test_adding_matches_stepping_one_day_at_a_time(weekend, holidays, closed, start, count,
                                                   unit, roll):
    cal = _cal(sorted(weekend), {FIRST + k * DAY: "Holiday" for k in holidays},
               {FIRST + k * DAY for k in closed}, roll)
    begin = FIRST + start * DAY
    d = Duration(count, unit)
    if unit == "bd":
        want, n = begin, count
        while n:
            want += DAY
            if _brute_business(cal, want):
                n -= 1
    else:
        want = begin + d.delta
        while roll == "next" and not _brute_business(cal, want):
            want += DAY
    assert cal.add(begin, d) == want
    assert cal.is_business_day(want) or (unit != "bd" and roll == "none")
    for day, why in cal.skipped(begin, want, d):
        assert not _brute_business(cal, day) and why


def test_without_weekend_changes_it_is_monday_to_friday():
    cal = _cal()
    sunday = dt.date(2026, 11, 22)
    assert cal.add(sunday, Duration(3, "bd")) == dt.date(2026, 11, 25)
    assert policyengine.core.calendar.add_business_days(sunday, 3) == dt.date(2026, 11, 25)


def test_outside_the_horizon_is_an_error_not_a_guess():
    cal = _cal()
    with pytest.raises(HorizonError):
        cal.add(dt.date(2027, 12, 30), Duration(5, "bd"))
    with pytest.raises(HorizonError):
        cal.add(dt.date(2025, 6, 1), Duration(1, "bd"))
    with pytest.raises(HorizonError):  # every day a weekend: no business day ever
        _cal(weekend=range(7)).add(FIRST, Duration(1, "bd"))


def _policy(calendar: str, facts: str | None = None) -> policyengine.Policy:
    text = CLEAN
    if facts:
        text = text.replace("  amount: {type: double, min: 0, unit: USD}\n",
                            "  amount: {type: double, min: 0, unit: USD}\n" + facts)
    return policyengine.loads_policy(text + "\n" + calendar, "cal.yaml")


REGION = "  region: {type: string, enum: [NA, EMEA, APAC]}\n"
REGIONS = ("calendar:\n  holidays: US\n  timezone: America/New_York\n  by: region\n"
           "  regions:\n    EMEA: {holidays: GB-ENG, timezone: Europe/London}\n")


def test_the_by_value_picks_the_calendar_and_any_other_value_the_top_level():
    p = _policy(REGIONS, REGION)
    thanksgiving_week = dt.date(2026, 11, 23)
    na = p.evaluate({"kind": "mdf", "amount": 1.0, "region": "NA"}, as_of=thanksgiving_week)
    emea = p.evaluate({"kind": "mdf", "amount": 1.0, "region": "EMEA"}, as_of=thanksgiving_week)
    apac = p.evaluate({"kind": "mdf", "amount": 1.0, "region": "APAC"}, as_of=thanksgiving_week)
    assert emea.decide_by == dt.date(2026, 11, 30)  # 5bd, no holiday in England
    assert na.decide_by == apac.decide_by == dt.date(2026, 12, 1)  # Thanksgiving skipped
    assert na.calendar["region"] is None and apac.calendar["region"] is None
    assert emea.calendar == {"region": "EMEA", "timezone": "Europe/London",
                             "holidays": "GB-ENG", "weekend": ["sat", "sun"], "roll": "none"}
    assert "calendar" in na.to_dict()


def test_a_dotted_by_fact_picks_the_calendar():
    text = CLEAN.replace("  amount: {type: double, min: 0, unit: USD}\n",
                         "  amount: {type: double, min: 0, unit: USD}\n  partner:\n"
                         "    type: map\n    fields:\n      region: {type: string}\n")
    p = policyengine.loads_policy(text + "\ncalendar:\n  holidays: US\n  by: partner.region\n"
                                  "  regions:\n    UK: {holidays: GB-ENG}\n", "cal.yaml")
    d = p.evaluate({"kind": "mdf", "amount": 1.0, "partner": {"region": "UK"}},
                   as_of=dt.date(2026, 11, 23))
    assert d.calendar["region"] == "UK" and d.decide_by == dt.date(2026, 11, 30)


def test_a_policy_without_calendar_has_no_calendar_key_and_its_digest_is_unchanged():
    plain = policyengine.loads_policy(CLEAN, "clean.yaml")
    d = plain.evaluate({"kind": "mdf", "amount": 1.0}, as_of=dt.date(2026, 11, 23))
    assert "calendar" not in d.to_dict() and d.calendar is None
    assert all(s.kind != "calendar" for s in d.trace)
    assert _policy("calendar:\n  holidays: US\n").digest != plain.digest


def test_new_holidays_data_changes_the_digest_and_the_diff_shows_the_days(monkeypatch):
    from policyengine.diff import diff_policies

    text = "calendar:\n  holidays: US\n"
    before = _policy(text)
    real = calendars.holiday_names

    def moved(code, first, last):  # a data release that moves Thanksgiving 2026 by a week
        out = dict(real(code, first, last))
        name = out.pop(dt.date(2026, 11, 26))
        out[dt.date(2026, 12, 3)] = name
        return out

    monkeypatch.setattr(calendars, "holiday_names", moved)
    after = _policy(text)
    # equality is digest equality (docs/api.md): the same text with other holidays data decides
    # other dates, so the two are not equal
    assert before.digest != after.digest and before != after
    diff = diff_policies(before, after, as_of=dt.date(2026, 11, 23))
    days = [c for c in diff.changes if c.path == "calendar.days"]
    assert len(days) == 1
    assert days[0].old == ["2026-11-26 Thanksgiving Day"]
    assert days[0].new == ["2026-12-03 Thanksgiving Day"]


def test_the_default_as_of_is_today_in_the_disputes_time_zone(monkeypatch):
    p = _policy(REGIONS, REGION)
    zones = []

    def today_in(zone):
        zones.append(zone)
        return dt.date(2026, 11, 23)

    monkeypatch.setattr(calendars, "today_in", today_in)
    assert p.evaluate({"kind": "mdf", "amount": 1.0, "region": "EMEA"}).as_of == \
        dt.date(2026, 11, 23)
    p.evaluate({"kind": "mdf", "amount": 1.0, "region": "APAC"})
    p.evaluate({"kind": "mdf", "amount": 1.0, "region": "NA"},
               as_of=dt.date(2026, 11, 24))  # explicit: used as is, no zone asked
    assert zones == ["Europe/London", "America/New_York"]


def test_today_in_a_zone_is_that_zones_date():
    import zoneinfo

    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11
        now = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
        assert calendars.today_in(zone) in (now, now + DAY)


@pytest.mark.parametrize("dispute,path", [
    ({"escalation": {"level": "frontline", "since": "2020-01-06"}}, "escalation.since"),
    ({"remedies_in_force": [{"id": "hold", "granted_on": "2020-01-06"}]},
     "remedies_in_force[0].granted_on"),
])
def test_dates_outside_the_horizon_are_refused_at_the_field(dispute, path):
    p = _policy("calendar:\n  holidays: US\n  roll: next\n")  # the sunset needs the calendar
    with pytest.raises(policyengine.DisputeError) as info:
        p.evaluate({"kind": "mdf", "amount": 1.0, **dispute}, as_of=dt.date(2026, 11, 23))
    assert info.value.code == "outside_calendar"
    assert info.value.problems[0].path == path


def test_a_policy_without_expires_is_resolved_for_five_years():
    text = CLEAN.replace("  expires: 2028-12-31\n", "")
    p = policyengine.loads_policy(text + "\ncalendar:\n  holidays: US\n", "cal.yaml")
    assert p.evaluate({"kind": "mdf", "amount": 1.0}, as_of=dt.date(2030, 12, 2)).decide_by \
        == dt.date(2030, 12, 9)
    with pytest.raises(policyengine.DisputeError) as info:
        p.evaluate({"kind": "mdf", "amount": 1.0}, as_of=dt.date(2031, 12, 1))
    assert info.value.code == "outside_calendar" and info.value.problems[0].path == "as_of"


def test_text_memo_and_playbook_name_the_calendar_and_the_skipped_days():
    from policyengine.render.decision_text import render_decision
    from policyengine.render.memo import render_memo
    from policyengine.render.playbook_md import render_playbook_md

    p = policyengine.load_policy(POLICIES / "global-channel-conflict.yaml")
    dispute = {"kind": "pricing", "amount": 120000.0, "region": "NA",
               "partner": {"tier": "gold"}}
    d = p.evaluate(dispute, as_of=dt.date(2026, 11, 22))
    text = render_decision(d)
    assert "decide by Monday 2026-12-07" in text
    assert "skip 2026-11-26 Thanksgiving Day" in text
    memo = render_memo(p, dispute, d)
    assert "| Calendar |" in memo and "Thanksgiving Day" in memo
    book = render_playbook_md(p)
    assert "## Business calendars" in book and "### Region MENA" in book
    assert "weekend Friday and Saturday" in book
    assert "| Thanksgiving Day | 26 November 2026 |" in book
    esc = {**dispute, "region": "EMEA",
           "escalation": {"level": "frontline", "since": "2026-08-24"}}
    memo = render_memo(p, esc, p.evaluate(esc, as_of=dt.date(2026, 9, 2)))
    assert "within 5 business days from 2026-08-24, that is by 2026-09-01" in memo


def test_diff_reports_calendar_keys_regions_days_and_moved_deadlines():
    from policyengine.diff import diff_policies

    text = (POLICIES / "global-channel-conflict.yaml").read_text("utf-8")
    old = policyengine.loads_policy(text, "old.yaml")
    new_text = (text.replace("version: 1.0.0", "version: 1.1.0")
                .replace("EMEA: {holidays: GB-ENG,", "EMEA: {holidays: GB-SCT,")
                .replace("    LATAM: {holidays: BR, timezone: America/Sao_Paulo}\n", ""))
    new = policyengine.loads_policy(new_text, "new.yaml")
    diff = diff_policies(old, new, as_of=dt.date(2026, 11, 23), behavior=False)
    by = {c.path: c for c in diff.changes}
    assert by["calendar.regions.EMEA.holidays"].old == "GB-ENG"
    assert by["calendar.regions.LATAM"].kind == "removed"
    emea = by["calendar.regions.EMEA.days"]
    assert "2026-08-31 Late Summer Bank Holiday" in emea.old
    assert "2026-11-30 Saint Andrew's Day" in emea.new
    assert "decision dates" in emea.note and "e.g. level `" in emea.note
    latam = by["calendar.regions.LATAM.days"]  # LATAM now counts in the US calendar
    assert any("Thanksgiving" in d for d in latam.new)
    assert "calendar.days" not in by  # the top level did not change
    mirrored = {c.path for c in diff_policies(new, old, as_of=dt.date(2026, 11, 23),
                                              behavior=False).changes}
    assert {"calendar.regions.EMEA.days", "calendar.regions.LATAM.days"} <= mirrored


@pytest.mark.parametrize("code,message,hint", [
    ("us", "`us` is not a country the holidays data knows", "did you mean `US`?"),
    ("GB-ENGL", "`ENGL` is not a subdivision of `GB`", "did you mean `GB-ENG`?"),
    ("SG-AB", "`SG` has no subdivisions", "write `SG` alone"),
    ("US-XX", "`XX` is not a subdivision of `US`", "use one of `US-AK`"),
])
def test_an_unknown_holidays_code_refuses_the_policy_with_a_hint(code, message, hint):
    with pytest.raises(policyengine.PolicyError) as info:
        _policy(f"calendar:\n  regions:\n    X: {{holidays: {code}}}\n  by: kind\n")
    d = next(d for d in info.value.diagnostics if d.code == "PE710")
    assert message in d.message and d.hint.startswith(hint)
    assert d.line is not None and d.column is not None


def test_region_keys_checked_against_the_enum_and_by_against_string_facts():
    with pytest.raises(policyengine.PolicyError) as info:
        _policy("calendar:\n  by: region\n  regions:\n    EMAE: {holidays: GB-ENG}\n", REGION)
    d = next(d for d in info.value.diagnostics if d.code == "PE712")
    assert d.hint == "did you mean `EMEA`?"
    with pytest.raises(policyengine.PolicyError) as info:
        _policy("calendar:\n  by: regoin\n  regions:\n    EMEA: {holidays: GB-ENG}\n", REGION)
    d = next(d for d in info.value.diagnostics if d.code == "PE711")
    assert "`regoin` is not a declared fact" in d.message and "`region`" in d.hint


def test_lint_window_checks_count_in_the_calendar(tmp_path):
    """PE305 with a calendar: 5bd can end after 7d when a closure sits in the week."""
    from policyengine.lint import run_lint

    text = CLEAN.replace("      respond_within: 2bd\n      decide_within: 5bd\n",
                         "      respond_within: 5bd\n      decide_within: 7d\n")
    plain = tmp_path / "plain.yaml"
    plain.write_text(text, "utf-8")
    closed = tmp_path / "closed.yaml"
    closed.write_text(text + '\ncalendar:\n  holidays: US\n  closed: ["2026-03-02..2026-03-03"]\n',
                      "utf-8")
    found = {p.name: [x.code for x in run_lint([str(p)], as_of=dt.date(2026, 11, 23))]
             for p in (plain, closed)}
    assert "PE305" not in found["plain.yaml"]
    assert "PE305" in found["closed.yaml"]


def test_a_huge_term_and_closure_stay_bounded():
    text = CLEAN.replace("  expires: 2028-12-31", "  expires: 9999-12-31")
    p = policyengine.loads_policy(text + '\ncalendar:\n  holidays: US\n  closed: '
                                  '["0001-01-01..9999-12-31"]\n', "huge.yaml")
    cal = p.compiled.calendars.default
    assert cal.last <= dt.date(2052, 1, 1)  # 25 years of term, plus margins
    with pytest.raises(policyengine.DisputeError) as info:  # no business day ever
        p.evaluate({"kind": "mdf", "amount": 1.0}, as_of=dt.date(2026, 11, 23))
    assert info.value.code == "outside_calendar"
