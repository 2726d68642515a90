"""policyengine render POLICY --format md|html [-o FILE]: the partner playbook."""

from __future__ import annotations

import click


def load_or_exit(ctx: click.Context, path: str):
    """Load a rulebook, or print its errors and exit 2 (a policy that does not load is
    unusable input)."""
    from ..errors import PolicyError
    from ..pipeline import load_policy
    from ..render import text as render_text

    try:
        return load_policy(path)
    except PolicyError as exc:
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


@click.command("render")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md",
              show_default=True, help="Markdown (Mermaid ladder) or one self-contained HTML file.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write to this file instead of stdout.")
@click.pass_context
def render_command(ctx, policy, fmt, output):
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
    write_output(ctx, text, output)
    ctx.exit(0)
