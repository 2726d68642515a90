"""Start-up: ``policyengine --help`` and ``policyengine evaluate`` of one dispute import only
what they use (issue 14). Not a timed test: it pins which modules are *not* imported; the
start-up times live in ``benchmarks/bench_all.py``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pages_match_click() -> bool:
    """The help pages were rendered by the installed click (cli/entry.py serves them only then)."""
    from importlib import metadata

    from policyengine.cli import _help_pages

    return metadata.version("click") == _help_pages.CLICK


_PAGES_MATCH_CLICK = _pages_match_click()
ACME = ROOT / "policies" / "acme-channel-conflict.yaml"

# Runs the command in a fresh interpreter, then prints the top-level names of sys.modules
# (through the click command line, or the console script's entry: ENTRY).
_PROBE = """
import sys
from policyengine.cli.ENTRY import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
names = sorted(sys.modules)  # before json imports what it needs
import json
sys.stderr.write("\\n@@" + json.dumps(names) + "\\n")
"""


def _modules(*args: str, stdin: str | None = None, entry: str = "main",
             env: dict[str, str] | None = None) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE.replace("ENTRY", entry), *args],
                          input=stdin, text=True, capture_output=True, cwd=ROOT, timeout=120,
                          env=env)
    marker = done.stderr.rsplit("@@", 1)
    assert len(marker) == 2, done.stderr
    return set(json.loads(marker[1]))


def _loaded(modules: set[str], prefix: str) -> list[str]:
    return sorted(m for m in modules if m == prefix or m.startswith(prefix + "."))


HEAVY = ("z3", "networkx", "jsonschema", "lark", "policyengine.render", "policyengine.analysis",
         "policyengine.diff")
#: what neither command uses at all: the other commands' libraries (fmt, the ledger, the
#: service, the language server), RE2 (only a rulebook with `matches` compiles a pattern),
#: holidays (only a rulebook with a `calendar:`), and the other commands' own packages
UNUSED = ("ruamel", "sqlalchemy", "alembic", "psycopg", "starlette", "uvicorn", "watchfiles",
          "prometheus_client", "pygls", "lsprotocol", "re2", "holidays", "policyengine.lint",
          "policyengine.fmt", "policyengine.ledger", "policyengine.service", "policyengine.lsp",
          "policyengine.policytest", "policyengine.scaffold", "policyengine.cli.batch")


def test_help_imports_no_analysis_schema_parser_or_renderer() -> None:
    modules = _modules("--help")
    assert "click" in modules  # the probe did run the command line
    for name in HEAVY + UNUSED:
        assert _loaded(modules, name) == [], name
    # nor any command, the loader, YAML or the evaluator: the summaries come from the table
    for name in ("policyengine.cli.lint", "policyengine.cli.evaluate", "policyengine.load",
                 "policyengine.decide.evaluate", "policyengine.compile.policy", "yaml", "sqlalchemy",
                 "importlib.metadata"):
        assert _loaded(modules, name) == [], name


@pytest.mark.skipif(not _PAGES_MATCH_CLICK,
                    reason="the stored help pages are of another click version: click answers "
                           "(python -m policyengine.cli.static_help --write renders them again)")
@pytest.mark.parametrize("args", [["--help"], ["-h"], [], ["evaluate", "--help"],
                                  ["ledger", "add", "-h"]])
def test_help_through_the_console_script_imports_no_click(args: list[str]) -> None:
    """The console script's entry writes help pages rendered ahead of time (cli/entry.py):
    no click, no typing, nothing but the standard library's cheapest modules."""
    import os

    # no language set: gettext would consult no catalogue (the entry proves it without
    # importing gettext); the width from the pipe (80 columns)
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    modules = _modules(*args, entry="entry", env=env)
    assert "policyengine.cli.entry" in modules and "policyengine.cli._help_pages" in modules
    for name in ("click", "typing", "re", "gettext", "shutil", "importlib.metadata",
                 "policyengine.cli.main") + HEAVY + UNUSED:
        assert _loaded(modules, name) == [], name


def test_other_arguments_through_the_console_script_run_click() -> None:
    modules = _modules("explain", "PE301", entry="entry")
    assert "click" in modules and "policyengine.cli.explain" in modules


def test_the_help_summaries_are_each_commands_own() -> None:
    """``--help`` lists the summaries of the lazy command table; each is the first sentence
    of the command's own help, and every command of the table exists."""
    import click

    from policyengine.cli.main import COMMANDS, cli

    ctx = click.Context(cli)
    for name, (_, _, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=sys.maxsize) == summary, name


def test_version_option_prints_the_installed_version() -> None:
    import policyengine

    done = subprocess.run([sys.executable, "-m", "policyengine.cli", "--version"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0
    assert done.stdout == f"policyengine, version {policyengine.__version__}\n"


def test_evaluate_one_dispute_imports_no_solver_graph_or_renderer(tmp_path: Path) -> None:
    dispute = tmp_path / "d.json"
    dispute.write_text(json.dumps({"kind": "pricing", "amount": 120000.0, "region": "EMEA",
                                   "partner": {"tier": "gold"}}), encoding="utf-8")
    for entry in ("main", "entry"):  # the click command line, and the console script's entry
        modules = _modules("evaluate", str(ACME), str(dispute), "--as-of", "2026-11-22",
                           entry=entry)
        assert "policyengine.decide.evaluate" in modules  # it loaded and decided
        # loading needs YAML and the rulebook schema's yes (jsonschema-rs; jsonschema only for
        # an invalid rulebook's errors); the hand-written parser reads every expression of the
        # rulebook, so lark (the authority for the rare forms and every error) stays out;
        # deciding needs neither the solver, the ladder graph nor any renderer
        assert "jsonschema_rs" in modules and "yaml" in modules
        # nor what only a parse by lark (its grammar file: importlib.resources, which pulls
        # in tempfile, shutil and the compressors) or a misspelt name (difflib) needs
        for name in ("lark", "policyengine.expr.to_ast", "z3", "networkx", "jsonschema",
                     "policyengine.render", "policyengine.analysis", "policyengine.diff",
                     "policyengine.cli.static_help", "importlib.resources", "tempfile",
                     "shutil", "bz2", "lzma", "difflib") + UNUSED:
            assert _loaded(modules, name) == [], name


def test_an_expression_the_fast_parser_leaves_imports_lark(tmp_path: Path) -> None:
    """A rare form (a comment inside an expression) is read by lark, imported then."""
    rulebook = tmp_path / "p.yaml"
    text = ACME.read_text(encoding="utf-8")
    changed = text.replace('when: kind == "pricing"\n', 'when: kind == "pricing" // a comment\n', 1)
    assert changed != text
    rulebook.write_text(changed, encoding="utf-8")
    dispute = tmp_path / "d.json"
    dispute.write_text(json.dumps({"kind": "pricing", "amount": 120000.0, "region": "EMEA",
                                   "partner": {"tier": "gold"}}), encoding="utf-8")
    modules = _modules("evaluate", str(rulebook), str(dispute), "--as-of", "2026-11-22")
    assert "policyengine.decide.evaluate" in modules and "lark" in modules


def test_a_ladder_that_is_not_a_chain_still_gets_its_diagnostics(tmp_path: Path) -> None:
    from policyengine.compile.pipeline import inspect_text

    text = ACME.read_text(encoding="utf-8").replace("      next: mediation\n",
                                                     "      next: frontline\n")
    codes = {d.code for d in inspect_text(text, "cycle.yaml").diagnostics}
    assert "PE301" in codes
