"""policyengine test, through click's runner: the bundled policy tests (what CI runs), failures,
coverage under --fail-under, JUnit XML, and the exit codes."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from conftest import GOLDEN, ROOT
from policyengine.cli.main import cli

MINI = GOLDEN / "policytest" / "policy.yaml"  # a fixed rulebook: bundled ones change
CASE = ("  - name: {name}\n    dispute: {{kind: pricing, amount: 120000.0}}\n"
        "    expect: {expect}\n")


def run(*args):
    return CliRunner().invoke(cli, ["test", *args], catch_exceptions=False)


def suite(folder, *cases, header="policy: mini.yaml\nas_of: 2026-11-22\ncases:\n",
          name="mini.test.yaml"):
    shutil.copy(MINI, folder / "mini.yaml")
    text = header + "".join(CASE.format(name=n, expect=e) for n, e in cases)
    (folder / name).write_text(text, encoding="utf-8")


def test_ci_runs_the_bundled_policy_tests_with_full_coverage(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = run("policies/", "--fail-under", "100")
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    for name in ("acme-channel-conflict", "distributor-reseller", "jv-alliance"):
        assert any(line.startswith(f"coverage of policies/{name}.yaml: ")
                   and line.endswith("(100.0%)") for line in lines), name
    assert "total coverage: 111 of 111 rules (100.0%)" in lines
    assert "FAIL" not in res.stdout and "not exercised" not in res.stdout
    passed, failed = lines[-1].split(", ")
    assert failed == "0 failed" and int(passed.split()[0]) >= 60


def test_a_failing_case_is_shown_with_expected_and_actual(tmp_path, monkeypatch, golden):
    monkeypatch.chdir(tmp_path)
    suite(tmp_path, ("right", "{level: regional}"),
          ("wrong", "{level: executive, respond_by: 2026-11-26, remedies: [hold]}"),
          ("refused", "{error: invalid_facts}"))
    res = run()
    assert res.exit_code == 1
    golden("policytest/failing.txt", res.stdout)
    assert res.stdout.splitlines()[-1] == "1 passed, 2 failed"


def test_verbose_lists_passing_cases(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    suite(tmp_path, ("right", "{level: regional}"))
    res = run("-v", ".")
    assert res.exit_code == 0
    assert "ok   mini.test.yaml:4:11: right" in res.stdout


def test_fail_under_turns_low_coverage_into_exit_1(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    suite(tmp_path, ("right", "{level: regional}"))
    assert run(".").exit_code == 0
    res = run(".", "--fail-under", "50")
    assert res.exit_code == 1
    assert "rule coverage 44.4% is under --fail-under 50%" in res.stdout
    assert res.stdout.splitlines()[-1] == "1 passed, 0 failed"
    assert run(".", "--fail-under", "44").exit_code == 0


def test_junit_xml(tmp_path, monkeypatch, golden):
    monkeypatch.chdir(tmp_path)
    suite(tmp_path, ("right", "{level: regional}"), ("wrong", "{level: executive}"))
    res = run(".", "--junit", "report.xml")
    assert res.exit_code == 1
    text = (tmp_path / "report.xml").read_text(encoding="utf-8")
    golden("policytest/failing.junit.xml", text)
    root = ET.fromstring(text)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "0")
    [failure] = root.iter("failure")
    assert failure.get("message") == "level: expected `executive`, found `regional`"


def test_a_broken_test_file_exits_2_and_others_still_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    suite(tmp_path, ("right", "{level: regional}"))
    (tmp_path / "bad.test.yaml").write_text(
        "policy: mini.yaml\ncases:\n  - {name: c, dispute: {}, expect: {levle: x}}\n",
        encoding="utf-8")
    res = run(".", "--junit", "report.xml")
    assert res.exit_code == 2
    out = res.stdout
    assert "bad.test.yaml:3:5: PE102 error: case `c`: missing key `as_of`" in out
    assert "bad.test.yaml:3:37: PE101 error: case `c`: expect: unknown key `levle`" in out
    assert "bad.test.yaml: not run: the test file or its policy has errors" in out
    assert out.splitlines()[-2:] == ["1 test file could not run", "1 passed, 0 failed"]
    root = ET.parse(tmp_path / "report.xml").getroot()
    assert root.get("errors") == "1"


@pytest.mark.parametrize("args, message", [
    (("no/such/dir",), "no/such/dir: no such file or folder"),
])
def test_missing_paths_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    res = run(*args)
    assert res.exit_code == 2
    assert message in res.output


def test_no_test_files_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run()
    assert res.exit_code == 2
    assert "no policy tests (*.test.yaml) found in ." in res.stderr


def test_bad_option_values_are_usage_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("--fail-under", "120").exit_code == 2
    assert run("--fail-under", "abc").exit_code == 2


def test_an_unwritable_junit_file_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    suite(tmp_path, ("right", "{level: regional}"))
    res = run(".", "--junit", str(tmp_path / "no" / "such" / "report.xml"))
    assert res.exit_code == 2
    assert "cannot write" in res.stderr


def test_lint_on_the_policies_folder_skips_the_test_files(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(cli, ["lint", "policies/", "--format", "json"],
                             catch_exceptions=False)
    assert ".test.yaml" not in res.stdout
