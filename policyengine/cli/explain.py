"""policyengine explain CODE: what a diagnostic code finds, why it matters, and the fix."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.codes import Code, Refusal

_HERE = Path(__file__).resolve().parent.parent
# the wheel ships the pages in the package (_docs/); a checkout reads them from docs/
_DOC_DIRS = (_HERE / "_docs", _HERE.parent / "docs")


def _page(relative: str) -> str | None:
    for folder in _DOC_DIRS:
        page = folder / relative
        if page.is_file():
            return page.read_text(encoding="utf-8")
    return None


def doc_page(code: Code) -> str | None:
    return _page(f"rules/{code.code}-{code.name}.md")


def refusal_page(refusal: Refusal) -> str | None:
    return _page(f"refusals/{refusal.code}.md")


@click.command("explain")
@click.argument("code", required=False)
@click.pass_context
def explain_command(ctx: click.Context, code: str | None) -> None:
    """Explain a lint CODE (PE301 or its name, ladder-cycle) or a decision refusal code
    (invalid_facts, threshold_gap, ...); without CODE, list them all."""
    from ..core.codes import REFUSALS, REGISTRY, lookup, lookup_refusal

    if code is None:
        for c in REGISTRY.values():
            click.echo(f"{c.code}  {c.severity.value:<7}  {c.name:<28} {c.summary}")
        click.echo()
        click.echo("Decision refusal codes (a refused dispute's `code`):")
        for r in REFUSALS.values():
            click.echo(f"  {r.code:<20} {r.summary}")
        return
    refusal = lookup_refusal(code)
    if refusal is not None:
        _explain_refusal(refusal)
        return
    found = lookup(code)
    if found is None:
        from ..core.suggest import did_you_mean

        hint = (did_you_mean(code.upper(), list(REGISTRY))
                or did_you_mean(code.lower(), [c.name for c in REGISTRY.values()]
                                + list(REFUSALS)))
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


def _explain_refusal(refusal: Refusal) -> None:
    click.echo(f"{refusal.code}: decision refusal code: {refusal.summary}"
               + (f" (lint finds the policy's side of it: {refusal.related})"
                  if refusal.related else ""))
    page = refusal_page(refusal)
    if page:
        click.echo()
        click.echo(page.rstrip())
    click.echo()
    click.echo(f"Online: {refusal.help_uri}")
