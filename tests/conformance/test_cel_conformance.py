"""The CEL conformance cases, through the reference interpreter and through the compiled form.

Each case runs the way upstream runs it: with its ``type_env`` as declarations when it has one,
every free name ``dyn`` otherwise, and without the static type check where it says
``disable_check``. A case listed in ``skips.json`` (each with its reason) is expected to fail: it
is run anyway and reported as xfail, so a fixed case shows up as XPASS (strict: it fails the run
until it is taken off the list).
"""

from __future__ import annotations

import pytest

from policyengine.core.errors import ExpressionError
from policyengine.expr import Environment, analyze, compile_analysis
from policyengine.expr.types import parse_cel_type

from .cel_cases import SHARED, case_id, decode, load_cases, load_skips, same

if not SHARED.is_dir():  # pragma: no cover - the shared data lives beside the repository
    pytest.skip(f"CEL conformance data not found at {SHARED}", allow_module_level=True)

FILES = ("cases.json", "cases_dyn.json")
SKIPS = load_skips()


def run_case(case: dict, mode: str) -> tuple[bool, str]:
    """(passed, what happened) for one case in ``mode`` "interpreted" or "compiled"."""
    if "type_env" in case:
        env = Environment({name: parse_cel_type(t) for name, t in case["type_env"].items()})
    else:
        env = Environment.dynamic()
    bindings = {name: decode(v) for name, v in case["bindings"].items()}
    try:
        analysis = analyze(case["expr"], env, check=not case.get("disable_check", False))
        if not analysis.ok:
            raise ExpressionError(analysis.issues[0].message)
        compiled = compile_analysis(analysis)
        if mode == "interpreted":
            result = compiled.interpret(bindings)
        else:
            result = compiled.evaluate(bindings)
    except ExpressionError as err:
        return bool(case.get("error")), f"error: {err}"
    if case.get("error"):
        return False, f"value {result!r} where an error was expected"
    expected = decode(case["expected"])
    return same(result, expected), f"value {result!r}, expected {expected!r}"


def _params():
    for name in FILES:
        skips = SKIPS.get(name, {})
        for case in load_cases(name):
            cid = case_id(case)
            for mode in ("interpreted", "compiled"):
                marks = []
                if cid in skips:
                    marks.append(pytest.mark.xfail(reason=skips[cid], strict=True))
                yield pytest.param(case, mode, id=f"{name}:{cid}:{mode}", marks=marks)


@pytest.mark.parametrize("case, mode", list(_params()))
def test_case(case: dict, mode: str) -> None:
    passed, detail = run_case(case, mode)
    assert passed, f"{case['expr']!r}: {detail}"


def test_pass_rate_at_least_98_percent() -> None:
    cases = load_cases("cases.json")
    for mode in ("interpreted", "compiled"):
        passed = sum(run_case(case, mode)[0] for case in cases)
        assert passed / len(cases) >= 0.98, f"{mode}: {passed}/{len(cases)}"


def test_skip_list_names_real_cases_with_reasons() -> None:
    for name, skips in SKIPS.items():
        ids = {case_id(c) for c in load_cases(name)}
        for cid, reason in skips.items():
            assert cid in ids, f"{name}: skip of unknown case {cid}"
            assert reason.strip(), f"{name}: {cid} has no reason"
