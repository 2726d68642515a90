"""Two policy versions' decisions as z3 terms over one shared fact space.

Built on ``policyengine.analysis``: ``FactSpace`` (expressions -> z3) over the merged facts of
``space.py``, and ``DecisionEncoding`` (steps 3-5 and 7 of RULEBOOK.md) for each version. Added
here: the deadline step (6), from an ``escalation`` given as a level and a number of days before
``as_of``; the action (``escalate``/``handle``); the refusal code; the authorizing role of every
remedy; a fact left out when the two versions default it differently (a *presence* variable).

``VersionTerms`` are the components the diff compares, as z3 terms: ``refusal`` (an int code),
``category``, ``level`` (ids as ints, shared by both versions), ``escalate`` (bool) and per remedy
id ``required``, ``by`` (role id or -1) and ``amount`` (a real, or None).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Iterable

import z3

from ..analysis.decision import DecisionEncoding
from ..analysis.encode import FactSpace
from ..analysis.terms import FactVar, Z3Expr
from ..core.calendar import CalendarError
from ..compile.policy import derived_facts
from ..model.nodes import Policy
from .space import SharedFacts

REFUSALS = ("", "unclassified", "threshold_gap", "evaluation_error")
_MAX_DAYS = 3660  # an escalation older than this is due where it would be after any window


class Names:
    """Shared integer ids for the category, level and role ids of both versions."""

    def __init__(self, old: Policy, new: Policy) -> None:
        def ids(items: Iterable[str]) -> list[str]:
            out: list[str] = []
            for x in items:
                if x not in out:
                    out.append(x)
            return out

        self.categories = ids([c.id for p in (old, new) for c in p.categories])
        self.levels = ids([lv.id for p in (old, new) for lv in derived_facts(p).levels])
        self.roles = ids([lv.role for p in (old, new) for lv in p.ladder.levels])
        self.remedies = ids([r.id for p in (old, new) for r in p.remedies])


@dataclass
class Escalation:
    """An ``escalation`` as z3 variables: ``on`` (given at all), ``level`` (index into
    ``levels``, the levels both versions have) and ``days`` (``since`` is ``as_of - days``)."""

    on: Z3Expr
    level: Z3Expr
    days: Z3Expr
    levels: tuple[str, ...]
    horizon: int
    domain: list[Z3Expr]
    #: the days at which some level's due level changes, in either version (0 first): between
    #: two breaks every day is decided alike
    breaks: tuple[int, ...] = (0,)

    def since(self, days: int, as_of: _dt.date) -> _dt.date:
        return as_of - _dt.timedelta(days=days)


def make_escalation(space: FactSpace, old: Policy, new: Policy, as_of: _dt.date) -> Escalation:
    ctx = space.ctx
    common = tuple(lv.id for lv in derived_facts(old).levels if new.ladder.level(lv.id))
    horizon = 1
    for p in (old, new):
        # with a business calendar, holidays and closures lengthen business-day windows
        resolved = p.calendar is not None  # holidays and closures lengthen `bd` windows
        horizon = max(horizon, sum(_window_days(lv.decide_within, resolved)
                                   for lv in p.ladder.levels) + 7)
    horizon = min(horizon, _MAX_DAYS)
    days = (as_of - _dt.date.min).days
    horizon = min(horizon, days)
    on = z3.Bool("escalation", ctx)
    level = z3.Int("escalation.level", ctx)
    n = z3.Int("escalation.days", ctx)
    domain = [z3.Implies(on, z3.And(level >= 0, level < len(common), n >= 0, n <= horizon)),
              z3.Implies(z3.Not(on), z3.And(level == 0, n == 0))]
    if not common:
        domain.append(z3.Not(on))
    breaks = {0}
    for p in (old, new):
        for plan in _plans(p):
            for level_id in common:
                breaks.update(k for k, _ in due_table(p, level_id, as_of, horizon, plan))
    return Escalation(on, level, n, common, horizon, domain, tuple(sorted(breaks)))


def _window_days(d: Any, resolved: bool) -> int:
    """The most calendar days a window spans: Monday to Friday, or a week per business day
    under a business calendar (a generous bound)."""
    if not resolved:
        return int(d.max_days)
    return int(d.count * 7 if d.unit in ("w", "bd") else d.count)


def _plans(policy: Policy) -> list[Any]:
    cp = policy.compiled
    return [cp.plan, *cp.region_plans.values()]


def due_table(policy: Policy, level_id: str, as_of: _dt.date, horizon: int, plan: Any = None
              ) -> list[tuple[int, int]]:
    """``[(from_days, rank), ...]``: the rank a dispute escalated to ``level_id`` ``days`` before
    ``as_of`` is due at (RULEBOOK.md step 6, the walk of ``CalendarPlan.deadline`` under the
    calendar ``plan``, by default the top-level one), run-length encoded over ``0..horizon``
    days. A start day the calendar cannot count from (outside its horizon, which the evaluator
    refuses) keeps the level where it stands."""
    cp = policy.compiled
    walk = (plan if plan is not None else cp.plan).deadline
    out: list[tuple[int, int]] = []
    for k in range(horizon + 1):
        start = as_of - _dt.timedelta(days=k)
        try:
            due, _ = walk(cp.rank[level_id], start, as_of)
        except (OverflowError, CalendarError):
            due = cp.rank[level_id]
        if not out or out[-1][1] != due:
            out.append((k, due))
    return out


def region_choices(space: FactSpace, policy: Policy) -> list[tuple[Z3Expr, Any]]:
    """``[(condition, plan), ...]``: the z3 condition under which a dispute's ``by`` fact picks
    each ``regions`` calendar (the top-level calendar is the fallback, not listed)."""
    cp = policy.compiled
    out: list[tuple[Z3Expr, Any]] = []
    for key, plan in cp.region_plans.items():
        cond = region_condition(space, policy, key)
        if cond is not None:
            out.append((cond, plan))
    return out


def region_condition(space: FactSpace, policy: Policy, key: str | None) -> Z3Expr | None:
    """The z3 condition under which a dispute picks the ``regions`` calendar ``key`` of
    ``policy`` (its ``by`` fact equals ``key``), or for ``key`` None the top-level calendar (the
    ``by`` fact is none of the keys). None when no dispute can pick ``key`` (a key that is not a
    value of an enum ``by`` fact, or a ``by`` fact the shared space does not have)."""
    cp = policy.compiled
    by = cp.calendars.by
    fv = space.facts.get(".".join(by)) if by else None
    if key is None:
        picks = [c for k in cp.region_plans
                 if (c := region_condition(space, policy, k)) is not None]
        return z3.Not(z3.Or(*picks)) if picks else z3.BoolVal(True, space.ctx)
    if fv is None or key not in cp.region_plans:
        return None
    if fv.kind == "enum":
        values = tuple(fv.values or ())
        return fv.var == values.index(key) if key in values else None
    if fv.kind == "string":
        return fv.var == z3.StringVal(key, space.ctx)
    return None


class _Version(DecisionEncoding):
    """``DecisionEncoding`` for one version over a space shared with the other version, with the
    deadline step and memoized levels."""

    def __init__(self, space: FactSpace, policy: Policy, esc: Escalation | None,
                 as_of: _dt.date) -> None:
        super().__init__(space, policy)
        self.esc = esc
        self.as_of = as_of
        self._memo: dict[str, Z3Expr] = {}
        self._chosen: dict[int, Z3Expr] = {}
        self.candidates = earlier_candidates(space, policy)

    def category_chosen(self, i: int, earlier: Iterable[int] | None = None) -> Z3Expr:
        """Category ``i`` decides: its ``when`` holds and every earlier one that could hold
        with it (or fail with an error) is false. Earlier categories the syntactic prefilter
        proves disjoint from it are left out: with a thousand categories, "every earlier one"
        would make the terms quadratic."""
        if earlier is not None:
            return super().category_chosen(i, earlier)
        hit = self._chosen.get(i)
        if hit is None:
            hit = self._chosen[i] = super().category_chosen(i, self.candidates[i])
        return hit

    def base_level(self) -> Z3Expr:
        if "base" not in self._memo:
            self._memo["base"] = super().base_level()
        return self._memo["base"]

    def level(self) -> Z3Expr:
        if "level" not in self._memo:
            value = super().level()
            if self.esc is not None:
                value = z3.If(self.esc.on, _max(value, self.due()), value)
            self._memo["level"] = value
        return self._memo["level"]

    def due(self) -> Z3Expr:
        esc = self.esc
        assert esc is not None  # the deadline step runs for escalated disputes only
        value = self._int(0)
        choices = region_choices(self.space, self.policy)
        for index, level_id in reversed(list(enumerate(esc.levels))):
            term = self._due_term(level_id, None)
            for cond, plan in reversed(choices):
                term = z3.If(cond, self._due_term(level_id, plan), term)
            value = term if index == len(esc.levels) - 1 else z3.If(esc.level == index, term,
                                                                     value)
        return value

    def _due_term(self, level_id: str, plan: Any) -> Z3Expr:
        esc = self.esc
        assert esc is not None
        table = due_table(self.policy, level_id, self.as_of, esc.horizon, plan)
        term = self._int(table[0][1])
        for start, rank in table[1:]:
            term = z3.If(esc.days >= start, self._int(rank), term)
        return term

    def current(self) -> Z3Expr:
        """The rank of ``escalation.level`` in this version."""
        esc = self.esc
        assert esc is not None  # read for escalated disputes only
        value = self._int(0)
        for index, level_id in reversed(list(enumerate(esc.levels))):
            r = self._int(self.rank[level_id])
            value = r if index == len(esc.levels) - 1 else z3.If(esc.level == index, r, value)
        return value

    def final(self) -> Z3Expr:
        if "final" not in self._memo:
            self._memo["final"] = self.final_level()
        return self._memo["final"]


def earlier_candidates(space: FactSpace, policy: Policy) -> list[list[int]]:
    """For each category, the earlier categories that may hold together with it, or fail with
    an error, by the syntactic regions of ``analysis.domain`` (enum and bool values, numeric
    intervals), linear in the categories."""
    from ..analysis.domain import Domains

    domains = Domains(policy)
    cats = policy.categories
    regions = [domains.regions(c.when)[0] for c in cats]
    risky = [j for j, c in enumerate(cats) if not z3.is_true(space.encode(c.when).ok)]
    return domains.earlier_overlaps(regions, keep=risky)


def _max(a: Z3Expr, b: Z3Expr) -> Z3Expr:
    return z3.If(a >= b, a, b)


@dataclass
class VersionTerms:
    refusal: Z3Expr
    category: Z3Expr
    level: Z3Expr
    escalate: Z3Expr
    required: dict[str, Z3Expr]
    by: dict[str, Z3Expr]
    amount: dict[str, Z3Expr | None]


def version_terms(space: FactSpace, policy: Policy, names: Names, esc: Escalation | None,
                  as_of: _dt.date) -> VersionTerms:
    enc = _Version(space, policy, esc, as_of)
    sp = space
    ctx = sp.ctx

    def I(n: int) -> Z3Expr:  # noqa: E743
        return z3.IntVal(n, ctx)

    unclassified = enc.unclassified()
    gap = sp.any_of([enc.gap(i) for i in range(len(policy.categories))])
    decided = enc.decided()
    errors: list[Z3Expr] = []
    for ov in policy.overrides:
        errors.append(sp.errors(ov.when))
    required: dict[str, list[Z3Expr]] = {}
    for i, cat in enumerate(policy.categories):
        chosen = enc.category_chosen(i)
        for rid in cat.remedies:
            r = policy.remedy(rid)
            if r is None:
                continue
            if r.when is not None:
                errors.append(sp.both(chosen, sp.errors(r.when)))
            need = enc.remedy_required(i, rid)
            required.setdefault(rid, []).append(need)
            if r.amount is not None:
                errors.append(sp.both(need, sp.errors(r.amount)))
    failed = sp.any_of(errors)
    refusal = z3.If(unclassified, I(1), z3.If(gap, I(2), z3.If(
        z3.Or(z3.Not(decided), failed), I(3), I(0))))
    category = I(-1)
    for i in reversed(range(len(policy.categories))):
        category = z3.If(enc.category_chosen(i), I(names.categories.index(policy.categories[i].id)),
                         category)
    final = enc.final()
    level = I(-1)
    for k in reversed(range(len(enc.levels))):
        level = z3.If(final == k, I(names.levels.index(enc.levels[k].id)), level)
    escalate = z3.BoolVal(True, ctx) if esc is None else z3.Or(z3.Not(esc.on),
                                                               final > enc.current())
    req = {rid: sp.any_of(terms) for rid, terms in required.items()}
    by: dict[str, Z3Expr] = {}
    amount: dict[str, Z3Expr | None] = {}
    for rid in req:
        rank = enc.authorizing_rank(rid, enc.level())
        role = I(-1)
        for k in reversed(range(len(enc.levels))):
            role = z3.If(rank == k, I(names.roles.index(enc.levels[k].role)), role)
        by[rid] = role
        term = enc.remedy_amount(rid)
        amount[rid] = None if term is None else sp.as_real(term)
    return VersionTerms(refusal, category, level, escalate, req, by, amount)


def presence_substitution(space: FactSpace, shared: SharedFacts, which: int
                          ) -> tuple[list[tuple[Z3Expr, Z3Expr]], dict[str, Z3Expr]]:
    """``(pairs, present)``: substitute each fact the two versions default differently by
    ``If(present, value, default)`` with this version's default (``which``: 0 old, 1 new)."""
    pairs: list[tuple[Z3Expr, Z3Expr]] = []
    present: dict[str, Z3Expr] = {}
    for path, defaults in shared.presence.items():
        fv = space.facts.get(path)
        if fv is None:
            continue
        value = _constant(space, fv, defaults[which])
        if value is None:
            continue
        flag = present.get(path)
        if flag is None:
            flag = z3.Bool(f"present:{path}", space.ctx)
        present[path] = flag
        pairs.append((fv.var, z3.If(flag, fv.var, value)))
    return pairs, present


def _constant(space: FactSpace, fv: FactVar, value: Any) -> Z3Expr | None:
    ctx = space.ctx
    if fv.kind == "bool" and isinstance(value, bool):
        return z3.BoolVal(value, ctx)
    if fv.kind == "enum":
        values = fv.values or ()
        return z3.IntVal(values.index(value), ctx) if value in values else None
    if fv.kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return z3.IntVal(value, ctx)
    if fv.kind == "double" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return space.num(float(value))
    if fv.kind == "string" and isinstance(value, str):
        return z3.StringVal(value, ctx)
    return None


def substitute(terms: VersionTerms, pairs: list[tuple[Z3Expr, Z3Expr]]) -> VersionTerms:
    if not pairs:
        return terms

    def sub(t: Z3Expr | None) -> Z3Expr | None:
        return None if t is None else z3.substitute(t, *pairs)

    return VersionTerms(sub(terms.refusal), sub(terms.category), sub(terms.level),
                        sub(terms.escalate), {k: sub(v) for k, v in terms.required.items()},
                        {k: sub(v) for k, v in terms.by.items()},
                        {k: sub(v) for k, v in terms.amount.items()})
