"""The ``policyengine`` command group and the exit-code policy."""

from __future__ import annotations

import sys

import click

from .. import __version__
from .lint import lint_command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="policyengine")
def cli():
    """policyengine: lint, evaluate and diff partner and channel conflict rulebooks."""


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

    from .ledger import ledger_command

    cli.add_command(ledger_command)

    from .serve import serve_command

    cli.add_command(serve_command)


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point: never lets a traceback reach the user."""
    try:
        code = cli.main(args=argv, prog_name="policyengine", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("policyengine: aborted", err=True)
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("policyengine: interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # the last line of defence: report, do not dump a traceback
        click.echo(f"policyengine: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("please report this at the project's issue tracker, with the input that "
                   "caused it", err=True)
        code = 3
    sys.exit(code if isinstance(code, int) else 0)
