"""Lint rules declare the codes they can emit; a rule none of whose codes is selected does not
run, so deselecting the logic codes asks the solver nothing.

* every code a rule emits over the golden fixtures (and the example policies) is one it declares;
* every registered code is declared by exactly one rule, or is a stage's own (load, lint);
* the solver's queries are counted at the solver wrapper (``analysis/solver.py``): none for
  ``lint --select PE2 policies/``, and for one logic code only the checks it needs ask;
* selecting a code finds what the full run finds of that code.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import policyengine.analysis.solver as solver
from policyengine.compile.policy import loaded_program
from policyengine.core import codes
from policyengine.analysis import check_coverage
from policyengine.analysis.coverage import FINDING_CODES, STEPS, needed_steps
from policyengine.cli.main import cli
from policyengine.lint import LintContext, run_lint
from policyengine.lint.rules import LOGIC_RULES, RULES, STAGE_CODES, rules_for
from policyengine.compile.pipeline import inspect_file

ROOT = Path(__file__).resolve().parents[2]
LINT = ROOT / "tests" / "golden" / "lint"
POLICIES = ROOT / "policies"
AS_OF = _dt.date(2026, 11, 23)
LOGIC = sorted(c for r in LOGIC_RULES for c in r.codes if c != "PE509")
FIXTURES = sorted(LINT.glob("PE*.yaml"))
RULEBOOKS = [*FIXTURES, *sorted(p for p in POLICIES.glob("*.yaml")
                                if not p.name.endswith(".test.yaml"))]


@pytest.fixture
def queries(monkeypatch):
    """Count the queries z3 answers, by the check (``Prover.label``) that asked."""
    seen: Counter[str] = Counter()
    real = solver.solve

    def counting(s, prover, formulas, tracked=None):
        before = prover.queries
        out = real(s, prover, formulas, tracked)
        seen[prover.label] += prover.queries - before
        return out

    monkeypatch.setattr(solver, "solve", counting)
    return seen


def test_every_emitted_code_is_declared_by_its_rule():
    emitted: dict[str, set[str]] = {}
    for path in RULEBOOKS:
        draft = inspect_file(str(path)).draft
        if draft is None:
            continue
        context = LintContext(AS_OF)
        for rule in RULES:
            got = {d.code for d in rule(draft, context)}
            assert got <= set(rule.codes), (rule.name, path.name, got)
            emitted.setdefault(rule.name, set()).update(got)
    # the fixtures exercise every code a rule declares (PE509, a timeout, has no fixture)
    declared = {c for r in RULES for c in r.codes} - codes.UNTRIGGERABLE
    assert declared <= set().union(*emitted.values())


def test_every_code_is_declared_once():
    owners: Counter[str] = Counter()
    for rule in RULES:
        assert len(set(rule.codes)) == len(rule.codes), rule.name
        owners.update(rule.codes)
    for stage in STAGE_CODES.values():
        owners.update(stage)
    assert set(owners) == set(codes.REGISTRY), set(owners) ^ set(codes.REGISTRY)
    assert [c for c, n in owners.items() if n > 1] == []
    assert len({r.name for r in RULES}) == len(RULES)
    # the analysis reports only the logic rules' codes
    assert set(FINDING_CODES.values()) == {c for r in LOGIC_RULES for c in r.codes}
    assert set().union(*(codes_ for codes_, _ in STEPS.values())) == set(LOGIC)


def test_rules_for_a_selection():
    assert {r.name for r in rules_for(lambda c: c.startswith("PE2"))} == set()
    assert [r.name for r in rules_for(lambda c: c == "PE504")] == ["category-overlap"]
    assert {r.name for r in rules_for(lambda c: c.startswith("PE40"))} == {
        "role-without-authority", "authority-shrinks", "remedy-unapprovable",
        "remedy-sunsets"}


def _lint_cli(*args: str) -> str:
    result = CliRunner().invoke(cli, ["lint", *args, "--as-of", str(AS_OF), "--isolated"])
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_deselected_logic_asks_the_solver_nothing(queries):
    _lint_cli(str(POLICIES))
    everything = sum(queries.values())
    assert everything > 100  # the logic checks do run by default
    queries.clear()
    _lint_cli("--select", "PE2", str(POLICIES))
    assert sum(queries.values()) == 0
    _lint_cli("--ignore", "PE5", str(POLICIES))
    assert sum(queries.values()) == 0
    _lint_cli("--select", "PE509", str(POLICIES))  # no check runs, so none is skipped
    assert sum(queries.values()) == 0


LOGIC_BOOKS = [p for p in RULEBOOKS if p.stem.startswith("PE5") or p.parent == POLICIES]


@functools.lru_cache(maxsize=None)
def _draft(path: Path):
    draft = inspect_file(str(path)).draft
    return draft if draft is not None and loaded_program(draft) is not None else None


@functools.lru_cache(maxsize=None)
def _full_steps(path: Path) -> Counter[str]:
    return check_coverage(_draft(path), as_of=AS_OF).steps


def test_the_report_counts_what_the_solver_answered(queries):
    for path in LOGIC_BOOKS[:4]:
        report = check_coverage(_draft(path), as_of=AS_OF)
        assert report.steps == +queries and sum(report.steps.values()) == report.queries
        queries.clear()


@pytest.mark.parametrize("code", LOGIC)
def test_one_logic_code_runs_only_its_checks(code, queries):
    for path in LOGIC_BOOKS:
        if _draft(path) is None:
            continue
        queries.clear()
        one = check_coverage(_draft(path), as_of=AS_OF, codes=[code])
        assert one.steps == +queries  # every query z3 answered is counted under its check
        assert set(one.steps) <= needed_steps([code]), (path.name, one.steps)
        full = _full_steps(path)
        for step in one.steps:  # the checks it needs ask at most what they ask in a full run
            assert one.steps[step] <= full[step], (path.name, step)
        assert {FINDING_CODES[f.kind] for f in one.findings} <= {code, "PE509"}
    assert set(STEPS) - needed_steps([code])  # some check does not run for it


@pytest.mark.parametrize("code", LOGIC)
def test_selecting_a_code_finds_what_the_full_run_finds(code):
    path = LINT / f"{code}.yaml"
    everything = [d for d in run_lint(path, as_of=AS_OF) if d.code == code]
    assert everything, code
    assert list(run_lint(path, as_of=AS_OF, select=[code])) == everything
    for d, e in zip(run_lint(path, as_of=AS_OF, select=[code]), everything):
        assert d.witness == e.witness and d.hint == e.hint


def test_selection_keeps_the_suppressions_honest(tmp_path):
    """A suppression of a code whose rule did not run is not reported as unused."""
    text = (LINT / "PE504.yaml").read_text("utf-8")
    [d] = [d for d in run_lint(LINT / "PE504.yaml", as_of=AS_OF) if d.code == "PE504"]
    lines = text.splitlines()
    lines[d.line - 1] += "  # policyengine: ignore[PE504]"
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    assert [x.code for x in run_lint(path, as_of=AS_OF, select=["PE504", "PE801"])] == []
    assert [x.code for x in run_lint(path, as_of=AS_OF, select=["PE801"])] == []
