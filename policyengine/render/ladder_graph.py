"""The escalation ladder drawn: Graphviz dot, Mermaid, and inline SVG.

All three start from the networkx graph of ``policyengine.compile.ladder`` (nodes are level ids, an edge
``a -> b`` is ``a.next == b``). The SVG is laid out here, with no external tool: levels are placed
in layers by ``networkx.topological_generations`` (a valid ladder is one chain, so one level per
layer, entry at the top), each box sized to its wrapped text.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

import networkx as nx

from ..compile.ladder import escalation_path, ladder_graph
from ..model.nodes import Level, Policy


def level_lines(level: Level, entry: bool) -> list[str]:
    """What a box says about a level, one line each (plain text)."""
    lines = [f"role: {level.role}"]
    if level.respond_within is not None:
        lines.append(f"responds within {level.respond_within.words()}")
    lines.append(f"decides within {level.decide_within.words()}")
    if level.advisory:
        lines.append("advisory: recommends, does not decide")
    if entry:
        lines.append("disputes start here")
    return lines


def edge_label(level: Level) -> str:
    return f"if not decided within {level.decide_within.words()}"


def _ordered_levels(policy: Policy) -> list[Level]:
    """Ladder order (entry first), then any level off the path in file order."""
    path = escalation_path(policy.ladder)
    seen = {lv.id for lv in path}
    return path + [lv for lv in policy.ladder.levels if lv.id not in seen]


def _edges(policy: Policy) -> list[tuple[Level, Level]]:
    graph = ladder_graph(policy.ladder)
    by_id = {lv.id: lv for lv in policy.ladder.levels}
    return [(by_id[a], by_id[b]) for lv in _ordered_levels(policy)
            for a, b in graph.out_edges(lv.id)]


# -- Graphviz dot ---------------------------------------------------------------------------------
def _dot_str(text: str) -> str:
    from .escape import one_line

    text = "\n".join(one_line(part) for part in text.split("\n"))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(policy: Policy) -> str:
    """The ladder as a Graphviz ``digraph`` (``dot -Tsvg`` draws it)."""
    entry = policy.ladder.entry
    out = [f"// escalation ladder of {policy.meta.id} {policy.meta.version}",
           f"digraph {_dot_str(policy.meta.id)} {{",
           "  rankdir=TB;",
           '  node [shape=box, style="rounded", fontname="Helvetica"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for lv in _ordered_levels(policy):
        label = "\n".join([lv.title, *level_lines(lv, lv.id == entry)])
        attrs = [f"label={_dot_str(label)}"]
        if lv.advisory:
            attrs.append('style="rounded,dashed"')
        if lv.id == entry:
            attrs.append("penwidth=2")
        out.append(f"  {_dot_str(lv.id)} [{', '.join(attrs)}];")
    for a, b in _edges(policy):
        out.append(f"  {_dot_str(a.id)} -> {_dot_str(b.id)} [label={_dot_str(edge_label(a))}];")
    out.append("}")
    return "\n".join(out) + "\n"


# -- Mermaid ------------------------------------------------------------------------------------
def _mermaid_text(text: str) -> str:
    from .escape import mermaid

    return mermaid(text)


def _mermaid_ids(policy: Policy) -> dict[str, str]:
    ids = {}
    for i, lv in enumerate(_ordered_levels(policy), 1):
        safe = "".join(ch if ch.isalnum() else "_" for ch in lv.id)
        ids[lv.id] = f"L{i}_{safe}"
    return ids


def render_mermaid(policy: Policy) -> str:
    """The ladder as a Mermaid flowchart (GitHub, GitLab and mkdocs-material draw it)."""
    ids = _mermaid_ids(policy)
    entry = policy.ladder.entry
    out = ["flowchart TB"]
    advisory = []
    for lv in _ordered_levels(policy):
        parts = [f"<b>{_mermaid_text(lv.title)}</b>"]
        parts += [_mermaid_text(x) for x in level_lines(lv, lv.id == entry)]
        out.append(f'    {ids[lv.id]}["{"<br/>".join(parts)}"]')
        if lv.advisory:
            advisory.append(ids[lv.id])
    for a, b in _edges(policy):
        out.append(f'    {ids[a.id]} -->|"{_mermaid_text(edge_label(a))}"| {ids[b.id]}')
    out.append("    classDef entry stroke-width:3px")
    out.append(f"    class {ids[entry]} entry")
    if advisory:
        out.append("    classDef advisory stroke-dasharray:5 5")
        out.append(f"    class {','.join(advisory)} advisory")
    return "\n".join(out) + "\n"


# -- SVG -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Box:
    level: Level
    x: float
    y: float
    width: float
    height: float
    title: list[str]
    lines: list[str]


SVG_CSS = """
svg.ladder rect { fill: #eef3fb; stroke: #1f5fbf; stroke-width: 1.5; }
svg.ladder .entry rect { stroke-width: 3; }
svg.ladder .advisory rect { fill: #fff; stroke-dasharray: 6 4; }
svg.ladder .level-title { font: 600 17px system-ui, Arial, sans-serif; fill: #12315f; }
svg.ladder .level-line { font: 14px system-ui, Arial, sans-serif; fill: #3b4455; }
svg.ladder .edge { stroke: #5b6475; stroke-width: 1.5; }
svg.ladder .arrowhead { fill: #5b6475; }
svg.ladder .edge-label { font: italic 13px system-ui, Arial, sans-serif; fill: #5b6475; }
"""

_BOX_W, _TITLE_PX, _LINE_PX, _PAD, _GAP, _H_GAP, _MARGIN = 380, 21, 17, 12, 64, 40, 8
_TITLE_CHARS, _LINE_CHARS = 34, 48


def layout(policy: Policy) -> list[_Box]:
    """Boxes placed in layers from the ladder graph (entry on top)."""
    graph = ladder_graph(policy.ladder)
    by_id = {lv.id: lv for lv in policy.ladder.levels}
    entry = policy.ladder.entry
    if nx.is_directed_acyclic_graph(graph):
        layers = [sorted(g, key=lambda n: policy.ladder.levels.index(by_id[n]))
                  for g in nx.topological_generations(graph)]
    else:  # not a loadable policy; draw the levels in file order rather than fail
        layers = [[lv.id] for lv in policy.ladder.levels]
    boxes: list[_Box] = []
    y = float(_MARGIN)
    widest = max(len(layer) for layer in layers) if layers else 1
    total_w = widest * _BOX_W + (widest - 1) * _H_GAP
    for layer in layers:
        sized = []
        for node in layer:
            lv = by_id[node]
            title = textwrap.wrap(lv.title, _TITLE_CHARS) or [lv.id]
            lines = [w for line in level_lines(lv, lv.id == entry)
                     for w in (textwrap.wrap(line, _LINE_CHARS) or [""])]
            height = 2 * _PAD + len(title) * _TITLE_PX + len(lines) * _LINE_PX + 4
            sized.append((lv, title, lines, height))
        row_h = max(h for *_, h in sized)
        row_w = len(sized) * _BOX_W + (len(sized) - 1) * _H_GAP
        x = _MARGIN + (total_w - row_w) / 2
        for lv, title, lines, height in sized:
            boxes.append(_Box(lv, x, y, _BOX_W, height, title, lines))
            x += _BOX_W + _H_GAP
        y += row_h + _GAP
    return boxes


def render_svg(policy: Policy, *, standalone: bool = False) -> str:
    """The ladder as an ``<svg>`` element: inline in the HTML playbook (styled by its page), or
    ``standalone`` with its own style sheet (``policyengine graph --format svg``)."""
    boxes = layout(policy)
    at = {b.level.id: b for b in boxes}
    entry = policy.ladder.entry
    width = max((b.x + b.width for b in boxes), default=0) + _MARGIN
    for a, _ in _edges(policy):  # room for the edge labels, right of each arrow
        src = at[a.id]
        width = max(width, src.x + src.width / 2 + 10 + 7.2 * len(edge_label(a)) + _MARGIN)
    height = max((b.y + b.height for b in boxes), default=0) + _MARGIN
    esc = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="ladder" role="img" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
           f'aria-labelledby="ladder-title">',
           f'<title id="ladder-title">Escalation ladder of {esc(policy.meta.title)}</title>',
           *([f"<style>{SVG_CSS}</style>"] if standalone else []),
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
           'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
           'class="arrowhead"/></marker></defs>']
    for a, b in _edges(policy):
        src, dst = at[a.id], at[b.id]
        x1, y1 = src.x + src.width / 2, src.y + src.height
        x2, y2 = dst.x + dst.width / 2, dst.y - 2
        out.append(f'<line class="edge" x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" '
                   f'y2="{y2:.0f}" marker-end="url(#arrow)"/>')
        out.append(f'<text class="edge-label" x="{(x1 + x2) / 2 + 10:.0f}" '
                   f'y="{(y1 + y2) / 2 + 5:.0f}">{esc(edge_label(a))}</text>')
    for i, box in enumerate(boxes, 1):
        lv = box.level
        classes = ["level"] + (["advisory"] if lv.advisory else []) + \
            (["entry"] if lv.id == entry else [])
        out.append(f'<g class="{" ".join(classes)}" id="level-{esc(lv.id)}">')
        out.append(f'<rect x="{box.x:.0f}" y="{box.y:.0f}" width="{box.width:.0f}" '
                   f'height="{box.height:.0f}" rx="10" ry="10"/>')
        ty = box.y + _PAD + _TITLE_PX - 5
        for j, line in enumerate(box.title):
            prefix = f"{i}. " if j == 0 else ""
            out.append(f'<text class="level-title" x="{box.x + _PAD:.0f}" y="{ty:.0f}">'
                       f'{esc(prefix + line)}</text>')
            ty += _TITLE_PX
        ty += 2
        for line in box.lines:
            out.append(f'<text class="level-line" x="{box.x + _PAD:.0f}" y="{ty:.0f}">'
                       f'{esc(line)}</text>')
            ty += _LINE_PX
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
