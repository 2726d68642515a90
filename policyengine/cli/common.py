"""Shared option types and helpers for the commands."""

from __future__ import annotations

import datetime as _dt
import os
import sys

import click

from ..calendar import parse_date


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, _dt.date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc).replace("`", "'"), param, ctx)


DATE = DateType()


def use_colour(choice: str, stream=None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


def split_codes(values: tuple[str, ...]) -> list[str]:
    out = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


colour_option = click.option("--color", "--colour", "colour", default="auto", show_default=True,
                             type=click.Choice(["auto", "always", "never"]),
                             help="Colour the text output.")


def load_or_exit(ctx: click.Context, path: str):
    """Load a rulebook, or print its errors and exit 2 (a policy that does not load is
    unusable input)."""
    from ..errors import PolicyError
    from ..pipeline import load_policy
    try:
        return load_policy(path)
    except PolicyError as exc:
        from ..render import text as render_text

        click.echo(f"policyengine: cannot load the policy {path}:", err=True)
        errors = [d for d in exc.diagnostics if d.is_error]
        click.echo(render_text.render(errors, files=1), err=True, nl=False)
        ctx.exit(2)


def write_output(ctx: click.Context, text: str, output: str | None) -> None:
    """Write to ``output`` (a file) or stdout; an unwritable file exits 2."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        click.echo(f"policyengine: error: cannot write {output}: {exc.strerror or exc}",
                   err=True)
        ctx.exit(2)
