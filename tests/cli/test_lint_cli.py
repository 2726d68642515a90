"""``policyengine lint`` and ``policyengine explain`` through click's CliRunner: exit codes,
formats, folder search, colour, and no traceback whatever the input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from policyengine.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
AS_OF = "2026-11-23"
WARNING_ONLY = CLEAN.replace("  amount: {type: double, min: 0, unit: USD}\n",
                             "  amount: {type: double, min: 0, unit: USD}\n"
                             "  region: {type: string, enum: [SE, NO]}\n")  # PE009
ERROR = CLEAN.replace("    sunset: 30d\n", "")  # PE404


def invoke(*args: str, env: dict | None = None, input: bytes | None = None):
    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2
    except TypeError:
        runner = CliRunner()
    result = runner.invoke(cli, list(args), env=env, input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def lint(*args: str, env: dict | None = None):
    return invoke("lint", "--as-of", AS_OF, *args, env=env)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- exit codes -----------------------------------------------------------------------------------


def test_clean_file_exits_0(folder):
    write(folder / "p.yaml", CLEAN)
    result = lint("p.yaml")
    assert result.exit_code == 0
    assert result.stdout == "no problems found in 1 file\n"


def test_bundled_policies_are_clean(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = lint("policies/")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.startswith("no problems found in 4 files")


def test_warnings_exit_0_unless_strict(folder):
    write(folder / "p.yaml", WARNING_ONLY)
    result = lint("p.yaml")
    assert result.exit_code == 0
    assert "PE009 warning" in result.stdout
    assert result.stdout.endswith("0 errors, 1 warning in 1 file\n")
    assert lint("p.yaml", "--strict").exit_code == 1


def test_info_does_not_fail_even_with_strict(folder):
    write(folder / "p.yaml", CLEAN.replace("expires: 2028-12-31", "expires: 2026-12-31"))
    result = lint("p.yaml", "--strict")
    assert result.exit_code == 0 and "PE703 info" in result.stdout


def test_error_exits_1(folder):
    write(folder / "p.yaml", ERROR)
    result = lint("p.yaml")
    assert result.exit_code == 1
    assert "p.yaml:" in result.stdout and "PE404 error" in result.stdout


def test_missing_path_exits_2(folder):
    write(folder / "p.yaml", CLEAN)
    result = lint("p.yaml", "nope.yaml")
    assert result.exit_code == 2
    assert "nope.yaml: PE011 error: no such file or folder" in result.stdout
    result = lint("p.yaml", "nope.yaml", "--format", "json")
    assert result.exit_code == 2
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["file"], d["line"]) for d in found] == [("PE011", "nope.yaml", None)]


def test_folder_without_rulebooks_exits_2(folder):
    write(folder / "rules" / "notes.yaml", "just: notes\n")
    result = lint("rules")
    assert result.exit_code == 2
    assert "no rulebooks found in rules" in result.stderr


def test_unreadable_file_exits_2(folder, monkeypatch):
    write(folder / "p.yaml", CLEAN)
    from policyengine.load import reader

    def unreadable(path):
        raise PermissionError(13, "Permission denied", os.fspath(path))

    monkeypatch.setattr(reader, "_open", unreadable)
    result = lint("p.yaml")
    assert result.exit_code == 2
    assert "PE011 error: cannot read the file: Permission denied" in result.stdout


@pytest.mark.parametrize("option", [["--select", "X1"], ["--ignore", "PE3,bogus"],
                                    ["--format", "yaml"], ["--as-of", "2026-13-01"],
                                    ["--color", "sometimes"], ["--max-bytes", "0"], []])
def test_usage_errors_exit_2(folder, option):
    write(folder / "p.yaml", CLEAN)
    args = ["lint", *option] + (["p.yaml"] if option else [])
    result = invoke(*args)
    assert result.exit_code == 2
    assert "Error" in result.stderr or "Usage" in result.stderr


def test_select_and_ignore(folder):
    write(folder / "p.yaml", ERROR.replace("expires: 2028-12-31", "expires: 2026-12-31"))
    codes = lambda r: [d["code"] for d in json.loads(r.stdout)["diagnostics"]]  # noqa: E731
    assert codes(lint("p.yaml", "--format", "json")) == ["PE703", "PE404"]
    assert codes(lint("p.yaml", "--format", "json", "--select", "PE4")) == ["PE404"]
    assert codes(lint("p.yaml", "--format", "json", "--ignore", "pe404")) == ["PE703"]
    only_info = lint("p.yaml", "--select", "PE7,PE9")
    assert only_info.exit_code == 0


def test_max_bytes(folder):
    write(folder / "p.yaml", CLEAN)
    result = lint("p.yaml", "--max-bytes", "100")
    assert result.exit_code == 1
    assert "PE001 error: the file is larger than the bound of 100 bytes" in result.stdout


# -- formats --------------------------------------------------------------------------------------


def test_json_shape(folder):
    write(folder / "p.yaml", ERROR)
    write(folder / "q.yaml", WARNING_ONLY)
    result = lint("p.yaml", "q.yaml", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) == {"diagnostics", "summary"}
    assert data["summary"] == {"files": 2, "errors": 1, "warnings": 1, "infos": 0}
    first, second = data["diagnostics"]
    assert list(first)[:9] == ["code", "severity", "message", "file", "line", "column",
                               "end_line", "end_column", "hint"]
    assert (first["code"], first["severity"], first["file"]) == ("PE404", "error", "p.yaml")
    assert (second["code"], second["severity"], second["file"]) == ("PE009", "warning", "q.yaml")
    assert all(isinstance(d[k], int) and d[k] >= 1 for d in (first, second)
               for k in ("line", "column", "end_line", "end_column"))


def test_json_of_a_clean_run(folder):
    write(folder / "p.yaml", CLEAN)
    data = json.loads(lint("p.yaml", "--format", "json").stdout)
    assert data == {"diagnostics": [], "summary": {"files": 1, "errors": 0, "warnings": 0,
                                                   "infos": 0}}


def test_text_format_shows_location_source_caret_and_hint(folder):
    write(folder / "p.yaml", CLEAN.replace("class: commercial", "class: comercial"))
    out = lint("p.yaml", "--color", "never").stdout.splitlines()
    line = CLEAN.splitlines().index("    class: commercial") + 1
    assert out[0] == (f"p.yaml:{line}:12: PE104 error: category `pricing`: class: `comercial` is "
                      "not one of the allowed values")
    assert out[1] == f" {line} |     class: comercial"
    assert out[2] == " " * (len(str(line)) + 1) + " |            ^^^^^^^^^"
    assert out[3] == "  = hint: did you mean `commercial`?"


# -- folders --------------------------------------------------------------------------------------


def test_folders_are_searched_recursively_and_skip_tests_and_other_yaml(folder):
    write(folder / "policies" / "a.yaml", CLEAN)
    write(folder / "policies" / "deep" / "er" / "b.yml", ERROR)
    write(folder / "policies" / "a.test.yaml", "policy: not a rulebook\n")
    write(folder / "policies" / "ci.yaml", "jobs: {lint: {runs-on: ubuntu}}\n")
    write(folder / "policies" / ".hidden" / "c.yaml", ERROR)
    write(folder / "policies" / "readme.md", "policy: x\n")
    result = lint("policies", "--format", "json")
    data = json.loads(result.stdout)
    assert data["summary"]["files"] == 2
    assert {d["file"] for d in data["diagnostics"]} == {
        os.path.join("policies", "deep", "er", "b.yml")}
    assert result.exit_code == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_special_files_in_a_folder_are_skipped_not_read(folder):
    write(folder / "policies" / "a.yaml", CLEAN)
    os.mkfifo(folder / "policies" / "pipe.yaml")  # opening it to read would block forever
    data = json.loads(lint("policies", "--format", "json").stdout)
    assert data["summary"]["files"] == 1


def test_explicit_files_are_linted_even_when_named_like_tests(folder):
    write(folder / "x.test.yaml", ERROR)
    assert lint("x.test.yaml").exit_code == 1


def test_a_file_given_twice_is_linted_once(folder):
    write(folder / "p.yaml", ERROR)
    data = json.loads(lint("p.yaml", "p.yaml", ".", "--format", "json").stdout)
    assert data["summary"]["files"] == 1  # `./p.yaml` found in the folder is the same file
    assert len({(d["file"], d["line"]) for d in data["diagnostics"]}) == len(data["diagnostics"])


# -- colour ---------------------------------------------------------------------------------------


def test_colour_only_when_asked(folder):
    write(folder / "p.yaml", ERROR)
    assert "\x1b[" not in lint("p.yaml").stdout  # not a terminal
    assert "\x1b[" not in lint("p.yaml", "--color", "never").stdout
    always = lint("p.yaml", "--color", "always").stdout
    assert "\x1b[1;31merror\x1b[0m" in always
    assert "\x1b[" not in lint("p.yaml", "--color", "auto", env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in lint("p.yaml", "--format", "json", "--color", "always").stdout


# -- standard input -------------------------------------------------------------------------------


def test_lint_dash_reads_standard_input(folder):
    write(folder / "p.yaml", ERROR)
    from_file = lint("p.yaml", "--format", "json")
    from_stdin = invoke("lint", "--as-of", AS_OF, "-", "--format", "json", "--stdin-filename",
                        "p.yaml", input=ERROR.encode("utf-8"))
    assert from_stdin.exit_code == from_file.exit_code == 1
    assert from_stdin.stdout == from_file.stdout
    clean = invoke("lint", "--as-of", AS_OF, "-", "--strict", input=CLEAN.encode("utf-8"))
    assert clean.exit_code == 0 and "no problems found in 1 file" in clean.stdout


def test_lint_dash_names_stdin_in_findings_and_shows_the_line(folder):
    result = invoke("lint", "--as-of", AS_OF, "-", input=b"a: 1\na: 2\n")
    assert result.exit_code == 1
    assert result.stdout.startswith("<stdin>:2:1: PE006")
    assert " 2 | a: 2" in result.stdout
    empty = invoke("lint", "-", input=b"")
    assert empty.exit_code == 1 and "PE010" in empty.stdout


def test_lint_dash_beside_files_and_over_the_size_bound(folder):
    write(folder / "p.yaml", CLEAN)
    both = invoke("lint", "--as-of", AS_OF, "p.yaml", "-", "--format", "json",
                  input=ERROR.encode("utf-8"))
    data = json.loads(both.stdout)
    assert data["summary"]["files"] == 2
    assert {d["file"] for d in data["diagnostics"]} == {"<stdin>"}
    big = invoke("lint", "-", "--max-bytes", "100", input=CLEAN.encode("utf-8"))
    assert big.exit_code == 1 and "PE001" in big.stdout


# -- explain --------------------------------------------------------------------------------------


def test_explain_a_code():
    result = invoke("explain", "PE301")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("PE301 (ladder-cycle), error by default, area ladder: ")
    for section in ("## What it finds", "## Why it matters", "## Example", "## Fix"):
        assert section in out
    assert out.rstrip().endswith("rules/PE301-ladder-cycle/")


def test_explain_by_name_and_lowercase():
    assert invoke("explain", "ladder-cycle").stdout == invoke("explain", "PE301").stdout
    assert invoke("explain", "pe301").stdout == invoke("explain", "PE301").stdout


def test_explain_lists_every_code():
    from policyengine.core.codes import REGISTRY

    from policyengine.core.codes import REFUSALS

    out = invoke("explain").stdout
    lint_part, refusal_part = out.split("\n\n")
    assert [line.split()[0] for line in lint_part.splitlines()] == list(REGISTRY)
    assert refusal_part.startswith("Decision refusal codes")
    assert [line.split()[0] for line in refusal_part.splitlines()[1:]] == list(REFUSALS)


@pytest.mark.parametrize("code", ["invalid_facts", "threshold_gap", "unclassified",
                                  "policy_not_in_force", "evaluation_error", "outside_calendar"])
def test_explain_a_refusal_code(code):
    result = invoke("explain", code)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"{code}: decision refusal code: ")
    for section in ("## What it means", "## Why it happens", "## Example", "## Fix"):
        assert section in out
    assert out.rstrip().endswith(f"/refusals/{code}/")
    assert invoke("explain", code.upper()).stdout == out


def test_every_refusal_code_the_evaluator_raises_has_a_page():
    import re

    from policyengine.core.codes import REFUSALS

    raised = set()
    for path in (ROOT / "policyengine").rglob("*.py"):
        raised |= set(re.findall(r'Problem\(\s*"([a-z_]+)"', path.read_text("utf-8")))
    assert set(REFUSALS) <= raised  # the RULEBOOK's five; later codes may add pages here
    for code in REFUSALS.values():
        assert (ROOT / code.doc_path).is_file(), code.doc_path
        assert f"refusals/{code.code}.md" in (ROOT / "mkdocs.yml").read_text("utf-8")


def test_every_code_a_decision_is_refused_with_is_explained():
    """The other way round: each code the evaluator refuses a dispute with (the Problems it
    raises) has a refusal entry and page, so `explain` knows every code a decision carries."""
    import importlib
    import re
    from pathlib import Path

    from policyengine.core.codes import REFUSALS

    evaluate_module = importlib.import_module("policyengine.decide.evaluate")  # the module, not the function

    source = Path(evaluate_module.__file__).read_text("utf-8")
    raised = set(re.findall(r'Problem\(\s*"([a-z_]+)"', source))
    assert raised and raised <= set(REFUSALS), raised - set(REFUSALS)


def test_a_kebab_name_is_the_lint_code_and_a_snake_name_the_refusal():
    assert invoke("explain", "threshold-gap").stdout.startswith("PE501 (threshold-gap)")
    assert invoke("explain", "threshold_gap").stdout.startswith("threshold_gap: ")
    result = invoke("explain", "invalid_fact")
    assert result.exit_code == 2 and "did you mean `invalid_facts`?" in result.stderr


def test_explain_unknown_code_suggests():
    result = invoke("explain", "PE3001")
    assert result.exit_code == 2
    assert "unknown code 'PE3001'" in result.stderr


# -- hostile input: never a traceback --------------------------------------------------------


@pytest.mark.parametrize("name,content,exit_code,code", [
    ("binary.yaml", bytes(range(256)) * 4, 1, "PE002"),
    ("nul.yaml", b"policy:\x00\n", 1, "PE002"),
    ("empty.yaml", b"", 1, "PE010"),
    ("blank.yaml", b"\n\n   \n", 1, "PE010"),
    ("scalar.yaml", b"42\n", 1, "PE103"),
    ("list.yaml", b"- policy\n", 1, "PE103"),
    ("bom.yaml", b"\xef\xbb\xbf", 1, "PE010"),
    ("utf16.yaml", "policy: x\n".encode("utf-16"), 1, "PE002"),
    ("deep.yaml", b"a: " + b"[" * 100_000, 1, "PE008"),
    ("bomb.yaml", b"a: &a [1]\nb: [*a, *a]\n", 1, "PE007"),
])
def test_no_traceback_on_hostile_files(folder, name, content, exit_code, code):
    write(folder / name, content)
    for fmt in ("text", "json"):
        result = lint(name, "--format", fmt)
        assert result.exit_code == exit_code
        assert code in result.stdout


def test_directory_named_like_a_rulebook(folder):
    (folder / "x.yaml").mkdir()
    result = lint("x.yaml")
    assert result.exit_code == 2
    assert "no rulebooks found" in result.stderr


def test_the_console_script_never_shows_a_traceback(folder):
    write(folder / "binary.yaml", bytes(range(256)))
    (folder / "dir.yaml").mkdir()
    for args in (["lint", "binary.yaml"], ["lint", "dir.yaml"], ["lint"], ["lint", "nope"],
                 ["explain", "PE99999"], ["no-such-command"]):
        out = subprocess.run([sys.executable, "-m", "policyengine", *args], capture_output=True,
                             text=True, cwd=folder)
        assert "Traceback" not in out.stdout + out.stderr, args
        assert out.returncode in (1, 2), (args, out.returncode)
