"""A policy diff as text for a terminal (colour only when asked), and the words the markdown
renderer shares: how a change, a value, an outcome and the verdict read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..diff.records import Change
from ..model.nodes import Policy
from ..model.reserved import RESERVED_KEYS

if TYPE_CHECKING:  # pragma: no cover
    from ..diff import PolicyDiff
    from ..diff.replay import ReplayResult

SYMBOLS = {"added": "+", "removed": "-", "changed": "~", "moved": ">"}
SECTIONS = (("policy", "Policy"), ("facts", "Facts"), ("ladder", "Ladder"), ("roles", "Roles"),
            ("actions", "Actions"), ("authority", "Authority"), ("categories", "Categories"),
            ("overrides", "Overrides"), ("remedies", "Remedies"), ("calendar", "Calendar"))


def value_text(value: Any, limit: int = 90) -> str:
    """A value as one short line: text in backticks, a band as ``when -> level``, an element by
    its title and condition."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return f"`{value}`"
    if isinstance(value, list):
        return ", ".join(value_text(v, limit) for v in value) if value else "none"
    if isinstance(value, dict):
        if "otherwise" in value:
            return f"otherwise -> `{value['otherwise']}`"
        if set(value) == {"when", "level"}:
            return f"`{value['when']}` -> `{value['level']}`"
        parts = []
        if value.get("title"):
            parts.append(f"\"{value['title']}\"")
        for key in ("when", "min_level", "action", "amount", "role", "type"):
            if value.get(key) is not None:
                parts.append(f"{key} `{value[key]}`")
        if parts:
            return ", ".join(parts)
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def change_text(c: Change) -> str:
    """What happened, without the path: ``10000 -> 25000``, ``added: ...``."""
    if c.kind == "added":
        text = f"added: {value_text(c.new)}"
    elif c.kind == "removed":
        text = f"removed (was {value_text(c.old)})"
    elif c.kind == "moved":
        if isinstance(c.old, int) and isinstance(c.new, int):
            text = f"moved from position {c.old + 1} to {c.new + 1}"
        else:
            text = f"reordered: {value_text(c.old)} -> {value_text(c.new)}"
    else:
        text = f"{value_text(c.old)} -> {value_text(c.new)}"
    extra = [x for x in (c.effect, c.note) if x]
    if extra:
        text += f" ({'; '.join(extra)})"
    return text


def outcome_text(outcome: dict[Any, Any]) -> str:
    """``pricing at regional, escalate; remedies: hold by regional_director``."""
    if outcome.get("refusal"):
        return f"refused: {outcome['refusal']}"
    text = f"{outcome['category']} at {outcome['level']}, {outcome['action']}"
    rems = outcome.get("remedies") or []
    if rems:
        parts = []
        for r in rems:
            who = r["authorized_by"] or "nobody (no authority)"
            amount = "" if r["amount"] is None else f" for {_number(r['amount'])}"
            parts.append(f"{r['id']}{amount} by {who}")
        text += "; remedies: " + ", ".join(parts)
    else:
        text += "; no remedies"
    return text


def dates_text(region: Any, side: str) -> str:
    """``; expires_on 2027-02-21`` for a dates region (the dates that move)."""
    if not region.dates:
        return ""
    values = region.dates[side]
    return "; " + ", ".join(f"{k} {v or 'none'}" for k, v in values.items())


def undeclared(policy: Policy, facts: dict[Any, Any]) -> list[str]:
    """Facts (and map fields) of a witness that ``policy`` does not declare: they are left out
    when deciding under it."""
    out = []
    for key, value in facts.items():
        if key in RESERVED_KEYS:
            continue
        decl = policy.fact(key)
        if decl is None:
            out.append(key)
        elif decl.type == "map" and isinstance(value, dict):
            out.extend(f"{key}.{k}" for k in value if decl.field_named(k) is None)
    return out


