"""The decision of one policy as straight-line Python, generated once at load (issue 14).

:func:`compile_decision` turns a :class:`~.policy.CompiledPolicy` into one function
``evaluate(dispute, day)`` that decides a dispute of facts alone (no reserved key), on a
``datetime.date``, as the general path (:func:`policyengine.decide.evaluate.evaluate_compiled`)
does, steps 1 to 8 of RULEBOOK.md ("How a dispute is decided"), without its loops and lookups:

* the category dispatch (:class:`~.policy.CategoryDispatch`) is a dictionary from the dispatch
  fact's value to the function of the category it leaves (when that category's condition holds
  for certain) or to a generated *chooser* that tests the categories it leaves in turn;
* that function does the in-force test and the facts check of :mod:`.facts_check` (its happy
  path, inlined), tests the bands in turn, applies the overrides, records the remedies and
  their authority, and builds the TraceSteps and the Decision as
  :func:`~policyengine.core.decision.new_step` does (a draft filled by plain stores, then
  given its frozen class), inline.

Everything that is constant for a branch (step sites, category and level refs, prebuilt steps
and words, the date function of each level and remedy, authority limits, the functions of the
triggers) is bound once, at load; per decision only what depends on the facts or on ``day``
is computed. The functions are made by *factories* whose source depends only on the shape of
a category (how many bands, which remedies have a condition or an amount, which facts its
steps read...), every constant being an argument of the factory: a rulebook of a thousand
categories of a few shapes compiles a few functions, not a thousand (Python's ``compile`` is
the cost of generated code), and the factories are shared by every policy of the process.

The function answers only where the general path is known to do exactly the same work, and
returns None everywhere else, where the caller runs the general path: a dispute that is not a
plain ``dict`` of valid facts or carries a reserved key; a day that is not a ``date`` or lies
outside the policy's term; no category holds (``unclassified``); no band holds
(``threshold_gap``); a remedy's amount that is not a finite number; a remedy no level may
authorize (``no_authority``). An expression that fails, or a date beyond the calendar, raises
as it does on the general path; the caller then runs the general path too, which raises the
problem it always raised. A policy with a named business calendar (``calendar:``, whose
decisions record calendar steps) gets no generated code: that is decided here, at load. So
the generated code never decides anything the general path would decide otherwise
(tests/property/test_decision_code.py holds the two to equal decisions, bytes and errors on
drawn rulebooks and disputes).

Safety: the source is built only from the compiled policy's structure. Every value (ids,
titles, fact names, limits, sites, words, functions) is an argument of a factory, named
``k<N>``; the source holds only generated names, small integers, ``None``, ``True`` and
``False``: no text of the rulebook ever enters it.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import threading
from typing import TYPE_CHECKING, Any, Callable

from ..core.calendar import BusinessCalendar
from ..core.decision import DRAFTS, Decision, RemedyOutcome, TraceStep
from .facts_check import _check_fields, _Source

if TYPE_CHECKING:  # pragma: no cover
    from ..model.nodes import FactDecl
    from .policy import Candidate, CCategory, CExpr, CompiledPolicy, CRemedy

    CandidateList = tuple[Candidate, ...]

#: a function of the generated code: ``fn(dispute, day, s0)``
Entry = tuple[Callable[..., "Decision | None"], Any]


class DecisionCode:
    """The generated decision of one policy. ``code(dispute, day)``: the Decision, or None
    where the general path must decide. The dispatch is spelled out so that the evaluator can
    do it inline (decide/evaluate.py): ``fact`` (None: no dispatch table), ``table``: the
    fact's value -> ``(fn, s0)``, ``rest``: for any other text, ``every``: for a value that is
    not text (or no table); then ``fn(dispute, day, s0)`` with a plain dict and a date."""

    __slots__ = ("fact", "table", "rest", "every")

    def __init__(self, fact: str | None, table: dict[str, Entry], rest: Entry, every: Entry
                 ) -> None:
        self.fact, self.table, self.rest, self.every = fact, table, rest, every

    def __call__(self, value: Any, day: Any) -> Decision | None:
        if type(value) is not dict or type(day) is not _dt.date:
            return None
        fact = self.fact
        if fact is None:
            fn, s0 = self.every
        else:
            v = value.get(fact)
            fn, s0 = self.table.get(v, self.rest) if type(v) is str else self.every
        return fn(value, day, s0)


_STEP, _DECISION, _OUTCOME = DRAFTS[TraceStep], DRAFTS[Decision], DRAFTS[RemedyOutcome]


def _mk(site: Any, result: Any, values: Any, words: Any) -> TraceStep:
    """A TraceStep, built as ``new_step`` builds it (the generated code's helper)."""
    s: Any = object.__new__(_STEP)
    s.site = site
    s.result = result
    s.values = values
    s.words = words
    s.__class__ = TraceStep
    return s  # type: ignore[no-any-return]


#: the globals of every factory: the facts check's helpers and the records' classes; none of
#: them depends on a policy
_GLOBALS: dict[str, Any] = dict(_Source().globals)
_GLOBALS.update({"_onew": object.__new__, "_SD": _STEP, "_TS": TraceStep, "_DD": _DECISION,
                 "_D": Decision, "_OD": _OUTCOME, "_RO": RemedyOutcome, "_date": _dt.date,
                 "_tuple": tuple, "_enumerate": enumerate, "_mk": _mk, "_INF": math.inf,
                 "_NINF": -math.inf})

#: factory source -> the compiled factory, shared by the policies of the process (bounded:
#: the shapes of a rulebook are few; an unusual number only costs compiling again)
_FACTORIES: dict[str, Callable[..., Any]] = {}
_FACTORIES_LOCK = threading.Lock()
_MAX_FACTORIES = 4096


class _Code(_Source):
    """The source of one factory: lines at depth 0 for the function it makes (named ``fn``),
    and its constants, each an argument ``k<N>`` (one per object)."""

    def __init__(self) -> None:
        super().__init__(slow="return None")
        self.values: list[Any] = []
        self._by_id: dict[int, str] = {}
        self._used = 0  # variables v0, v1, ...

    def fork(self) -> _Code:
        """A builder that starts with this one's lines, constants and variables."""
        other = _Code()
        other.lines, other.values = list(self.lines), list(self.values)
        other._by_id = dict(self._by_id)
        other._used = self._used
        return other

    def var(self) -> str:
        name = f"v{self._used}"
        self._used += 1
        return name

    def const(self, value: Any) -> str:
        name = self._by_id.get(id(value))
        if name is None:
            name = f"k{len(self.values)}"
            self.values.append(value)
            self._by_id[id(value)] = name
        return name

    def build(self) -> Callable[..., Any]:
        """The function, from its factory (compiled once per distinct source)."""
        body = "".join(f"    {line}\n" for line in self.lines)
        text = f"def _factory({', '.join(f'k{i}' for i in range(len(self.values)))}):\n" \
               f"{body}    return fn\n"
        factory = _FACTORIES.get(text)
        if factory is None:
            namespace = dict(_GLOBALS)
            exec(compile(text, "<policyengine decision>", "exec"), namespace)  # no user text
            factory = namespace["_factory"]
            with _FACTORIES_LOCK:
                if len(_FACTORIES) >= _MAX_FACTORIES:
                    _FACTORIES.clear()
                _FACTORIES[text] = factory
        fn: Callable[..., Any] = factory(*self.values)
        fn.python_source = text  # type: ignore[attr-defined]
        return fn


def _values(src: _Code, expr: CExpr, held: dict[str, str] | None) -> str:
    """Source for ``expr.values(facts)``: the facts the expression read (a top-level fact's
    checked value is held in a variable where the facts check ran in the same function)."""
    reads = expr.reads
    if not reads:
        return "()"
    if all(len(keys) == 1 for _, keys in reads):  # top-level facts of the checked dict
        parts = [f"({src.const(path)}, "
                 f"{held[path] if held and path in held else f'facts.get({src.const(path)})'})"
                 for path, _ in reads]
        return "(" + ", ".join(parts) + ",)"
    return f"{src.const(expr.values)}(facts)"


def _step(site: str, result: str, values: str, words: str) -> str:
    """One line building a TraceStep in ``s`` (as ``new_step`` does)."""
    return (f"s = _onew(_SD); s.site = {site}; s.result = {result}; s.values = {values}; "
            f"s.words = {words}; s.__class__ = _TS")


#: the start of a function that checks the facts, the variable of each top-level fact's checked
#: value, each top-level fact's type
Prelude = tuple[_Code, dict[str, str], dict[str, str]]


def _prelude(cp: CompiledPolicy, facts: tuple[FactDecl, ...]) -> Prelude:
    """The start of a function ``fn(value, day, s0=None)`` that checks the facts: steps 1
    and 2 for ``value`` on ``day``, in force, the facts checked into ``facts``; with the
    variable holding each top-level fact's checked value. Built once per policy, then forked
    by each function that starts with it."""
    src = _Code()
    src.emit(0, "def fn(value, day, s0=None):")
    meta = cp.meta  # (the caller, DecisionCode, has checked: a plain dict, a date)
    src.emit(1, f"if day < {src.const(meta.effective)}: return None")
    if meta.expires is not None:
        src.emit(1, f"if day > {src.const(meta.expires)}: return None")
    held = _check_fields(src, facts, "value", 1, reserved=frozenset(), count=True)
    src.emit(1, "facts = value_out")  # (these two lines last: see _category)
    return src, held, {f.name: f.type for f in facts}


_MONDAY = _dt.date(2024, 1, 1)


def _deltas(add: Any) -> tuple[_dt.timedelta, ...] | None:
    """A window of the calendar without ``calendar:`` as the 7 shifts its date function adds
    to a start day, by weekday (None for no window). Exact for that calendar alone (checked by
    the caller, :func:`compile_decision`): a business day there is Monday to Friday, so the
    end depends on the start's weekday only (``BusinessCalendar.adder`` works the same way);
    ``day + shift`` overflows beyond year 9999 as the date function does."""
    if add is None:
        return None
    starts = [_MONDAY + _dt.timedelta(days=w) for w in range(7)]
    return tuple(add(d) - d for d in starts)


def _shifted(src: _Code, deltas: tuple[_dt.timedelta, ...] | None) -> str:
    """Source for the end of a window from ``day`` (``w``: its weekday, where it matters)."""
    if deltas is None:
        return "None"
    if len(set(deltas)) == 1:
        return f"day + {src.const(deltas[0])}"
    return f"day + {src.const(deltas)}[w]"


def _decision(cp: CompiledPolicy, src: _Code, depth: int, cat: CCategory, level: str,
              trace: str, remedies: str) -> None:
    """Build and return the Decision (``respond``, ``decide``: its dates, already computed)."""
    meta = cp.meta
    src.emit(depth, f"d = _onew(_DD); d.policy_id = {src.const(meta.id)}; d.policy_version = "
                    f"{src.const(meta.version)}; d.digest = {src.const(cp.digest)}; "
                    f"d.as_of = day; d.category = {src.const(cat.ref)}; d.level = {level}")
    src.emit(depth, f"d.action = {src.const('escalate')}; d.respond_by = respond; "
                    f"d.decide_by = decide; d.remedies = {remedies}; d.remedies_in_force = (); "
                    f"d.trace = {trace}; d.warnings = (); d.calendar = None; d.__class__ = _D")
    src.emit(depth, "return d")


def _category(cp: CompiledPolicy, cat: CCategory, prelude: Prelude | None,
              overrides: Any) -> Callable[..., Any]:
    """The function of category ``cat``: ``fn(value, day, s0)`` checking the facts first
    (``prelude``), or ``fn(facts, day, s0)`` on checked facts (``prelude`` None); ``s0`` is
    its ``category`` step."""
    held: dict[str, str] | None = None
    types: dict[str, str] = {}
    if prelude is not None:
        src, held = prelude[0].fork(), prelude[1]
        types = prelude[2]
    else:
        src = _Code()
        src.emit(0, "def fn(facts, day, s0):")
    plan = cp.plan
    general = bool(overrides is not None or cat.remedies)
    for k, b in enumerate(cat.bands):  # step 4: the bands in turn
        if b.when is None:
            assert b.step is not None  # an `otherwise` band's step is built at load
            src.emit(1, "else:" if k else "if True:")
            step = src.const(b.step)
        else:
            site = b.when.site
            assert site is not None
            test = _inline(src, b.band.when, held, types) if held is not None else None
            if test is None:
                test = f"{src.const(b.when.fn)}(facts) is True"
            src.emit(1, f"{'elif' if k else 'if'} {test}:")
            src.emit(2, _step(src.const(site), "True", _values(src, b.when, held),
                              src.const(b.words)))
            step = "s"
        if general:
            src.emit(2, f"t = [s0, {step}]; lv = {b.rank}")
        else:  # the band alone fixes the level, and so the dates
            respond, decide = _deltas(plan.respond_add[b.rank]), _deltas(plan.decide_add[b.rank])
            if any(d is not None and len(set(d)) > 1 for d in (respond, decide)):
                src.emit(2, "w = day.weekday()")
            src.emit(2, f"respond = {_shifted(src, respond)}")
            src.emit(2, f"decide = {_shifted(src, decide)}")
            _decision(cp, src, 2, cat, src.const(cp.level_refs[b.rank]), f"(s0, {step})", "()")
        if b.when is None:
            break
    else:
        src.emit(1, "else:" if cat.bands else "if True:")
        src.emit(2, "return None")
    if general and cat.bands:
        if overrides is not None:
            src.emit(1, f"lv = {src.const(overrides)}(facts, t, lv)")
        src.emit(1, "final = lv")
        _remedies(cp, src, cat.remedies, held)
        src.emit(1, "w = day.weekday()")
        src.emit(1, f"ra = {src.const(tuple(_deltas(a) for a in plan.respond_add))}[final]")
        src.emit(1, "respond = None if ra is None else day + ra[w]")
        src.emit(1, f"decide = day + {src.const(tuple(_deltas(a) for a in plan.decide_add))}"
                    "[final][w]")
        remedies = "()"
        if cat.remedies:
            _outcomes(cp, src)
            remedies = "_tuple(outs)"
        _decision(cp, src, 1, cat, f"{src.const(cp.level_refs)}[final]", "_tuple(t)", remedies)
    if prelude is not None and not any(_FACTS.search(line)
                                       for line in src.lines[len(prelude[0].lines):]):
        # nothing reads the checked facts as a dict (every test inline): not built
        del src.lines[len(prelude[0].lines) - 2:len(prelude[0].lines)]
    return src.build()


_FACTS = re.compile(r"\bfacts\b")
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _inline(src: _Code, expr: Any, held: dict[str, str], types: dict[str, str]) -> str | None:
    """The test ``expr`` holds, as a Python expression on the checked facts' variables, for the
    few shapes where it is exactly what the compiled trigger computes (read from the typed
    AST): a top-level ``bool`` fact alone; a top-level ``double`` fact compared with a double
    literal, or an ``int`` fact with an int literal (checked values: a finite float, an int
    within 64 bits; the trigger compares them as Python does, and cannot fail). Else None:
    the compiled trigger is called."""
    from ..expr import ast

    node = expr.analysis.ast if expr is not None and expr.analysis is not None else None
    if type(node) is ast.Name and types.get(node.name) == "bool" and node.name in held:
        return held[node.name]  # a checked bool: `is True` is its truth
    if type(node) is not ast.Binary or node.op not in _FLIPPED:
        return None
    left, op, right = node.left, node.op, node.right
    if type(left) is ast.Literal and type(right) is ast.Name:
        left, op, right = right, _FLIPPED[op], left
    if type(left) is not ast.Name or type(right) is not ast.Literal or left.name not in held:
        return None
    kind, value = types.get(left.name), right.value
    if (kind == "double" and type(value) is float and math.isfinite(value)) or (
            kind == "int" and type(value) is int and right.kind == "int"):
        return f"{held[left.name]} {op} {src.const(value)}"
    return None


def _remedies(cp: CompiledPolicy, src: _Code, remedies: tuple[CRemedy, ...],
              held: dict[str, str] | None) -> None:
    """Step 7: each remedy's ``remedy`` step in turn, then the authority of each that is
    required, in the same order; ``final`` ends as the decision's level."""
    if not remedies:
        return
    src.emit(1, "outs = []")
    for k, rem in enumerate(remedies):  # the `remedy` steps and the amounts
        if rem.when is not None:
            site = rem.when.site
            assert site is not None
            src.emit(1, f"h{k} = {src.const(rem.when.fn)}(facts) is True")
            src.emit(1, f"t.append(_mk({src.const(site)}, h{k}, "
                        f"{_values(src, rem.when, held)}, {src.const(rem.words)}[h{k}]))")
        if rem.amount is not None:
            depth = 1
            if rem.when is not None:
                src.emit(1, f"if h{k}:")
                depth = 2
            src.emit(depth, f"a{k} = {src.const(rem.amount.fn)}(facts)")
            # a finite int or float (not a bool, nothing else): else the general path says so
            src.emit(depth, f"if _type(a{k}) is _float:")
            src.emit(depth + 1, f"if a{k} != a{k} or a{k} == _INF or a{k} == _NINF: "
                                "return None")
            src.emit(depth, f"elif _type(a{k}) is not _int: return None")
    refs = cp.level_refs
    roles = src.const(tuple(ref.role for ref in refs))
    ids = src.const(tuple(ref.id for ref in refs))
    for k, rem in enumerate(remedies):  # the authority of each required remedy
        depth = 1
        if rem.when is not None:
            src.emit(1, f"if h{k}:")
            depth = 2
        r = rem.remedy
        if rem.amount is None:
            # the lowest rank at or above each level whose role has any authority
            by = tuple(next((rk for rk in range(lv, len(rem.limits))
                             if rem.limits[rk] is not None), None)
                       for lv in range(len(rem.limits)))
            src.emit(depth, f"by = {src.const(by)}[lv]")
            src.emit(depth, "if by is None: return None")
            words = f"{src.const(rem.authority_words)}[by]"
            amount = "None"
        else:
            first = True
            for rk, limit in enumerate(rem.limits):
                if limit is None:
                    continue
                test = f"lv <= {rk}" if limit is True else \
                    f"lv <= {rk} and a{k} <= {src.const(limit)}"
                src.emit(depth, f"{'if' if first else 'elif'} {test}: by = {rk}")
                first = False
            src.emit(depth, "return None" if first else "else: return None")
            amount = f"a{k}"
            words = (f"({src.const('authority')}, ({src.const(r.action)}, a{k}, {roles}[by], "
                     f"{ids}[by]))")
        values = _values(src, rem.amount, held) if rem.amount is not None else "()"
        src.emit(depth, f"t.append(_mk({src.const(rem.authority_site)}, {roles}[by], {values}, "
                        f"{words}))")
        src.emit(depth, f"outs.append(({src.const(r.id)}, {src.const(r.action)}, {amount}, "
                        f"{roles}[by]))")
        src.emit(depth, "if by > final: final = by")


def _outcomes(cp: CompiledPolicy, src: _Code) -> None:
    """The remedies' outcomes, with their dates from ``day`` (step 8, as ``remedy_dates``)."""
    sunsets, reviews = src.const(cp.plan.sunset_add), src.const(cp.plan.review_add)
    src.emit(1, "for k, (rid, act, amt, role) in _enumerate(outs):")
    src.emit(2, f"sa = {sunsets}[rid]; rv = {reviews}[rid]")
    src.emit(2, "o = _onew(_OD); o.id = rid; o.action = act; o.amount = amt; "
                "o.authorized_by = role; o.expires_on = None if sa is None else sa(day); "
                "o.review_on = None if rv is None else rv(day); o.__class__ = _RO")
    src.emit(2, "outs[k] = o")


def _overrides(cp: CompiledPolicy) -> Callable[..., Any]:
    """``fn(facts, t, lv)``: step 5, returning the level."""
    src = _Code()
    src.emit(0, "def fn(facts, t, lv):")
    for ov in cp.overrides:
        site = ov.when.site
        assert site is not None
        values = _values(src, ov.when, None)
        src.emit(1, f"if {src.const(ov.when.fn)}(facts) is True:")
        src.emit(2, f"if {ov.rank} > lv:")
        src.emit(3, f"t.append(_mk({src.const(site)}, True, {values}, "
                    f"{src.const(ov.words[0])})); lv = {ov.rank}")
        src.emit(2, "else:")
        src.emit(3, f"t.append(_mk({src.const(site)}, True, {values}, "
                    f"{src.const(ov.words[1])}))")
    src.emit(1, "return lv")
    return src.build()


def _chooser(cp: CompiledPolicy, prelude: Prelude, candidates: CandidateList,
             cats: list[Callable[..., Any]]) -> Callable[..., Any]:
    """``fn(value, day, s0)`` (``s0`` unused): the facts checked, then the first of
    ``candidates`` that holds and its category's function (``cats``, on checked facts); None
    when none holds (``unclassified``: the general path)."""
    src, held = prelude[0].fork(), prelude[1]
    for i, step in candidates:
        cat = cp.categories[i]
        if step is not None:  # holds for certain: nothing after it is reached
            src.emit(1, f"return {src.const(cats)}[{i}](facts, day, {src.const(step)})")
            return src.build()
        site = cat.when.site
        assert site is not None
        src.emit(1, f"if {src.const(cat.when.fn)}(facts) is True:")
        src.emit(2, f"return {src.const(cats)}[{i}](facts, day, _mk({src.const(site)}, True, "
                    f"{_values(src, cat.when, held)}, {src.const(cat.words)}))")
    src.emit(1, "return None")
    return src.build()


def compile_decision(cp: CompiledPolicy, facts: tuple[FactDecl, ...]) -> DecisionCode | None:
    """The generated ``evaluate(dispute, day)`` of ``cp`` (``facts``: the policy's
    declarations; see the module's docstring), or None where it does not apply (a named
    business calendar) or Python cannot compile it (the general path then decides all)."""
    if cp.region_plans or type(cp.plan.calendar) is not BusinessCalendar:
        return None  # a named calendar: holidays, closures, a time zone, calendar steps
    try:
        return _generate(cp, facts)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None  # too deep for Python's compiler: the general path does the same job


def _generate(cp: CompiledPolicy, facts: tuple[FactDecl, ...]) -> DecisionCode:
    """The DecisionCode of ``cp``, each function generated the first time a dispute needs it
    (a rulebook of thousands of categories loads without generating thousands of functions;
    a function is built once, then the entry that led to it calls it directly)."""
    overrides = _overrides(cp) if cp.overrides else None
    prelude = _prelude(cp, facts)
    built: dict[Any, Callable[..., Any]] = {}

    def made(key: Any, make: Callable[[], Callable[..., Any]]) -> Callable[..., Any]:
        fn = built.get(key)
        if fn is None:
            try:
                fn = make()
            except (SyntaxError, RecursionError, MemoryError, ValueError):
                fn = _undecided  # too deep for Python's compiler: the general path decides
            built[key] = fn
        return fn

    # per category, on checked facts (for the choosers): a stand-in until first called
    cats: list[Callable[..., Any]] = []
    for i in range(len(cp.categories)):
        def first(facts: Any, day: Any, s0: Any, i: int = i) -> Any:
            fn = cats[i] = made(("cat", i), lambda: _category(cp, cp.categories[i], None,
                                                              overrides))
            return fn(facts, day, s0)
        cats.append(first)

    def maker(candidates: CandidateList) -> tuple[Any, Callable[[], Callable[..., Any]], Any]:
        """(key, how to build the function, its ``s0``) for a list of candidates."""
        if candidates and candidates[0][1] is not None:  # the first holds for certain
            i, step = candidates[0]
            return (("direct", i), lambda: _category(cp, cp.categories[i], prelude, overrides),
                    step)
        key = ("chooser",) + tuple((i, id(step)) for i, step in candidates)
        return key, lambda: _chooser(cp, prelude, candidates, cats), None

    def entry(candidates: CandidateList, install: Callable[[Entry], None]) -> Entry:
        key, make, s0 = maker(candidates)

        def first(value: Any, day: Any, s0: Any = None) -> Any:
            fn = made(key, make)
            install((fn, s0))
            return fn(value, day, s0)
        return first, s0

    dispatch = cp.dispatch
    code = DecisionCode(dispatch.fact if dispatch is not None else None, {}, (_undecided, None),
                        (_undecided, None))

    def set_every(e: Entry) -> None:
        code.every = e
        if dispatch is None:
            code.rest = e

    code.every = entry(cp.in_turn, set_every)
    if dispatch is None:
        code.rest = code.every
        return code

    def set_rest(e: Entry) -> None:
        code.rest = e
    code.rest = entry(dispatch.rest, set_rest)
    for value, cands in dispatch.table.items():
        def set_value(e: Entry, value: str = value) -> None:
            code.table[value] = e
        code.table[value] = entry(cands, set_value)
    return code


def _undecided(*args: Any) -> None:
    """A function that leaves every dispute to the general path."""
    return None
