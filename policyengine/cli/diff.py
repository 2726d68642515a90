"""policyengine diff OLD NEW: what changed between two versions, and which disputes it changes."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from typing import BinaryIO

import click

from .common import DATE, FiniteFloat, colour_option, use_colour


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True, help="Output format.")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="The day decisions are compared on and dates shown for (default: today).")
@click.option("--replay", "replay_path", type=click.Path(dir_okay=False, allow_dash=True),
              default=None, metavar="PAST.jsonl",
              help="Decide these past disputes (JSON Lines, - for stdin) under both versions.")
@click.option("--fail-on", type=click.Choice(["behavior", "outcome", "any", "none"]),
              default="behavior", show_default=True,
              help="Exit 1 when decisions change, dates included (behavior), when outcomes "
              "change, dates left out (outcome), on any change (any), or never.")
@click.option("--behavior/--no-behavior", "behavior", default=True,
              help="Search for disputes decided differently with the solver (default: on).")
@click.option("--timeout", type=FiniteFloat(min=0.01, max=86400), default=10.0, show_default=True,
              help="Seconds per solver query.")
@click.option("--budget", type=FiniteFloat(min=0.01, max=86400), default=60.0, show_default=True,
              help="Seconds for all solver queries.")
@click.option("--examples", type=click.IntRange(min=0, max=10000), default=5, show_default=True,
              help="Replay: how many changed disputes to show.")
@click.option("--progress/--no-progress", default=None,
              help="Replay: progress bar on stderr (default: when stderr is a terminal).")
@colour_option
@click.pass_context
def diff_command(ctx: click.Context, old: str, new: str, fmt: str, as_of: _dt.date | None,
                 replay_path: str | None, fail_on: str, behavior: bool, timeout: float,
                 budget: float, examples: int, progress: bool | None, colour: str) -> None:
    """Compare two versions of a rulebook: structural changes matched by id, the disputes decided
    differently (proven with the solver, each with an example), and a replay of past disputes.

    OLD and NEW are files, or REV:PATH read from git (as `git show REV:PATH`) when no such file
    exists. Exit 0 when no decision changes, 1 when some do (see --fail-on), 2 for usage errors
    and unreadable input."""
    from ..diff import diff_policies
    from ..diff.sources import SourceError
    from ..core.errors import PolicyError
    from ..render import diff_json, diff_markdown, diff_text
    from ..render import text as render_text

    stream = None
    bar = None
    try:
        if replay_path is not None:
            stream = _open_replay(ctx, replay_path)
            size = _size(stream)
            show = progress if progress is not None else (sys.stderr.isatty() and bool(size))
            if show:
                bar = click.progressbar(length=size or 0, file=sys.stderr, label="replaying",
                                        show_pos=False, show_percent=bool(size))
                bar.__enter__()
        try:
            result = diff_policies(old, new, as_of=as_of, replay=stream, behavior=behavior,
                                   timeout=timeout, budget=budget, examples=examples,
                                   progress=bar.update if bar is not None else None,
                                   replay_source="<stdin>" if replay_path == "-" else replay_path)
        except SourceError as exc:
            click.echo(f"policyengine: error: {exc}", err=True)
            ctx.exit(2)
        except PolicyError as exc:
            errors = [d for d in exc.diagnostics if d.is_error]
            where = errors[0].file if errors and errors[0].file else "a version"
            click.echo(f"policyengine: cannot load {where}:", err=True)
            click.echo(render_text.render(errors, files=1), err=True, nl=False)
            ctx.exit(2)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
        if stream is not None and stream is not sys.stdin.buffer:
            stream.close()
    if fmt == "json":
        click.echo(diff_json.render(result), nl=False)
    elif fmt == "markdown":
        click.echo(diff_markdown.render(result), nl=False)
    else:
        paint = use_colour(colour)
        click.echo(diff_text.render(result, colour=paint), nl=False, color=paint or None)
    ctx.exit(result.exit_code(fail_on))


def _open_replay(ctx: click.Context, path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as exc:
        click.echo(f"policyengine: error: cannot read {path}: {exc.strerror}", err=True)
        ctx.exit(2)


def _size(stream: BinaryIO) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        return None
