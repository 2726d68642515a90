"""The ``policyengine`` command group and the exit-code policy."""

from __future__ import annotations

import errno
import os
import sys

import click

#: The commands, imported on first use (click's LazyGroup pattern): name -> (module, attribute,
#: summary). ``--help`` lists the summaries from here without importing any command (each
#: command's module pulls in the loader, the parser or the solver); the summary is the
#: command's own help's first sentence, which tests/unit/test_startup_imports.py checks.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "diff": ("diff", "diff_command",
             "Compare two versions of a rulebook: structural changes matched by id, the "
             "disputes decided differently (proven with the solver, each with an example), "
             "and a replay of past disputes."),
    "evaluate": ("evaluate", "evaluate_command",
                 "Decide a dispute (a JSON object of facts) with POLICY, or a batch with "
                 "--input/--output."),
    "explain": ("explain", "explain_command",
                "Explain a lint CODE (PE301 or its name, ladder-cycle) or a decision refusal "
                "code (invalid_facts, threshold_gap, ...); without CODE, list them all."),
    "fmt": ("fmt", "fmt_command",
            "Format rulebooks in place: canonical key order, short bands and authority rows "
            "in flow style, expressions in their canonical form, quotes only where YAML needs "
            "them; comments stay."),
    "graph": ("graph", "graph_command",
              "Print the escalation ladder of POLICY: each level with its role and windows, "
              "and the escalation from each level to the next."),
    "init": ("init", "init_command",
             "Start a policy repository in DIRECTORY (default: here): a starter rulebook with "
             "comments, its policy test, the JSON Schemas beside them, an example dispute, a "
             "pre-commit configuration and a CI workflow."),
    "ledger": ("ledger", "ledger_command",
               "The dispute ledger: record disputes, their decisions and remedies, and what "
               "comes due."),
    "lint": ("lint", "lint_command",
             "Check rulebooks for mistakes: YAML hazards, schema, references, the ladder, "
             "authority, expressions, and the logic (gaps, dead rules, overlaps), proved with "
             "a solver."),
    "lsp": ("lsp", "lsp_command",
            "Run the language server for rulebooks over standard input and output: "
            "diagnostics as you type, completion, hover, go to definition, references, "
            "rename, outline, quick fixes and formatting."),
    "render": ("render", "render_command",
               "Render POLICY as the partner playbook: categories and bands in plain words, "
               "the escalation ladder drawn, windows and the worst-case timeline, who may "
               "authorize what, the remedies with their sunsets and reviews, and the "
               "policy's version, dates and digest."),
    "schema": ("evaluate", "schema_command",
               "Print JSON Schemas: of one policy's disputes, or the bundled ones."),
    "serve": ("serve", "serve_command", "Serve decisions over HTTP (see docs/service.md)."),
    "test": ("test", "test_command",
             "Run the policy tests in PATHS (files, or folders searched for *.test.yaml; "
             "default: the current folder)."),
}


class _Group(click.Group):
    """Imports each command on first use (``COMMANDS``), and lists each command with its
    summary whole (its help's first sentence), wrapped, where click would cut it to one
    line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import importlib

            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name not in self.commands and name in COMMANDS:
                rows.append((name, COMMANDS[name][2]))  # without importing the command
                continue
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=sys.maxsize)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from ..core.version import __version__

    click.echo(f"policyengine, version {__version__}")
    ctx.exit()


@click.group(cls=_Group,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_show_version, help="Show the version and exit.")
def cli() -> None:
    """policyengine: lint, evaluate and diff partner and channel conflict rulebooks.

    Installed as channel-conflict-policyengine; `policyengine` and
    `channel-conflict-policyengine` are the same command."""


def _safe_streams() -> None:
    """Text that UTF-8 cannot encode (a lone surrogate from JSON's ``\\ud800``) is written as a
    backslash escape (valid inside a JSON string) instead of killing the run."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # pragma: no cover - a closed or odd stream
                pass


def _write_failed(why: str) -> int:
    """Report that standard output could not be written (exit 2, docs/bad-input.md)."""
    _silence_stdout()
    try:
        click.echo(f"policyengine: error: cannot write standard output: {why}", err=True)
    except OSError:
        pass
    return 2


def _silence_stdout() -> None:
    """After a write error on stdout, Python's own flush at exit would fail again and print a
    traceback-like warning: point the descriptor at nothing (the recipe of Python's docs)."""
    import os

    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


_WRITE_ERRORS = frozenset(getattr(errno, name) for name in
                          ("EPIPE", "ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS")
                          if hasattr(errno, name))


def _internal(exc: BaseException) -> None:
    click.echo(f"policyengine: internal error: {type(exc).__name__}: {exc}", err=True)
    click.echo("please report this at the project's issue tracker, with the input that "
               "caused it", err=True)


def aborted() -> int:
    """What an interrupt inside click ends with (click writes a new line, then ``Abort``)."""
    click.echo(file=sys.stderr)
    click.echo("policyengine: aborted", err=True)
    return 130


def output_failed(exc: OSError) -> int:
    """The exit code (2, or 3 for an error that is no write error) after writing standard
    output failed with ``exc``, said on standard error; shared with ``entry.py``."""
    from .output import reason

    if exc.errno not in _WRITE_ERRORS:
        _internal(exc)
        return 3
    return _write_failed(reason(exc))


def _flush_stdout() -> None:
    if sys.stdout is not None:  # None: the descriptor was closed when Python started
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    """The click command line (``entry.main`` answers help requests before it): never lets
    a traceback reach the user."""
    _safe_streams()
    try:
        code = cli.main(args=argv, prog_name="policyengine", standalone_mode=False)
        _flush_stdout()
    except click.exceptions.Abort:
        click.echo("policyengine: aborted", err=True)
        code = 130
    except click.ClickException as exc:
        try:
            exc.show()
        except OSError:  # standard error cannot be written: nothing more can be said
            pass
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("policyengine: interrupted", err=True)
        code = 130
    except OSError as exc:  # writing the output failed: a closed pipe, a full disk
        code = output_failed(exc)
        if code == 3:
            sys.exit(3)
    except SystemExit as exc:
        # click swallows a broken pipe on its own output wrapper and exits 1, which would
        # read as "findings": say what failed instead
        if type(sys.stdout).__name__.lstrip("_") != "PacifyFlushWrapper" or exc.code != 1:
            raise
        code = _write_failed("broken pipe")
    except Exception as exc:  # the last line of defence: report, do not dump a traceback
        _internal(exc)
        code = 3
    try:  # what is still buffered; a reader that left early must not turn into exit 1
        _flush_stdout()
    except BrokenPipeError:
        _silence_stdout()
    except OSError as exc:  # the last of the output did not fit (a full disk): say so
        code = output_failed(exc)
    sys.exit(code if isinstance(code, int) else 0)
