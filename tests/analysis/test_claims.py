"""Lint's claims at the edges the evaluator sees: IEEE rounding, int -> double beyond 2^53,
expressions that fail, overlap witnesses decided by the earlier category."""

from __future__ import annotations

import datetime as dt
import os
from unittest import mock

from policyengine import DisputeError, loads_policy
from policyengine.analysis import check_coverage

DAY = dt.date(2026, 6, 1)
HEAD = """\
policy: {id: p, title: P, version: 1.0.0, effective: 2026-01-01, owners: [l@a.example]}
facts:
  kind: {type: string, enum: [a, b]}
  amount: {type: double, min: 0}
  n: {type: int, default: 0}
ladder:
  levels:
    - {id: l1, title: F, role: f, decide_within: 5bd, next: l2}
    - {id: l2, title: R, role: r, decide_within: 10bd}
actions:
  hold: {title: Hold}
  adjust: {title: Adjust}
authority:
  f: {hold: true, adjust: 1000}
  r: {hold: true, adjust: 50000}
categories:
"""


def run(categories: str, remedies: str = ""):
    text = HEAD + categories + "remedies:\n  - {id: h, title: H, action: hold, sunset: 30d}\n" \
        + remedies
    policy = loads_policy(text)
    with mock.patch.dict(os.environ, {"POLICYENGINE_STRICT_WITNESS": "1"}):
        return policy, check_coverage(policy, as_of=DAY)


def category(cid: str, when: str, bands: str) -> str:
    return (f"  - id: {cid}\n    title: {cid}\n    class: commercial\n    when: '{when}'\n"
            f"    thresholds:\n{bands}    remedies: [h]\n")


def gap_witness(policy, report):
    [f] = [f for f in report.findings if f.kind == "gap"]
    assert not f.possible
    try:
        policy.evaluate(f.witness["facts"], as_of=DAY)
    except DisputeError as exc:
        assert exc.code == "threshold_gap"
    else:
        raise AssertionError("the witness is decided")
    return f.witness["facts"]


def test_ieee_rounding_in_a_product_is_a_gap():
    p, r = run(category("c", "true", "      - {when: amount * 0.1 < 2500.0, level: l1}\n"
                                     "      - {when: amount >= 25000.0, level: l2}\n"))
    assert gap_witness(p, r)["amount"] == 24999.999999999996


def test_an_int_beyond_2_53_compared_with_a_double_is_a_gap():
    p, r = run(category("c", "true", "      - {when: n < 9007199254740996.0, level: l1}\n"
                                     "      - {when: n >= 9007199254740996, level: l2}\n"))
    assert gap_witness(p, r)["n"] == 9007199254740995


def test_rounding_is_exact_against_constants_no_false_alarm():
    # amount <= 500000.0 keeps amount * 0.1 <= 50000.0 in IEEE arithmetic: no PE508
    p, r = run(category("c", "true", "      - {otherwise: l1}\n").replace("[h]", "[h, adj]"),
               "  - {id: adj, title: A, action: adjust, amount: amount * 0.1, "
               "when: amount <= 500000.0, sunset: 30d}\n")
    assert not [f for f in r.findings if f.kind == "exceeds-authority"]
    assert r.gaps.get(0) is False


def test_division_by_a_defaulted_fact_can_fail():
    p, r = run(category("c", "10 / n >= 3", "      - {otherwise: l1}\n")
               + category("d", "true", "      - {otherwise: l1}\n"))
    [f] = [f for f in r.findings if f.kind == "can-fail"]
    assert not f.possible and f.witness["facts"]["n"] == 0
    assert "division by zero" in f.message


def test_a_guarded_division_cannot_fail():
    p, r = run(category("c", "n != 0 && 10 / n >= 3", "      - {otherwise: l1}\n")
               + category("d", "true", "      - {otherwise: l1}\n"))
    assert not [f for f in r.findings if f.kind == "can-fail"]


def test_an_overlap_witness_is_decided_by_the_earlier_category():
    p, r = run(category("c0", 'amount <= 1000.0 || kind != "a"',
                        "      - {when: amount < 250000.0, level: l1}\n")
               + category("c1", 'kind == "a" || amount > 250000.0', "      - {otherwise: l1}\n")
               + category("rest", "true", "      - {otherwise: l1}\n"))
    [f] = [f for f in r.findings if f.kind == "overlap"]
    assert not f.possible and f.witness is not None
    decision = p.evaluate(f.witness["facts"], as_of=DAY)
    assert decision.category.id == "c0"
