"""policyengine explain CODE: what a diagnostic code finds, why it matters, and the fix."""

from __future__ import annotations

from pathlib import Path

import click

_HERE = Path(__file__).resolve().parent.parent
_DOC_DIRS = (_HERE / "_docs" / "rules", _HERE.parent / "docs" / "rules")


def doc_page(code) -> str | None:
    for folder in _DOC_DIRS:
        page = folder / f"{code.code}-{code.name}.md"
        if page.is_file():
            return page.read_text(encoding="utf-8")
    return None


@click.command("explain")
@click.argument("code", required=False)
@click.pass_context
def explain_command(ctx, code):
    """Explain a diagnostic CODE (PE301 or its name, ladder-cycle); without CODE, list all."""
    from ..codes import REGISTRY, lookup

    if code is None:
        for c in REGISTRY.values():
            click.echo(f"{c.code}  {c.severity.value:<7}  {c.name:<28} {c.summary}")
        return
    found = lookup(code)
    if found is None:
        from ..suggest import did_you_mean

        hint = did_you_mean(code.upper(), list(REGISTRY)) or did_you_mean(
            code.lower(), [c.name for c in REGISTRY.values()])
        raise click.BadParameter(f"unknown code {code!r}" + (f"; {hint}" if hint else ""),
                                 param_hint="CODE")
    page = doc_page(found)
    click.echo(f"{found.code} ({found.name}), {found.severity.value} by default, area "
               f"{found.area}: {found.summary}")
    if page:
        click.echo()
        click.echo(page.rstrip())
    click.echo()
    click.echo(f"Online: {found.help_uri}")
