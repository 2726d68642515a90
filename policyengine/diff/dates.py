"""Date regions: disputes both versions decide alike but with other dates.

A decision is the whole decision: ``respond_by``/``decide_by`` (the decision level's windows),
each granted remedy's ``expires_on``/``review_on`` (its ``sunset``/``review_every``) and the
dates and status of each remedy in force. With the outcome equal (category, level, action,
remedies), the dates on ``as_of`` depend only on the decision level and on which remedies are
granted, so every *date source* that moves is one region:

* a level both versions have whose dates on ``as_of`` differ: the disputes decided alike at
  that level;
* a remedy both versions have whose expiry or review date differs: the disputes decided alike
  that are granted it;
* a remedy whose ``sunset`` or ``review_every`` changed: the disputes listing it in
  ``remedies_in_force`` (its dates there count from ``granted_on``).

The dates are computed with the evaluator's own functions (``evaluate.level_dates`` and
``evaluate.remedy_dates``), so a calendar that changes them changes them here too. Each region
is found by the solver (or proven empty) and comes with a witness decided by both versions.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from typing import Any

import z3

from ..decide.evaluate import level_dates, remedy_dates
from ..model.nodes import Policy
from .comparison import differ
from .describe import Clause
from .encoding import region_condition
from .outcome import decide, outcome_of
from .space import project

_LEVEL_FIELDS: tuple[str, ...] = ("respond_by", "decide_by")
_REMEDY_FIELDS: tuple[str, ...] = ("expires_on", "review_on")
_IN_FORCE_FIELDS: tuple[str, ...] = ("expires_on", "review_on", "status")


#: the calendars a dispute's dates are counted in: (old version's ``regions`` key, new
#: version's key), ``None`` for a top-level calendar
Cell = tuple[str | None, str | None]


@dataclass(frozen=True)
class DateSource:
    """One thing whose dates move: ``kind`` ``level``, ``remedy`` or ``in_force``; ``id``;
    the dates under each version on ``as_of`` (``None`` where there is none); ``cells``, the
    calendars in which they move so (every calendar pair of ``calendar_cells`` when ``all``)."""

    kind: str
    id: str
    old: tuple[Any, ...]
    new: tuple[Any, ...]
    cells: tuple[Cell, ...] = ((None, None),)
    all: bool = True


def _safe(fn: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return tuple(fn(*args))
    except (OverflowError, ValueError):
        return (None, None)


def _same_by(old: Policy, new: Policy) -> bool:
    return bool(old.compiled.calendars.by == new.compiled.calendars.by)


def calendar_cells(old: Policy, new: Policy) -> list[Cell]:
    """The pairs of calendars a dispute can be counted in, one per version (RULEBOOK.md: the
    ``regions`` entry its ``by`` fact names, else the top level). With the same ``by`` fact a
    dispute picks the same key in both (a key one version lacks is its top level there);
    otherwise any pair may meet."""
    ko = list(old.compiled.region_plans)
    kn = list(new.compiled.region_plans)
    if _same_by(old, new):
        keys = ko + [k for k in kn if k not in ko]
        cells: list[Cell] = [(k if k in ko else None, k if k in kn else None) for k in keys]
        return cells + [(None, None)]
    return [(a, b) for a in [*ko, None] for b in [*kn, None]]


def cell_condition(space: Any, old: Policy, new: Policy, cell: Cell,
                   cells: list[Cell]) -> Any:
    """The disputes counted in ``cell``, as z3 (``encoding.region_condition`` of each version:
    the ``by`` fact equals the key, or is none of the keys for a top-level calendar)."""
    ctx = space.ctx
    if _same_by(old, new):
        keys = [o if o is not None else n for o, n in cells if (o, n) != (None, None)]
        if cell == (None, None):
            picks = [c for k in keys if (c := _key_condition(space, old, new, k)) is not None]
            return z3.Not(z3.Or(*picks)) if picks else z3.BoolVal(True, ctx)
        key = cell[0] if cell[0] is not None else cell[1]
        got = _key_condition(space, old, new, key)
        return got if got is not None else z3.BoolVal(False, ctx)
    parts = [region_condition(space, p, k) for p, k in ((old, cell[0]), (new, cell[1]))]
    if any(c is None for c in parts):
        return z3.BoolVal(False, ctx)
    return z3.And(*parts)


def _key_condition(space: Any, old: Policy, new: Policy, key: str | None) -> Any | None:
    got = region_condition(space, old, key)
    return got if got is not None else region_condition(space, new, key)


def date_sources(old: Policy, new: Policy, as_of: _dt.date) -> list[DateSource]:
    """The date sources that move on ``as_of``, each with the calendar cells it moves in: the
    dates of every cell are computed with the evaluator's functions in that cell's calendars,
    and cells whose dates move alike are one source."""
    co, cn = old.compiled, new.compiled
    cells = calendar_cells(old, new)
    plans = [(co.region_plans[a] if a is not None else co.plan,
              cn.region_plans[b] if b is not None else cn.plan) for a, b in cells]
    out: list[DateSource] = []

    def add(kind: str, sid: str, found: list[tuple[Cell, tuple[Any, ...], tuple[Any, ...]]]
            ) -> None:
        groups: dict[tuple[Any, ...], list[Cell]] = {}
        for cell, a, b in found:
            groups.setdefault((a, b), []).append(cell)
        for (a, b), where in groups.items():
            out.append(DateSource(kind, sid, a, b, tuple(where), len(where) == len(cells)))

    for lid, r_old in co.rank.items():
        if lid not in cn.rank:
            continue
        found = []
        for cell, (po, pn) in zip(cells, plans):
            a = _safe(level_dates, po, r_old, as_of)
            b = _safe(level_dates, pn, cn.rank[lid], as_of)
            if a != b:
                found.append((cell, a, b))
        add("level", lid, found)
    for rid, ra in co.remedies.items():
        rb = cn.remedies.get(rid)
        if rb is None:
            continue
        period = (ra.remedy.sunset, ra.remedy.review_every) != (rb.remedy.sunset,
                                                                rb.remedy.review_every)
        granted, in_force = [], []
        for cell, (po, pn) in zip(cells, plans):
            a, b = _safe(remedy_dates, po, rid, as_of), _safe(remedy_dates, pn, rid, as_of)
            if a != b:
                granted.append((cell, a, b))
            if period or a != b:  # granted on as_of, in force: its dates move too
                in_force.append((cell, a, b))
        add("remedy", rid, granted)
        add("in_force", rid, in_force)
    return out


def _cell_name(cell: Cell, same_by: bool) -> str:
    def one(k: str | None) -> str:
        return f"`{k}`" if k is not None else "top-level"

    if same_by:
        return one(cell[0] if cell[0] is not None else cell[1])
    return one(cell[0]) if cell[0] == cell[1] else f"old {one(cell[0])}/new {one(cell[1])}"


def calendar_label(src: DateSource, same_by: bool = True) -> str:
    """`` in the `EMEA` calendar``: where a source moves in some calendars only."""
    if src.all:
        return ""
    names = [_cell_name(c, same_by) for c in src.cells]
    return f" in the {', '.join(names)} calendar{'s' if len(names) > 1 else ''}"


def _moves(fields: tuple[Any, ...], a: tuple[Any, ...], b: tuple[Any, ...]) -> str:
    parts = []
    for name, x, y in zip(fields, a, b):
        if x == y:
            continue
        by = ""
        if isinstance(x, _dt.date) and isinstance(y, _dt.date):
            days = (y - x).days
            by = f" ({'+' if days > 0 else ''}{days} day{'s' if abs(days) != 1 else ''})"
        parts.append(f"{name} {x or 'none'} -> {y or 'none'}{by}")
    return ", ".join(parts)


def _dates_dict(fields: tuple[Any, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, _dt.date) else v)
            for k, v in zip(fields, values)}


class DateSearch:
    """Find the date regions of a running behavioural search (``semantic._Search``)."""

    def __init__(self, search: Any):
        self.s = search
        self.cmp = search.cmp

    def run(self) -> None:
        from .behavior import Behavior

        s = self.s
        sources = date_sources(s.old, s.new, s.as_of)
        if not sources:
            return
        a, b = s.a, s.b
        ctx = s.ctx
        same = z3.And(z3.Not(differ(a, b, ctx)), a.refusal == 0, b.refusal == 0)
        fresh = z3.Not(s.esc.on)
        names = s.names
        cells = calendar_cells(s.old, s.new)
        same_by = _same_by(s.old, s.new)
        conds = {c: cell_condition(s.space, s.old, s.new, c, cells) for c in cells}
        if len(cells) > 1:  # a calendar no valid dispute is counted in is left out
            conds = {c: w for c, w in conds.items() if not self.cmp.check(w).unsat}
        for src in sources:
            kept = tuple(c for c in src.cells if c in conds)
            if not kept:
                continue
            src = replace(src, cells=kept, all=src.all or len(kept) == len(conds))
            where = (z3.BoolVal(True, ctx) if src.all else
                     z3.Or(*[conds[c] for c in src.cells]))
            label = calendar_label(src, same_by)
            if src.kind == "level":
                cond = a.level == names.levels.index(src.id)
                subject = f"disputes decided alike at `{src.id}`{label}"
                fields = _LEVEL_FIELDS
            elif src.kind == "remedy":
                if src.id not in a.required or src.id not in b.required:
                    continue
                cond = z3.And(a.required[src.id], b.required[src.id])
                subject = f"disputes decided alike that are granted `{src.id}`{label}"
                fields = _REMEDY_FIELDS
            else:
                cond = z3.BoolVal(True, ctx)
                subject = f"disputes listing `{src.id}` in `remedies_in_force`{label}"
                fields = _IN_FORCE_FIELDS
            region = z3.And(same, cond) if src.kind != "in_force" else z3.And(
                a.refusal == 0, b.refusal == 0)
            if not src.all:
                region = z3.And(region, where)
            scope = fresh
            out = self.cmp.check(region, fresh)
            if out.unsat:  # a level only escalated disputes reach (by a deadline)
                scope = z3.BoolVal(True, ctx)
                out = self.cmp.check(region)
            if out.unknown:
                s.report.complete = False
                s.report.notes.append(f"the solver could not finish the dates of "
                                      f"{src.kind.replace('_', ' ')} `{src.id}` ({out.reason})")
                continue
            if not out.sat:
                continue  # proven: no dispute decided alike reaches this source
            found = self.witness(src, z3.And(region, scope), out.model)
            if found is None:
                s.report.complete = False
                s.report.notes.append(f"dates of {src.kind.replace('_', ' ')} `{src.id}` move, "
                                      "but no example was reproduced by the evaluator")
                continue
            witness, o_old, o_new, d_old, d_new = found
            change = _moves(fields, d_old, d_new)
            if src.kind == "remedy":
                change = f"remedy {src.id}: {change}"
            elif src.kind == "in_force":
                granted = witness["facts"]["remedies_in_force"][0]["granted_on"]
                change = f"remedy {src.id} in force (granted {granted}): {change}"
            condition = ""
            exact = True
            if src.kind != "in_force":
                clauses = s.describer.clauses(region, s.reads, out.model)
                hidden = [Clause("", scope)] + ([] if src.all else [Clause("", where)])
                exact = bool(s.describer.exact(region, clauses + hidden))
                condition = " and ".join(c.text for c in clauses if c.text and
                                         c.kind != "escalation")
            text = subject + (f" with {condition}" if condition else "")
            if not exact:
                text += " (in part)"
            s.report.regions.append(Behavior(
                f"{text}: {change}", subject, condition, exact, change, witness,
                o_old.to_dict(), o_new.to_dict(), False, change, kind="dates",
                dates={"old": _dates_dict(fields, d_old), "new": _dates_dict(fields, d_new)},
                formula=region if src.kind != "in_force" else None))

    def witness(self, src: DateSource, region: Any, model: Any) -> tuple[Any, ...] | None:
        """A dispute of the region whose dates, decided by the evaluator under both versions,
        move as ``src`` says (with outcomes equal for levels and granted remedies)."""
        s = self.s
        avoid: dict[str, list[Any]] = {}
        model = s.canonical(region, model)
        for _ in range(3):
            pairs = s.ground_pairs(model)
            keep = z3.substitute(region, *pairs) if pairs else region
            w = s.space.witness(model, s.as_of, keep=[keep], avoid=avoid)
            dispute = s.dispute(w["facts"], model)
            for granted in self._granted_days(src):
                if src.kind == "in_force":
                    dispute["remedies_in_force"] = [{"id": src.id,
                                                     "granted_on": granted.isoformat()}]
                o_old, dec_old = decide(s.old, project(s.old, dispute), s.as_of)
                o_new, dec_new = decide(s.new, project(s.new, dispute), s.as_of)
                if dec_old is None or dec_new is None:
                    break
                got = _dates_for(src, dec_old), _dates_for(src, dec_new)
                if got[0] is None or got[1] is None or got[0] == got[1]:
                    continue
                if src.kind != "in_force" and outcome_of(dec_old) != outcome_of(dec_new):
                    break
                return ({"facts": dispute, "as_of": s.as_of.isoformat()}, o_old, o_new,
                        got[0], got[1])
            for path, fv in s.space.facts.items():
                if fv.kind in ("int", "double"):
                    from .behavior import lookup as _lookup

                    avoid.setdefault(path, []).append(_lookup(w["facts"], path))
        return None

    def _granted_days(self, src: DateSource) -> list[_dt.date]:
        if src.kind != "in_force":
            return [self.s.as_of]
        # business days count differently from each weekday: try the days of a week back
        return [self.s.as_of - _dt.timedelta(days=k) for k in range(8)
                if self.s.as_of - _dt.timedelta(days=k) >= _dt.date.min]


def _dates_for(src: DateSource, decision: Any) -> tuple[Any, ...] | None:
    if src.kind == "level":
        return (decision.respond_by, decision.decide_by)
    if src.kind == "remedy":
        for r in decision.remedies:
            if r.id == src.id:
                return (r.expires_on, r.review_on)
        return None
    for r in decision.remedies_in_force:
        if r.id == src.id:
            return (r.expires_on, r.review_on, r.status)
    return None


def region_reproduces(old: Policy, new: Policy, region: Any) -> bool:
    """Whether the evaluator, deciding a region's witness under both versions, shows what the
    region claims: an outcome that changes (``outcome``), the same outcome with the region's
    dates moving (``dates``), or a dispute one version accepts and the other refuses as
    invalid (``validity``; the dispute as sent, not projected)."""
    w = region.witness
    day = _dt.date.fromisoformat(w["as_of"])
    facts = w["facts"]
    if region.kind == "validity":
        o_old, _ = decide(old, facts, day)
        o_new, _ = decide(new, facts, day)
        refused = [o.refusal == "invalid_facts" for o in (o_old, o_new)]
        return refused.count(True) == 1 and (o_old.to_dict(), o_new.to_dict()) == (
            region.old, region.new)
    o_old, d_old = decide(old, project(old, facts), day)
    o_new, d_new = decide(new, project(new, facts), day)
    if (o_old.to_dict(), o_new.to_dict()) != (region.old, region.new):
        return False
    if region.kind == "outcome":
        return bool(o_old != o_new)
    if d_old is None or d_new is None or not region.dates:
        return False
    for side, decision in (("old", d_old), ("new", d_new)):
        shown = _all_dates(decision)
        for key, value in region.dates[side].items():
            if value not in shown.get(key, ()):
                return False
    return bool(region.dates["old"] != region.dates["new"])


def _all_dates(decision: Any) -> dict[str, set[Any]]:
    out: dict[str, set[Any]] = {"respond_by": set(), "decide_by": set(), "expires_on": set(),
                           "review_on": set(), "status": set()}

    def iso(d: Any) -> Any:
        return d.isoformat() if isinstance(d, _dt.date) else d

    out["respond_by"].add(iso(decision.respond_by))
    out["decide_by"].add(iso(decision.decide_by))
    for r in (*decision.remedies, *decision.remedies_in_force):
        out["expires_on"].add(iso(r.expires_on))
        out["review_on"].add(iso(r.review_on))
    for r in decision.remedies_in_force:
        out["status"].add(r.status)
    return out
