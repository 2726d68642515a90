"""policyengine lint PATH..."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import sys
from typing import TYPE_CHECKING
from pathlib import Path

import click

from ..core.diagnostics import Diagnostic
from ..load import DEFAULT_MAX_BYTES
from .common import (DATE, MAX_BYTES_LIMIT, FiniteFloat, colour_option, split_codes,
                     use_colour)

if TYPE_CHECKING:  # pragma: no cover
    from ..lint import LintResult

FORMATS = ["text", "json", "sarif", "github", "junit"]


def _plain(exc: Exception) -> str:
    return str(exc).replace("`", "'")


def _fail(ctx: click.Context, message: str) -> None:
    click.echo(f"policyengine: error: {message}", err=True)
    ctx.exit(2)


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True,
              help="Output format: text, json, sarif (code scanning), github (workflow "
                   "annotations) or junit (CI test reports).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these codes, prefixes or rule names (comma-separated, e.g. PE3,PE401); "
                   "replaces the configured `select`.")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Skip these codes, prefixes or rule names (added to the configured `ignore`).")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Date for the date checks (default: today).")
@click.option("--max-bytes", type=click.IntRange(min=1, max=MAX_BYTES_LIMIT),
              default=DEFAULT_MAX_BYTES,
              show_default=True, help="Refuse files larger than this.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
              help="Configuration file (pyproject.toml or .policyengine.yaml; default: the "
                   "nearest one above the working directory).")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--only-rulebooks", is_flag=True,
              help="Skip named files that are not rulebooks (no top-level `policy:`, or a "
                   "*.test.yaml policy test), as folder search does; exit 0 if none is left "
                   "(for pre-commit, which passes every changed YAML file).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), default=None,
              help="Report only the findings this baseline does not record.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False),
              default=None, help="Record the current findings in this baseline file, and exit.")
@click.option("--solver-timeout", type=FiniteFloat(min=0, min_open=True, max=86400),
              default=None,
              metavar="SECONDS", help="Time limit of each logic (PE5xx) solver query [2].")
@click.option("--stdin-filename", "stdin_name", default=None, metavar="NAME",
              help="The name a rulebook read from standard input (PATH `-`) is reported "
                   "under [<stdin>].")
@colour_option
@click.pass_context
def lint_command(ctx: click.Context, paths: tuple[str, ...], fmt: str, output: str | None,
                 strict: bool, select: tuple[str, ...], ignore: tuple[str, ...],
                 as_of: _dt.date | None, max_bytes: int, config_path: str | None,
                 isolated: bool, only_rulebooks: bool, baseline_path: str | None,
                 write_baseline: str | None, solver_timeout: float | None,
                 stdin_name: str | None, colour: str) -> None:
    """Check rulebooks for mistakes: YAML hazards, schema, references, the ladder, authority,
    expressions, and the logic (gaps, dead rules, overlaps), proved with a solver. PATHS are
    files, folders searched for rulebooks (*.yaml, *.yml; policy tests *.test.yaml are
    skipped), or `-` for standard input. Exit 0 when clean (warnings allowed), 1 on errors
    (or warnings with --strict), 2 on usage errors or unreadable files."""
    from ..lint import STDIN_NAME, is_rulebook_file, lint_paths
    from ..lint.baseline import Baseline
    from ..lint.config import DEFAULT, ConfigError, load_config

    if only_rulebooks:
        paths = tuple(p for p in paths if p == "-" or Path(p).is_dir() or is_rulebook_file(p))
        if not paths:
            ctx.exit(0)

    try:
        config = DEFAULT if isolated else load_config(config_path)
    except ConfigError as exc:
        raise click.UsageError(_plain(exc)) from None
    try:
        config = config.with_options(select=split_codes(select), ignore=split_codes(ignore))
    except ConfigError as exc:
        raise click.BadParameter(_plain(exc).split(": ", 1)[-1],
                                 param_hint="--select/--ignore") from None
    if solver_timeout is not None:
        config = dataclasses.replace(config, solver_timeout=solver_timeout)
    stdin = None
    if "-" in paths:  # read once, one byte past the limit so that PE001 still reports it
        stream = getattr(sys.stdin, "buffer", None)  # None: no standard input at all
        stdin = stream.read(max_bytes + 1) if stream is not None else b""
    result = lint_paths(paths, as_of=as_of, max_bytes=max_bytes, config=config, stdin=stdin,
                        stdin_name=stdin_name or STDIN_NAME)
    if not result.files and not result.missing:
        return _fail(ctx, "no rulebooks found in " + ", ".join(paths))
    unreadable = bool(result.missing) or any(d.code == "PE011" for d in result.diagnostics)
    if write_baseline:
        try:
            Baseline.write(write_baseline, result.diagnostics)
        except ConfigError as exc:
            return _fail(ctx, str(exc))
        n = len(result.diagnostics)
        click.echo(f"policyengine: wrote {n} finding{'' if n == 1 else 's'} to the baseline "
                   f"{write_baseline}", err=True)
        ctx.exit(2 if unreadable else 0)
    diagnostics = result.diagnostics
    baselined = None
    baseline_path = baseline_path or (None if isolated else config.baseline)
    if baseline_path:
        try:
            baseline = Baseline.load(baseline_path)
        except ConfigError as exc:
            raise click.UsageError(_plain(exc)) from None
        diagnostics, baselined, stale = baseline.filter(diagnostics)
        click.echo(f"policyengine: {baselined} finding{'' if baselined == 1 else 's'} "
                   f"recorded in the baseline {baseline_path} not shown", err=True)
        if stale:
            click.echo(f"policyengine: {stale} baselined finding{'' if stale == 1 else 's'} no "
                       f"longer occur{'s' if stale == 1 else ''}: refresh the baseline with "
                       f"--write-baseline {baseline_path}", err=True)
    painted = use_colour(colour) and output is None
    report = _render(fmt, diagnostics, result, baselined, painted)
    if output is not None:
        from .output import OutputError, write_text

        try:
            write_text(output, report, inputs=tuple(result.files))
        except OutputError as exc:
            return _fail(ctx, exc.message)
    else:
        # color=: click.echo would strip the escapes whenever stdout is not a terminal, which
        # made `--color always` (e.g. piped into `less -R`) print no colour at all
        click.echo(report, nl=False, color=painted)
    if unreadable:
        ctx.exit(2)
    errors = sum(d.is_error for d in diagnostics)
    warnings = sum(d.severity.value == "warning" for d in diagnostics)
    ctx.exit(1 if errors or (strict and warnings) else 0)


def _render(fmt: str, diagnostics: list[Diagnostic], result: LintResult, baselined: int | None,
            colour: bool) -> str:
    if fmt == "json":
        import json

        from ..render import json as render_json

        data = render_json.to_data(diagnostics, files=len(result.files))
        if baselined is not None:
            data["summary"]["baselined"] = baselined
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        from ..render import sarif

        return sarif.render(diagnostics)
    if fmt == "github":
        from ..render import github

        return github.render(diagnostics)
    if fmt == "junit":
        from ..render import junit

        return junit.render(diagnostics, files=result.files)
    from ..render import text as render_text

    return render_text.render(diagnostics, sources=result.sources, files=len(result.files),
                              colour=colour)
