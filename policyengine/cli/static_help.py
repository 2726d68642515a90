"""The help pages that ``entry.py`` serves without click, rendered through click itself.

Every help request of the command tree (``[COMMAND...] --help`` and ``-h``, and each group
that click answers with its help when it is given alone) is run through the click command
line (:func:`policyengine.cli.main.main`, in this process, its output captured) at every
terminal width click's help formatter can use: ``COLUMNS`` from 52 (the formatter's floor of
50 columns, +2) to the ``max_content_width`` (100, +0). What it wrote, where (standard output
or standard error) and its exit code are stored in ``_help_pages.py``, a module of literals.

    python -m policyengine.cli.static_help --write   # after changing a command's help
    python -m policyengine.cli.static_help --check   # exit 1 when the stored pages are stale

``tests/cli/test_static_help.py`` fails while the stored pages differ from a fresh rendering.
"""

from __future__ import annotations

import io
import os
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from .main import cli
from .main import main as click_main

#: the stored pages, beside this module
PAGES_FILE = Path(__file__).with_name("_help_pages.py")

#: the variables that could change what click writes, unset while rendering (the terminal's
#: width is set explicitly): gettext's languages and the shell completion switch
_UNSET = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "_POLICYENGINE_COMPLETE")

Key = tuple[str, ...]
#: key -> (descriptor, exit code, width index, compressed variants)
Pages = dict[Key, tuple[int, int, bytes, bytes]]


def help_requests() -> list[Key]:
    """Every argument list that click answers with a help page, from the command tree."""
    keys: list[Key] = []

    def walk(command: click.Command, path: Key, parent: click.Context | None) -> None:
        ctx = command.make_context(path[-1] if path else "policyengine", [], parent=parent,
                                   resilient_parsing=True)
        if ctx.terminal_width is not None or ctx.max_content_width != cli.context_settings[
                "max_content_width"]:
            raise ValueError(f"`{' '.join(path)}` sets its own help width: store its range")
        if ctx.auto_envvar_prefix is not None or ctx.default_map is not None:
            # defaults read from the environment or a configuration: no static page
            raise ValueError(f"`{' '.join(path)}` takes defaults from outside: no stored page")
        keys.extend(path + (name,) for name in command.get_help_option_names(ctx))
        if getattr(command, "no_args_is_help", False):
            keys.append(path)
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(sub, path + (name,), ctx)

    walk(cli, (), None)
    return keys


def column_range() -> tuple[int, int]:
    """The ``COLUMNS`` values that give each a different formatter width: below the first,
    click uses the first one's width (50), above the last the last one's."""
    return 52, int(cli.context_settings["max_content_width"])


@contextmanager
def _environment(settings: dict[str, str]) -> Iterator[None]:
    """``os.environ`` with ``_UNSET``, ``COLUMNS`` and ``LINES`` unset, then ``settings``."""
    saved = {name: os.environ.get(name) for name in (*_UNSET, "COLUMNS", "LINES", *settings)}
    try:
        for name in (*_UNSET, "COLUMNS", "LINES"):
            os.environ.pop(name, None)
        os.environ.update(settings)
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_click(args: Key, columns: int | None = None, environ: dict[str, str] | None = None
              ) -> tuple[str, str, int]:
    """What the click command line writes to standard output and standard error for
    ``args`` at ``COLUMNS=columns`` (or with the variables ``environ``), and its exit
    code."""
    settings = dict(environ or {})
    if columns is not None:
        settings.update(COLUMNS=str(columns), LINES="24")
    buffers = io.BytesIO(), io.BytesIO()
    out, err = (io.TextIOWrapper(b, encoding="utf-8") for b in buffers)
    saved = sys.stdout, sys.stderr
    code: object = None
    with _environment(settings):
        sys.stdout, sys.stderr = out, err
        try:
            click_main(list(args))
        except SystemExit as exc:
            code = exc.code
        finally:
            sys.stdout, sys.stderr = saved
    out.flush()
    err.flush()
    texts = [b.getvalue().decode("utf-8") for b in buffers]
    if not isinstance(code, int):
        raise ValueError(f"`{' '.join(args)}` did not exit with a code: {code!r}")
    return texts[0], texts[1], code


def render() -> Pages:
    """Every help request, at every width: what click writes, deduplicated and compressed."""
    low, high = column_range()
    pages: Pages = {}
    for key in help_requests():
        variants: list[str] = []
        index = bytearray()
        fd = code = None
        for columns in range(low, high + 1):
            out, err, status = run_click(key, columns)
            if bool(out) == bool(err):
                raise ValueError(f"`{' '.join(key)}` writes to both streams or neither")
            text, where = (out, 1) if out else (err, 2)
            if not text.isascii() or "\x1b" in text or "\0" in text:
                raise ValueError(f"`{' '.join(key)}`: the page must be plain ASCII text")
            if (fd, code) not in ((None, None), (where, status)):
                raise ValueError(f"`{' '.join(key)}` changes stream or exit code with width")
            fd, code = where, status
            if text not in variants:
                variants.append(text)
            index.append(variants.index(text))
        assert fd is not None and code is not None
        pages[key] = (fd, code, bytes(index), zlib.compress("\0".join(variants).encode(), 9))
    return pages


def source(pages: Pages) -> str:
    """``_help_pages.py``: the pages as literals (every value through ``repr``)."""
    lines = [
        '"""Generated by ``python -m policyengine.cli.static_help --write``: do not edit.',
        "",
        "The help pages ``entry.py`` writes without importing click: for each help request,",
        "the descriptor click writes it to, its exit code, the variant for each COLUMNS value",
        "from COLUMNS[0] to COLUMNS[1], and the variants (zlib, NUL-separated).\"\"\"",
        "",
        f"CLICK = {click_version_installed()!r}",
        f"COLUMNS = {column_range()!r}",
        "PAGES: dict[tuple[str, ...], tuple[int, int, bytes, bytes]] = {",
    ]
    for key, value in sorted(pages.items()):
        lines.append(f"    {key!r}: {value!r},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def click_version_installed() -> str:
    from importlib import metadata

    return metadata.version("click")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args not in (["--write"], ["--check"]):
        click.echo("usage: python -m policyengine.cli.static_help --write | --check", err=True)
        sys.exit(2)
    text = source(render())
    if args == ["--write"]:
        PAGES_FILE.write_text(text, encoding="utf-8")
        click.echo(f"wrote {PAGES_FILE}")
        return
    if PAGES_FILE.read_text(encoding="utf-8") != text:
        click.echo(f"{PAGES_FILE} is stale: run python -m policyengine.cli.static_help "
                   "--write", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
