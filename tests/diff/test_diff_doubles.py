"""The diff's claims where ints meet doubles: an int compared with a double literal is decided
as the evaluator decides it (``float(n) < c``, the int rounded to the nearest double), and a
region holds exactly the disputes whose doubles, rounded as the evaluator rounds them, put
them there; a proof that no dispute changes is not claimed over a division of doubles (z3 leaves
``x / 0.0`` unspecified)."""

from __future__ import annotations

import datetime as dt
import math

import z3
from hypothesis import given, settings, strategies as st

from policyengine import loads_policy
from policyengine.analysis import FactSpace
from policyengine.analysis._cel import least_int_reaching
from policyengine.diff.dates import region_reproduces
from policyengine.diff.semantic import compare_behavior
from policyengine.expr.values import greater, greater_equal, less, less_equal, equals

DAY = dt.date(2026, 6, 1)
RULEBOOK = """\
policy: {id: doubles, title: Doubles, version: %(version)s, effective: 2026-01-01,
         owners: [l@example.com]}
facts:
  n: {type: int}
  x: {type: double, min: 0}
ladder:
  levels:
    - {id: l1, title: L1, role: r1, respond_within: 1bd, decide_within: 3bd, next: l2}
    - {id: l2, title: L2, role: r2, respond_within: 1bd, decide_within: 3bd}
actions:
  hold: {title: Hold}
authority:
  r1: {hold: true}
  r2: {hold: true}
categories:
  - id: c0
    title: C0
    class: commercial
    when: '%(when)s'
    thresholds:
      - {otherwise: l1}
    remedies: [hold]
  - id: rest
    title: Rest
    class: commercial
    when: 'true'
    thresholds:
      - {otherwise: l2}
    remedies: [hold]
remedies:
  - {id: hold, title: Hold, action: hold, sunset: 30d}
"""


def rulebook(when: str, version: str = "1.0.0"):
    return loads_policy(RULEBOOK % {"when": when, "version": version})


def category(policy, n: int, x: float = 0.0) -> str:
    return policy.evaluate({"n": n, "x": x}, as_of=DAY).category.id


def test_an_int_against_a_double_literal_beyond_2_53_is_decided_as_the_evaluator_does():
    # 9007199254740995 (2^53 + 3) becomes the double 9007199254740996.0 (a tie, to even):
    # `n < 9007199254740996.0` is false for it, `n < 9007199254740996` true
    old = rulebook("n < 9007199254740996.0")
    new = rulebook("n < 9007199254740996", "1.1.0")
    assert category(old, 9007199254740995) == "rest"
    assert category(new, 9007199254740995) == "c0"
    report = compare_behavior(old, new, as_of=DAY)
    assert report.verdict == "different"
    witnesses = [r.witness["facts"]["n"] for r in report.regions]
    assert witnesses == [9007199254740995]
    for region in report.regions:
        n = region.witness["facts"]["n"]
        assert category(old, n) != category(new, n)


def test_the_same_cut_spelled_as_an_int_or_its_double_below_2_53_is_equivalent():
    old = rulebook("n < 9007199254740990.0")
    new = rulebook("n < 9007199254740990", "1.1.0")
    assert compare_behavior(old, new, as_of=DAY).verdict == "equivalent"


_OPS = {"<": less, "<=": less_equal, ">": greater, ">=": greater_equal, "==": equals}


@settings(max_examples=150, deadline=None)
@given(st.integers(-(2 ** 63), 2 ** 63 - 1), st.sampled_from(sorted(_OPS)),
       st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                 st.integers(-(2 ** 63), 2 ** 63).map(float)),
       st.integers(-3, 3), st.booleans())
def test_the_encoding_of_int_against_double_agrees_with_the_evaluator(n, op, c, step, flip):
    """``n op c`` (or ``c op n``) for an int fact and a double literal, near the literal too."""
    if step and abs(c) < 2.0 ** 63:
        n = max(-(2 ** 63), min(2 ** 63 - 1, int(c) + step))  # next to the literal
    literal = repr(c)
    text = f"{literal} {op} n" if flip else f"n {op} {literal}"
    policy = rulebook(text)
    space = FactSpace(policy)
    holds = space.holds(policy.categories[0].when)
    solver = z3.Solver(ctx=space.ctx)
    solver.add(*space.domain, space.facts["n"].var == n)
    solver.add(holds)
    want = (_OPS[op](c, n) if flip else _OPS[op](n, c)) is True
    assert (solver.check() == z3.sat) == want, (text, n)


@given(st.floats(allow_nan=False))
@settings(max_examples=200, deadline=None)
def test_least_int_reaching_is_the_rounding_boundary(c):
    m = least_int_reaching(c)
    if abs(c) > 2.0 ** 1000:
        assert abs(m) > 2 ** 1000
        return
    assert float(m) >= c and float(m - 1) < c


def test_lint_encoding_already_rounds_the_int():
    # lint's fact space (ieee=True) rounds the converted int and pins the comparison
    policy = rulebook("n < 9007199254740996.0")
    space = FactSpace(policy, ieee=True)
    solver = z3.Solver(ctx=space.ctx)
    solver.add(*[d for d in [space.holds(policy.categories[0].when)]])
    solver.add(*space.domain, space.facts["n"].var == 9007199254740995)
    assert solver.check() == z3.unsat


