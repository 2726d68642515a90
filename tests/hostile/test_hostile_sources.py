"""Root causes 1 (git argument injection), 6 (special files hang) and 7 (unbounded reads)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess

import pytest

from hostile_support import ACME, PRICING, assert_no_defect, command, invoke
from policyengine import diff_policies
from policyengine.diff.sources import SourceError, read_git

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    def git(*args):
        subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    shutil.copy(ACME, tmp_path / "p.yaml")
    (tmp_path / "sub").mkdir()
    shutil.copy(ACME, tmp_path / "sub" / "q.yaml")
    git("add", ".")
    git("commit", "-qm", "one")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- 1 ---------------------------------------------------------------------------------------
OPTION_REVS = ["--output=OUT", "-oOUT", "--output", "-p", "--ext-diff", "-", "--",
               "--end-of-options", "-c core.pager=touch OUT"]


@needs_git
@pytest.mark.parametrize("rev", OPTION_REVS)
def test_a_revision_is_never_read_as_an_option(repo, rev):
    target = repo / "written-by-git"
    rev = rev.replace("OUT", str(target))
    with pytest.raises(SourceError, match="not a revision"):
        diff_policies(f"{rev}:p.yaml", "p.yaml", behavior=False)
    res = invoke("diff", "--no-behavior", "--", f"{rev}:p.yaml", "p.yaml")
    assert res.exit_code == 2 and "not a revision" in res.stderr
    assert not target.exists()


@needs_git
@pytest.mark.parametrize("path", ["../p.yaml", "sub/../../p.yaml", "/etc/passwd",
                                  "..", "./../../etc/passwd", "sub/..", ""])
def test_a_path_stays_inside_the_repository(repo, path):
    with pytest.raises(SourceError):
        read_git(f"HEAD:{path}")


@needs_git
def test_a_revision_must_name_a_commit(repo):
    with pytest.raises(SourceError, match="no commit `nope`"):
        read_git("nope:p.yaml")
    with pytest.raises(SourceError, match="no commit"):
        read_git("HEAD^{tree}:p.yaml")


@needs_git
def test_ordinary_revisions_still_work(repo, monkeypatch):
    assert read_git("HEAD:p.yaml") == ACME.read_bytes()
    assert read_git("HEAD:sub/../p.yaml") == ACME.read_bytes()
    monkeypatch.chdir(repo / "sub")
    assert read_git("HEAD:./q.yaml") == ACME.read_bytes()
    assert read_git("HEAD:../p.yaml".replace("../", "./../")) == ACME.read_bytes()
    res = invoke("diff", "--no-behavior", "HEAD:p.yaml", str(repo / "p.yaml"))
    assert res.exit_code == 0, res.stderr


# -- 6: special files as paths ---------------------------------------------------------------
def _fifo(tmp_path, name: str):
    path = tmp_path / name
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("args", [
    ["lint", "{f}"], ["evaluate", "{f}", str(PRICING)], ["render", "{f}"], ["graph", "{f}"],
    ["diff", "{f}", str(ACME)], ["diff", str(ACME), "{f}"], ["schema", "dispute", "{f}"],
])
def test_a_named_pipe_as_the_rulebook_is_refused_at_once(tmp_path, args):
    fifo = _fifo(tmp_path, "p.yaml")
    done = command(*[a.replace("{f}", str(fifo)) for a in args], timeout=60)
    assert_no_defect(done)
    assert done.returncode == 2
    assert b"named pipe" in done.stdout + done.stderr


def test_a_named_pipe_as_a_policy_test_or_its_policy(tmp_path):
    _fifo(tmp_path, "a.test.yaml")
    done = command("test", tmp_path / "a.test.yaml", timeout=60)
    assert_no_defect(done)
    assert done.returncode == 2 and b"named pipe" in done.stdout
    _fifo(tmp_path, "pol.yaml")
    (tmp_path / "b.test.yaml").write_text(
        "policy: pol.yaml\ncases:\n  - name: one\n    as_of: 2026-11-22\n"
        "    dispute: {kind: pricing}\n    expect: {level: regional}\n", "utf-8")
    done = command("test", tmp_path / "b.test.yaml", timeout=60)
    assert_no_defect(done)
    assert done.returncode == 2 and b"named pipe" in done.stdout


def test_a_named_pipe_as_config_or_baseline(tmp_path):
    fifo = _fifo(tmp_path, "base.json")
    done = command("lint", ACME, "--baseline", fifo, timeout=60)
    assert_no_defect(done)
    assert done.returncode == 2 and b"named pipe" in done.stderr


# -- 7: bounded reads ------------------------------------------------------------------------
def _zero_device(tmp_path):
    node = tmp_path / "zero.yaml"
    try:
        os.mknod(node, stat.S_IFCHR | 0o444, os.makedev(1, 5))  # an endless device, in tmp_path
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return node


def test_an_endless_device_is_refused_without_reading(tmp_path):
    node = _zero_device(tmp_path)
    done = command("lint", node, timeout=60)
    assert_no_defect(done)
    assert done.returncode == 2 and b"character device" in done.stdout


def test_the_source_shown_by_lint_is_bounded(tmp_path):
    from policyengine.lint import _read_source

    big = tmp_path / "big.yaml"
    big.write_bytes(b"policy: [\n" + b"x" * (2 * 1024 * 1024))
    assert _read_source(str(big), 1024 * 1024) is None  # over the bound: never read in full
    small = tmp_path / "small.yaml"
    small.write_bytes(b"policy: [\n")
    assert _read_source(str(small)) is not None
    res = invoke("lint", str(big))
    assert res.exit_code in (1, 2) and "PE001" in res.stdout
