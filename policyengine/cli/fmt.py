"""policyengine fmt PATH... [--check] [--diff]"""

from __future__ import annotations

import difflib
from pathlib import Path

import click

from ..load import DEFAULT_MAX_BYTES


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when a file is not formatted (for CI and pre-commit).")
@click.option("--diff", "show_diff", is_flag=True,
              help="Write nothing; print what would change as a unified diff.")
@click.option("--only-rulebooks", is_flag=True,
              help="Skip named files that are not rulebooks (no top-level `policy:`, or a "
                   "*.test.yaml policy test), as folder search does (for pre-commit).")
@click.pass_context
def fmt_command(ctx: click.Context, paths: tuple[str, ...], check: bool, show_diff: bool,
                only_rulebooks: bool) -> None:
    """Format rulebooks in place: canonical key order, short bands and authority rows in flow
    style, expressions in their canonical form, quotes only where YAML needs them; comments
    stay. The digest of every rulebook is checked to be unchanged. PATHS are files or folders
    (searched for rulebooks, as lint does). Exit 0 when done (or, with --check, when every file
    is formatted), 1 when --check finds a file to reformat, 2 when a file cannot be read or
    parsed."""
    from ..fmt import format_text
    from ..lint import collect_files, is_rulebook_file
    from ..render import text as render_text

    if only_rulebooks:
        paths = tuple(p for p in paths if Path(p).is_dir() or is_rulebook_file(p))
        if not paths:
            ctx.exit(0)
    files, missing = collect_files(paths)
    failed = False
    for m in missing:
        click.echo(f"policyengine: error: {m}: no such file or folder", err=True)
        failed = True
    if not files and not missing:
        click.echo("policyengine: error: no rulebooks found in " + ", ".join(paths), err=True)
        ctx.exit(2)
    write = not (check or show_diff)
    changed = unchanged = 0
    for path in files:
        try:
            with open(path, "rb") as fh:
                raw = fh.read(DEFAULT_MAX_BYTES + 1)
        except OSError as exc:
            click.echo(f"policyengine: error: cannot read {path}: {exc.strerror or exc}",
                       err=True)
            failed = True
            continue
        result = format_text(raw, path)
        if result.diagnostics:
            click.echo(f"policyengine: cannot format {path}:", err=True)
            click.echo(render_text.render(result.diagnostics, files=1), err=True, nl=False)
            failed = True
            continue
        if result.problem is not None:
            click.echo(f"policyengine: {path} left unchanged: {result.problem} (please report "
                       "this, with the file)", err=True)
            failed = True
            continue
        if not result.changed:
            unchanged += 1
            continue
        changed += 1
        if show_diff:
            click.echo("".join(difflib.unified_diff(
                result.source.splitlines(keepends=True), result.text.splitlines(keepends=True),
                fromfile=f"{path} (before)", tofile=f"{path} (formatted)")), nl=False)
        if write:
            try:
                with open(path, "w", encoding="utf-8", newline="\n") as fh:
                    fh.write(result.text)
            except OSError as exc:
                click.echo(f"policyengine: error: cannot write {path}: {exc.strerror or exc}",
                           err=True)
                failed = True
                continue
        elif check:
            click.echo(f"would reformat {path}", err=True)
    verb = "reformatted" if write else "would be reformatted"
    click.echo(f"policyengine: {_plural(changed, 'file')} {verb}, "
               f"{_plural(unchanged, 'file')} already formatted", err=True)
    if failed:
        ctx.exit(2)
    ctx.exit(1 if check and changed else 0)