def projection_notes(diff: PolicyDiff, witness: dict[Any, Any]) -> list[str]:
    """``the old version is given the dispute without `channel` (it does not declare it)``."""
    out = []
    for label, p in (("old", diff.old), ("new", diff.new)):
        missing = undeclared(p, witness["facts"])
        if missing:
            names = ", ".join(f"`{m}`" for m in missing)
            out.append(f"the {label} version decides it without {names} (it does not declare "
                       f"{'it' if len(missing) == 1 else 'them'})")
    return out


def witness_text(witness: dict[Any, Any]) -> str:
    return json.dumps(witness["facts"], ensure_ascii=False, sort_keys=True)


def verdict_text(diff: PolicyDiff) -> str:
    """The one-line verdict of a diff."""
    v = diff.verdict
    day = diff.as_of.isoformat()
    n = len(diff.behavior.regions)
    if v == "identical":
        return "identical: the two versions mean the same (only layout or comments differ)"
    if v == "equivalent":
        text = (f"semantically equivalent: the text changed but no dispute is decided "
                f"differently on {day}")
        if diff.dates_change:
            text += " (only the dates noted above move)"
        return text
    if v == "different":
        text = f"decisions change: {n} region{'s' if n != 1 else ''} of disputes " \
               f"decided differently on {day}"
        dated = sum(1 for r in diff.behavior.regions if r.kind == "dates")
        invalid = sum(1 for r in diff.behavior.regions if r.kind == "validity")
        extra = []
        if invalid:
            extra.append(f"{invalid} refused as invalid by one version only")
        if dated:
            extra.append(f"{dated} only in {'its' if dated == 1 else 'their'} dates")
        if extra:
            text += f" ({', '.join(extra)})"
        if not diff.behavior.complete:
            text += " (the search did not finish: there may be more)"
        return text
    if v == "not-compared":
        return "behavior not compared: " + ("; ".join(diff.behavior.notes) or "see notes")
    if diff.replay is not None and diff.replay.changed:
        return "decisions change (seen in the replay); the solver could not prove more"
    return "unknown: no changed decision found, but the solver could not prove there is none"


def counts_text(diff: PolicyDiff) -> str:
    parts = [f"{len(diff.changes)} change{'s' if len(diff.changes) != 1 else ''}"]
    if diff.breaking:
        parts.append(f"{len(diff.breaking)} breaking for integrators")
    if diff.problems:
        parts.append(f"{len(diff.problems)} problem{'s' if len(diff.problems) != 1 else ''}")
    return ", ".join(parts)


def plural(n: int, one: str, many: str) -> str:
    """``1 line is``, ``2 lines are``."""
    return f"{n} {one if n == 1 else many}"


