"""Golden lint fixtures: one broken rulebook per diagnostic code, with its rendered output.

Each ``tests/golden/lint/<CODE>.yaml`` is a small complete rulebook that triggers ``CODE`` (it may
trigger others too). The test runs ``policyengine lint tests/golden/lint/<CODE>.yaml --as-of
2026-11-23`` through click's CliRunner with the repository root as the working directory (so the
paths in the output are relative), in text (``--color never``) and JSON, and compares the output
with ``<CODE>.txt`` and ``<CODE>.json``. Review a changed golden file as you would review code:
it is exactly what a policy author sees. Rewrite them with ``pytest --update-golden``.

Three codes cannot be a YAML text fixture checked into the repository, so their fixture is
generated here, in a temporary folder that becomes the working directory (the output then names
``<CODE>.yaml`` alone and still compares with the golden ``.txt``/``.json``):

* PE001 file-too-large: a rulebook padded past the default bound of 1 MiB (a 1 MiB file in the
  repository would only be noise);
* PE002 not-utf8: a rulebook saved in Latin-1 (editors and git tools "fix" such files);
* PE011 unreadable-file: a file the process may not read (permissions do not bind root, so the
  read is refused by patching the reader's ``_open``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyengine.core import codes
from policyengine.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
AS_OF = "2026-11-23"
LINT = GOLDEN / "lint"
FIXTURES = sorted(p.stem for p in LINT.glob("PE*.yaml"))
GENERATED = ("PE001", "PE002", "PE011")

# A clean rulebook the generated fixtures start from.
BASE = (GOLDEN / "clean.yaml").read_text("utf-8")


def runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        return CliRunner()


def run_lint(path: str, *options: str):
    result = runner().invoke(cli, ["lint", path, "--as-of", AS_OF, *options])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert "Traceback" not in result.output
    return result


def check_outputs(code: str, path: str, golden) -> None:
    text = run_lint(path, "--color", "never")
    as_json = run_lint(path, "--format", "json")
    assert text.exit_code == as_json.exit_code
    expected_exit = 2 if code == "PE011" else (1 if any(
        d["severity"] == "error" for d in json.loads(as_json.stdout)["diagnostics"]) else 0)
    assert text.exit_code == expected_exit
    found = [d["code"] for d in json.loads(as_json.stdout)["diagnostics"]]
    assert code in found, f"{path} does not trigger {code} (found {found})"
    assert f" {code} " in text.stdout
    assert "\x1b[" not in text.stdout
    golden(f"lint/{code}.txt", text.stdout)
    golden(f"lint/{code}.json", as_json.stdout)


def test_there_is_a_fixture_for_every_code():
    have = set(FIXTURES) | set(GENERATED)
    want = {c for c, entry in codes.REGISTRY.items()
            if c not in codes.UNTRIGGERABLE and not entry.retired}
    # other areas' fixtures arrive with their codes; this file only needs its own to exist
    assert {c for c in want if c[:3] not in ("PE5", "PE6", "PE8")} <= have
    assert have <= set(codes.REGISTRY), f"fixtures without a code: {sorted(have - set(codes.REGISTRY))}"
    assert not set(FIXTURES) & set(GENERATED)


@pytest.mark.parametrize("code", FIXTURES)
def test_golden_fixture(code, golden, monkeypatch):
    monkeypatch.chdir(ROOT)
    check_outputs(code, f"tests/golden/lint/{code}.yaml", golden)


def test_generated_pe001_file_too_large(tmp_path, golden, monkeypatch):
    padding = "# " + "x" * 98 + "\n"
    text = BASE + padding * (1024 * 1024 // len(padding) + 1)
    assert len(text.encode("utf-8")) > 1024 * 1024
    (tmp_path / "PE001.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    check_outputs("PE001", "PE001.yaml", golden)
    # the same file passes with a raised bound
    assert run_lint("PE001.yaml", "--max-bytes", str(2 * 1024 * 1024)).exit_code == 0


def test_generated_pe002_not_utf8(tmp_path, golden, monkeypatch):
    text = BASE.replace("title: Regional director", "title: Directeur régional")
    (tmp_path / "PE002.yaml").write_bytes(text.encode("latin-1"))
    monkeypatch.chdir(tmp_path)
    check_outputs("PE002", "PE002.yaml", golden)
    # the position is that of the bad byte
    out = json.loads(run_lint("PE002.yaml", "--format", "json").stdout)["diagnostics"][0]
    line = text.splitlines()[out["line"] - 1]
    assert line[out["column"] - 1] == "é"


def test_generated_pe011_unreadable_file(tmp_path, golden, monkeypatch):
    (tmp_path / "PE011.yaml").write_text(BASE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    from policyengine.load import reader

    real_open = reader._open

    def unreadable(path):
        if os.path.basename(os.fspath(path)) == "PE011.yaml":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path)

    monkeypatch.setattr(reader, "_open", unreadable)
    check_outputs("PE011", "PE011.yaml", golden)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="permissions do not bind root")
def test_pe011_without_read_permission(tmp_path, monkeypatch):
    path = tmp_path / "locked.yaml"
    path.write_text(BASE, encoding="utf-8")
    path.chmod(0)
    try:
        monkeypatch.chdir(tmp_path)
        result = run_lint("locked.yaml", "--format", "json")
    finally:
        path.chmod(0o600)
    assert result.exit_code == 2
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["PE011"]
