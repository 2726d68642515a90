"""evaluate(): the decision procedure of RULEBOOK.md, step by step, on a small policy."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

import policyengine
from policyengine import DisputeError
from unit.evaluator_policy import SEMANTICS_POLICY

D = dt.date


@pytest.fixture(scope="module")
def policy():
    return policyengine.loads_policy(SEMANTICS_POLICY, "semantics.yaml")


def decide(policy, as_of=D(2026, 11, 22), **facts):
    base = {"kind": "pricing", "amount": 500.0}
    base.update(facts)
    return policy.evaluate(base, as_of=as_of)


def refusal(policy, dispute, as_of=D(2026, 11, 22)):
    with pytest.raises(DisputeError) as info:
        policy.evaluate(dispute, as_of=as_of)
    return info.value


# 1. in force ----------------------------------------------------------------------------------
@pytest.mark.parametrize("day", [D(2025, 12, 31), D(2028, 1, 1)])
def test_outside_the_term_is_not_in_force(policy, day):
    err = refusal(policy, {"kind": "pricing", "amount": 1.0}, as_of=day)
    assert err.code == "policy_not_in_force"
    assert err.problems[0].path == "as_of"


@pytest.mark.parametrize("day", [D(2026, 1, 1), D(2027, 12, 31)])
def test_first_and_last_day_are_in_force(policy, day):
    assert decide(policy, as_of=day).as_of == day


# 2. facts ---------------------------------------------------------------------------------------
def test_every_fact_problem_is_reported_at_once_with_its_path(policy):
    err = refusal(policy, {"kind": "pricng", "amount": "12", "count": 101, "partner":
                           {"tier": "bronze", "exclusive": 1, "size": 3}, "regoin": "EMEA",
                           "flag": "yes"})
    got = {(p.path, p.detail) for p in err.problems}
    assert got == {("kind", "enum"), ("amount", "type"), ("count", "max"),
                   ("partner.tier", "enum"), ("partner.exclusive", "type"),
                   ("partner.size", "unknown"), ("regoin", "unknown"), ("flag", "type")}
    assert all(p.code == "invalid_facts" for p in err.problems)
    hints = {p.path: p.hint for p in err.problems}
    assert hints["kind"] == "did you mean `pricing`?"
    assert hints["partner.tier"] == "use `gold` or `silver`"


def test_missing_required_facts(policy):
    err = refusal(policy, {})
    assert {(p.path, p.detail) for p in err.problems} == {("kind", "missing"),
                                                          ("amount", "missing")}


def test_below_min(policy):
    err = refusal(policy, {"kind": "pricing", "amount": -1.0})
    assert [(p.path, p.detail) for p in err.problems] == [("amount", "min")]


def test_an_int_is_widened_for_a_double_fact(policy):
    a = decide(policy, amount=120000)
    b = decide(policy, amount=120000.0)
    assert a == b


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_never_a_number(policy, value):
    err = refusal(policy, {"kind": "pricing", "amount": value})
    assert [(p.path, p.detail) for p in err.problems] == [("amount", "type")]
    err = refusal(policy, {"kind": "pricing", "amount": 1.0, "count": value})
    assert [(p.path, p.detail) for p in err.problems] == [("count", "type")]


def test_a_double_is_not_an_int(policy):
    err = refusal(policy, {"kind": "pricing", "amount": 1.0, "count": 3.0})
    assert [(p.path, p.detail) for p in err.problems] == [("count", "type")]


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_numbers_are_refused(policy, value):
    err = refusal(policy, {"kind": "pricing", "amount": value})
    assert [(p.path, p.detail) for p in err.problems] == [("amount", "type")]


def test_list_items_are_checked_with_their_index(policy):
    err = refusal(policy, {"kind": "pricing", "amount": 1.0, "tags": ["a", 2]})
    assert [(p.path, p.detail) for p in err.problems] == [("tags[1]", "type")]


def test_a_map_whose_fields_all_have_defaults_may_be_omitted(policy):
    assert decide(policy).category.id == "pricing"


def test_not_a_mapping(policy):
    err = refusal(policy, ["kind"])
    assert err.code == "invalid_facts"


def test_the_dispute_is_never_mutated(policy):
    dispute = {"kind": "pricing", "amount": 12000, "partner": {"tier": "gold"},
               "escalation": {"level": "l1", "since": "2026-11-01"},
               "remedies_in_force": [{"id": "hold", "granted_on": "2026-11-01"}]}
    before = copy.deepcopy(dispute)
    policy.evaluate(dispute, as_of=D(2026, 11, 22))
    assert dispute == before


# reserved keys --------------------------------------------------------------------------------
def test_reserved_keys_are_checked_like_facts(policy):
    err = refusal(policy, {"kind": "pricing", "amount": 1.0,
                           "escalation": {"level": "l9", "since": "22/11/2026", "x": 1},
                           "remedies_in_force": [{"id": "hodl", "granted_on": "2026-13-01"},
                                                 "hold"]})
    got = {(p.path, p.detail) for p in err.problems}
    assert got == {("escalation.level", "unknown"), ("escalation.since", "type"),
                   ("escalation.x", "unknown"), ("remedies_in_force[0].id", "unknown"),
                   ("remedies_in_force[0].granted_on", "type"),
                   ("remedies_in_force[1]", "type")}
    hints = {p.path: p.hint for p in err.problems}
    assert hints["remedies_in_force[0].id"] == "did you mean `hold`?"


def test_dates_in_reserved_keys_may_be_python_dates(policy):
    as_text = {"kind": "pricing", "amount": 12000, "partner": {"tier": "gold"},
               "escalation": {"level": "l1", "since": "2026-11-01"},
               "remedies_in_force": [{"id": "hold", "granted_on": "2026-11-01",
                                      "last_reviewed": "2026-11-10"}]}
    as_dates = {**as_text, "escalation": {"level": "l1", "since": D(2026, 11, 1)},
                "remedies_in_force": [{"id": "hold", "granted_on": D(2026, 11, 1),
                                       "last_reviewed": dt.datetime(2026, 11, 10, 9, 30)}]}
    want = policy.evaluate(as_text, as_of="2026-11-22").to_json()
    assert policy.evaluate(as_dates, as_of=D(2026, 11, 22)).to_json() == want
    assert policy.evaluate(as_dates, as_of=dt.datetime(2026, 11, 22, 23, 59)).to_json() == want
    # the order checks hold for dates as for strings
    late = {**as_dates, "escalation": {"level": "l1", "since": D(2026, 12, 1)}}
    err = refusal(policy, late)
    assert [(p.path, p.detail) for p in err.problems] == [("escalation.since", "order")]


def test_an_escalation_cannot_start_after_as_of(policy):
    err = refusal(policy, {"kind": "pricing", "amount": 1.0,
                           "escalation": {"level": "l1", "since": "2026-12-01"}})
    assert [(p.path, p.detail) for p in err.problems] == [("escalation.since", "order")]


def test_as_of_may_come_with_the_dispute(policy):
    d = policy.evaluate({"kind": "pricing", "amount": 1.0, "as_of": "2026-03-02"})
    assert d.as_of == D(2026, 3, 2)
    # an explicit argument wins
    d = policy.evaluate({"kind": "pricing", "amount": 1.0, "as_of": "2026-03-02"},
                        as_of=D(2026, 4, 1))
    assert d.as_of == D(2026, 4, 1)


def test_as_of_defaults_to_today(policy):
    d = policy.evaluate({"kind": "pricing", "amount": 1.0})
    assert d.as_of in (dt.date.today(), dt.date.today() - dt.timedelta(days=1))


# 3-4. category and band ---------------------------------------------------------------------
def test_first_band_that_holds(policy):
    def band(amount):
        return decide(policy, amount=amount).trace[1].rule.rsplit("[", 1)[1]
    assert [band(a) for a in (0.0, 9999.99, 10000.0, 99999.0, 100000.0)] == \
        ["0]", "0]", "1]", "1]", "2]"]
    assert decide(policy, amount=999.0).level.id == "l1"
    assert decide(policy, amount=10000.0).level.id == "l2"
    assert decide(policy, amount=100000.0).level.id == "l3"


def test_unclassified(policy):
    err = refusal(policy, {"kind": "other", "amount": 1.0})
    assert err.code == "unclassified"


def test_threshold_gap_exactly_at_the_boundary(policy):
    err = refusal(policy, {"kind": "territory", "amount": 5000.0})
    assert err.code == "threshold_gap"
    assert err.problems[0].path == "categories.territory"
    d = decide(policy, kind="territory", amount=5000.5)
    assert d.trace[1].rule == "categories.territory.thresholds[1]"


def test_a_runtime_expression_error_is_a_refusal_naming_the_rule(policy):
    err = refusal(policy, {"kind": "lead", "amount": 1.0, "divisor": 0})
    assert err.code == "evaluation_error"
    assert err.problems[0].path == "categories.lead"
    assert "division by zero" in err.problems[0].message


# 5. overrides -------------------------------------------------------------------------------
def test_overrides_raise_and_never_lower(policy):
    assert decide(policy, amount=500.0, count=3).level.id == "l2"
    assert decide(policy, amount=500.0, count=3, flag=True).level.id == "l3"
    high = decide(policy, amount=200000.0, count=1)
    assert high.level.id == "l3"
    steps = [t for t in high.trace if t.kind == "override"]
    assert steps and steps[0].detail.endswith("already met")


# 6. deadlines -------------------------------------------------------------------------------
def test_deadline_passes_level_by_level(policy):
    # l1 decides within 5bd from Mon 2026-11-02 -> Mon 2026-11-09; l2 within 10bd -> 2026-11-23
    d = decide(policy, as_of=D(2026, 11, 22), escalation={"level": "l1",
                                                          "since": "2026-11-02"})
    assert d.level.id == "l2"
    assert d.action == "escalate"
    d = decide(policy, as_of=D(2026, 11, 24), escalation={"level": "l1",
                                                          "since": "2026-11-02"})
    assert d.level.id == "l3"
    assert [t.rule for t in d.trace if t.kind == "deadline"] == [
        "ladder.l1.decide_within", "ladder.l2.decide_within"]


def test_on_the_deadline_day_the_level_holds(policy):
    d = decide(policy, as_of=D(2026, 11, 9), escalation={"level": "l1", "since": "2026-11-02"})
    assert d.level.id == "l1"
    assert d.action == "handle"


def test_the_terminal_level_stays(policy):
    d = decide(policy, as_of=D(2027, 11, 1), escalation={"level": "l4", "since": "2026-01-05"})
    assert d.level.id == "l4"
    assert d.action == "handle"


# 7. remedies and authority -----------------------------------------------------------------
def test_authority_is_the_lowest_level_at_or_above_that_may_approve(policy):
    d = decide(policy, amount=5000.0)  # band l1; adjust 1000.0 <= am's 1000 (inclusive)
    assert {r.id: r.authorized_by for r in d.remedies} == {"adjust-small": "am", "hold": "am"}
    assert d.level.id == "l1"


def test_a_remedy_needing_more_authority_raises_the_decision_level(policy):
    d = decide(policy, amount=9000.0)  # band l1, but adjust 1800.0 > am's 1000
    assert {r.id: r.authorized_by for r in d.remedies} == {"adjust-small": "director",
                                                           "hold": "am"}
    assert d.level.id == "l2"
    assert d.trace[1].detail == "band 1 gives level `l1`"


def test_a_remedy_without_amount_needs_true_or_any_number(policy):
    # reassign: am has `reassign: 0`, which is a number: it may authorize a remedy without amount
    d = decide(policy, kind="lead", amount=1.0)
    assert [(r.id, r.authorized_by) for r in d.remedies] == [("reassign", "am")]


def test_no_authority_sends_the_decision_to_the_terminal_level_with_a_warning(policy):
    d = decide(policy, kind="territory", amount=1.0)
    assert d.remedies[0].authorized_by is None
    assert d.level.id == "l4"
    assert [w.code for w in d.warnings] == ["no_authority"]
    assert d.warnings[0].rule == "remedies.amend-contract"


def test_a_remedy_whose_when_fails_is_not_required_but_traced(policy):
    d = decide(policy, amount=500.0)
    assert [r.id for r in d.remedies] == ["hold"]
    step = [t for t in d.trace if t.kind == "remedy"][0]
    assert step.result is False and step.rule == "remedies.adjust-small"


# 8. dates --------------------------------------------------------------------------------
def test_dates_count_business_days_from_as_of(policy):
    d = decide(policy, as_of=D(2026, 11, 22), amount=20000.0)  # Sunday; level l2
    assert d.respond_by == D(2026, 11, 25)  # 3bd from Sunday is Wednesday
    assert d.decide_by == D(2026, 12, 4)
    hold = {r.id: r for r in d.remedies}["hold"]
    assert hold.expires_on == D(2026, 12, 6) and hold.review_on is None
    adj = {r.id: r for r in d.remedies}["adjust-small"]
    assert adj.amount == 4000.0 and adj.authorized_by == "director"
    assert adj.expires_on == D(2027, 2, 20) and adj.review_on == D(2026, 12, 22)


def test_respond_by_is_null_without_respond_within(policy):
    d = decide(policy, amount=200000.0)
    assert d.level.id == "l3" and d.respond_by is None and d.decide_by == D(2026, 12, 12)


def test_remedies_in_force_statuses(policy):
    d = decide(policy, as_of=D(2026, 11, 22), remedies_in_force=[
        {"id": "hold", "granted_on": "2026-11-08"},  # expires 2026-11-22: expired that day
        {"id": "hold", "granted_on": "2026-11-09"},  # expires 2026-11-23: active
        {"id": "adjust-small", "granted_on": "2026-10-01"},  # review 2026-10-31: due
        {"id": "adjust-small", "granted_on": "2026-10-01", "last_reviewed": "2026-11-01"},
    ])
    assert [(r.id, r.status) for r in d.remedies_in_force] == [
        ("hold", "expired"), ("hold", "active"), ("adjust-small", "review_due"),
        ("adjust-small", "active")]
    assert d.remedies_in_force[0].expires_on == D(2026, 11, 22)
    assert d.remedies_in_force[3].review_on == D(2026, 12, 1)


# the whole decision ---------------------------------------------------------------------------
def test_action_handle_when_already_at_the_required_level(policy):
    d = decide(policy, amount=20000.0, as_of=D(2026, 11, 3),
               escalation={"level": "l2", "since": "2026-11-02"})
    assert d.action == "handle"
    d = decide(policy, amount=200000.0, as_of=D(2026, 11, 3),
               escalation={"level": "l2", "since": "2026-11-02"})
    assert d.action == "escalate"


def test_trace_names_rules_with_sources_and_values(policy):
    d = decide(policy, amount=20000.0, count=3)
    kinds = [t.kind for t in d.trace]
    assert kinds[:3] == ["category", "band", "override"]
    cat = d.trace[0]
    assert cat.rule == "categories.pricing" and cat.source.startswith("semantics.yaml:")
    assert cat.values == (("kind", "pricing"),)
    band = d.trace[1]
    assert band.rule == "categories.pricing.thresholds[1]"
    assert band.expression == "amount < 100000.0" and band.values == (("amount", 20000.0),)


def test_decisions_are_deterministic_bytes(policy):
    a = decide(policy, amount=20000.0).to_json()
    b = decide(policy, amount=20000.0).to_json()
    assert a == b and isinstance(a, bytes)


def test_evaluate_accepts_a_path_and_caches_it(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(SEMANTICS_POLICY, encoding="utf-8")
    d1 = policyengine.evaluate({"kind": "pricing", "amount": 1.0}, path, as_of=D(2026, 11, 22))
    d2 = policyengine.evaluate({"kind": "pricing", "amount": 1.0}, str(path),
                               as_of=D(2026, 11, 22))
    assert d1 == d2
    # a changed file is reloaded
    path.write_text(SEMANTICS_POLICY.replace("version: 1.0.0", "version: 1.0.1"),
                    encoding="utf-8")
    import os
    os.utime(path, ns=(1, 10 ** 18))
    d3 = policyengine.evaluate({"kind": "pricing", "amount": 1.0}, path, as_of=D(2026, 11, 22))
    assert d3.policy_version == "1.0.1"


def test_bad_as_of_is_a_dispute_error(policy):
    with pytest.raises(DisputeError) as info:
        policy.evaluate({"kind": "pricing", "amount": 1.0}, as_of="22/11/2026")
    assert info.value.problems[0].path == "as_of"
    with pytest.raises(DisputeError):
        policy.evaluate({"kind": "pricing", "amount": 1.0}, as_of=20261122)
