"""Shared option types and helpers for the commands."""

from __future__ import annotations

import datetime as _dt
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

import click

from ..core.calendar import parse_date

if TYPE_CHECKING:  # pragma: no cover
    from ..model.nodes import Policy


if TYPE_CHECKING:  # click 8.3+ makes ParamType generic (value, input type); 8.2 does not
    _ParamType = click.ParamType[_dt.date, Any]
else:
    _ParamType = click.ParamType


class DateType(_ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> _dt.date:
        if isinstance(value, _dt.date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            self.fail(str(exc).replace("`", "'"), param, ctx)


DATE = DateType()


class FiniteFloat(click.FloatRange):
    """A FloatRange that also refuses ``nan`` and ``inf`` (which compare false with every bound,
    so click's range check lets them through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> Any:
        number = super().convert(value, param, ctx)
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


#: The largest size bound --max-bytes accepts (1 GiB): beyond, a read could not be held anyway.
MAX_BYTES_LIMIT = 1 << 30


def use_colour(choice: str, stream: TextIO | None = None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


def split_codes(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


colour_option = click.option("--color", "--colour", "colour", default="auto", show_default=True,
                             type=click.Choice(["auto", "always", "never"]),
                             help="Colour the text output.")


def load_or_exit(ctx: click.Context, path: str) -> Policy:
    """Load a rulebook, or print its errors and exit 2 (a policy that does not load is
    unusable input)."""
    from ..core.errors import PolicyError
    from ..compile.pipeline import load_policy
    try:
        return load_policy(path)
    except PolicyError as exc:
        from ..render import text as render_text

        click.echo(f"policyengine: cannot load the policy {path}:", err=True)
        errors = [d for d in exc.diagnostics if d.is_error]
        click.echo(render_text.render(errors, files=1), err=True, nl=False)
        ctx.exit(2)


def write_output(ctx: click.Context, text: str, output: str | None,
                 inputs: tuple[str, ...] = ()) -> None:
    """Write to ``output`` or stdout (``cli/output.py``: atomic over a regular file, straight
    through to a device, never over an input); an unwritable output exits 2."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from .output import OutputError, write_text

    try:
        write_text(output, text, inputs=inputs)
    except OutputError as exc:
        click.echo(f"policyengine: error: {exc.message}", err=True)
        ctx.exit(2)