def percent(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "0%"


# -- the text report -------------------------------------------------------------------------
_COLOURS = {"added": "32", "removed": "31", "changed": "33", "moved": "36"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def render(diff: PolicyDiff, *, colour: bool = False) -> str:
    old, new = diff.old, diff.new
    out = [_paint(f"policy {old.meta.id}: {old.meta.version} -> {new.meta.version}", "1", colour),
           f"  old: {old.path or '<string>'}  {old.digest}",
           f"  new: {new.path or '<string>'}  {new.digest}",
           f"  compared on {diff.as_of.isoformat()}", ""]
    head = f"Changes: {counts_text(diff)}" if diff.changes else "Changes: none"
    out.append(_paint(head, "1", colour))
    for key, title in SECTIONS:
        items = [c for c in diff.changes if c.section == key]
        if not items:
            continue
        out.append(f"  {title}")
        for c in items:
            mark = SYMBOLS[c.kind]
            line = f"    {_paint(mark, _COLOURS[c.kind], colour)} {c.path}: {change_text(c)}"
            if c.breaking:
                line += "  " + _paint("[breaking]", "35", colour)
            out.append(line)
            if c.problem:
                out.append("      " + _paint(f"problem: {c.problem}", "1;31", colour))
            where = [str(s) for s in (c.old_span, c.new_span) if s is not None]
            if where:
                out.append(f"      at {' -> '.join(where)}")
    out.append("")
    regions = diff.behavior.regions
    out.append(_paint(f"Behavior: {verdict_text(diff)}", "1", colour))
    for i, b in enumerate(regions, 1):
        out.append(f"  {i}. {b.summary}")
        if not b.exact:
            out.append("     (the condition contains these disputes and some that do not "
                       "change this way)")
        out.append(f"     example: {witness_text(b.witness)} on {b.witness['as_of']}")
        for note in (projection_notes(diff, b.witness) if b.kind != "validity" else ()):
            out.append(f"       ({note})")
        out.append(f"       old: {outcome_text(b.old)}{dates_text(b, 'old')}")
        out.append(f"       new: {outcome_text(b.new)}{dates_text(b, 'new')}")
    for note in diff.behavior.notes:
        if diff.verdict != "not-compared":
            out.append(f"  note: {note}")
    if diff.replay is not None:
        out.append("")
        out.extend(_replay(diff.replay, colour))
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class ReplayNote:
    """``3 keep their outcome with other dates``: a count, its verb (one, many), the rest."""

    kind: str  # dates | refused | unreadable
    count: int
    one: str
    many: str
    rest: str


@dataclass(frozen=True)
class ReplaySummary:
    """What every report of a replay says, composed once (the text and Markdown renderers
    mark it up): the headline counts, the notes on the disputes that did not change, the
    counts by change and by category (most first), the first examples."""

    source: str
    total: int
    changed: int
    share: str  # "12.5%"
    notes: tuple[ReplayNote, ...]
    by_change: tuple[tuple[str, int], ...]
    by_category: tuple[tuple[str, int], ...]
    examples: tuple[tuple[int, str, str, str], ...]  # (line, as_of, change, dispute JSON)


def replay_summary(r: ReplayResult) -> ReplaySummary:
    from ..diff.replay import ordered

    notes = [ReplayNote("dates", r.dates_changed, "keeps its", "keep their",
                        "outcome with other dates"),
             ReplayNote("refused", r.refused_both, "is", "are",
                        "refused alike by both versions"),
             ReplayNote("unreadable", r.unreadable, "line is", "lines are", "unreadable")]
    return ReplaySummary(
        r.source, r.total, r.changed, percent(r.changed, r.total),
        tuple(n for n in notes if n.count), tuple(ordered(r.by_change)),
        tuple(ordered(r.by_category)),
        tuple((e.line, e.as_of, e.change, json.dumps(e.dispute, ensure_ascii=False,
                                                     sort_keys=True)) for e in r.examples))


def _replay_note(n: ReplayNote) -> str:
    if n.kind == "dates":  # a line of its own: it names its subject
        return f"  {plural(n.count, 'other ' + n.one, 'others ' + n.many)} {n.rest}"
    tail = " (not a JSON object)" if n.kind == "unreadable" else ""
    return f"  {plural(n.count, n.one, n.many)} {n.rest}{tail}"


def _replay(r: ReplayResult, colour: bool) -> list[str]:
    s = replay_summary(r)
    out = [_paint(f"Replay of {s.source}: {s.total} dispute{'s' if s.total != 1 else ''}, "
                  f"{s.changed} decided differently ({s.share})", "1", colour)]
    out += [_replay_note(n) for n in s.notes]
    if s.by_change:
        out.append("  by change:")
        out += [f"    {n:>6}  {change}" for change, n in s.by_change]
    if s.by_category:
        out.append("  by category (under the old version):")
        out += [f"    {n:>6}  {cat}" for cat, n in s.by_category]
    if s.examples:
        out.append("  first examples:")
        for line, as_of, change, dispute in s.examples:
            out.append(f"    line {line} ({as_of}): {change}")
            out.append(f"      {dispute}")
    return out
