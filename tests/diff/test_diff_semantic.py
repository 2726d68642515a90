"""Behavioral changes proven with z3, each with a witness the evaluator reproduces
(diff/semantic.py and the modules it uses)."""

from __future__ import annotations

import datetime as dt

import pytest
from diff_rulebooks import BASE, DAY, bump, edit, policy

from policyengine import loads_policy
from policyengine.diff import diff_policies, project
from policyengine.diff.dates import region_reproduces
from policyengine.diff.outcome import decide, difference
from policyengine.diff.semantic import compare_behavior

OTHER = """  - id: other
    title: Other
    class: operational
    when: "true"
    thresholds:
      - {when: amount < 50000.0, level: l1}
      - {otherwise: l2}
    remedies: [hold-all]
"""


def behavior(new, old=None, day=DAY, **kw):
    old = old if old is not None else policy()
    kw.setdefault("timeout", 20.0)
    kw.setdefault("budget", 120.0)
    return compare_behavior(old, new, as_of=day, **kw)


def assert_witnesses(report, old, new):
    for region in report.regions:
        assert region_reproduces(old, new, region), region.summary
        if region.kind == "outcome":
            w = region.witness
            day = dt.date.fromisoformat(w["as_of"])
            a, _ = decide(old, project(old, w["facts"]), day)
            b, _ = decide(new, project(new, w["facts"]), day)
            assert difference(a, b), region.summary


def test_identical():
    assert behavior(policy()).verdict == "identical"


def test_a_moved_threshold_is_an_exact_interval():
    old = policy()
    new = policy(bump(), ("amount < 10000.0, level: l1", "amount < 25000.0, level: l1"),
                 ("am:       {adjust: 1000, hold: true}", "am:       {adjust: 2500, hold: true}"))
    report = behavior(new, old)
    assert report.verdict == "different" and report.complete
    [region] = report.regions
    assert region.subject == "`pricing` disputes"
    assert region.condition == "not flag and 10000 <= amount < 25000 and count <= 2"
    assert region.exact and region.change == "level l2 -> l1"
    assert region.summary == ("`pricing` disputes with not flag and 10000 <= amount < 25000 and "
                              "count <= 2: level l2 -> l1")
    assert_witnesses(report, old, new)


def test_text_changed_behavior_did_not():
    territory = BASE[BASE.index("  - id: territory\n"):BASE.index("  - id: other\n")]
    new = policy(bump(), ("amount < 10000.0, level: l1", "'!(amount >= 10000.0)', level: l1"),
                 (territory, ""), ("  - id: pricing\n", territory + "  - id: pricing\n"),
                 ("when: count >= 3,", "when: 3 <= count,"))
    report = behavior(new)
    assert report.verdict == "equivalent" and report.complete and not report.regions


def test_a_removed_catch_all_refuses():
    old = policy()
    new = policy(bump(), (OTHER, ""))
    report = behavior(new, old)
    assert {r.change for r in report.regions} == {"other at l1 -> refused (unclassified)",
                                                  "other at l2 -> refused (unclassified)",
                                                  "other at l3 -> refused (unclassified)"}
    assert all(r.new == {"refusal": "unclassified"} for r in report.regions)
    assert_witnesses(report, old, new)


def test_a_new_category_moves_disputes():
    old = policy()
    new = policy(bump(), ("  - id: other\n", """  - id: lead
    title: Lead
    class: operational
    when: kind == "lead"
    thresholds:
      - {otherwise: l3}
    remedies: [hold-all]
  - id: other
"""))
    report = behavior(new, old)
    assert report.regions
    for r in report.regions:
        assert r.subject == "disputes moving from `other` to `lead`"
        assert r.change.startswith("category other -> lead")
    assert_witnesses(report, old, new)


def test_a_changed_amount_formula():
    old = policy()
    new = policy(bump(), ("    amount: amount * 0.1\n", "    amount: amount * 0.05\n"))
    report = behavior(new, old)
    assert report.regions
    assert any("remedy realign: amount changes" in r.change for r in report.regions)
    assert_witnesses(report, old, new)


def test_a_longer_window_changes_escalated_disputes_only():
    old = policy()
    new = policy(bump(), ("respond_within: 2bd, decide_within: 5bd",
                          "respond_within: 2bd, decide_within: 10bd"))
    report = behavior(new, old)
    outcome = [r for r in report.regions if r.kind == "outcome"]
    assert outcome and all(r.escalated for r in outcome)
    # the fresh disputes decided at l1 keep their outcome, but decide_by moves: a dates region
    [dates] = [r for r in report.regions if r.kind == "dates"]
    assert dates.subject == "disputes decided alike at `l1`" and "decide_by" in dates.change
    for r in outcome:
        assert r.witness["facts"]["escalation"]["level"] == "l1"
        assert "escalated to `l1` since" in r.summary
    assert_witnesses(report, old, new)


def test_a_changed_default_reaches_disputes_that_leave_the_fact_out():
    old = policy()
    new = policy(bump(), ("  count:   {type: int, min: 0, max: 100, default: 0}",
                          "  count:   {type: int, min: 0, max: 100, default: 5}"))
    report = behavior(new, old)
    assert report.regions
    for r in report.regions:
        assert "count" not in r.witness["facts"]
        assert "`count` left out" in r.condition
    assert_witnesses(report, old, new)


