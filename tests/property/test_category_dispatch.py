"""Category dispatch through a table (issue 14) chooses what testing each `when` in turn
chooses: same decisions, refusals included, with and without the table."""

from __future__ import annotations

import dataclasses

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
