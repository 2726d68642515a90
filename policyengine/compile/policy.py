"""Stage 4: Policy -> CompiledPolicy. Everything that does not depend on a dispute is done
here, once: expressions compiled, the ladder ordered, the authority matrix turned into a
per-action table indexed by level rank, fact checkers built, the digest computed. ``evaluate``
then only runs closures and table lookups.

This module is the one home of the policy's *derived facts* (docs/design.md, "Where each
derived fact lives"): the ladder order and ranks, the authority limit of each rank for each
action and the order of limits (:class:`DerivedFacts`, built from the model alone, so lint can
read them on a rulebook that does not compile), every window as a date function and the
deadline walk (:class:`CalendarPlan`). Consumers (evaluate, analysis, diff, memo, playbook, lint)
read them here and recompute nothing.

The model does not hold its program: :func:`program` compiles a policy the first time it is
asked and remembers the result for exactly as long as that very ``Policy`` object lives (a
weak reference, keyed by identity). A policy made with ``dataclasses.replace`` is another
object, so it gets its own program and digest; nothing can go stale.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Generic, Mapping, TypeVar, Union

from ..core.calendar import WEEKDAYS_ONLY, Adder, BusinessCalendar, Notes, ResolvedCalendar
from ..model.calendars import CalendarSet, resolve_calendars
from ..core.decision import CategoryRef, LevelRef, StepSite, TraceStep, new_step, rendered
from ..core.diagnostics import Span
from .decision_code import DecisionCode, compile_decision
from .facts_check import compile_fields_checker
from .ladder import escalation_path
from ..model.build import RESERVED_KEYS
from ..model.nodes import (Band, Category, Expression, FactDecl, Level, Metadata, Override,
                           Policy, Remedy, use_compiler)

#: The authority a role has for an action: True (without limit), a number (up to it,
#: inclusive) or None (none: no cell, or ``false``).
Limit = Union[bool, int, float, None]
_T = TypeVar("_T")


# -- derived facts that need no compiled expression ------------------------------------------
def limit_order(limit: Limit) -> tuple[int, float]:
    """Order limits: none < any number (by value) < unlimited (the authority lint checks and
    the diff's widened/narrowed both compare limits by it)."""
    if limit is None:
        return (0, 0.0)
    if limit is True:
        return (2, 0.0)
    return (1, float(limit))


@dataclass(frozen=True, slots=True)
class DerivedFacts:
    """The facts of a policy that follow from its ladder and authority alone, computed once
    (:func:`derived_facts`): they exist for a draft that does not compile, so lint reads them
    too.

    ``levels``: the escalation path, entry first (RULEBOOK.md step 5: levels are ordered by
    their distance from the entry along ``next``; it stops at a repeat); ``rank``: level id ->
    index in ``levels``; ``complete``: the path visits every level of the ladder (a ladder the
    engine can order); ``limits``: action id -> the authority :data:`Limit` of each rank."""

    levels: tuple[Level, ...]
    rank: dict[str, int]
    complete: bool
    limits: dict[str, tuple[Limit, ...]]
    grants: dict[tuple[str, str], Limit]

    def limit(self, role: str, action: str) -> Limit:
        """The authority of ``role`` for ``action`` (step 7's cell of the matrix)."""
        return self.grants.get((role, action))

    def limits_of(self, action: str) -> tuple[Limit, ...]:
        """Per level rank, the authority of that level's role for ``action``."""
        hit = self.limits.get(action)
        if hit is None:
            hit = tuple(self.grants.get((lv.role, action)) for lv in self.levels)
        return hit

    @property
    def deciders(self) -> tuple[Level, ...]:
        """The non-advisory levels of the escalation path, in order (authority must not shrink
        along them)."""
        return tuple(lv for lv in self.levels if not lv.advisory)


def derive(policy: Policy) -> DerivedFacts:
    """Compute the derived facts of ``policy`` (use :func:`derived_facts`, which remembers
    them)."""
    levels = tuple(escalation_path(policy.ladder))
    grants: dict[tuple[str, str], Limit] = {}
    for g in policy.authority:
        key = (g.role, g.action)
        if key not in grants:  # the first cell wins, as ``Policy.grant`` finds it
            grants[key] = None if g.limit is False else g.limit
    actions = [a.id for a in policy.actions] + [r.action for r in policy.remedies]
    limits = {a: tuple(grants.get((lv.role, a)) for lv in levels) for a in actions}
    complete = (len(levels) == len(policy.ladder.levels)
                == len({lv.id for lv in policy.ladder.levels}))
    return DerivedFacts(levels, {lv.id: i for i, lv in enumerate(levels)}, complete, limits,
                        grants)


class _PerPolicy(Generic[_T]):
    """Values computed from a policy, remembered for as long as that very object lives: keyed
    by identity (a ``Policy`` is immutable, so its identity fixes its content), held through a
    weak reference (the entry goes when the policy does). Values must not refer to the policy,
    or it would never be freed."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Policy], _T]] = {}

    def get(self, policy: Policy) -> _T | None:
        hit = self._entries.get(id(policy))
        if hit is not None and hit[0]() is policy:
            return hit[1]
        return None

    def put(self, policy: Policy, value: _T) -> _T:
        key = id(policy)
        entries = self._entries

        def forget(ref: weakref.ref[Policy]) -> None:
            entry = entries.get(key)
            if entry is not None and entry[0] is ref:
                del entries[key]

        entries[key] = (weakref.ref(policy, forget), value)
        return value

    def __len__(self) -> int:
        return len(self._entries)


_PROGRAMS: _PerPolicy[CompiledPolicy] = _PerPolicy()
_DERIVED: _PerPolicy[DerivedFacts] = _PerPolicy()
_PROGRAM_ENTRIES = _PROGRAMS._entries


def program(policy: Policy) -> CompiledPolicy:
    """The compiled program of ``policy``: compiled on first use, then remembered for as long
    as ``policy`` lives. Raises what compiling raises for a policy that does not load."""
    entry = _PROGRAM_ENTRIES.get(id(policy))  # _PROGRAMS.get, inline: once per decision
    if entry is not None and entry[0]() is policy:
        return entry[1]
    compiled = _PROGRAMS.put(policy, compile_policy(policy))
    # Policy.evaluate reads it from the policy itself (model/nodes.py: a private cache, never
    # compared, copied or pickled)
    object.__setattr__(policy, "_program", compiled)
    return compiled


def loaded_program(policy: Policy) -> CompiledPolicy | None:
    """The program of a policy that was compiled (by loading it), without compiling: None for
    a draft that lint checks despite its errors."""
    return _PROGRAMS.get(policy)


def derived_facts(policy: Policy) -> DerivedFacts:
    """The :class:`DerivedFacts` of ``policy`` (its program's, when it is compiled)."""
    compiled = _PROGRAMS.get(policy)
    if compiled is not None:
        return compiled.derived
    hit = _DERIVED.get(policy)
    if hit is None:
        hit = _DERIVED.put(policy, derive(policy))
    return hit


def policy_calendars(policy: Policy) -> list[BusinessCalendar]:
    """The calendars of a loaded policy (Monday to Friday for a policy without ``calendar:``,
    or for a draft that did not load)."""
    compiled = _PROGRAMS.get(policy)
    return list(compiled.calendars.all) if compiled is not None else [WEEKDAYS_ONLY]


@dataclass(frozen=True, slots=True)
class CExpr:
    """A compiled expression of a rule: ``fn(facts)`` and what the trace needs."""

    fn: Callable[[Any], Any]
    text: str
    rule: str
    source: str | None
    reads: tuple[tuple[str, tuple[str, ...]], ...]  # (dotted path, keys)
    site: StepSite | None = None  # the trace step this expression records, when it decides

    def values(self, facts: dict[Any, Any]) -> tuple[tuple[str, Any], ...]:
        reads = self.reads
        if len(reads) == 1 and type(facts) is dict:  # one top-level fact: one lookup
            path, keys = reads[0]
            if len(keys) == 1:
                return ((path, facts.get(path)),)
        out = []
        for path, keys in self.reads:
            node: Any = facts
            for k in keys:
                if isinstance(node, dict) and k in node:
                    node = node[k]
                else:
                    node = None
                    break
            out.append((path, node))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class CBand:
    band: Band
    when: CExpr | None
    rank: int
    rule: str
    source: str | None
    site: StepSite  # of its ``band`` step (the ``otherwise`` one too)
    #: the ``otherwise`` band's step, built once (it reads no fact); None for a band with `when`
    step: TraceStep | None = None
    words: tuple[str, tuple[Any, ...]] = ("", ())  # of its step, composed at load


@dataclass(frozen=True, slots=True)
class CRemedy:
    remedy: Remedy
    when: CExpr | None
    amount: CExpr | None
    limits: tuple[Any, ...]  # per level rank: True, a number, or None (no authority)
    rule: str
    source: str | None
    sunset_add: Callable[..., Any] | None  # date -> date
    review_add: Callable[..., Any] | None
    authority_site: StepSite  # of its ``authority`` step
    #: the words of its ``remedy`` step, composed at load: (not required, required)
    words: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    #: per level rank, the words of its ``authority`` step when it has no amount (composed
    #: at load)
    authority_words: tuple[tuple[str, tuple[Any, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class CCategory:
    category: Category
    ref: CategoryRef
    when: CExpr
    bands: tuple[CBand, ...]
    remedies: tuple[CRemedy, ...]
    words: tuple[str, tuple[Any, ...]] = ("", ())  # of its ``category`` step, composed at load


@dataclass(frozen=True, slots=True)
class COverride:
    override: Override
    when: CExpr
    rank: int
    #: the words of its step, composed at load: (raising the level, already met)
    words: tuple[tuple[str, tuple[Any, ...]], ...] = ()


class StepNotes:
    """The ``calendar`` trace steps of one dated field (``decide_by``, ``remedy `hold`
    expires_on``) under one calendar, by start day: which start days need one was found at
    load (``Notes``); each step is built the first time a decision needs it, then reused (a
    TraceStep is immutable)."""

    __slots__ = ("notes", "what", "site", "steps")

    def __init__(self, notes: Notes, what: str, site: StepSite):
        self.notes, self.what, self.site = notes, what, site
        self.steps: dict[int, TraceStep] = {}

    def step(self, i: int) -> TraceStep | None:
        """The step for start day index ``i`` (inside the horizon), or None."""
        slots = self.notes.slots
        if not slots or slots[i] is None:
            return None
        step = self.steps.get(i)
        if step is None:
            note = self.notes.get(i)
            if note is None:
                return None
            step = self.steps[i] = TraceStep(self.site, None, (), f"{self.what}: {note}")
        return step


@dataclass(frozen=True, slots=True)
class CalendarPlan:
    """One business calendar with every window of the policy turned into a ``date -> date``
    function (precomputed at load): per level rank, per remedy id."""

    calendar: BusinessCalendar
    decide_add: tuple[Adder, ...]
    respond_add: tuple[Adder | None, ...]
    sunset_add: dict[str, Adder | None]
    review_add: dict[str, Adder | None]
    rule: str  # "calendar" or "calendar.regions.<key>"
    source: str | None
    site: StepSite  # of its ``calendar`` trace steps
    # the trace's words for each window from each start day of the horizon (index: ordinal -
    # ``base``; empty for a calendar without ``calendar:``): precomputed, looked up per decision
    base: int = 0
    decide_notes: tuple[Notes, ...] = ()
    respond_notes: tuple[Notes, ...] = ()
    sunset_notes: dict[str, Notes] | None = None
    review_notes: dict[str, Notes] | None = None
    #: per level rank: ((notes, "respond_by"), (notes, "decide_by")); per remedy id:
    #: ((notes, "remedy `id` expires_on"), (notes, "remedy `id` review_on"))
    level_notes: tuple[tuple[StepNotes, ...], ...] = ()
    remedy_notes: dict[str, tuple[StepNotes, ...]] | None = None

    def deadline(self, rank: int, since: _dt.date, as_of: _dt.date
                 ) -> tuple[int, list[tuple[int, _dt.date, _dt.date]]]:
        """RULEBOOK.md step 6, the one deadline walk (the evaluator and the diff's encoding
        both ask it): a dispute at level ``rank`` since ``since`` is due, on ``as_of``, at the
        returned rank; ``passed`` lists each window that ended before ``as_of`` as ``(rank,
        start, end)``: the next window starts where the last one ended, until a window has not
        passed or the terminal level is reached. HorizonError (an OverflowError) or
        CalendarError where the calendar cannot count."""
        decide = self.decide_add
        passed: list[tuple[int, _dt.date, _dt.date]] = []
        start = since
        while True:
            end = decide[rank](start)
            if as_of <= end or rank + 1 >= len(decide):
                return rank, passed
            passed.append((rank, start, end))
            rank, start = rank + 1, end


def _plan(policy: Policy, levels: tuple[Level, ...], calendar: BusinessCalendar, rule: str,
          span: Span | None, region: str | None,
          shared: dict[Any, Notes] | None = None) -> CalendarPlan:
    add = calendar.adder
    source = _source(span)
    site = StepSite("calendar", rule, source, None, region, None, span)
    plan = CalendarPlan(calendar, tuple(calendar.window(lv.decide_within) for lv in levels),
                        tuple(add(lv.respond_within) for lv in levels),
                        {r.id: add(r.sunset) for r in policy.remedies},
                        {r.id: add(r.review_every) for r in policy.remedies}, rule, source,
                        site)
    if not isinstance(calendar, ResolvedCalendar):
        return plan
    tables: dict[Any, Notes] = shared if shared is not None else {}

    def notes(d: Any) -> Notes:  # shared by the calendars that share their days
        key = (id(calendar._bdays), d)
        if key not in tables:
            tables[key] = calendar.notes(d)
        return tables[key]

    return dataclasses.replace(
        plan, base=calendar.base, decide_notes=tuple(notes(lv.decide_within) for lv in levels),
        respond_notes=tuple(notes(lv.respond_within) for lv in levels),
        sunset_notes={r.id: notes(r.sunset) for r in policy.remedies},
        review_notes={r.id: notes(r.review_every) for r in policy.remedies},
        level_notes=tuple((StepNotes(notes(lv.respond_within), "respond_by", site),
                           StepNotes(notes(lv.decide_within), "decide_by", site))
                          for lv in levels),
        remedy_notes={r.id: (StepNotes(notes(r.sunset), f"remedy `{r.id}` expires_on", site),
                             StepNotes(notes(r.review_every), f"remedy `{r.id}` review_on",
                                       site))
                      for r in policy.remedies})


#: a category to consider for a dispute: (its index, the step of its `category` trace when its
#: `when` is known to hold without running it, else None: run it)
Candidate = tuple[int, Union[TraceStep, None]]


@dataclass(frozen=True, slots=True)
class CategoryDispatch:
    """Category dispatch by a table (issue 14), built by :func:`category_dispatch`.

    Where categories' conditions require one string fact to be one of some literals
    (``kind == "a"``, ``kind in ["b", "c"]``, either as one side of an ``&&``), a dispute's
    value of that fact rules out every category that requires another value: ``table`` maps
    each value to the categories left, in order, up to the first that holds for certain (a
    bare equality or membership, or ``true``), and ``rest`` holds those left for any other
    text. The first of them that holds is the first category that holds: a ruled-out
    condition is false (CEL's ``&&`` is false when one side is, whatever the other does), so
    it could neither be chosen nor fail."""

    fact: str
    table: dict[str, tuple[Candidate, ...]]
    rest: tuple[Candidate, ...]

    def candidates(self, facts: Mapping[str, Any], in_turn: tuple[Candidate, ...]
                   ) -> tuple[Candidate, ...]:
        value = facts.get(self.fact)
        if type(value) is not str:  # a checked fact is text; anything else: every category
            return in_turn
        hit = self.table.get(value)
        return self.rest if hit is None else hit


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """The program of one policy. It holds the policy's ``meta`` and its parts, never the
    ``Policy`` itself (see :func:`program`)."""

    meta: Metadata
    digest: str
    derived: DerivedFacts
    levels: tuple[Level, ...]  # in ladder order, entry first (``derived.levels``)
    level_refs: tuple[LevelRef, ...]
    rank: dict[str, int]
    check_facts: Callable[..., Any]
    categories: tuple[CCategory, ...]
    overrides: tuple[COverride, ...]
    remedies: dict[str, CRemedy]
    level_sources: dict[str, str | None]
    deadline_sites: tuple[StepSite, ...]  # per level rank: of its ``deadline`` step
    decide_add: tuple[Adder, ...]  # per level rank: date -> date (top-level calendar)
    respond_add: tuple[Adder | None, ...]
    calendars: CalendarSet
    plan: CalendarPlan  # the top-level calendar
    region_plans: dict[str, CalendarPlan]  # by `regions` key
    #: the categories a dispute's value of one string fact leaves to test (see
    #: :class:`CategoryDispatch`); None: test every category in turn (``in_turn``)
    dispatch: CategoryDispatch | None = None
    #: every category, in order, as :data:`Candidate`\ s (a ``when: "true"`` with its step)
    in_turn: tuple[Candidate, ...] = ()
    #: the generated ``evaluate(dispute, day)`` of a dispute of facts alone
    #: (compile/decision_code.py), or None (a named business calendar): where it returns
    #: None, the general path decides
    evaluate_code: DecisionCode | None = None

    def plan_for(self, facts: Mapping[str, Any]) -> CalendarPlan:
        """The calendar of a dispute (the ``regions`` entry its ``by`` fact picks)."""
        regions = self.region_plans
        if not regions:
            return self.plan
        by = self.calendars.by
        assert by is not None
        if type(facts) is dict and len(by) == 1:  # the checked facts: one dictionary lookup
            plan = regions.get(facts.get(by[0]))  # type: ignore[arg-type]
            return self.plan if plan is None else plan
        key = self.calendars.key_of(facts)
        return self.plan if key is None else regions[key]


def _source(span: Span | None) -> str | None:
    return None if span is None else f"{span.file}:{span.line}:{span.column}"


def compile_expr(expr: Expression) -> CExpr:
    return _compile_shared(expr, None)


def _compile_shared(expr: Expression, cache: dict[int, Any] | None, kind: str | None = None,
                    element: str | None = None, index: int | None = None) -> CExpr:
    """``cache`` (id of an analysis -> its compiled function and reads) lets the places of a
    rulebook that share one analysis (the loader shares it by text) share one compilation."""
    analysis = expr.analysis
    hit = cache.get(id(analysis)) if cache is not None else None
    if hit is None or hit[0] is not analysis:
        from ..expr import compile_analysis  # here: an import costs microseconds per place

        compiled = compile_analysis(analysis)
        reads = tuple((p, tuple(p.split("."))) for p in compiled.reads)
        hit = (analysis, compiled.function, reads)
        if cache is not None:
            cache[id(analysis)] = hit
    source = _source(expr.span)
    site = None if kind is None else StepSite(kind, expr.element, source, expr.text, element,
                                              index, expr.span)
    return CExpr(hit[1], expr.text, expr.element, source, hit[2], site)


def compile_policy(policy: Policy) -> CompiledPolicy:
    """Compile ``policy`` (every call compiles anew: :func:`program` remembers the result)."""
    derived = derive(policy)
    levels = derived.levels
    cache: dict[int, Any] = {}

    def compile_expr(expr: Expression, kind: str | None = None, element: str | None = None,
                     index: int | None = None) -> CExpr:
        return _compile_shared(expr, cache, kind, element, index)
    calendars = resolve_calendars(policy)
    decl = policy.calendar
    shared: dict[Any, Notes] = {}
    plan = _plan(policy, levels, calendars.default, "calendar",
                 decl.span if decl is not None else None, None, shared)
    entries = dict(decl.regions) if decl is not None else {}
    region_plans = {key: _plan(policy, levels, cal, f"calendar.regions.{key}",
                               entries[key].span, key, shared)
                    for key, cal in calendars.regions.items()}
    rank = derived.rank
    refs = tuple(LevelRef(lv.id, lv.role, lv.title) for lv in levels)
    cremedies: dict[str, CRemedy] = {}
    for r in policy.remedies:
        limits = derived.limits_of(r.action)
        rule, source = f"remedies.{r.id}", _source(r.span)
        cremedies[r.id] = CRemedy(
            r, compile_expr(r.when, "remedy", r.id) if r.when is not None else None,
            compile_expr(r.amount) if r.amount is not None else None, limits,
            rule, source, plan.sunset_add[r.id], plan.review_add[r.id],
            StepSite("authority", rule, source, r.amount.text if r.amount else None, r.id,
                     None, r.span),
            (rendered("remedy", (r.id, False)), rendered("remedy", (r.id, True))),
            tuple(rendered("authority", (r.action, None, ref.role, ref.id)) for ref in refs))
    categories = []
    for c in policy.categories:
        bands = []
        for b in c.bands:
            when = compile_expr(b.when, "band", c.id, b.index) if b.when is not None else None
            rule = f"categories.{c.id}.thresholds[{b.index}]"
            span = b.span if b.when is None else b.when.span
            site = when.site if when is not None and when.site is not None else \
                StepSite("band", rule, _source(span), None, c.id, b.index, span)
            words = rendered("band", (b.index + 1, b.level)) if when is not None else \
                rendered("otherwise", (b.level,))
            step = None if when is not None else new_step(site, True, (), words)
            bands.append(CBand(b, when, rank[b.level], rule, _source(span), site, step, words))
        categories.append(CCategory(
            c, CategoryRef(c.id, c.title, c.class_, c.confidentiality),
            compile_expr(c.when, "category", c.id), tuple(bands),
            tuple(cremedies[rid] for rid in c.remedies if rid in cremedies),
            rendered("category", (c.id,))))
    overrides = tuple(COverride(o, compile_expr(o.when, "override", o.id), rank[o.min_level],
                                tuple(rendered("override", (o.id, o.reason, o.min_level, met))
                                      for met in (False, True)))
                      for o in policy.overrides)
    sources = {lv.id: _source(lv.span) for lv in levels}
    deadline_sites = tuple(StepSite("deadline", f"ladder.{lv.id}.decide_within",
                                    sources[lv.id], None, lv.id, None, lv.span)
                           for lv in levels)
    ccategories = tuple(categories)
    compiled = CompiledPolicy(policy.meta, policy_digest(policy, calendars), derived, levels,
                          refs, rank,
                          compile_fields_checker(policy.facts, reserved=RESERVED_KEYS),
                          ccategories, overrides, cremedies, sources, deadline_sites,
                          plan.decide_add, plan.respond_add, calendars, plan, region_plans,
                          category_dispatch(policy, ccategories),
                          tuple(_candidate(c, i, None) for i, c in enumerate(ccategories)))
    code = compile_decision(compiled, policy.facts)
    return compiled if code is None else dataclasses.replace(compiled, evaluate_code=code)


def _required(node: Any, string_facts: frozenset[str]
              ) -> tuple[dict[str, frozenset[str]], bool]:
    """What ``node`` requires of top-level string facts for it to hold: fact -> the literals
    it must equal, and whether the requirement is exact (the node *is* ``fact == "v"``,
    ``"v" == fact`` or ``fact in ["v", ...]``: it holds exactly when the fact is one of them,
    and cannot fail on a checked fact, which is text). ``A && B`` requires what either side
    requires (both: their intersection), not exactly."""
    from ..expr import ast

    if type(node) is not ast.Binary:
        return {}, False
    left, right = node.left, node.right
    if node.op == "&&":
        a, _ = _required(left, string_facts)
        b, _ = _required(right, string_facts)
        merged = dict(a)
        for fact, values in b.items():
            merged[fact] = merged[fact] & values if fact in merged else values
        return merged, False
    if node.op == "==" and type(right) is ast.Name and type(left) is ast.Literal:
        left, right = right, left
    if type(left) is not ast.Name or left.name not in string_facts:
        return {}, False
    if node.op == "==" and type(right) is ast.Literal and type(right.value) is str:
        return {left.name: frozenset((right.value,))}, True
    if node.op == "in" and type(right) is ast.ListLit:
        items = [i.value for i in right.items if type(i) is ast.Literal]
        if len(items) == len(right.items) and all(type(v) is str for v in items):
            return {left.name: frozenset(items)}, True
    return {}, False


def _is_true(node: Any) -> bool:
    from ..expr import ast

    return type(node) is ast.Literal and node.value is True


def _candidate(c: CCategory, i: int, value: str | None, fact: str | None = None) -> Candidate:
    """Category ``i`` as a candidate: with its step built now where its `when` holds for
    certain (``true``; the exact test of ``fact`` when the dispute's value is ``value``) and
    the step reads nothing else, else None (run the condition)."""
    node = c.category.when.analysis.ast if c.category.when.analysis is not None else None
    site = c.when.site
    assert site is not None
    words = c.words
    if _is_true(node) and not c.when.reads:
        return i, new_step(site, True, (), words)
    if value is not None and fact is not None and c.when.reads == ((fact, (fact,)),):
        return i, new_step(site, True, ((fact, value),), words)
    return i, None


def category_dispatch(policy: Policy, categories: tuple[CCategory, ...]
                      ) -> CategoryDispatch | None:
    """The :class:`CategoryDispatch` on the string fact the most categories require (at least
    two), or None (no such fact, or a table too large: the categories are tested in turn).

    The table is exact by construction: for a value, a category is left out only when its
    condition requires the fact to be another value (so it is false), and the list stops at
    the first category that holds for certain (nothing after it can be chosen)."""
    string_facts = frozenset(f.name for f in policy.facts if f.type == "string")
    if not string_facts or len(categories) < 2:
        return None
    required = []
    for c in categories:
        node = c.category.when.analysis.ast if c.category.when.analysis is not None else None
        required.append(_required(node, string_facts))
    counts: dict[str, int] = {}
    for reqs, _ in required:
        for fact in reqs:
            counts[fact] = counts.get(fact, 0) + 1
    if not counts:
        return None
    fact = max(sorted(counts), key=lambda f: counts[f])
    if counts[fact] < 2:
        return None
    bound = 8 * len(categories) + 64  # entries: beyond, the table would cost more than it saves
    size = 0
    table: dict[str, list[Candidate]] = {}
    open_values: set[str] = set()  # the values whose list has no category that holds for sure
    rest: list[Candidate] = []  # the categories left for a value no category requires
    for i, c in enumerate(categories):
        reqs, exact = required[i]
        values = reqs.get(fact)
        if values is None:  # no requirement on the fact: left for every value
            cand = _candidate(c, i, None)
            for v in open_values:
                table[v].append(cand)
            size += len(open_values) + 1
            rest.append(cand)
            if cand[1] is not None:  # `true`: no later category is ever chosen
                break
        else:
            for v in sorted(values):
                if v not in table:  # the categories before it left for this value
                    table[v] = list(rest)
                    size += len(rest)
                    open_values.add(v)
                elif v not in open_values:
                    continue  # an earlier category holds for this value
                cand = _candidate(c, i, v, fact) if exact else (i, None)
                table[v].append(cand)
                size += 1
                if cand[1] is not None:
                    open_values.discard(v)
        if size > bound:
            return None
    return CategoryDispatch(fact, {v: tuple(cands) for v, cands in table.items()},
                            tuple(rest))


# -- digest ------------------------------------------------------------------------------------
def canonical_form(policy: Policy) -> dict[Any, Any]:
    """The policy's meaning as plain data: no comments, no layout, mapping keys sorted,
    expressions in canonical form. The digest hashes this."""

    def expr(e: Expression | None) -> str | None:
        return None if e is None else e.canonical

    def dur(d: object) -> str | None:
        return None if d is None else str(d)

    def fact(f: FactDecl) -> dict[str, Any]:
        out: dict[str, Any] = {"type": f.type}
        for key in ("enum", "min", "max", "unit", "description", "max_items", "max_length"):
            v = getattr(f, key)
            if v is not None:
                out[key] = list(v) if key == "enum" else _num(v)
        if f.has_default:
            out["default"] = f.default
        if f.fields:
            out["fields"] = {x.name: fact(x) for x in f.fields}
        if f.items is not None:
            out["items"] = fact(f.items)
        if f.sensitive:
            out["sensitive"] = True
        if f.derived is not None:
            out["derived"] = {"count": f.derived.count, "within": str(f.derived.within),
                              "same": list(f.derived.same)}
        return out

    m = policy.meta
    out = {
        "policy": {"id": m.id, "title": m.title, "version": m.version,
                   "effective": m.effective.isoformat(),
                   "expires": m.expires.isoformat() if m.expires else None,
                   "owners": list(m.owners), "description": m.description},
        "facts": {f.name: fact(f) for f in policy.facts},
        "ladder": {"entry": policy.ladder.entry,
                   "max_resolution": dur(policy.ladder.max_resolution),
                   "levels": [{"id": lv.id, "title": lv.title, "role": lv.role,
                               "respond_within": dur(lv.respond_within),
                               "decide_within": dur(lv.decide_within), "next": lv.next,
                               "advisory": lv.advisory, "description": lv.description}
                              for lv in policy.ladder.levels]},
        "actions": {a.id: {"title": a.title, "unit": a.unit, "description": a.description}
                    for a in policy.actions},
        "authority": {f"{g.role}/{g.action}": _num(g.limit) for g in policy.authority},
        "categories": [{"id": c.id, "title": c.title, "class": c.class_,
                        "confidentiality": c.confidentiality, "when": expr(c.when),
                        "thresholds": [{"when": expr(b.when), "level": b.level}
                                       for b in c.bands],
                        "remedies": list(c.remedies), "description": c.description}
                       for c in policy.categories],
        "overrides": [{"id": o.id, "when": expr(o.when), "min_level": o.min_level,
                       "reason": o.reason} for o in policy.overrides],
        "remedies": [{"id": r.id, "title": r.title, "action": r.action,
                      "amount": expr(r.amount), "when": expr(r.when), "sunset": dur(r.sunset),
                      "review_every": dur(r.review_every), "description": r.description}
                     for r in policy.remedies],
    }
    if policy.calendar is not None:  # only then: a policy without one keeps its digest
        out["calendar"] = calendar_form(policy.calendar)
    return out


def calendar_form(decl: Any) -> dict[str, Any]:
    """``calendar:`` as written, as plain data (keys left out stay out: they inherit)."""
    from ..core.calendar import WEEKDAY_KEYS

    def rule(r: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("timezone", "holidays", "roll"):
            if getattr(r, key) is not None:
                out[key] = getattr(r, key)
        if r.closed is not None:
            out["closed"] = [a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}"
                             for a, b in r.closed]
        if r.weekend is not None:
            out["weekend"] = [WEEKDAY_KEYS[w] for w in r.weekend]
        return out

    out = rule(decl.base)
    if decl.by is not None:
        out["by"] = decl.by
    if decl.regions:
        out["regions"] = {k: rule(r) for k, r in decl.regions}
    return out


def _num(value: Any) -> Any:
    """5000 and 5000.0 mean the same limit or bound: one spelling for the digest."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def policy_digest(policy: Policy, calendars: CalendarSet | None = None) -> str:
    """sha256 of the canonical form; with a calendar, of its resolved days too (so new
    holidays data that moves a holiday changes the digest)."""
    form = canonical_form(policy)
    resolved = calendars.canonical() if calendars is not None else None
    if resolved is not None:
        form["calendar_days"] = resolved
    blob = json.dumps(form, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"), allow_nan=False).encode("utf-8")
    return "sha256:" + hashlib.sha256(blob).hexdigest()


use_compiler(program)  # the model's Policy.compiled, .digest and == ask this module
