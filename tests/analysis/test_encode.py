"""The z3 encoding agrees with the reference interpreter: for each expression and each of a set
of fact assignments, exactly one of holds / fails / errors is true, and it is the one the
interpreter gives."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
import z3

from policyengine.analysis import DecisionEncoding, FactSpace, Prover
from policyengine.expr import analyze
from policyengine.expr.interpret import interpret
from policyengine.expr.values import CelError

from policyengine import loads_policy

from .helpers import FACTS, HEADER, category, policy_from

POLICY = policy_from(category("any", "true"))
SPACE = FactSpace(POLICY)

EXPRESSIONS = [
    'kind == "pricing"', 'kind != "mdf"', 'kind in ["pricing", "mdf"]', '!(kind in ["mdf"])',
    "amount < 10000.0", "amount >= 10000", "amount == 0.1", "amount * 0.5 > 10.0",
    "count > 2 && flag", "count < 0 || !flag", "count / 2 == 1", "count % 3 == -1",
    "10 / count > 2", "(count == 0 || 10 / count > 2) && true", "10 / count > 2 || count == 0",
    "false && 10 / count > 2", "count * 1000000000000 * 10000000 > 0",
    '(flag ? "a" : "b") == "a"', 'kind.startsWith("p") || kind.endsWith("y")',
    'kind.matches("^co_")', 'size(kind) > 5', 'name == ""', 'name.startsWith("x")',
    'size(name) == 0', 'name.matches("[0-9]+")', 'partner.tier == "gold"',
    'partner["tier"] == "silver" && partner.exclusive', "has(partner.tier)",
    'tags.exists(t, t == "x")', '"x" in tags', 'size(tags) > 1 || amount > 5.0',
    "double(count) < amount", "int(amount) == 3", "-count > 4", "amount > count",
    '["pricing", "mdf"].exists(k, k == kind)', 'kind == "pricing" ? amount > 1.0 : count > 1',
    "count in [1, 2, 3]", "flag == true", "flag < true", 'kind < "n"',
    '{"a": 1}["a"] == count', "amount / 2.0 > 1.0", "amount - 1.0 > 0.0 && amount + 1.0 < 3.0",
]

POINTS = [
    dict(kind=k, amount=a, count=c, flag=f, name=n, tags=t, partner={"tier": tier, "exclusive": e})
    for (k, a, c, f, n, t, tier, e) in itertools.islice(itertools.product(
        ["pricing", "mdf", "co_branding"], [0.0, 0.1, 3.5, 10000.0, 25.0], [-5, 0, 2, 3, 5],
        [False, True], ["", "x9", "12"], [[], ["x", "y"]], ["gold", "silver"], [False, True]),
        0, None, 97)
]


def _assignment(space: FactSpace, facts: dict) -> list:
    pairs = []
    for path, fv in space.facts.items():
        value = facts
        for key in path.split("."):
            value = value[key]
        if fv.kind == "bool":
            pairs.append((fv.var, z3.BoolVal(value, space.ctx)))
        elif fv.kind == "enum":
            pairs.append((fv.var, z3.IntVal(fv.values.index(value), space.ctx)))
        elif fv.kind == "int":
            pairs.append((fv.var, z3.IntVal(value, space.ctx)))
        elif fv.kind == "double":
            q = Fraction(value)
            pairs.append((fv.var, z3.RealVal(f"{q.numerator}/{q.denominator}", space.ctx)))
        else:
            pairs.append((fv.var, z3.StringVal(value, space.ctx)))
    return pairs


def _value(formula, pairs):
    return z3.simplify(z3.substitute(formula, *pairs))


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_encoding_agrees_with_the_interpreter(text):
    analysis = analyze(text, _env(), expect="bool")
    assert analysis.ok, analysis.issues
    term = SPACE.encode(analysis.ast)
    holds = SPACE.both(term.ok, SPACE.as_bool(term))
    fails = SPACE.both(term.ok, z3.Not(SPACE.as_bool(term)))
    for point in POINTS:
        expected = interpret(analysis.ast, point)
        pairs = _assignment(SPACE, point)
        got_holds, got_fails = _value(holds, pairs), _value(fails, pairs)
        if term.opaque:  # an opaque part is free: the outcome is open, never contradicted
            continue
        if type(expected) is CelError:
            assert z3.is_false(got_holds) and z3.is_false(got_fails), (text, point)
        else:
            assert z3.is_true(got_holds) == (expected is True), (text, point, expected)
            assert z3.is_true(got_fails) == (expected is False), (text, point, expected)


def _env():
    from policyengine.expr import Environment

    return Environment.from_declarations(POLICY.declarations())


def test_only_what_cannot_be_encoded_is_opaque():
    opaque = {t for t in EXPRESSIONS if SPACE.encode(analyze(t, _env()).ast).opaque}
    assert opaque == {'name.matches("[0-9]+")', 'tags.exists(t, t == "x")', '"x" in tags',
                      'size(tags) > 1 || amount > 5.0'}
    inexact = {t for t in EXPRESSIONS if SPACE.encode(analyze(t, _env()).ast).inexact}
    assert inexact == {"amount * 0.5 > 10.0", "amount / 2.0 > 1.0",
                       "amount - 1.0 > 0.0 && amount + 1.0 < 3.0"}


def test_the_same_opaque_sub_expression_is_the_same_unknown():
    a = SPACE.encode(analyze('name.matches("a") && !name.matches("a")', _env()).ast)
    prover = Prover(SPACE)
    assert prover.check(SPACE.both(a.ok, a.value)).unsat


def test_domain_constraints_bound_every_fact():
    prover = Prover(SPACE)
    count = SPACE.facts["count"].var
    assert prover.check(count > 5).unsat
    assert prover.check(SPACE.facts["amount"].var < 0).unsat
    assert prover.check(SPACE.facts["kind"].var == 4).unsat
    # a default does not constrain: count may be anything in [-5, 5]
    assert prover.check(count == -5).sat


def test_witness_is_complete_valid_and_readable():
    policy = POLICY
    space = FactSpace(policy)
    prover = Prover(space)
    goal = space.holds(_expr(policy, 'amount > 1234.5678 && kind == "mdf" && count < 0'))
    out = prover.check(goal)
    w = space.witness(out.model, "2026-02-01", keep=[goal])
    assert w["as_of"] == "2026-02-01"
    facts = w["facts"]
    assert set(facts) == {"kind", "amount", "count", "flag", "name", "tags", "partner"}
    assert facts["kind"] == "mdf" and facts["count"] == -5  # a boundary value
    assert facts["amount"] == 2000.0  # a round number, not z3's 1234.5678...
    assert facts["partner"] == {"tier": "gold", "exclusive": False}
    assert facts["tags"] == [] and facts["flag"] is False
    policy.evaluate(facts, as_of="2026-02-01")  # valid as is


def _expr(policy, text):
    return analyze(text, _env()).ast


def test_two_spaces_sharing_a_context_share_variables():
    old = FactSpace(POLICY)
    new = FactSpace(policy_from(category("any", "true")), ctx=old.ctx)
    prover = Prover(old)
    a = old.holds(_expr(POLICY, "amount > 10.0"))
    b = new.holds(_expr(POLICY, "amount <= 10.0"))
    assert prover.check(a, b).unsat


def test_decision_encoding_levels():
    policy = policy_from(category("pricing", 'kind == "pricing"', ("amount < 100.0", "frontline"),
                                  (None, "regional"))
                         + category("rest", "true", (None, "frontline")),
                         rest="overrides:\n  - {id: big, when: count > 3, min_level: executive, "
                              "reason: Big}\n")
    space = FactSpace(policy)
    dec = DecisionEncoding(space)
    prover = Prover(space)
    kind, amount, count = (space.facts[p].var for p in ("kind", "amount", "count"))
    assert prover.check(kind == 0, amount == 50, count == 0, dec.level() != 0).unsat
    assert prover.check(kind == 0, amount == 150, count == 0, dec.level() != 1).unsat
    assert prover.check(kind == 0, amount == 50, count == 4, dec.level() != 2).unsat
    assert prover.check(dec.unclassified()).unsat
    assert prover.check(dec.gap(0)).unsat


def test_decision_encoding_final_level_follows_the_authority_table():
    rest = ("remedies:\n  - {id: realign, title: R, action: price_adjustment, amount: amount * 0.1,"
            " sunset: 90d}\n")
    ladder_actions = ("actions:\n  hold_unilateral: {title: Hold}\n"
                      "  price_adjustment: {title: Price, unit: USD}\n")
    body = (HEADER + FACTS + """\
ladder:
  levels:
    - {id: frontline, title: F, role: account_manager, decide_within: 5bd, next: regional}
    - {id: regional, title: R, role: regional_director, decide_within: 10bd, next: executive}
    - {id: executive, title: E, role: executive_sponsor, decide_within: 20d}
""" + ladder_actions + """\
authority:
  account_manager: {hold_unilateral: true, price_adjustment: 5000}
  regional_director: {hold_unilateral: true, price_adjustment: 50000}
  executive_sponsor: {hold_unilateral: true, price_adjustment: 100000}
categories:
  - id: pricing
    title: P
    class: commercial
    when: "true"
    thresholds:
      - {otherwise: frontline}
    remedies: [realign]
""" + rest)
    policy = loads_policy(body)
    space = FactSpace(policy)
    dec = DecisionEncoding(space)
    prover = Prover(space)
    amount = space.facts["amount"].var
    for value, rank in ((10000, 0), (60000, 1), (600000, 2), (2000000, 2)):
        assert prover.check(amount == value, dec.final_level() != rank).unsat, value
        decision = policy.evaluate({"kind": "pricing", "amount": float(value),
                                    "partner": {"tier": "gold"}}, as_of="2026-02-01")
        assert decision.level.id == dec.levels[rank].id
