"""The solver's verdicts agree with brute force (hypothesis).

For random threshold tables on one numeric fact (``int`` or ``double``, with or without bounds),
the logic analysis says whether the bands leave a gap and which bands are ever reached; random
category tables say which categories are ever chosen, which pairs overlap (the earlier winning,
the later not its fallback) and whether some dispute is unclassified. The same questions are
answered by deciding, with the real evaluator, a dispute at every constant of the table, just
around each, and beyond the extremes: the truth of every condition is constant between two
consecutive constants, so these points see every case. Witnesses are strict: one that does not
reproduce its finding fails the test (WitnessError).
"""

from __future__ import annotations

import datetime as _dt
import os
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyengine import loads_policy
from policyengine.analysis import check_coverage
from policyengine.core.errors import DisputeError

SETTINGS = settings(max_examples=int(os.environ.get("LOGIC_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
AS_OF = _dt.date(2026, 6, 1)
OPS = ["<", "<=", ">", ">=", "==", "!="]
LEVELS = ["frontline", "regional"]

HEAD = """\
policy: {id: p, title: P, version: 1.0.0, effective: 2026-01-01, owners: [l@a.example]}
facts:
  x: %s
ladder:
  levels:
    - {id: frontline, title: F, role: f, decide_within: 5bd, next: regional}
    - {id: regional, title: R, role: r, decide_within: 10bd}
actions:
  hold: {title: Hold}
authority:
  f: {hold: true}
  r: {hold: true}
categories:
"""


@st.composite
def numeric_fact(draw):
    kind = draw(st.sampled_from(["int", "double"]))
    decl = {"type": kind}
    if draw(st.booleans()):
        decl["min"] = draw(st.integers(-8, 0))
    if draw(st.booleans()):
        decl["max"] = draw(st.integers(1, 8))
    return decl


def constant(kind: str):
    if kind == "int":
        return st.integers(-10, 10)
    return st.integers(-40, 40).map(lambda q: q / 4)  # quarters: exact, never adjacent floats


@st.composite
def condition(draw, kind: str):
    def atom():
        op = draw(st.sampled_from(OPS))
        c = draw(constant(kind))
        return f"x {op} {c!r}"

    shape = draw(st.sampled_from(["atom", "atom", "atom", "and", "or", "not"]))
    if shape == "and":
        return f"{atom()} && {atom()}"
    if shape == "or":
        return f"{atom()} || {atom()}"
    if shape == "not":
        return f"!({atom()})"
    return atom()


def _decl_text(decl: dict) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in decl.items()) + "}"


def _points(decl: dict, conditions: list[str]) -> list:
    """Every constant, its neighbours and the domain's bounds, inside the domain."""
    import re

    consts = {float(m) for text in conditions for m in re.findall(r"-?\d+(?:\.\d+)?", text)}
    consts |= {float(decl[k]) for k in ("min", "max") if k in decl}
    step = 1.0 if decl["type"] == "int" else 0.125
    raw = {c + d for c in consts for d in (-step, 0.0, step)} or {0.0}
    lo, hi = decl.get("min", float("-inf")), decl.get("max", float("inf"))
    out = sorted(v for v in raw if lo <= v <= hi)
    return [int(v) for v in out] if decl["type"] == "int" else out


def _band(decision) -> int:
    step = next(t for t in decision.trace if t.kind == "band")
    return int(step.rule.rsplit("[", 1)[1].rstrip("]"))


def _strict():
    return mock.patch.dict(os.environ, {"POLICYENGINE_STRICT_WITNESS": "1"})


@SETTINGS
@given(data=st.data())
def test_band_gap_and_shadowing_verdicts_match_brute_force(data):
    decl = data.draw(numeric_fact())
    conds = data.draw(st.lists(condition(decl["type"]), min_size=1, max_size=5))
    otherwise = data.draw(st.booleans())
    bands = [f"      - {{when: '{c}', level: {data.draw(st.sampled_from(LEVELS))}}}"
             for c in conds]
    if otherwise:
        bands.append("      - {otherwise: regional}")
    text = (HEAD % _decl_text(decl) + "  - id: c\n    title: C\n    class: commercial\n"
            "    when: 'true'\n    thresholds:\n" + "\n".join(bands) + "\n")
    policy = loads_policy(text)
    with _strict():
        report = check_coverage(policy, as_of=AS_OF)
    chosen, gap = set(), False
    for v in _points(decl, conds):
        try:
            chosen.add(_band(policy.evaluate({"x": v}, as_of=AS_OF)))
        except DisputeError as exc:
            assert exc.code == "threshold_gap"
            gap = True
    assert report.gaps.get(0, False) is gap, (text, report)
    for b in range(len(bands)):
        assert report.reached.get((0, b)) is (b in chosen), (text, b, report)
    found = {f.kind for f in report.findings}
    assert ("gap" in found) is gap and "timeout" not in found


@SETTINGS
@given(data=st.data())
def test_category_overlap_and_classification_verdicts_match_brute_force(data):
    decl = data.draw(numeric_fact())
    conds = data.draw(st.lists(condition(decl["type"]), min_size=1, max_size=5))
    if data.draw(st.booleans()):
        conds.append("true")
    cats = "".join(f"  - id: c{k}\n    title: C{k}\n    class: commercial\n    when: '{c}'\n"
                   "    thresholds:\n      - {otherwise: frontline}\n"
                   for k, c in enumerate(conds))
    policy = loads_policy(HEAD % _decl_text(decl) + cats)
    with _strict():
        report = check_coverage(policy, as_of=AS_OF)
    cp = policy.compiled
    rows = []  # (chosen index or None, [when_k holds])
    for v in _points(decl, conds):
        holds = [c.when.fn({"x": float(v) if decl["type"] == "double" else v}) is True
                 for c in cp.categories]
        try:
            decision = policy.evaluate({"x": v}, as_of=AS_OF)
            rows.append((int(decision.category.id[1:]), holds))
        except DisputeError as exc:
            assert exc.code == "unclassified"
            rows.append((None, holds))
    reachable = {k for k, _ in rows if k is not None}
    for k in range(len(conds)):
        assert report.chosen.get(k) is (k in reachable), (conds, k, report)
    assert bool(report.unclassified) is any(k is None for k, _ in rows)
    expected = set()
    for i in reachable:
        always = all(h[i] for _, h in rows)
        for j in reachable:
            if j >= i or always:
                continue
            decided = [h for k, h in rows if k == j]
            both = any(h[i] for h in decided)
            fallback = all(h[i] for h in decided)
            if both and not fallback:
                expected.add((j, i))
    assert report.overlaps == expected, (conds, report.overlaps, expected)
