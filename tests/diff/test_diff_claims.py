"""The diff's verdicts for date changes and refusals (issue: every claim true)."""

from __future__ import annotations

import datetime as dt

from diff_rulebooks import BASE, DAY, bump, edit, policy

from policyengine import loads_policy
from policyengine.diff import diff_policies
from policyengine.diff.dates import region_reproduces


def diff(new, old=None):
    old = old if old is not None else policy()
    return diff_policies(old, new, as_of=DAY, timeout=20.0, budget=120.0)


def test_an_extended_sunset_is_a_dates_region_and_fails_by_default():
    old = policy()
    new = policy(bump(), ("    sunset: 90d", "    sunset: 120d"))
    d = diff(new, old)
    assert d.verdict == "different"
    kinds = {r.kind for r in d.behavior.regions}
    assert kinds == {"dates"}
    granted = [r for r in d.behavior.regions if "granted `realign`" in r.subject]
    assert granted and "expires_on 2027-02-21 -> 2027-03-23 (+30 days)" in granted[0].change
    assert granted[0].dates["old"]["expires_on"] == "2027-02-21"
    in_force = [r for r in d.behavior.regions if "remedies_in_force" in r.subject]
    assert in_force and in_force[0].witness["facts"]["remedies_in_force"][0]["id"] == "realign"
    for r in d.behavior.regions:
        assert region_reproduces(d.old, d.new, r), r.summary
    assert d.exit_code("behavior") == 1
    assert d.exit_code("outcome") == 0
    assert d.to_dict()["summary"]["dates_only"] == len(d.behavior.regions)


def test_a_review_period_and_a_window_move_dates_too():
    d = diff(policy(bump(), ("    review_every: 30d", "    review_every: 14d")))
    assert d.verdict == "different" and d.exit_code() == 1
    assert any("review_on" in r.change for r in d.behavior.regions)
    d = diff(policy(bump(), ("respond_within: 2bd, decide_within: 5bd",
                             "respond_within: 3bd, decide_within: 5bd")))
    [level] = [r for r in d.behavior.regions if r.kind == "dates"]
    assert level.subject == "disputes decided alike at `l1`"
    assert "respond_by 2026-11-25 -> 2026-11-26 (+1 day)" in level.change
    assert d.exit_code("outcome") == 0 and d.exit_code() == 1


def test_a_new_required_fact_refuses_every_old_dispute():
    new = policy(bump(), ("  flag:    {type: bool, default: false}",
                          "  flag:    {type: bool, default: false}\n  region:  {type: string}"))
    d = diff(new)
    assert d.verdict == "different" and d.exit_code() == 1 and d.exit_code("outcome") == 1
    [r] = [r for r in d.behavior.regions if r.kind == "validity"
           and r.subject == "disputes valid under the old version"]
    assert r.condition == "`region` left out" and r.exact
    # and the reverse: the old version refuses a dispute that gives `region`
    [back] = [r for r in d.behavior.regions if r.kind == "validity"
              and r.subject == "disputes valid under the new version"]
    assert back.condition == "`region` given" and back.old == {"refusal": "invalid_facts"}
    assert r.new == {"refusal": "invalid_facts"} and "refusal" not in r.old
    assert "region" not in r.witness["facts"]
    assert region_reproduces(d.old, d.new, r)


def test_a_narrowed_enum_and_a_raised_min_are_refusals_both_ways():
    new = policy(bump(), ("enum: [pricing, territory, lead, other]",
                          "enum: [pricing, territory, other, mdf]"),
                 ("  count:   {type: int, min: 0, max: 100, default: 0}",
                  "  count:   {type: int, min: 1, max: 100, default: 1}"))
    d = diff(new)
    conditions = {(r.subject, r.condition) for r in d.behavior.regions if r.kind == "validity"}
    assert ("disputes valid under the old version", '`kind` == "lead"') in conditions
    assert ("disputes valid under the new version", '`kind` == "mdf"') in conditions
    assert ("disputes valid under the old version", "`count` < 1") in conditions
    for r in d.behavior.regions:
        assert region_reproduces(d.old, d.new, r), r.summary


def test_a_removed_fact_refuses_disputes_that_give_it():
    new = policy(bump(), ("  flag:    {type: bool, default: false}\n", ""),
                 ("  - {id: flagged, when: flag, min_level: l3, reason: Flagged}\n", ""))
    d = diff(new)
    conditions = {r.condition for r in d.behavior.regions if r.kind == "validity"}
    assert "`flag` given" in conditions


def test_respacing_an_expression_is_identical():
    old = policy()
    new = loads_policy(edit(BASE, ('when: kind == "pricing"', "when: \"kind  ==  'pricing'\"")))
    assert old == new and old.digest == new.digest and hash(old) == hash(new)
    d = diff(new, old)
    assert d.verdict == "identical" and d.exit_code() == 0
    assert old != policy(bump())
