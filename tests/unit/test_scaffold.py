"""``policyengine init``: the scaffold lints clean with --strict, its policy test passes, every
command works on it, the ``$schema`` comments resolve beside the files, and nothing is ever
overwritten."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from policyengine.cli.main import cli
from policyengine.scaffold import ScaffoldError, scaffold_files, write_scaffold

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("scaffold") / "new-repo"
    result = run("init", str(target))
    assert result.exit_code == 0, result.output
    assert "wrote 7 files" in result.stdout
    return target


def test_init_writes_the_repository(repo):
    files = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    assert files == [".github/workflows/policy.yml", ".pre-commit-config.yaml",
                     "examples/channel-conflict--pricing.json",
                     "policies/channel-conflict.test.yaml", "policies/channel-conflict.yaml",
                     "policies/policy.schema.json", "policies/policytest.schema.json"]


def test_the_starter_lints_clean_with_strict(repo):
    result = run("lint", "--strict", "--isolated", str(repo / "policies"))
    assert result.exit_code == 0, result.output
    assert "no problems found in 1 file" in result.stdout


def test_the_starter_policy_test_passes_with_full_coverage(repo):
    result = run("test", str(repo / "policies"), "--fail-under", "100")
    assert result.exit_code == 0, result.output
    assert "7 passed, 0 failed" in result.stdout


def test_every_command_works_on_the_scaffold(repo):
    rulebook = str(repo / "policies" / "channel-conflict.yaml")
    dispute = str(repo / "examples" / "channel-conflict--pricing.json")
    decided = run("evaluate", rulebook, dispute, "--as-of", dt.date.today().isoformat())
    assert decided.exit_code == 0, decided.output
    assert json.loads(decided.stdout)["level"]["id"] == "regional"
    for args in (("render", rulebook, "--format", "md"), ("schema", "dispute", rulebook),
                 ("graph", rulebook, "--format", "mermaid")):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)
        assert result.stdout.strip()


def test_the_schema_comments_resolve_beside_the_files(repo):
    for name, schema in (("channel-conflict.yaml", "policy"),
                         ("channel-conflict.test.yaml", "policytest")):
        first = (repo / "policies" / name).read_text(encoding="utf-8").splitlines()[0]
        m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert m, first
        target = repo / "policies" / m.group(1)
        assert target.read_bytes() == (ROOT / "schemas" / f"{schema}.schema.json").read_bytes()


def test_pre_commit_and_ci_point_at_this_project(repo):
    from policyengine import __version__

    pre_commit = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text("utf-8"))
    ours = pre_commit["repos"][0]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert ours["hooks"][0]["id"] in {h["id"] for h in hooks}
    assert ours["rev"] == f"v{__version__}"
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert f'Source = "{ours["repo"]}"' in pyproject
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "policy.yml").read_text("utf-8"))
    steps = [s.get("run", "") for s in workflow["jobs"]["policy"]["steps"]]
    assert f'pip install "channel-conflict-policyengine=={__version__}"' in steps
    assert any(s.startswith("policyengine lint policies/ --strict") for s in steps)
    assert any(s.startswith("policyengine test policies/") for s in steps)


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path):
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == 2
    assert "would overwrite '.pre-commit-config.yaml'" in result.stderr
    assert "nothing was written" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [".pre-commit-config.yaml"]
    assert (tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8") == "repos: []\n"


def test_init_refuses_a_file_as_directory_and_a_bad_id(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    result = run("init", str(afile))
    assert result.exit_code == 2 and "Traceback" not in result.output
    bad = run("init", str(tmp_path / "new"), "--id", "1-not-an-id")
    assert bad.exit_code == 2 and "is not a policy id" in bad.stderr
    assert not (tmp_path / "new").exists()


def test_init_with_another_id_beside_an_existing_policy(tmp_path):
    assert run("init", str(tmp_path)).exit_code == 0
    with pytest.raises(ScaffoldError):  # the shared files are there already
        write_scaffold(tmp_path, scaffold_files("second-policy"))
    files = [f for f in scaffold_files("second-policy") if f.path.endswith(".yaml")
             and f.path.startswith("policies/")]
    write_scaffold(tmp_path, files)
    result = run("lint", "--strict", "--isolated", str(tmp_path / "policies"))
    assert result.exit_code == 0 and "no problems found in 2 files" in result.stdout


# The deadlines of a business-day ladder depend on the weekday: the starter must stay clean and
# green whatever day it is written on.
@pytest.mark.parametrize("day", [dt.date(2026, 12, 4), dt.date(2026, 12, 5), dt.date(2027, 2, 28),
                                 dt.date(2028, 2, 29)])
def test_the_starter_is_clean_whatever_day_it_is_written(tmp_path, day):
    write_scaffold(tmp_path, scaffold_files(effective=day))
    lint = run("lint", "--strict", "--isolated", "--as-of", day.isoformat(),
               str(tmp_path / "policies"))
    assert lint.exit_code == 0, lint.output
    tested = run("test", str(tmp_path / "policies"), "--fail-under", "100")
    assert tested.exit_code == 0, tested.output
