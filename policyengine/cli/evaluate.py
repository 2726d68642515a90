"""policyengine evaluate POLICY [DISPUTE.json | -], batch mode, and policyengine schema."""

from __future__ import annotations

import datetime as _dt
import json
import sys
from typing import Any

import click

from .common import DATE, load_or_exit
from ..decide.evaluate import evaluate_compiled


#: Largest single dispute read (bytes); a batch reads line by line and has no such bound.
MAX_DISPUTE_BYTES = 16 * 1024 * 1024


def _read_dispute(ctx: click.Context, source: str) -> Any:
    from ..load.json_input import JsonInputError, loads

    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_DISPUTE_BYTES + 1)
            name = "<stdin>"
        else:
            with open(source, "rb") as fh:
                data = fh.read(MAX_DISPUTE_BYTES + 1)
            name = source
    except OSError as exc:
        click.echo(f"policyengine: error: cannot read {source}: "
                   f"{getattr(exc, 'strerror', None) or exc}", err=True)
        ctx.exit(2)
    if len(data) > MAX_DISPUTE_BYTES:
        click.echo(f"policyengine: error: {name}: the dispute is larger than "
                   f"{MAX_DISPUTE_BYTES // (1024 * 1024)} MiB; decide large sets of disputes "
                   "as a batch (--input/--output, one per line)", err=True)
        ctx.exit(2)
    try:
        return loads(data)
    except JsonInputError as exc:
        message = exc.message if exc.message.startswith("not valid JSON") else \
            f"not valid JSON: {exc.message}"
        click.echo(f"policyengine: error: {name}:{exc.line}:{exc.column}: {message}", err=True)
        ctx.exit(2)


@click.command("evaluate")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.argument("dispute", required=False, metavar="[DISPUTE.json | -]")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="The decision date (default: the dispute's `as_of`, else today, in the "
                   "time zone of the dispute's business calendar when the policy has one).")
@click.option("--format", "fmt", type=click.Choice(["json", "text", "memo"]), default="json",
              show_default=True, help="Output format of a single decision.")
@click.option("--input", "input_path", type=click.Path(allow_dash=True), default=None,
              help="Batch: a JSON Lines file of disputes (one per line), or - for stdin.")
@click.option("--output", "output_path", type=click.Path(allow_dash=True), default=None,
              help="Batch: where to write one decision or error record per input line.")
@click.option("--jobs", type=click.IntRange(min=1, max=64), default=1, show_default=True,
              help="Batch: worker processes.")
@click.option("--progress/--no-progress", default=None,
              help="Batch: progress bar on stderr (default: when stderr is a terminal).")
@click.pass_context
def evaluate_command(ctx: click.Context, policy: str, dispute: str | None, as_of: _dt.date | None,
                     fmt: str, input_path: str | None, output_path: str | None, jobs: int,
                     progress: bool | None) -> None:
    """Decide a dispute (a JSON object of facts) with POLICY, or a batch with --input/--output.

    Exit 0 when decided, 1 when refused (a batch: when any line was refused), 2 for usage
    errors, unreadable files or a policy that does not load."""
    if input_path is not None or output_path is not None:
        if dispute is not None:
            raise click.UsageError("give either DISPUTE or --input/--output, not both")
        if input_path is None or output_path is None:
            raise click.UsageError("batch mode needs both --input and --output")
        from .batch import run_batch

        ctx.exit(run_batch(ctx, policy, input_path, output_path, as_of=as_of, jobs=jobs,
                           progress=progress))
    from ..core.errors import DisputeError

    loaded = load_or_exit(ctx, policy)
    data = _read_dispute(ctx, dispute if dispute is not None else "-")
    try:
        decision = evaluate_compiled(loaded.compiled, data, as_of=as_of)
    except DisputeError as exc:
        from ..render.decision_text import refusal_data, render_refusal

        if fmt == "json":
            click.echo(json.dumps(refusal_data(exc), indent=2, ensure_ascii=False))
        elif fmt == "memo":
            from ..render.memo import render_refusal_memo

            click.echo(render_refusal_memo(loaded, data, exc, as_of), nl=False)
        else:
            click.echo(render_refusal(exc), nl=False)
        ctx.exit(1)
    if fmt == "json":
        click.echo(decision.to_json(indent=2).decode("utf-8"))
    elif fmt == "memo":
        from ..render.memo import render_memo

        click.echo(render_memo(loaded, data, decision), nl=False)
    else:
        from ..render.decision_text import render_decision

        click.echo(render_decision(decision), nl=False)
    ctx.exit(0)


@click.group("schema")
def schema_command() -> None:
    """Print JSON Schemas: of one policy's disputes, or the bundled ones."""


@schema_command.command("dispute")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.pass_context
def schema_dispute(ctx: click.Context, policy: str) -> None:
    """The JSON Schema of POLICY's disputes, generated from its facts."""
    from ..model.dispute_schema import dispute_schema

    loaded = load_or_exit(ctx, policy)
    click.echo(json.dumps(dispute_schema(loaded), indent=2, ensure_ascii=False))


@schema_command.command("show")
@click.argument("name", type=click.Choice(["policy", "decision", "dispute", "diff", "policytest"]))
def schema_show(name: str) -> None:
    """A bundled schema: policy, decision, (generic) dispute, diff or policytest."""
    from ..load.schema import load_schema

    click.echo(json.dumps(load_schema(name), indent=2, ensure_ascii=False))
