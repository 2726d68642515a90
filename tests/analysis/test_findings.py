"""Logic findings end to end: golden outputs of the richer fixtures in tests/golden/analysis/,
every reported witness re-decided here with the evaluator, the RULEBOOK example free of logic
warnings, and timeouts that become PE509 infos instead of hangs."""

from __future__ import annotations

import datetime as _dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyengine import loads_policy
from policyengine.analysis import Outcome, Prover, check_coverage
from policyengine.cli.main import cli
from policyengine.core.errors import DisputeError
from policyengine.lint import lint_paths
from policyengine.lint.config import LintConfig

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "tests" / "golden" / "analysis").glob("*.yaml"))
AS_OF = "2026-11-23"


def run(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    result = runner.invoke(cli, ["lint", "--as-of", AS_OF, "--isolated", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_golden_findings(path, golden, monkeypatch):
    monkeypatch.chdir(ROOT)
    rel = path.relative_to(ROOT).as_posix()
    text = run(rel, "--color", "never")
    as_json = run(rel, "--format", "json")
    golden(f"analysis/{path.stem}.txt", text.stdout)
    golden(f"analysis/{path.stem}.json", as_json.stdout)


def _witnessed(path: Path):
    policy = loads_policy(path.read_text("utf-8"), path.name)
    found = lint_paths([path], as_of=_dt.date.fromisoformat(AS_OF)).diagnostics
    return policy, [d for d in found if d.witness is not None]


@pytest.mark.parametrize("path", FIXTURES + sorted((ROOT / "tests" / "golden" / "lint").glob(
    "PE50*.yaml")), ids=lambda p: p.stem)
def test_every_reported_witness_reproduces_its_finding(path):
    policy, witnessed = _witnessed(path)
    for d in witnessed:
        facts, day = d.witness["facts"], d.witness["as_of"]
        try:
            outcome = policy.evaluate(facts, as_of=day)
        except DisputeError as exc:
            outcome = exc
        if d.code == "PE501":
            assert isinstance(outcome, DisputeError) and outcome.code == "threshold_gap"
        elif d.code == "PE505":
            assert isinstance(outcome, DisputeError) and outcome.code == "unclassified"
        elif d.code == "PE504":
            earlier, later = re.findall(r"`([^`]+)`", d.message)[:2]
            assert outcome.category.id == earlier
            cat = next(c for c in policy.compiled.categories if c.ref.id == later)
            problems: list = []
            assert cat.when.fn(policy.compiled.check_facts(facts, "", problems)) is True
        elif d.code == "PE508":
            remedy = re.search(r"remedy `([^`]+)`", d.message).group(1)
            assert any(r.id == remedy and r.authorized_by is None for r in outcome.remedies)
            assert any(w.code == "no_authority" for w in outcome.warnings)
        else:  # pragma: no cover - a new witnessed code needs its check here
            pytest.fail(f"no reproduction check for {d.code}")


def test_the_fixtures_cover_every_logic_finding():
    codes = set()
    for path in FIXTURES:
        codes |= {d.code for d in lint_paths([path], as_of=_dt.date(2026, 11, 23)).diagnostics}
    assert {f"PE50{k}" for k in range(1, 9)} <= codes


def test_the_rulebook_example_raises_no_logic_warning(tmp_path):
    from conftest import shared_folder

    text = (shared_folder("design") / "RULEBOOK.md").read_text("utf-8")
    block = re.search(r"```yaml\n(# yaml-language-server.*?)```", text, re.S).group(1)
    path = tmp_path / "acme.yaml"
    path.write_text(block, encoding="utf-8")
    found = lint_paths([path], as_of=_dt.date(2026, 11, 23)).diagnostics
    assert [d.code for d in found if d.code.startswith("PE5")] == []


# -- bounded ---------------------------------------------------------------------------------------
HARD = (ROOT / "docs" / "rules" / "PE509-analysis-timeout.md").read_text("utf-8")


def _hard_policy(tmp_path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("_docs", ROOT / "tests" / "test_docs.py")
    docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(docs)
    example = re.findall(r"```yaml\n(.*?)```", HARD.split("## Example")[1].split("## Fix")[0],
                         re.S)[0]
    path = tmp_path / "hard.yaml"
    path.write_text(docs.merge(example, docs.CLEAN.read_text("utf-8")), encoding="utf-8")
    return path


def test_a_query_the_solver_cannot_decide_is_an_info(tmp_path):
    path = _hard_policy(tmp_path)
    found = lint_paths([path], as_of=_dt.date(2026, 11, 23),
                       config=LintConfig(solver_timeout=0.2)).diagnostics
    assert [(d.code, d.severity.value) for d in found] == [("PE509", "info")]
    assert "could not decide whether it can be reached within 0.2s" in found[0].message


def test_timeouts_are_reported_per_check_and_nothing_else_is_claimed(monkeypatch):
    policy = loads_policy((ROOT / "tests" / "golden" / "lint" / "PE501.yaml").read_text())
    monkeypatch.setattr(Prover, "check", lambda self, *f, tracked=None: Outcome(
        "unknown", reason="timeout"))
    report = check_coverage(policy)
    assert report.findings and {f.kind for f in report.findings} == {"timeout"}


def test_the_budget_stops_the_analysis_once(monkeypatch):
    policy = loads_policy((ROOT / "tests" / "golden" / "lint" / "PE501.yaml").read_text())
    report = check_coverage(policy, budget=1e-9)
    kinds = [f.kind for f in report.findings]
    assert kinds.count("budget") == 1 and "gap" not in kinds


def test_the_cli_reports_a_timeout_and_exits_0(tmp_path, monkeypatch):
    path = _hard_policy(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = run(path.name, "--solver-timeout", "0.1", "--format", "json")
    assert result.exit_code == 0
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["PE509"]


def test_a_witness_that_does_not_reproduce_is_loud_in_tests_and_dropped_otherwise(monkeypatch):
    from policyengine.analysis import WitnessError, coverage

    policy = loads_policy((ROOT / "tests" / "golden" / "lint" / "PE501.yaml").read_text())
    monkeypatch.setattr(coverage, "reproduces", lambda *args: False)
    with pytest.raises(WitnessError):
        check_coverage(policy)  # strict: tests/analysis/conftest.py sets the variable
    monkeypatch.delenv("POLICYENGINE_STRICT_WITNESS")
    [gap] = [f for f in check_coverage(policy).findings if f.kind == "gap"]
    assert gap.witness is None and gap.possible