def test_a_new_fact_is_sent_to_the_version_that_declares_it():
    old = policy()
    new = policy(bump(), ("  flag:    {type: bool, default: false}",
                          "  flag:    {type: bool, default: false}\n"
                          "  channel: {type: string, enum: [direct, market]}"),
                 ("      - {otherwise: l2}\n    remedies: [hold-all]\n  - id: other",
                  "      - {when: channel == \"market\", level: l3}\n"
                  "      - {otherwise: l2}\n    remedies: [hold-all]\n  - id: other"))
    report = behavior(new, old)
    assert report.regions
    # a dispute that gives `channel` is refused by the old version, which does not declare it
    # (and, `channel` being required, a dispute without it is refused by the new version)
    invalid = {r.condition: r for r in report.regions if r.kind == "validity"}
    assert set(invalid) == {"`channel` given", "`channel` left out"}
    assert invalid["`channel` given"].old == {"refusal": "invalid_facts"}
    assert invalid["`channel` left out"].new == {"refusal": "invalid_facts"}
    for r in report.regions:
        if r.kind == "validity":
            continue
        assert r.witness["facts"]["channel"] == "market"
        assert "channel" not in project(old, r.witness["facts"])
    assert_witnesses(report, old, new)


def test_neither_version_in_force():
    report = behavior(policy(bump()), day=dt.date(2030, 1, 1))
    assert report.verdict == "not-compared" and "neither version is in force" in report.notes[0]


def test_one_version_in_force():
    old = policy()
    new = policy(bump(), ("expires: 2027-12-31", "expires: 2028-12-31"))
    report = behavior(new, old, day=dt.date(2028, 3, 1))
    [region] = report.regions
    assert region.change == "refused (policy_not_in_force) -> decided"
    assert_witnesses(report, old, new)


def test_a_required_fact_that_changed_type_cannot_be_compared():
    new = policy(bump(), ("  amount:  {type: double, min: 0}", "  amount:  {type: int, min: 0}"),
                 ("amount < 10000.0", "amount < 10000"), ("amount < 100000.0", "amount < 100000"),
                 ("amount < 50000.0", "amount < 50000"), ("amount * 0.1", "amount / 10"),
                 ("amount >= 5000.0", "amount >= 5000"))
    report = behavior(new)
    # no dispute is valid under both: every one is a refusal by one version
    assert report.verdict == "different" and report.regions
    assert all(r.kind == "validity" for r in report.regions)
    assert any(r.condition.startswith("`amount` given") for r in report.regions)
    assert "fact `amount`" in report.notes[0] and "type changed" in report.notes[0]
    assert_witnesses(report, policy(), new)


def test_an_exhausted_budget_says_so():
    new = policy(bump(), ("amount < 10000.0, level: l1", "amount < 25000.0, level: l1"))
    report = behavior(new, budget=1e-9)
    assert not report.complete and report.verdict in ("unknown", "different")
    assert any("could not finish" in n for n in report.notes)
    assert all(not r.exact for r in report.regions)  # not proven: never called exact


def test_an_opaque_expression_is_never_reported_without_a_witness():
    base = edit(BASE, ("  flag:    {type: bool, default: false}",
                       "  flag:    {type: bool, default: false}\n  name:    {type: string}"),
                ("when: kind == \"territory\"", "when: kind == \"territory\" && name.matches(\"^A\")"))
    old = loads_policy(base)
    new = loads_policy(edit(base, bump(), ('name.matches("^A")', 'name.matches("^B")')))
    report = behavior(new, old)
    assert report.verdict in ("different", "unknown")
    assert_witnesses(report, old, new)
    if not report.regions:
        assert not report.complete


def test_the_search_stops_at_the_region_cap():
    old = policy()
    new = policy(bump(), (OTHER, ""))
    report = behavior(new, old, max_regions=1)
    assert len(report.regions) == 1 and not report.complete
    assert "stopped after 1 regions" in report.notes[0]


def test_diff_policies_end_to_end():
    old = policy()
    new = policy(bump(), ("amount < 10000.0, level: l1", "amount < 25000.0, level: l1"),
                 ("am:       {adjust: 1000, hold: true}", "am:       {adjust: 2500, hold: true}"))
    d = diff_policies(old, new, as_of=DAY, timeout=20.0)
    assert d.verdict == "different" and d.decisions_change is True
    assert d.exit_code("behavior") == 1 and d.exit_code("none") == 0 and d.exit_code("any") == 1
    same = diff_policies(old, policy(bump()), as_of=DAY)
    assert same.verdict == "equivalent" and same.exit_code("behavior") == 0
    assert same.exit_code("any") == 1
    skipped = diff_policies(old, new, as_of=DAY, behavior=False)
    assert skipped.verdict == "unknown" and skipped.exit_code() == 1


@pytest.mark.parametrize("day", [dt.date(2026, 11, 21), dt.date(2026, 11, 23),
                                 dt.date(2027, 2, 26)])
def test_witnesses_reproduce_on_any_day(day):
    old = policy()
    new = policy(bump(), ("decide_within: 10bd", "decide_within: 3w"),
                 ("when: count >= 3,", "when: count >= 2,"))
    report = behavior(new, old, day=day)
    assert report.regions and report.complete
    assert_witnesses(report, old, new)
