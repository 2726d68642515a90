"""policyengine diff through click's runner: formats, exit codes, git sources, errors
(cli/diff.py, diff/sources.py)."""

from __future__ import annotations

import json
import shutil
import subprocess

import jsonschema
import pytest
from click.testing import CliRunner
from diff_rulebooks import BASE, bump, edit

from policyengine.cli.main import cli
from policyengine.diff import SourceError, diff_policies
from policyengine.diff.sources import is_git_spec, read_git
from policyengine.load.schema import load_schema

NEW = edit(BASE, bump(), ("amount < 10000.0, level: l1", "amount < 25000.0, level: l1"),
           ("am:       {adjust: 1000, hold: true}", "am:       {adjust: 2500, hold: true}"))
COSMETIC = edit(BASE, bump(), ("title: Diff fixture policy", "title: Diff fixture policy (2)"))


def run(*args, input=None):
    return CliRunner().invoke(cli, ["diff", *args, "--as-of", "2026-11-23", "--timeout", "20"],
                              input=input, catch_exceptions=False)


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.yaml").write_text(BASE, "utf-8")
    (tmp_path / "new.yaml").write_text(NEW, "utf-8")
    (tmp_path / "cosmetic.yaml").write_text(COSMETIC, "utf-8")
    return tmp_path


def test_text_report_and_exit_1_when_decisions_change(files):
    res = run("old.yaml", "new.yaml")
    assert res.exit_code == 1
    assert "`pricing` disputes with not flag and 10000 <= amount < 25000 and count <= 2: " \
           "level l2 -> l1" in res.output
    assert "\x1b[" not in res.output  # no colour off a terminal
    colour = run("old.yaml", "new.yaml", "--color", "always")
    assert "\x1b[" in colour.output


def test_exit_0_when_no_decision_changes(files):
    res = run("old.yaml", "cosmetic.yaml")
    assert res.exit_code == 0
    assert "semantically equivalent" in res.output
    assert run("old.yaml", "cosmetic.yaml", "--fail-on", "any").exit_code == 1
    assert run("old.yaml", "new.yaml", "--fail-on", "none").exit_code == 0
    assert run("old.yaml", "old.yaml", "--fail-on", "any").exit_code == 0


def test_json_is_valid_against_the_schema(files):
    res = run("old.yaml", "new.yaml", "--format", "json")
    data = json.loads(res.output)
    jsonschema.validate(data, load_schema("diff"))
    assert data["verdict"] == "different" and data["replay"] is None
    [region] = data["behavior"]
    assert region["witness"]["as_of"] == "2026-11-23"
    assert {c["path"] for c in data["changes"]} == {
        "policy.version", "authority.am.adjust", "categories.pricing.thresholds[0].when"}


def test_markdown(files):
    res = run("old.yaml", "new.yaml", "--format", "markdown")
    assert res.output.startswith("# Policy diff: `diff-fixture` 1.0.0 → 1.1.0\n")
    assert "## Decisions that change" in res.output and "```json" in res.output


def test_replay_from_a_file_and_from_stdin(files):
    past = "\n".join(json.dumps(d) for d in (
        {"kind": "pricing", "amount": 15000.0}, {"kind": "other", "amount": 1.0})) + "\n"
    (files / "past.jsonl").write_text(past, "utf-8")
    res = run("old.yaml", "cosmetic.yaml", "--replay", "past.jsonl", "--format", "json")
    data = json.loads(res.output)
    assert data["replay"]["total"] == 2 and data["replay"]["changed"] == 0
    assert res.exit_code == 0
    res = run("old.yaml", "new.yaml", "--replay", "-", "--format", "json", "--no-behavior",
              input=past)
    data = json.loads(res.output)
    assert data["replay"]["changed"] == 1 and data["replay"]["source"] == "<stdin>"
    assert res.exit_code == 1


def test_progress_bar_on_request(files):
    (files / "past.jsonl").write_text('{"kind": "pricing", "amount": 15000.0}\n', "utf-8")
    res = CliRunner().invoke(cli, ["diff", "old.yaml", "new.yaml", "--replay", "past.jsonl",
                                   "--progress", "--no-behavior", "--as-of", "2026-11-23"])
    assert res.exit_code == 1
    assert "replaying" in res.stderr


