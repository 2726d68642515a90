"""policyengine lint PATH..."""

from __future__ import annotations

import click

from ..load import DEFAULT_MAX_BYTES
from .common import DATE, colour_option, split_codes, use_colour


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these codes or prefixes (comma-separated, e.g. PE3,PE401).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these codes or prefixes.")
@click.option("--as-of", "as_of", type=DATE, default=None,
              help="Date for the date checks (default: today).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES,
              show_default=True, help="Refuse files larger than this.")
@colour_option
@click.pass_context
def lint_command(ctx, paths, fmt, strict, select, ignore, as_of, max_bytes, colour):
    """Check rulebooks for mistakes: YAML hazards, schema, references, the ladder, authority,
    expressions. PATHS are files, or folders searched for rulebooks (*.yaml, *.yml; policy
    tests *.test.yaml are skipped)."""
    from ..lint import lint_paths
    from ..render import json as render_json
    from ..render import text as render_text

    for code in split_codes(select) + split_codes(ignore):
        if not code.upper().startswith("PE"):
            raise click.BadParameter(f"{code!r} is not a code or prefix like PE301 or PE3",
                                     param_hint="--select/--ignore")
    result = lint_paths(paths, select=split_codes(select) or None,
                        ignore=split_codes(ignore) or None, as_of=as_of, max_bytes=max_bytes)
    for missing in result.missing:
        click.echo(f"policyengine: error: no such file or folder: {missing}", err=True)
    if not result.files and not result.missing:
        click.echo("policyengine: error: no rulebooks found in " + ", ".join(paths), err=True)
        ctx.exit(2)
    if fmt == "json":
        click.echo(render_json.render(result.diagnostics, files=len(result.files)), nl=False)
    else:
        click.echo(render_text.render(result.diagnostics, sources=result.sources,
                                      files=len(result.files), colour=use_colour(colour)),
                   nl=False)
    if result.missing or any(d.code == "PE011" for d in result.diagnostics):
        ctx.exit(2)
    if result.errors or (strict and result.warnings):
        ctx.exit(1)
    ctx.exit(0)
