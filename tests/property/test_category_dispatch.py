"""Category dispatch through a table (issue 14) chooses what testing each `when` in turn
chooses: same decisions, refusals included, with and without the table."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine.core.errors import DisputeError

KINDS = ["a", "b", "c", "d", "e", "f"]


def rulebook(whens: list[str]) -> str:
    cats = "".join(
        f"""  - id: c{i}
    title: Category {i}
    class: commercial
    when: '{w}'
    thresholds:
      - {{when: amount < 10.0, level: one}}
      - {{otherwise: two}}
""" for i, w in enumerate(whens))
    return f"""policy:
  id: dispatch
  title: Dispatch
  version: 1.0.0
  effective: 2026-01-01
  owners: [legal@acme.example]
facts:
  kind: {{type: string, enum: [{", ".join(KINDS)}]}}
  note: {{type: string, default: x}}
  amount: {{type: double, min: 0}}
ladder:
  levels:
    - {{id: one, title: One, role: r1, decide_within: 5bd, next: two}}
    - {{id: two, title: Two, role: r2, decide_within: 5d}}
actions:
  hold: {{title: Hold}}
authority:
  r1: {{hold: true}}
  r2: {{hold: true}}
categories:
{cats}"""


CASES = {
    "equalities": ['kind == "a"', '"b" == kind', 'kind == "a"', 'kind in ["c", "d"]'],
    "catch-all": ['kind == "a"', 'kind in ["b", "a", "e"]', "true", 'kind == "c"'],
    "other fact": ['kind == "a"', 'note == "x"', "true"],
    "not a table": ['kind == "a"', 'kind != "b"', "true"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_dispatch_decides_like_testing_in_turn(name: str) -> None:
    policy = policyengine.loads_policy(rulebook(CASES[name]))
    cp = policy.compiled
    if name in ("equalities", "catch-all"):
        assert cp.dispatch is not None and cp.dispatch.fact == "kind"
    else:
        assert cp.dispatch is None
    plain = dataclasses.replace(cp, dispatch=None)
    from policyengine.decide.evaluate import evaluate_compiled

    @settings(max_examples=60, deadline=None)
    @given(st.sampled_from(KINDS), st.floats(0, 20), st.sampled_from(["x", "y"]))
    def agree(kind: str, amount: float, note: str) -> None:
        d = {"kind": kind, "amount": amount, "note": note}
        outcomes = []
        for compiled in (cp, plain):
            try:
                outcomes.append(evaluate_compiled(compiled, d, as_of="2026-03-02").to_json())
            except DisputeError as exc:
                outcomes.append(repr([p.to_dict() for p in exc.problems]))
        assert outcomes[0] == outcomes[1]

    agree()


# -- generated policies: categories that require a value of a fact, alone or inside `&&`,
# catch-alls, conditions on other facts, and conditions that fail (a division by zero) -------
_CONDITIONS = st.one_of(
    st.sampled_from(KINDS).map(lambda k: f'kind == "{k}"'),
    st.sampled_from(KINDS).map(lambda k: f'"{k}" == kind'),
    st.lists(st.sampled_from(KINDS), min_size=0, max_size=3).map(
        lambda ks: "kind in [" + ", ".join(f'"{k}"' for k in ks) + "]"),
    st.sampled_from(KINDS).map(lambda k: f'kind == "{k}" && amount < 10.0'),
    st.sampled_from(KINDS).map(lambda k: f'amount > 5.0 && kind == "{k}"'),
    st.sampled_from(KINDS).map(lambda k: f'kind == "{k}" && 100 / (int(amount) - 3) > 1'),
    st.tuples(st.sampled_from(KINDS), st.sampled_from(KINDS)).map(
        lambda ab: f'kind == "{ab[0]}" && kind == "{ab[1]}"'),
    st.sampled_from(KINDS).map(lambda k: f'kind == "{k}" || note == "y"'),
    st.sampled_from(["x", "y"]).map(lambda n: f'note == "{n}"'),
    st.sampled_from(KINDS).map(lambda k: f'kind != "{k}"'),
    st.just("amount > 15.0"),
    st.just("100 / (int(amount) - 3) > 1"),  # fails where amount is 3.0
    st.just("true"),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_CONDITIONS, min_size=2, max_size=8),
       st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from([0.0, 3.0, 7.0, 12.0, 20.0]),
                          st.sampled_from(["x", "y"])), min_size=1, max_size=12))
def test_generated_policies_decide_alike_with_and_without_the_table(
        whens: list[str], disputes: list[tuple[str, float, str]]) -> None:
    from policyengine.decide.evaluate import evaluate_compiled

    policy = policyengine.loads_policy(rulebook(whens))
    cp = policy.compiled
    plain = dataclasses.replace(cp, dispatch=None)
    for kind, amount, note in disputes:
        d = {"kind": kind, "amount": amount, "note": note}
        outcomes = []
        for compiled in (cp, plain):
            try:
                decision = evaluate_compiled(compiled, d, as_of="2026-03-02")
            except DisputeError as exc:
                outcomes.append(repr([p.to_dict() for p in exc.problems]))
                continue
            outcomes.append(decision.to_json())
            assert outcomes[-1] == json.dumps(decision.to_dict(), ensure_ascii=False,
                                              separators=(",", ":")).encode()
        assert outcomes[0] == outcomes[1], (whens, d)


def test_a_table_is_built_where_categories_require_a_value_inside_and() -> None:
    # the shape of a rulebook that pins (kind, region) pairs: every category requires a kind
    whens = ['kind == "a" && amount < 10.0', 'kind == "a"', 'kind == "b" && note == "y"',
             'note == "x"', 'kind in ["b", "c"]', "true"]
    cp = policyengine.loads_policy(rulebook(whens)).compiled
    assert cp.dispatch is not None and cp.dispatch.fact == "kind"
    left = {v: [i for i, _ in cands] for v, cands in cp.dispatch.table.items()}
    # for "a": its two categories (the bare equality holds for sure: nothing after it), for
    # "b" the `&&`, `note == "x"` and the membership; `note == "x"` and `true` for the rest
    assert left == {"a": [0, 1], "b": [2, 3, 4], "c": [3, 4]}
    assert [i for i, _ in cp.dispatch.rest] == [3, 5]
    # the categories that hold for sure carry their step, built at load
    assert all(step is not None for _, step in (cp.dispatch.table["a"][1],
                                                cp.dispatch.rest[1]))
