"""A policy diff as Markdown, for a pull request or the renewal memo: the verdict first, then
problems, breaking changes, every structural change, every region of disputes decided
differently with an example, and the replay."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ..diff import PolicyDiff
    from ..diff.replay import ReplayResult

from .diff_text import SECTIONS, SYMBOLS, change_text, counts_text, outcome_text, \
    plural, projection_notes, replay_summary, verdict_text

_KIND_WORDS = {"added": "added", "removed": "removed", "changed": "changed", "moved": "moved"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(diff: PolicyDiff) -> str:
    old, new = diff.old, diff.new
    out = [f"# Policy diff: `{old.meta.id}` {old.meta.version} → {new.meta.version}", ""]
    out.append(f"Compared on **{diff.as_of.isoformat()}**.")
    out.append("")
    out.append("| | Version | Source | Digest |")
    out.append("|---|---|---|---|")
    for label, p in (("Old", old), ("New", new)):
        out.append(f"| {label} | {p.meta.version} | `{_cell(p.path or '<string>')}` | "
                   f"`{p.digest[:19]}…` |")
    out.append("")
    out.append(f"**Verdict: {verdict_text(diff)}.**")
    out.append("")
    out.append(f"{counts_text(diff).capitalize() if diff.changes else 'No change'}.")
    if diff.problems:
        out += ["", "## Problems", ""]
        for c in diff.problems:
            out.append(f"- `{c.path}`: {c.problem}")
    if diff.breaking:
        out += ["", "## Breaking changes for integrators", "",
                "Disputes that the old version accepts and the new one refuses:", ""]
        for c in diff.breaking:
            out.append(f"- `{c.path}`: {_cell(change_text(c))}")
    if diff.changes:
        out += ["", "## What changed", ""]
        for key, title in SECTIONS:
            items = [c for c in diff.changes if c.section == key]
            if not items:
                continue
            out += [f"### {title}", "", "| | Element | Change | Where |", "|---|---|---|---|"]
            for c in items:
                where = " → ".join(f"`{s}`" for s in (c.old_span, c.new_span) if s is not None)
                flag = " **(breaking)**" if c.breaking else ""
                out.append(f"| {SYMBOLS[c.kind]} {_KIND_WORDS[c.kind]} | `{c.path}` | "
                           f"{_cell(change_text(c))}{flag} | {where} |")
            out.append("")
        if out[-1] == "":
            out.pop()
    out += ["", "## Decisions that change", ""]
    regions = diff.behavior.regions
    if not regions:
        out.append(verdict_text(diff).capitalize() + ".")
    for i, b in enumerate(regions, 1):
        out += [f"### {i}. {_cell(b.summary)}", ""]
        if b.escalated:
            out.append("These disputes are already escalated; the same disputes, not yet "
                       "escalated, are decided alike by both versions.")
            out.append("")
        if not b.exact:
            out.append("The condition contains these disputes, and also some that do not "
                       "change this way; the example is one that does.")
            out.append("")
        out.append(f"Example dispute, decided on {b.witness['as_of']}:")
        out += ["", "```json", json.dumps(b.witness["facts"], ensure_ascii=False,
                                          sort_keys=True), "```", ""]
        notes = projection_notes(diff, b.witness) if b.kind != "validity" else []
        if notes:
            out += [_cell("; ".join(notes)).capitalize() + ".", ""]
        out += [f"| | Old ({old.meta.version}) | New ({new.meta.version}) |", "|---|---|---|"]
        for label, key in (("Category", "category"), ("Level", "level"),
                           ("Action", "action")):
            a, z = b.old.get(key), b.new.get(key)
            out.append(f"| {label} | {_show(a, b.old)} | {_show(z, b.new)} |")
        out.append(f"| Remedies | {_cell(_remedies(b.old))} | {_cell(_remedies(b.new))} |")
        if b.dates:
            for key in b.dates["old"]:
                out.append(f"| {key} | {b.dates['old'][key] or 'none'} | "
                           f"{b.dates['new'][key] or 'none'} |")
        out.append("")
    for note in diff.behavior.notes:
        if diff.verdict != "not-compared":
            out.append(f"> Note: {note}")
            out.append("")
    if diff.replay is not None:
        out += _replay(diff.replay)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _show(value: object, outcome: dict[Any, Any]) -> str:
    if outcome.get("refusal"):
        return f"refused: `{outcome['refusal']}`"
    return f"`{value}`" if value is not None else "—"


def _remedies(outcome: dict[Any, Any]) -> str:
    if outcome.get("refusal"):
        return "—"
    text = outcome_text(outcome)
    text = text.split("; ", 1)[1] if "; " in text else text
    return text[len("remedies: "):] if text.startswith("remedies: ") else text


def _replay(r: ReplayResult) -> list[str]:
    s = replay_summary(r)
    out = ["## Replay of past disputes", "",
           f"`{_cell(s.source)}`: **{s.changed}** of {s.total} disputes are decided "
           f"differently ({s.share})."]
    if s.notes:
        out.append("Of the others, " + "; ".join(
            f"{plural(n.count, n.one, n.many)} {n.rest}" for n in s.notes) + ".")
    if s.by_change:
        out += ["", "| Change | Disputes |", "|---|---|"]
        out += [f"| {_cell(change)} | {n} |" for change, n in s.by_change]
    if s.by_category:
        out += ["", "| Category (old version) | Changed |", "|---|---|"]
        out += [f"| `{cat}` | {n} |" for cat, n in s.by_category]
    if s.examples:
        out += ["", "First examples:", ""]
        out += [f"- line {line} ({as_of}): {_cell(change)}: `{_cell(dispute)}`"
                for line, as_of, change, dispute in s.examples]
    out.append("")
    return out