def test_a_change_in_double_arithmetic_is_found_at_its_rounding_edge():
    # equal over real numbers (x * 0.1 < 100 exactly when x < 1000), not over doubles: the
    # largest double below 1000 times 0.1 rounds to 100.0, so that dispute changes category
    old = rulebook("x * 0.1 < 100.0")
    new = rulebook("x < 1000.0", "1.1.0")
    x = math.nextafter(1000.0, 0.0)
    assert category(old, 0, x) == "rest" and category(new, 0, x) == "c0"
    report = compare_behavior(old, new, as_of=DAY)
    assert report.verdict == "different" and report.complete
    assert [r.witness["facts"]["x"] for r in report.regions] == [x]
    assert all(region_reproduces(old, new, r) for r in report.regions)
    assert report.contains(report.regions[0], {"n": 0, "x": x})
    assert not report.contains(report.regions[0], {"n": 0, "x": math.nextafter(x, 0.0)})


def test_a_change_in_double_division_is_not_proven_equivalent():
    # z3 leaves x / 0.0 unspecified where the evaluator gives an infinity or NaN: no proof
    old = rulebook("x / 2.0 < 500.0 || x / 0.0 < 0.0")
    new = rulebook("x < 1000.0", "1.1.0")
    # (the same decisions: x / 2.0 is exact, and x / 0.0 is inf or NaN, never below 0.0)
    for x in (0.0, 999.0, math.nextafter(1000.0, 0.0), 1000.0, 5e300):
        assert category(old, 0, x) == category(new, 0, x)
    report = compare_behavior(old, new, as_of=DAY)
    assert report.verdict == "unknown" and not report.complete


# the brute-force draw that found the diff reasoning about `x * 0.05` as exact reals: the
# versions differ in the band's level and the ladder's windows; for x = 199999.99999999997,
# x * 0.05 rounds to 10000.0 (c0 holds, the override lifts it to l3, whose window moved),
# while over the reals the product is 9999.9999999999985 and the dispute is unclassified
BRUTE = """\
policy: {id: brute, title: Brute, version: %(version)s, effective: 2026-01-01,
         owners: [l@example.com]}
facts:
  kind: {type: string, enum: [a, b, c]}
  x: {type: double, min: 0}
  n: {type: int, min: 0, default: 0}
  flag: {type: bool, default: false}
ladder:
  levels:
    - {id: l1, title: Level l1, role: rl1, respond_within: 1bd, decide_within: 5bd, next: l2}
    - {id: l2, title: Level l2, role: rl2, respond_within: 1bd, decide_within: 5bd, next: l3}
    - {id: l3, title: Level l3, role: rl3, respond_within: 1bd, decide_within: %(top)s}
actions:
  adjust: {title: Adjust, unit: USD}
  hold: {title: Hold}
authority:
  rl1: {adjust: 100, hold: true}
  rl2: {adjust: 100, hold: true}
  rl3: {adjust: true, hold: true}
categories:
  - id: c0
    title: Category c0
    class: commercial
    when: 'n <= 9007199254740996 && x * 0.05 >= 10000.0'
    thresholds:
      - {otherwise: %(level)s}
    remedies: [realign, hold]
overrides:
  - {id: big, when: 'kind in ["c", "a"]', min_level: l3, reason: Because}
remedies:
  - {id: realign, title: Realign, action: adjust, amount: 'x * 0.3', when: 'x >= 2500.0',
     sunset: 120d, review_every: 30d}
  - {id: hold, title: Hold, action: hold, sunset: 90d}
"""


def test_a_dispute_put_in_a_category_by_a_rounded_product_lies_in_its_dates_region():
    day = dt.date(2026, 11, 23)
    old = loads_policy(BRUTE % {"version": "1.0.0", "top": "2w", "level": "l2"})
    new = loads_policy(BRUTE % {"version": "1.1.0", "top": "3bd", "level": "l1"})
    dispute = {"kind": "a", "x": 199999.99999999997, "n": 0, "flag": False}
    assert dispute["x"] * 0.05 == 10000.0  # rounded; exactly, the product is below 10000
    before = old.evaluate(dispute, as_of=day)
    after = new.evaluate(dispute, as_of=day)
    assert before.category.id == after.category.id == "c0"
    assert before.decide_by != after.decide_by
    report = compare_behavior(old, new, as_of=day, max_regions=100)
    assert report.verdict == "different" and report.complete
    assert all(region_reproduces(old, new, r) for r in report.regions)
    dates = [r for r in report.regions if r.kind == "dates"]
    assert any(report.contains(r, dispute) for r in dates)
    # its description names the cut on x where the rounded product reaches 10000.0
    assert any("x >= 199999.99999999997" in r.summary for r in dates)
    # and just below it, where the rounded product is below 10000.0, it is unclassified
    below = dict(dispute, x=math.nextafter(dispute["x"], 0.0))
    assert below["x"] * 0.05 < 10000.0
    assert not any(report.contains(r, below) for r in dates)


def test_unchanged_double_arithmetic_keeps_the_proof():
    old = rulebook("x * 0.1 < 100.0 && n > 1")
    new = loads_policy(RULEBOOK.replace("title: C0", "title: Renamed") % {
        "when": "x * 0.1 < 100.0 && n > 1", "version": "1.1.0"})
    report = compare_behavior(old, new, as_of=DAY)
    assert report.verdict == "equivalent" and report.complete
