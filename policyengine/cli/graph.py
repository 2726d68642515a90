"""policyengine graph POLICY --format dot|mermaid|svg: the escalation ladder alone."""

from __future__ import annotations

import click

from .common import load_or_exit, write_output


@click.command("graph")
@click.argument("policy", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]),
              default="mermaid", show_default=True,
              help="Mermaid flowchart, Graphviz dot, or a standalone SVG.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write to this file instead of stdout.")
@click.pass_context
def graph_command(ctx: click.Context, policy: str, fmt: str, output: str | None) -> None:
    """Print the escalation ladder of POLICY: each level with its role and windows, and the
    escalation from each level to the next.

    Exit 0 when written, 2 when the policy does not load or the output cannot be written."""
    from ..render import ladder_graph

    loaded = load_or_exit(ctx, policy)
    if fmt == "dot":
        text = ladder_graph.render_dot(loaded)
    elif fmt == "svg":
        text = ladder_graph.render_svg(loaded, standalone=True)
    else:
        text = ladder_graph.render_mermaid(loaded)
    write_output(ctx, text, output, inputs=(policy,))
    ctx.exit(0)
