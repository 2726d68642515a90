"""policyengine render POLICY --format md|html [-o FILE]: the partner playbook."""

from __future__ import annotations

import click

from .common import load_or_exit, write_output


@click.command("render")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md",
              show_default=True, help="Markdown (Mermaid ladder) or one self-contained HTML file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write to this file instead of stdout.")
@click.pass_context
def render_command(ctx: click.Context, policy: str, fmt: str, output: str | None) -> None:
    """Render POLICY as the partner playbook: categories and bands in plain words, the
    escalation ladder drawn, windows and the worst-case timeline, who may authorize what, the
    remedies with their sunsets and reviews, and the policy's version, dates and digest.

    Exit 0 when written, 2 when the policy does not load or the output cannot be written."""
    loaded = load_or_exit(ctx, policy)
    if fmt == "html":
        from ..render.playbook_html import render_playbook_html

        text = render_playbook_html(loaded)
    else:
        from ..render.playbook_md import render_playbook_md

        text = render_playbook_md(loaded)
    write_output(ctx, text, output, inputs=(policy,))
    ctx.exit(0)
