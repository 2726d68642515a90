"""Root causes 8 (no cost bound on evaluation) and 16 (diff ignores its budget)."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile_support import ACME, AS_OF, GOOD, invoke
from policyengine import DisputeError, PolicyError, loads_policy
from policyengine.core.errors import ExpressionEvalError
from policyengine.expr import compile_expression
from policyengine.expr.cost import STEP_BUDGET, estimate

ACME_TEXT = ACME.read_text("utf-8")
DAY = datetime.date(2026, 11, 22)
SKUS = "  skus: {type: list, items: {type: int}, default: []MAX}\n"


def nested_all(depth: int, guard: str = "") -> str:
    expr = "true"
    for i in range(depth):
        expr = f"[1, 2].all(x{i}, {expr})"
    return guard + expr


def policy_with(when: str, max_items: int | None = None):
    text = ACME_TEXT.replace(
        "  compliance_flag: {type: bool, default: false}\n",
        "  compliance_flag: {type: bool, default: false}\n"
        + SKUS.replace("MAX", "" if max_items is None else f", max_items: {max_items}"))
    return text.replace('when: kind == "pricing"', f"when: {json.dumps(when)}")


# -- static estimate -----------------------------------------------------------------------
@pytest.mark.parametrize("depth", [17, 30, 60])
def test_nested_macros_over_literals_are_refused_at_load(depth):
    for guard in ("", 'kind == "pricing" && '):
        with pytest.raises(PolicyError) as info:
            loads_policy(policy_with(nested_all(depth, guard)))
        assert "PE611" in {d.code for d in info.value.diagnostics if d.is_error}


def test_cheap_nesting_loads_without_a_finding():
    policy = loads_policy(policy_with(nested_all(8)))
    assert not [d for d in policy.warnings if d.code.startswith("PE61")]


def test_nesting_over_a_list_fact_warns_and_names_max_items():
    when = 'kind == "pricing" && skus.all(a, skus.all(b, a != b || a == b))'
    policy = loads_policy(policy_with(when))
    [warning] = [d for d in policy.warnings if d.code == "PE612"]
    assert "max_items" in warning.hint
    small = loads_policy(policy_with(when, max_items=50))
    assert not [d for d in small.warnings if d.code == "PE612"]


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.integers(0, 6), min_size=1, max_size=4))
def test_the_estimate_bounds_what_an_evaluation_charges(sizes):
    """For literal lists the estimate is exact and the run-time charge never exceeds it."""
    expr = "true"
    for i, n in enumerate(sizes):
        expr = f"{list(range(n))}.all(x{i}, {expr})"
    cost = estimate(compile_expression(expr).ast)
    assert cost.low <= cost.high
    assert cost.fixed == cost.high  # nothing here depends on a dispute
    total = 1
    for n in sizes:
        total *= n
    assert cost.high >= total


# -- run-time budget -----------------------------------------------------------------------
def test_a_costly_dispute_is_refused_with_evaluation_error_by_both_forms():
    decl = {"xs": {"type": "list", "items": {"type": "int"}}}
    compiled = compile_expression("xs.all(a, xs.all(b, a != b || a == b))", decl)
    big = {"xs": list(range(5000))}
    for run in (compiled.function, compiled.interpret):
        with pytest.raises(ExpressionEvalError, match="budget"):
            run(big)
        assert run({"xs": list(range(30))}) is True


def test_the_budget_is_not_absorbed_by_or():
    decl = {"xs": {"type": "list", "items": {"type": "int"}}}
    compiled = compile_expression("xs.all(a, xs.all(b, a >= 0)) || size(xs) == 0", decl)
    for run in (compiled.function, compiled.interpret):
        with pytest.raises(ExpressionEvalError, match="budget"):
            run({"xs": list(range(5000))})  # `error || true` would absorb an ordinary error
    cheap = compile_expression("1 + 2 == 3", decl)
    assert cheap.function({"xs": []}) is True and "charge" not in (cheap.python_source or "")


def test_a_costly_dispute_through_evaluate_and_a_batch(tmp_path):
    text = policy_with('kind == "pricing" && skus.all(a, skus.all(b, a != b || a == b))')
    policy = loads_policy(text)
    with pytest.raises(DisputeError) as info:
        policy.evaluate({**GOOD, "skus": list(range(3000))}, as_of=DAY)
    assert info.value.code == "evaluation_error" and "budget" in info.value.problems[0].message
    assert policy.evaluate({**GOOD, "skus": [1, 2, 3]}, as_of=DAY).category.id == "pricing"
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    inp = tmp_path / "in.jsonl"
    inp.write_text("\n".join(json.dumps({**GOOD, "skus": list(range(n))})
                             for n in (3000, 3, 3000)) + "\n", "utf-8")
    out = tmp_path / "out.jsonl"
    res = invoke("evaluate", str(path), "--input", str(inp), "--output", str(out),
                 "--as-of", AS_OF)
    assert res.exit_code == 1
    codes = [json.loads(x).get("error", {}).get("code") for x in out.read_text().splitlines()]
    assert codes == ["evaluation_error", None, "evaluation_error"]


def test_list_and_string_facts_are_bounded_in_disputes():
    policy = loads_policy(policy_with("true", max_items=100))
    with pytest.raises(DisputeError) as info:
        policy.evaluate({**GOOD, "skus": list(range(101))}, as_of=DAY)
    assert [(p.path, p.detail) for p in info.value.problems] == [("skus", "max_items")]
    default = loads_policy(policy_with("true"))
    with pytest.raises(DisputeError) as info:
        default.evaluate({**GOOD, "skus": list(range(20000))}, as_of=DAY)
    assert "max_items" in info.value.problems[0].hint
    with pytest.raises(DisputeError) as info:
        default.evaluate({**GOOD, "region": "E" * 200000}, as_of=DAY)
    assert info.value.problems[0].detail == "max_length"


def test_size_bounds_are_declared_on_the_right_types():
    bad = ACME_TEXT.replace("recurrences_90d: {type: int, min: 0, default: 0}",
                            "recurrences_90d: {type: int, min: 0, default: 0, max_items: 3}")
    with pytest.raises(PolicyError) as info:
        loads_policy(bad)
    assert "PE111" in {d.code for d in info.value.diagnostics}


def test_lint_and_evaluate_do_not_hang_on_nested_macros(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(policy_with(nested_all(30, 'kind == "pricing" && ')), "utf-8")
    res = invoke("lint", str(path), "--as-of", AS_OF)
    assert res.exit_code == 1 and "PE611" in res.stdout
    res = invoke("evaluate", str(path), str(tmp_path / "none.json"))
    assert res.exit_code == 2 and "PE611" in res.stderr


# -- 16: the diff budget bounds the whole command ------------------------------------------
def test_the_budget_is_a_deadline_for_every_query(monkeypatch):
    from policyengine.analysis import solver

    clock = [1000.0]
    monkeypatch.setattr(solver.time, "monotonic", lambda: clock[0])
    from policyengine.diff import diff_policies

    old = loads_policy(ACME_TEXT)
    new = loads_policy(ACME_TEXT.replace("amount < 250000.0", "amount < 200000.0"))
    real_solve = solver.solve

    def slow_solve(*args, **kwargs):  # each query "takes" 10 s of wall-clock time
        clock[0] += 10.0
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(solver, "solve", slow_solve)
    monkeypatch.setattr("policyengine.diff.session.solve", slow_solve)
    result = diff_policies(old, new, as_of=DAY, budget=25.0)
    assert result.behavior.complete is False  # stopped at the deadline, said so
    assert clock[0] <= 1000.0 + 25.0 + 10.0 * 2  # no query started after the deadline