@pytest.mark.parametrize("args, message", [
    (("missing.yaml", "new.yaml"), "no such file: `missing.yaml`"),
    (("old.yaml", "new.yaml", "--replay", "missing.jsonl"), "cannot read missing.jsonl"),
    (("old.yaml", "broken.yaml"), "cannot load broken.yaml"),
])
def test_unreadable_input_exits_2(files, args, message):
    (files / "broken.yaml").write_text("policy: [unclosed\n", "utf-8")
    res = CliRunner().invoke(cli, ["diff", *args])
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.output + res.stderr


def test_usage_errors_exit_2(files):
    assert CliRunner().invoke(cli, ["diff", "old.yaml"]).exit_code == 2
    assert CliRunner().invoke(cli, ["diff", "old.yaml", "new.yaml", "--fail-on", "x"]
                              ).exit_code == 2
    assert CliRunner().invoke(cli, ["diff", "old.yaml", "new.yaml", "--as-of", "11/23"]
                              ).exit_code == 2


# -- git ----------------------------------------------------------------------------------------
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=Auditor", "-c", "user.email=audit@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "rules"
    (root / "policies").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "policies" / "p.yaml").write_text(BASE, "utf-8")
    git(root, "add", "policies/p.yaml")
    git(root, "commit", "-q", "-m", "v1")
    (root / "policies" / "p.yaml").write_text(NEW, "utf-8")
    git(root, "commit", "-q", "-am", "v1.1")
    monkeypatch.chdir(root)
    return root


@needs_git
def test_two_git_revisions(repo):
    res = run("HEAD~1:policies/p.yaml", "HEAD:policies/p.yaml", "--format", "markdown")
    assert res.exit_code == 1
    assert "`HEAD~1:policies/p.yaml`" in res.output and "level l2 -> l1" in res.output
    assert "HEAD:policies/p.yaml:" in res.output  # spans name the revision


@needs_git
def test_a_revision_and_the_working_tree(repo):
    d = diff_policies("HEAD~1:policies/p.yaml", "policies/p.yaml", behavior=False)
    assert d.old.path == "HEAD~1:policies/p.yaml" and d.new.path == "policies/p.yaml"
    assert "./" and is_git_spec("HEAD:./policies/p.yaml")
    assert read_git("HEAD:./policies/p.yaml").decode("utf-8") == NEW


@needs_git
@pytest.mark.parametrize("spec, why", [
    ("nosuchrev:policies/p.yaml", "nosuchrev"),
    ("HEAD:policies/missing.yaml", "does not exist"),
])
def test_git_errors_are_clear(repo, spec, why):
    res = CliRunner().invoke(cli, ["diff", spec, "policies/p.yaml"])
    assert res.exit_code == 2
    assert f"cannot read `{spec}` from git:" in res.stderr and why in res.stderr


def test_without_git(files, monkeypatch):
    monkeypatch.setenv("PATH", str(files))
    with pytest.raises(SourceError, match="git is not installed"):
        diff_policies("HEAD:old.yaml", "new.yaml")


def test_an_existing_file_with_a_colon_is_a_file(files):
    (files / "v1:old.yaml").write_text(BASE, "utf-8")
    assert not is_git_spec("v1:old.yaml")
    assert run("v1:old.yaml", "cosmetic.yaml").exit_code == 0


def test_not_a_repository(files):
    res = CliRunner().invoke(cli, ["diff", "HEAD:old.yaml", "new.yaml"])
    assert res.exit_code == 2 and "from git:" in res.stderr


def test_versions_with_no_dispute_in_common_fail_the_behavior_check():
    # every dispute one version decides, the other refuses: not proven equal, so exit 1
    from conftest import POLICIES

    res = run(str(POLICIES / "acme-channel-conflict.yaml"), str(POLICIES / "jv-alliance.yaml"))
    assert res.exit_code == 1
    assert "no dispute is valid under both versions" in res.output
    res = run(str(POLICIES / "acme-channel-conflict.yaml"), str(POLICIES / "jv-alliance.yaml"),
              "--fail-on", "none")
    assert res.exit_code == 0
