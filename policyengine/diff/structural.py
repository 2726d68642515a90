"""Structural changes between two policy versions, matched by id (bands: see ``match.py``).

``structural_changes(old, new, as_of=...)`` returns Added / Removed / Changed / Moved records
(``records.py``) in rulebook order: policy, facts, ladder, roles, actions, authority,
categories, overrides, remedies. Expressions compare by their canonical form, so a respaced or
re-quoted expression is not a change. Date-dependent changes (windows, sunsets, reviews, the
term) carry a note with the dates they produce on ``as_of``.

Whether a moved category or band changes outcomes under FIRST needs the solver: pass
``overlap(old_conditions, new_conditions)``, which says whether the conditions (``Expression``
tuples, None for ``true``) of either version can all hold together (None: unknown); without it
such moves are reported as ``reorders``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Sequence, TypedDict, TypeVar

from ..core.calendar import Duration
from ..compile.policy import canonical_form, limit_order
from ..core.diagnostics import Span
from ..model.nodes import Band, Category, Expression, Grant, Level, Metadata, Policy
from .compat import fact_changes
from .match import Pair, moved_ids, pair_bands, pair_by_id
from .records import Added, Change, Changed, Moved, Removed
from .version import bump_kind, version_problem

Overlap = Callable[[tuple[Any, ...], tuple[Any, ...]], "bool | None"]
T = TypeVar("T")
#: how a move is judged: ``(effect, note)`` of one pair
Verdict = Callable[[Pair[Any]], tuple[str, "str | None"]]


class Spans(TypedDict):
    """Where a change is, in each version (the keyword arguments of a change record)."""

    old_span: Span | None
    new_span: Span | None


def _num(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _expr(e: Expression | None) -> str | None:
    return None if e is None else e.text


def _same_expr(a: Expression | None, b: Expression | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None
                                         and a.canonical == b.canonical)


def _dur(d: Duration | None) -> str | None:
    return None if d is None else str(d)


def duration_effect(a: Duration | None, b: Duration | None, longer: str = "longer",
                    shorter: str = "shorter") -> str | None:
    """Which way a duration moved; None when it depends on the weekday (5bd against 7d)."""
    if a is None or b is None:
        return longer if a is not None and b is None and longer == "extended" else None
    if b.min_days >= a.max_days and (b.min_days > a.min_days or b.max_days > a.max_days):
        return longer
    if b.max_days <= a.min_days and (b.max_days < a.max_days or b.min_days < a.min_days):
        return shorter
    if (a.unit == b.unit) or (a.unit != "bd" and b.unit != "bd"):
        da, db = a.min_days, b.min_days
        return longer if db > da else shorter if db < da else None
    return None


def _date(d: Duration | None, start: _dt.date) -> str:
    if d is None:
        return "none"
    try:
        return d.add_to(start).isoformat()
    except ValueError:
        return "beyond the calendar"


class _Differ:
    def __init__(self, old: Policy, new: Policy, as_of: _dt.date, overlap: Overlap | None):
        self.old, self.new, self.as_of, self.overlap = old, new, as_of, overlap
        self.cold, self.cnew = canonical_form(old), canonical_form(new)
        self.out: list[Change] = []

    # -- helpers ---------------------------------------------------------------------------
    def spans(self, a_node: Any, b_node: Any, *keys: Any) -> Spans:
        def span(policy: Policy, node: Any) -> Span | None:
            if node is None:
                return None
            path = getattr(node, "path", None)
            if keys and path is not None and policy.sourcemap is not None:
                return policy.span_at(*path, *keys)
            found: Span | None = getattr(node, "span", None)
            return found
        return {"old_span": span(self.old, a_node), "new_span": span(self.new, b_node)}

    def field(self, path: str, a_node: Any, b_node: Any, key: str, x: Any, y: Any,
              **kw: Any) -> None:
        if x != y:
            self.out.append(Changed(f"{path}.{key}", x, y, **kw,
                                    **self.spans(a_node, b_node, key)))

    def expr_field(self, path: str, a_node: Any, b_node: Any, key: str, x: Expression | None,
                   y: Expression | None) -> None:
        if _same_expr(x, y):
            return
        note = None
        if x is None:
            note = "a condition was added" if key == "when" else None
        elif y is None:
            note = "the condition was removed: it now always applies" if key == "when" else None
        spans = self.spans(a_node, b_node, key)
        self.out.append(Changed(f"{path}.{key}", _expr(x), _expr(y), note=note,
                                old_span=x.span if x is not None and x.span else spans["old_span"],
                                new_span=y.span if y is not None and y.span else spans["new_span"]))

    def duration(self, path: str, a_node: Any, b_node: Any, key: str, what: str,
                 longer: str = "longer", shorter: str = "shorter") -> None:
        x, y = getattr(a_node, key), getattr(b_node, key)
        if x == y:
            return
        effect = duration_effect(x, y, longer, shorter)
        if x is None:
            effect = "added"
        elif y is None:
            effect = "removed"
        note = what.format(day=self.as_of.isoformat()) + \
            f" {_date(x, self.as_of)} -> {_date(y, self.as_of)}"
        self.out.append(Changed(f"{path}.{key}", _dur(x), _dur(y),
                                effect if effect not in ("added", "removed") else None, note,
                                **self.spans(a_node, b_node, key)))

    def moves(self, section: str, pairs: Sequence[Pair[Any]], what: Verdict | None) -> None:
        moved = moved_ids(pairs)
        for p in pairs:
            if p.key not in moved:
                continue
            effect, note = "cosmetic", None
            if what is not None:
                effect, note = what(p)
            self.out.append(Moved(f"{section}.{p.key}", p.old_index, p.new_index, effect, note,
                                  **self.spans(p.old, p.new)))

    # -- sections --------------------------------------------------------------------------
    def run(self) -> list[Change]:
        self.metadata()
        self.out.extend(fact_changes(self.old.facts, self.new.facts))
        self.ladder()
        self.roles()
        self.actions()
        self.authority()
        self.categories()
        self.overrides()
        self.remedies()
        self.calendar()
        self.version()
        return self.out

    def metadata(self) -> None:
        a, b = self.old.meta, self.new.meta

        def sa(k: str) -> Span | None:
            return self.old.span_at("policy", k)

        def sb(k: str) -> Span | None:
            return self.new.span_at("policy", k)
        if a.id != b.id:
            self.out.append(Changed("policy.id", a.id, b.id, problem="a different policy id: "
                                    "are these two versions of the same rulebook?",
                                    old_span=sa("id"), new_span=sb("id")))
        for key in ("title", "description"):
            if getattr(a, key) != getattr(b, key):
                self.out.append(Changed(f"policy.{key}", getattr(a, key), getattr(b, key),
                                        old_span=sa(key), new_span=sb(key)))
        if a.owners != b.owners:
            self.out.append(Changed("policy.owners", list(a.owners), list(b.owners),
                                    old_span=sa("owners"), new_span=sb("owners")))
        day = self.as_of

        def in_force(m: Metadata) -> bool:
            return m.effective <= day and (m.expires is None or day <= m.expires)

        state = {(True, True): "both versions are in force",
                 (True, False): "the old version is in force, the new one is not",
                 (False, True): "the new version is in force, the old one is not",
                 (False, False): "neither version is in force"}[(in_force(a), in_force(b))]
        if a.effective != b.effective:
            effect = "later" if b.effective > a.effective else "earlier"
            days = abs((b.effective - a.effective).days)
            self.out.append(Changed("policy.effective", a.effective.isoformat(),
                                    b.effective.isoformat(), effect,
                                    f"by {days} day(s); on {day}: {state}",
                                    old_span=sa("effective"), new_span=sb("effective")))
        if a.expires != b.expires:
            if a.expires is None or b.expires is None:
                effect = "extended" if b.expires is None else "shortened"
                how = "no longer expires" if b.expires is None else "now expires"
            else:
                effect = "extended" if b.expires > a.expires else "shortened"
                how = f"by {abs((b.expires - a.expires).days)} day(s)"
            self.out.append(Changed("policy.expires", a.expires and a.expires.isoformat(),
                                    b.expires and b.expires.isoformat(), effect,
                                    f"{how}; on {day}: {state}",
                                    old_span=sa("expires"), new_span=sb("expires")))

    def calendar(self) -> None:
        """``calendar:`` as written (keys, regions), then the days each calendar counts out
        over both terms: a new holidays release that moves a holiday shows here too."""
        from ..compile.policy import calendar_form

        a, b = self.old.calendar, self.new.calendar
        if a is None and b is None:
            return
        def sa(*k: str) -> Any:
            return self.old.span_at("calendar", *k)

        def sb(*k: str) -> Any:
            return self.new.span_at("calendar", *k)

        fa = calendar_form(a) if a is not None else None
        fb = calendar_form(b) if b is not None else None
        if fa is None or fb is None:
            kind = Added if fa is None else Removed
            self.out.append(kind("calendar", fa, fb, note="business days are now counted "
                                 "Monday to Friday" if fb is None else None,
                                 old_span=sa(), new_span=sb()))
        else:
            for key in ("timezone", "holidays", "closed", "weekend", "roll", "by"):
                if fa.get(key) != fb.get(key):
                    self.out.append(Changed(f"calendar.{key}", fa.get(key), fb.get(key),
                                            old_span=sa(key), new_span=sb(key)))
            ra, rb = fa.get("regions", {}), fb.get("regions", {})
            for key in sorted(set(ra) | set(rb)):
                path = f"calendar.regions.{key}"
                if key not in ra:
                    self.out.append(Added(path, None, rb[key], new_span=sb("regions", key)))
                elif key not in rb:
                    self.out.append(Removed(path, ra[key], None, old_span=sa("regions", key)))
                else:
                    for f in ("timezone", "holidays", "closed", "weekend", "roll"):
                        if ra[key].get(f) != rb[key].get(f):
                            self.out.append(Changed(
                                f"{path}.{f}", ra[key].get(f), rb[key].get(f),
                                old_span=sa("regions", key, f), new_span=sb("regions", key, f)))
        self.out.extend(calendar_day_changes(self.old, self.new, old_span=sa(), new_span=sb()))

    def version(self) -> None:
        a, b = self.old.meta.version, self.new.meta.version
        spans: Spans = {"old_span": self.old.span_at("policy", "version"),
                        "new_span": self.new.span_at("policy", "version")}
        if a != b:
            kind = bump_kind(a, b)
            problem = version_problem(a, b)
            effect = "raised" if problem is None else None
            self.out.insert(0, Changed("policy.version", a, b, effect,
                                       f"a {kind} release" if kind else None,
                                       problem=problem, **spans))
        elif any(not (c.path.startswith("calendar") and c.path.endswith(".days"))
                 for c in self.out):  # not for new holidays data alone: the text is the same
            self.out.insert(0, Changed("policy.version", a, b, None, None, problem=(
                f"the version must increase: the rulebook changed but the version is still "
                f"`{b}`"), **spans))

    def ladder(self) -> None:
        a, b = self.old.ladder, self.new.ladder
        if a.entry != b.entry:
            self.out.append(Changed("ladder.entry", a.entry, b.entry,
                                    note="new disputes start at another level",
                                    old_span=self.old.span_at("ladder", "entry"),
                                    new_span=self.new.span_at("ladder", "entry")))
        if a.max_resolution != b.max_resolution:
            self.out.append(Changed("ladder.max_resolution", _dur(a.max_resolution),
                                    _dur(b.max_resolution),
                                    duration_effect(a.max_resolution, b.max_resolution),
                                    old_span=self.old.span_at("ladder", "max_resolution"),
                                    new_span=self.new.span_at("ladder", "max_resolution")))
        levels = {lv["id"]: lv for lv in self.cold["ladder"]["levels"]}
        nlevels = {lv["id"]: lv for lv in self.cnew["ladder"]["levels"]}
        pairs = pair_by_id(a.levels, b.levels)
        for p in pairs:
            x, y = p.old, p.new
            if x is None:
                assert y is not None  # a pair has at least one side
                self.out.append(Added(f"ladder.levels.{y.id}", None, nlevels[y.id],
                                      new_span=y.span))
                continue
            if y is None:
                self.out.append(Removed(f"ladder.levels.{x.id}", levels[x.id], None,
                                        note="disputes escalated to it are refused",
                                        breaking=True, old_span=x.span))
                continue
            path = f"ladder.levels.{x.id}"
            for key in ("title", "role", "next", "advisory", "description"):
                self.field(path, x, y, key, getattr(x, key), getattr(y, key))
            self.duration(path, x, y, "respond_within", "on {day}: respond by")
            self.duration(path, x, y, "decide_within", "on {day}: decide by")
        self.moves("ladder.levels", pairs, lambda p: ("cosmetic", "the ladder's order comes "
                                                       "from `next`, not from the list"))

    def roles(self) -> None:
        def roles_of(p: Policy) -> dict[str, Level | Grant]:
            out: dict[str, Level | Grant] = {lv.role: lv for lv in p.ladder.levels}
            for g in p.authority:
                out.setdefault(g.role, g)
            return out

        a, b = roles_of(self.old), roles_of(self.new)
        for role in list(a) + [r for r in b if r not in a]:
            if role not in b:
                self.out.append(Removed(f"roles.{role}", role, None, old_span=a[role].span))
            elif role not in a:
                self.out.append(Added(f"roles.{role}", None, role, new_span=b[role].span))

    def actions(self) -> None:
        acts = self.cold["actions"]
        nacts = self.cnew["actions"]
        for p in pair_by_id(self.old.actions, self.new.actions):
            x, y = p.old, p.new
            if x is None:
                assert y is not None  # a pair has at least one side
                self.out.append(Added(f"actions.{y.id}", None, nacts[y.id], new_span=y.span))
            elif y is None:
                self.out.append(Removed(f"actions.{x.id}", acts[x.id], None, old_span=x.span))
            else:
                for key in ("title", "unit", "description"):
                    if getattr(x, key) != getattr(y, key):
                        self.out.append(Changed(f"actions.{x.id}.{key}", getattr(x, key),
                                                getattr(y, key), old_span=x.span,
                                                new_span=y.span))

    def authority(self) -> None:
        a = {(g.role, g.action): g for g in self.old.authority}
        b = {(g.role, g.action): g for g in self.new.authority}
        keys = sorted(set(a) | set(b))
        for key in keys:
            x, y = a.get(key), b.get(key)
            lx = x.limit if x is not None else False
            ly = y.limit if y is not None else False
            if _rank(lx) == _rank(ly):
                continue
            role, action = key
            widened = _rank(ly) > _rank(lx)
            effect = "widened" if widened else "narrowed"
            if not isinstance(lx, bool) and not isinstance(ly, bool):
                note = f"by {_num(abs(ly - lx))}"
            else:
                note = f"`{role}` may now authorize `{action}` {_limit_words(ly)}"
            self.out.append(Changed(f"authority.{role}.{action}", _num(lx), _num(ly), effect,
                                    note, old_span=x.span if x else None,
                                    new_span=y.span if y else None))

    def categories(self) -> None:
        cats = {c["id"]: c for c in self.cold["categories"]}
        ncats = {c["id"]: c for c in self.cnew["categories"]}
        pairs = pair_by_id(self.old.categories, self.new.categories)
        for p in pairs:
            x, y = p.old, p.new
            if x is None:
                assert y is not None  # a pair has at least one side
                self.out.append(Added(f"categories.{y.id}", None, ncats[y.id],
                                      new_span=y.span))
            elif y is None:
                self.out.append(Removed(f"categories.{x.id}", cats[x.id], None,
                                        old_span=x.span))
            else:
                self.category(x, y)
        self.moves("categories", pairs, self._category_move(pairs))

    def _category_move(self, pairs: Sequence[Pair[Category]]) -> Verdict:
        both = [p for p in pairs if p.old is not None and p.new is not None]

        def verdict(p: Pair[Any]) -> tuple[str, str | None]:
            swapped = [q for q in both if q is not p and _crosses(p, q)]
            return self._order_verdict(p, swapped, _category_when)
        return verdict

    def _order_verdict(self, p: Pair[Any], swapped: Sequence[Pair[Any]],
                       cond: Callable[[Any], Expression | None],
                       context: tuple[tuple[Any, ...], tuple[Any, ...]] = ((), ())
                       ) -> tuple[str, str | None]:
        names = ", ".join(f"`{_name(q)}`" for q in swapped)
        if self.overlap is None:
            return "reorders", f"now ordered differently against {names} (not analysed)"
        overlapping: list[Pair[Any]] = []
        unknown: list[Pair[Any]] = []
        for q in swapped:
            verdict = self.overlap((cond(p.old), cond(q.old), *context[0]),
                                   (cond(p.new), cond(q.new), *context[1]))
            if verdict is None:
                unknown.append(q)
            elif verdict:
                overlapping.append(q)
        if overlapping:
            which = ", ".join(f"`{_name(q)}`" for q in overlapping)
            return "reorders", f"can hold together with {which}: the first one now wins"
        if unknown:
            which = ", ".join(f"`{_name(q)}`" for q in unknown)
            return "reorders", f"could not prove it never holds together with {which}"
        return "cosmetic", f"never holds together with {names}: the order does not matter"

    def category(self, x: Category, y: Category) -> None:
        path = f"categories.{x.id}"
        for key, attr in (("title", "title"), ("class", "class_"),
                          ("confidentiality", "confidentiality"), ("description", "description")):
            self.field(path, x, y, key, getattr(x, attr), getattr(y, attr))
        self.expr_field(path, x, y, "when", x.when, y.when)
        self.bands(x, y)
        rx, ry = list(x.remedies), list(y.remedies)
        for rid in rx:
            if rid not in ry:
                self.out.append(Removed(f"{path}.remedies.{rid}", rid, None,
                                        note="no longer required for this category",
                                        **self.spans(x, y, "remedies")))
        for rid in ry:
            if rid not in rx:
                self.out.append(Added(f"{path}.remedies.{rid}", None, rid,
                                      note="now required for this category",
                                      **self.spans(x, y, "remedies")))
        kept_x = [r for r in rx if r in ry]
        kept_y = [r for r in ry if r in rx]
        if kept_x != kept_y:
            self.out.append(Moved(f"{path}.remedies", kept_x, kept_y, "cosmetic",
                                  "only the order of the decision's remedies changes",
                                  **self.spans(x, y, "remedies")))

    def bands(self, x: Category, y: Category) -> None:
        path = f"categories.{x.id}.thresholds"
        pairs = pair_bands(x.bands, y.bands)

        def band_value(b: Band) -> dict[Any, Any]:
            return {"when": _expr(b.when), "level": b.level} if b.when is not None else \
                {"otherwise": b.level}

        for p in pairs:
            a, b = p.old, p.new
            if a is None:
                assert b is not None  # a pair has at least one side
                self.out.append(Added(f"{path}[{b.index}]", None, band_value(b),
                                      new_span=b.span))
            elif b is None:
                self.out.append(Removed(f"{path}[{a.index}]", band_value(a), None,
                                        old_span=a.span))
            else:
                where = f"{path}[{b.index}]"
                note = None if a.index == b.index else f"was band {a.index + 1}"
                if not _same_expr(a.when, b.when):
                    self.out.append(Changed(f"{where}.when", _expr(a.when) or "otherwise",
                                            _expr(b.when) or "otherwise", None, note,
                                            old_span=_when_span(a), new_span=_when_span(b)))
                if a.level != b.level:
                    self.out.append(Changed(f"{where}.level", a.level, b.level,
                                            self._level_effect(a.level, b.level), note,
                                            **self.spans(a, b, "level" if a.when is not None
                                                         else "otherwise")))
                if p.moved:
                    others = [q for q in pairs if q.old is not None and q.new is not None
                              and q is not p and _crosses(p, q)]
                    effect, why = self._order_verdict(p, others, _band_when,
                                                      ((x.when,), (y.when,)))
                    self.out.append(Moved(where, a.index, b.index, effect, why,
                                          old_span=a.span, new_span=b.span))

    def _level_effect(self, a: str, b: str) -> str | None:
        """``raised`` or ``lowered`` on the new ladder (None when it does not have both)."""
        ranks = self.new.compiled.rank
        if a in ranks and b in ranks and ranks[a] != ranks[b]:
            return "raised" if ranks[b] > ranks[a] else "lowered"
        return None

    def overrides(self) -> None:
        ovs = {o["id"]: o for o in self.cold["overrides"]}
        novs = {o["id"]: o for o in self.cnew["overrides"]}
        pairs = pair_by_id(self.old.overrides, self.new.overrides)
        for p in pairs:
            x, y = p.old, p.new
            if x is None:
                assert y is not None  # a pair has at least one side
                self.out.append(Added(f"overrides.{y.id}", None, novs[y.id], new_span=y.span))
            elif y is None:
                self.out.append(Removed(f"overrides.{x.id}", ovs[x.id], None, old_span=x.span))
            else:
                path = f"overrides.{x.id}"
                self.expr_field(path, x, y, "when", x.when, y.when)
                if x.min_level != y.min_level:
                    self.field(path, x, y, "min_level", x.min_level, y.min_level,
                               effect=self._level_effect(x.min_level, y.min_level))
                self.field(path, x, y, "reason", x.reason, y.reason)
        self.moves("overrides", pairs, lambda p: ("cosmetic", "every override that holds "
                                                   "applies: their order does not matter"))

    def remedies(self) -> None:
        rems = {r["id"]: r for r in self.cold["remedies"]}
        nrems = {r["id"]: r for r in self.cnew["remedies"]}
        pairs = pair_by_id(self.old.remedies, self.new.remedies)
        for p in pairs:
            x, y = p.old, p.new
            if x is None:
                assert y is not None  # a pair has at least one side
                self.out.append(Added(f"remedies.{y.id}", None, nrems[y.id], new_span=y.span))
            elif y is None:
                self.out.append(Removed(f"remedies.{x.id}", rems[x.id], None,
                                        note="disputes listing it in `remedies_in_force` are "
                                        "refused", breaking=True, old_span=x.span))
            else:
                path = f"remedies.{x.id}"
                for key in ("title", "action", "description"):
                    self.field(path, x, y, key, getattr(x, key), getattr(y, key))
                self.expr_field(path, x, y, "amount", x.amount, y.amount)
                self.expr_field(path, x, y, "when", x.when, y.when)
                self.duration(path, x, y, "sunset", "granted on {day}: expires", "extended",
                              "shortened")
                self.duration(path, x, y, "review_every", "granted on {day}: first review",
                              "extended", "shortened")
        self.moves("remedies", pairs, lambda p: ("cosmetic", "categories list remedies by "
                                                  "id: this order does not matter"))


def _crosses(p: Pair[Any], q: Pair[Any]) -> bool:
    """Whether two matched pairs (each in both versions) stand in the other order in the new
    version."""
    po, pn, qo, qn = p.old_index, p.new_index, q.old_index, q.new_index
    assert po is not None and pn is not None and qo is not None and qn is not None
    return (qo < po) != (qn < pn)


def _category_when(c: Category) -> Expression | None:
    return c.when


def _band_when(b: Band) -> Expression | None:
    return b.when


def _when_span(band: Band) -> Span | None:
    return band.when.span if band.when is not None and band.when.span is not None else band.span


def _rank(limit: Any) -> tuple[Any, ...]:
    return limit_order(None if limit is False else limit)  # the order lint's PE402 uses too


def _limit_words(limit: Any) -> str:
    if limit is True:
        return "without limit"
    if limit is False:
        return "nothing"
    return f"up to {_num(limit)}"


def _name(pair: Pair[Any]) -> str:
    node = pair.new if pair.new is not None else pair.old
    assert node is not None  # a pair has at least one side
    if isinstance(node, Band):
        return f"band {node.index + 1}"
    return str(node.id)


def structural_changes(old: Policy, new: Policy, *, as_of: _dt.date | None = None,
                       overlap: Overlap | None = None) -> list[Change]:
    """Every structural change from ``old`` to ``new`` (empty when they mean the same)."""
    if old == new and old.digest == new.digest:  # the digest: the resolved calendar days too
        return []
    return _Differ(old, new, as_of or _dt.date.today(), overlap).run()


def calendar_day_changes(old: Policy, new: Policy, *, old_span: Any = None,
                         new_span: Any = None) -> list[Change]:
    """For each calendar both versions can pick (the top level, and each ``regions`` key of
    either), the days that stopped or started being business days over both terms, as
    ``Changed(calendar.days | calendar.regions.<key>.days, [days off only in old], [days off
    only in new])``."""
    from ..model.calendars import resolved_term

    first = min(resolved_term(old)[0], resolved_term(new)[0])
    last = max(resolved_term(old)[1], resolved_term(new)[1])
    ca, cb = old.compiled.calendars, new.compiled.calendars
    keys = [None] + sorted(set(ca.regions) | set(cb.regions))
    out: list[Change] = []
    for key in keys:
        x = ca.regions.get(key, ca.default) if key else ca.default
        y = cb.regions.get(key, cb.default) if key else cb.default
        if x is y or (not x.resolved and not y.resolved):
            continue
        dx, dy = x.off_days(first, last), y.off_days(first, last)
        gone = [f"{d.isoformat()} {dx[d]}" for d in sorted(set(dx) - set(dy))]
        came = [f"{d.isoformat()} {dy[d]}" for d in sorted(set(dy) - set(dx))]
        if not gone and not came:
            continue
        parts = []
        if came:
            parts.append(f"{len(came)} day(s) newly off")
        if gone:
            parts.append(f"{len(gone)} day(s) now business days")
        path = f"calendar.regions.{key}.days" if key else "calendar.days"
        effect = "longer" if came and not gone else "shorter" if gone and not came else None
        moves = _deadline_moves(old, new, key, first, last)
        out.append(Changed(path, gone, came, effect, "; ".join(parts) + ": " + moves,
                           old_span=old_span, new_span=new_span))
    return out


def _deadline_moves(old: Policy, new: Policy, key: str | None, first: _dt.date,
                    last: _dt.date) -> str:
    """How the ``decide_by`` of each level both versions have moves under the two calendars,
    over every ``as_of`` of ``first..last``: how many move, by how much, the first example."""
    from ..core.calendar import CalendarError

    po, pn = old.compiled, new.compiled
    plan_o = po.region_plans.get(key, po.plan) if key else po.plan
    plan_n = pn.region_plans.get(key, pn.plan) if key else pn.plan
    moved, total, most, example = 0, 0, 0, None
    for lv in po.levels:
        if lv.id not in pn.rank:
            continue
        a, b = plan_o.decide_add[po.rank[lv.id]], plan_n.decide_add[pn.rank[lv.id]]
        day = first
        while day <= last:
            try:
                x, y = a(day), b(day)
            except (CalendarError, OverflowError):
                day += _dt.timedelta(days=1)
                continue
            total += 1
            if x != y:
                moved += 1
                most = max(most, abs((y - x).days))
                if example is None:
                    example = (f"level `{lv.id}` on {day}: decide by {x} -> {y}")
            day += _dt.timedelta(days=1)
    if not moved:
        return "no decision date of a level moves"
    return (f"{moved} of {total} decision dates (each level, each day of the terms) move, by "
            f"up to {most} day(s); e.g. {example}")

