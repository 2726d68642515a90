"""The ``policyengine`` command group and the exit-code policy."""

from __future__ import annotations

import errno
import os
import sys

import click

from ..version import __version__
from .lint import lint_command


class _Group(click.Group):
    """Lists each command with its summary whole (its help's first sentence), wrapped, where
    click would cut it to one line."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=sys.maxsize)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_Group,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="policyengine")
def cli() -> None:
    """policyengine: lint, evaluate and diff partner and channel conflict rulebooks.

    Installed as channel-conflict-policyengine; `policyengine` and
    `channel-conflict-policyengine` are the same command."""


cli.add_command(lint_command)


def _register() -> None:
    from .evaluate import evaluate_command, schema_command
    from .explain import explain_command

    cli.add_command(evaluate_command)
    cli.add_command(schema_command)
    cli.add_command(explain_command)

    from .graph import graph_command
    from .render import render_command
    from .test import test_command

    cli.add_command(render_command)
    cli.add_command(graph_command)
    cli.add_command(test_command)

    from .diff import diff_command

    cli.add_command(diff_command)

    from .init import init_command

    cli.add_command(init_command)

    from .fmt import fmt_command

    cli.add_command(fmt_command)

    from .lsp import lsp_command

    cli.add_command(lsp_command)

    from .ledger import ledger_command

    cli.add_command(ledger_command)

    from .serve import serve_command

    cli.add_command(serve_command)


_register()


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


def main(argv: list[str] | None = None) -> None:
    """Entry point: never lets a traceback reach the user."""
    _safe_streams()
    try:
        code = cli.main(args=argv, prog_name="policyengine", standalone_mode=False)
        sys.stdout.flush()
    except click.exceptions.Abort:
        click.echo("policyengine: aborted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("policyengine: interrupted", err=True)
        code = 130
    except OSError as exc:  # writing the output failed: a closed pipe, a full disk
        from .output import reason

        if exc.errno not in _WRITE_ERRORS:
            _internal(exc)
            sys.exit(3)
        code = _write_failed(reason(exc))
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
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    sys.exit(code if isinstance(code, int) else 0)
