"""``policyengine lint`` for CI: the SARIF, GitHub and JUnit formats, configuration files,
suppressions, baselines and the solver options, through click's CliRunner."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyengine.cli.main import cli
from conftest import shared_folder

ROOT = Path(__file__).resolve().parents[2]
GAP = (ROOT / "tests" / "golden" / "lint" / "PE501.yaml").read_text("utf-8")
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
AS_OF = "2026-11-23"


def invoke(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    result = runner.invoke(cli, ["lint", "--as-of", AS_OF, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "gap.yaml").write_text(GAP, encoding="utf-8")
    return tmp_path


def test_the_bundled_rulebooks_lint_clean_even_strictly(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = invoke("policies", "--strict", "--isolated", "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["diagnostics"] == []


def test_sarif_of_a_real_run_is_valid_and_carries_the_witness(folder):
    import jsonschema

    result = invoke("policies", "--isolated", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    schema = json.loads((shared_folder("sarif") / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    [res] = log["runs"][0]["results"]
    assert res["ruleId"] == "PE501" and res["level"] == "error"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "policies/gap.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == GAP.splitlines().index("    thresholds:") + 1
    assert res["properties"]["witness"] == {"facts": {"amount": 10000.0, "kind": "pricing"},
                                            "as_of": AS_OF}


def test_github_and_junit_formats(folder):
    gh = invoke("policies/gap.yaml", "--isolated", "--format", "github")
    assert gh.exit_code == 1
    assert gh.stdout.startswith("::error file=policies/gap.yaml,line=")
    assert ",title=PE501::category `pricing`: no band holds for `amount` = 10000.0" in gh.stdout
    (folder / "policies" / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    ju = invoke("policies", "--isolated", "--format", "junit")
    suites = {s.get("name"): s for s in ET.fromstring(ju.stdout).findall("testsuite")}
    assert suites["policies/clean.yaml"].get("failures") == "0"
    assert suites["policies/gap.yaml"].find("testcase/failure").get("type") == "PE501"


def test_output_file(folder):
    result = invoke("policies", "--isolated", "--format", "sarif", "-o", "out.sarif")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((folder / "out.sarif").read_text())["version"] == "2.1.0"


def test_configuration_is_found_and_can_be_bypassed(folder):
    (folder / ".policyengine.yaml").write_text("severity:\n  threshold-gap: warning\n")
    sub = folder / "policies"
    result = invoke(str(sub / "gap.yaml"), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["diagnostics"][0]["severity"] == "warning"
    assert invoke(str(sub / "gap.yaml"), "--isolated").exit_code == 1
    (folder / "strict.toml").write_text('[tool.policyengine]\nignore = ["PE5"]\n')
    quiet = invoke("policies", "--config", "strict.toml", "--format", "json")
    assert quiet.exit_code == 0 and json.loads(quiet.stdout)["diagnostics"] == []


@pytest.mark.parametrize("config, options, message", [
    ("severity:\n  PE999: off\n", [], "unknown code, prefix or rule name 'PE999'"),
    ("severity: [1]\n", [], "'severity' maps codes to error, warning, info or off"),
    (None, ["--config", "missing.yaml"], "no such configuration file"),
    (None, ["--select", "PE999"], "unknown code, prefix or rule name 'PE999'"),
    (None, ["--baseline", "missing.json"], "the baseline cannot be read"),
])
def test_configuration_problems_exit_2(folder, config, options, message):
    if config is not None:
        (folder / ".policyengine.yaml").write_text(config)
    result = invoke("policies", *options)
    assert result.exit_code == 2
    assert "Error" in result.stderr and message in result.stderr


def test_baseline_adoption(folder):
    written = invoke("policies", "--isolated", "--write-baseline", "baseline.json")
    assert written.exit_code == 0
    assert "wrote 1 finding to the baseline baseline.json" in written.stderr
    again = invoke("policies", "--isolated", "--baseline", "baseline.json", "--format", "json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["summary"]["baselined"] == 1
    assert "1 finding recorded in the baseline baseline.json not shown" in again.stderr
    # an unrelated edit (a comment moves every line) keeps the finding baselined
    path = folder / "policies" / "gap.yaml"
    path.write_text("# moved\n\n" + GAP, encoding="utf-8")
    assert invoke("policies", "--isolated", "--baseline", "baseline.json").exit_code == 0
    # a new gap in another category fails the run, alone
    path.write_text(GAP.replace("      - {otherwise: frontline}",
                                "      - {when: amount > 5.0, level: frontline}"), "utf-8")
    new = invoke("policies", "--isolated", "--baseline", "baseline.json", "--format", "json")
    assert new.exit_code == 1
    found = json.loads(new.stdout)["diagnostics"]
    assert [(d["code"], d["message"].split(":")[0]) for d in found] == [
        ("PE501", "category `operational`")]
    # fixing the recorded gap makes its entry stale
    path.write_text(CLEAN, "utf-8")
    fixed = invoke("policies", "--isolated", "--baseline", "baseline.json")
    assert fixed.exit_code == 0 and "1 baselined finding no longer occurs" in fixed.stderr


def test_a_baseline_named_in_the_configuration(folder):
    invoke("policies", "--isolated", "--write-baseline", "lint/baseline.json") \
        if (folder / "lint").mkdir() is None else None
    (folder / "pyproject.toml").write_text('[tool.policyengine]\nbaseline = "lint/baseline.json"\n')
    assert invoke("policies").exit_code == 0
    assert invoke("policies", "--isolated").exit_code == 1


def test_solver_timeout_option(folder):
    assert invoke("policies", "--isolated", "--solver-timeout", "0.5").exit_code == 1
    assert invoke("policies", "--solver-timeout", "0").exit_code == 2


def test_only_rulebooks_skips_other_yaml(folder):
    (folder / "ci.yml").write_text("on: push\n")
    (folder / "policies" / "gap.test.yaml").write_text("policy: gap.yaml\ncases: []\n")
    assert invoke("ci.yml", "--isolated").exit_code == 1  # named, it is linted as a rulebook
    assert invoke("ci.yml", "--only-rulebooks", "--isolated").exit_code == 0
    result = invoke("ci.yml", "policies/gap.test.yaml", "policies/gap.yaml", "--only-rulebooks",
                    "--isolated", "--format", "json")
    assert result.exit_code == 1
    assert {d["file"] for d in json.loads(result.stdout)["diagnostics"]} == {"policies/gap.yaml"}


def test_pre_commit_hook_definition():
    import re

    import yaml

    hooks = {h["id"]: h for h in
             yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    assert set(hooks) == {"policyengine-lint", "policyengine-fmt"}
    for hook_id, command in (("policyengine-lint", ["policyengine", "lint"]),
                             ("policyengine-fmt", ["policyengine", "fmt", "--check"])):
        hook = hooks[hook_id]
        assert hook["language"] == "python"
        assert hook["entry"].split()[:len(command)] == command
        assert "--only-rulebooks" in hook["entry"]
        files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
        for name in ("policies/acme.yaml", "p.yml"):
            assert files.search(name) and not exclude.search(name)
        for name in ("policies/acme.test.yaml", "acme.test.yml"):
            assert exclude.search(name)
        assert not files.search("README.md")
