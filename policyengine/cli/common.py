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
