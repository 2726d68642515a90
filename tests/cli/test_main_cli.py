"""The command group: ``policyengine --help`` shows each command's summary whole."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from policyengine.cli.main import cli


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("width", [60, 100, 200])
def test_help_shows_every_summary_whole(width):
    result = CliRunner().invoke(cli, ["--help"], terminal_width=width)
    assert result.exit_code == 0
    listing = result.stdout.split("Commands:", 1)[1]
    flat = _words(listing)
    for name, cmd in _all_commands().items():
        whole = cmd.get_short_help_str(limit=sys.maxsize)  # the first sentence, never cut
        assert whole.endswith(".") and not whole.endswith("..."), name
        assert _words(cmd.help or "").startswith(whole), name
        # textwrap may break a hyphenated word at its hyphen
        assert f"{name} {whole}" in flat.replace("- ", "-"), name


def _all_commands() -> dict:
    """Every command of the group, imported (the group imports each on first use)."""
    import click

    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}


def test_every_command_is_listed_including_init():
    result = CliRunner().invoke(cli, ["--help"])
    names = {line.split()[0] for line in result.stdout.split("Commands:", 1)[1].splitlines()
             if line.startswith("  ") and not line.startswith("   ")}
    assert names == set(_all_commands()) and "init" in names


def test_a_reader_that_leaves_early_is_a_write_error_not_a_finding():
    """`policyengine explain` into a pipe closed before it writes: exit 2 with what failed
    (docs/bad-input.md: a closed pipe is a write error), never 1 (findings), never a
    traceback."""
    import subprocess

    proc = subprocess.Popen([sys.executable, "-m", "policyengine", "explain"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes anything: every write hits a closed pipe
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 2, err
    assert b"cannot write standard output" in err
    assert b"Traceback" not in err and b"Exception ignored" not in err
