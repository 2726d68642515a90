"""The logic checks of a loaded policy: gaps, shadowing, overlaps, dead and unconditional rules.

``check_coverage(policy, as_of=..., timeout=..., budget=...)`` returns a :class:`Report`: the
:class:`Finding` records (what, about which rule, with a witness dispute when the finding is
about disputes) and the verdicts per rule, for tests. Every witness is decided by the real
evaluator before it is reported and must reproduce its finding; one that does not is dropped and
the finding labelled ``possible`` (it depended on a sub-expression the encoding could not follow),
or, when the encoding was exact, it is a bug: :class:`WitnessError` under
``POLICYENGINE_STRICT_WITNESS=1`` (the tests set it).

Queries, per category ``i`` (``chosen(i)``: every earlier category that may overlap it is false,
its own ``when`` true; the prefilter of :mod:`domain` removes the others):

* can ``i`` be chosen? unsat: never holds, or covered by the earlier categories (unsat core);
* does ``i`` always hold (a catch-all)? with categories after it: they are dead;
* for each earlier ``j`` that may overlap: ``chosen(j) && when(i)``: both hold, ``j`` wins,
  unless ``i`` holds for every dispute ``j`` decides (``i`` is then ``j``'s fallback, a
  catch-all for it: the special case first, the general one after, is by design);
* with no catch-all: can every category be false? (unclassified disputes);
* per band: is it reached? does it always hold once reached (later bands dead)? can every band
  fail (a threshold gap)?
* per override: never / always holds; per remedy: its ``when`` never holds (for the categories
  listing it), its amount can exceed every authority on the ladder.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import z3

from ..core.errors import DisputeError
from ..model.nodes import Expression, Policy, Remedy
from .decision import DecisionEncoding
from .domain import BOTTOM, Domains
from .encode import FactSpace
from .reproduce import overlap_reproduced, reproduces
from .solver import DEFAULT_BUDGET, DEFAULT_TIMEOUT, Outcome, Prover


WITNESS_TRIES = 3

#: The code of each kind of finding (``timeout`` and ``budget`` are PE509).
FINDING_CODES = {
    "gap": "PE501", "band-unreachable": "PE502", "band-outside-category": "PE502",
    "category-unreachable": "PE503", "overlap": "PE504", "unclassified": "PE505",
    "never-holds": "PE506", "never-holds-here": "PE506", "always-holds": "PE507",
    "exceeds-authority": "PE508", "can-fail": "PE510", "timeout": "PE509", "budget": "PE509",
}
#: The codes lint's logic rules report (PE509 says that a check of theirs was skipped).
LOGIC_CODES = frozenset(FINDING_CODES.values())

#: The nine checks, in the order they run: the codes each reports, and the checks whose
#: verdicts it reads (a check that is needed only by another one runs without reporting).
STEPS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "categories": (frozenset({"PE503", "PE506", "PE507"}), ()),
    "overlaps": (frozenset({"PE504"}), ("categories",)),
    "unclassified": (frozenset({"PE505"}), ("categories",)),
    "bands": (frozenset({"PE502", "PE506", "PE507"}), ("categories",)),
    "gap": (frozenset({"PE501"}), ("categories", "bands")),
    "overrides": (frozenset({"PE506", "PE507"}), ()),
    "remedies": (frozenset({"PE506"}), ("categories",)),
    "exceeds": (frozenset({"PE508"}), ("categories",)),
    "failures": (frozenset({"PE510"}), ("categories",)),
}


def needed_steps(codes: Iterable[str] | None) -> frozenset[str]:
    """The checks that run for ``codes`` (None: all): those reporting one of them, and the
    checks they read."""
    if codes is None:
        return frozenset(STEPS)
    wanted = set(codes)
    out = {name for name, (reports, _) in STEPS.items() if reports & wanted}
    for name in list(out):
        out.update(STEPS[name][1])
    return frozenset(out)


class WitnessError(AssertionError):
    """A witness from an exact encoding did not reproduce its finding: a bug of the analysis."""


@dataclass(frozen=True)
class Finding:
    """One logic finding. ``subject``: ``("category", i)``, ``("band", i, b)``,
    ``("override", k)``, ``("remedy", k)`` or ``("categories",)``. ``kind``: ``gap``,
    ``band-unreachable``, ``band-outside-category``, ``category-unreachable``, ``overlap``
    (``other`` = the earlier category that wins), ``unclassified``, ``never-holds``,
    ``never-holds-here`` (a remedy, for the categories listing it), ``always-holds``
    (``dead`` = how many later rules it makes dead), ``exceeds-authority`` (``limit``),
    ``timeout`` (``question``), ``budget``."""

    kind: str
    subject: tuple[Any, ...]
    witness: dict[Any, Any] | None = None
    possible: bool = False
    uncertain: tuple[Any, ...] = ()
    related: tuple[Any, ...] = ()  # subjects that explain the finding
    other: Any = None
    dead: int = 0
    limit: Any = None
    question: str | None = None
    expression: Any = None  # can-fail: the model Expression that raises the error
    message: str | None = None  # can-fail: the evaluator's error for the witness


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    chosen: dict[int, bool | None] = field(default_factory=dict)  # category can be chosen
    reached: dict[tuple[int, int], bool | None] = field(default_factory=dict)  # band
    gaps: dict[int, bool | None] = field(default_factory=dict)
    overlaps: set[tuple[int, int]] = field(default_factory=set)  # (earlier, later)
    unclassified: bool | None = None
    queries: int = 0
    steps: Counter[str] = field(default_factory=Counter)  # solver queries per check


def strict_witnesses() -> bool:
    return os.environ.get("POLICYENGINE_STRICT_WITNESS", "") not in ("", "0")


def witness_date(policy: Any, as_of: _dt.date | None) -> _dt.date:
    """``as_of`` when the policy is in force that day, else its effective date."""
    meta = policy.meta
    if as_of is not None and as_of >= meta.effective and (meta.expires is None
                                                          or as_of <= meta.expires):
        return as_of
    effective: _dt.date = meta.effective
    return effective


def check_coverage(policy: Any, *, as_of: _dt.date | None = None,
                   timeout: float = DEFAULT_TIMEOUT, budget: float = DEFAULT_BUDGET,
                   codes: Iterable[str] | None = None) -> Report:
    """Run the logic checks on a policy that loaded without errors: every one, or those
    that report one of ``codes`` (with the checks they read, whose own findings are left
    out). A check that reports none of ``codes`` asks the solver nothing."""
    wanted = None if codes is None else frozenset(codes)
    report = _Run(policy, witness_date(policy, as_of), timeout, budget, wanted).run()
    if wanted is not None:
        report.findings = [f for f in report.findings
                           if FINDING_CODES[f.kind] in wanted or f.kind in ("timeout", "budget")]
    return report


class _Run:
    def __init__(self, policy: Policy, as_of: _dt.date, timeout: float, budget: float,
                 codes: frozenset[str] | None = None) -> None:
        self.policy = policy
        self.codes = codes
        self.steps = needed_steps(codes)
        self.step = ""  # the check asking the solver, for Report.steps
        self.as_of = as_of
        self.space = FactSpace(policy, ieee=True)
        self.dec = DecisionEncoding(self.space)
        self.prover = Prover(self.space, timeout=timeout, budget=budget)
        self.domains = Domains(policy)
        self.cats = policy.categories
        self.report = Report()
        self.status: list[str] = []  # per category: ok | never | unreachable | dead | unknown
        self.catchall: list[bool] = []
        self._chosen: dict[int, Any] = {}
        self._budget_reported = False

    # -- plumbing ------------------------------------------------------------------------------
    def add(self, finding: Finding) -> None:
        self.report.findings.append(finding)

    def reports(self, code: str) -> bool:
        """Whether findings of ``code`` are wanted (the queries that only classify a finding
        as ``code`` are skipped otherwise)."""
        return self.codes is None or code in self.codes

    def begin(self, step: str) -> bool:
        """Start the check ``step`` if it is needed; its solver queries count under its name."""
        if step not in self.steps:
            return False
        self.step = self.prover.label = step
        return True

    def check(self, subject: tuple[Any, ...], question: str, *formulas: z3.ExprRef,
              tracked: Any = None) -> Outcome:
        out = self._ask(*formulas, tracked=tracked)
        if out.unknown:
            if out.reason == "budget":
                if not self._budget_reported:
                    self._budget_reported = True
                    self.add(Finding("budget", subject, question=question))
            else:
                self.add(Finding("timeout", subject, question=question))
        return out

    def chosen(self, i: int) -> z3.BoolRef:
        hit = self._chosen.get(i)
        if hit is None:
            earlier = [j for j in self.candidates[i] if self.status[j] != "never"]
            hit = self._chosen[i] = self.dec.category_chosen(i, earlier)
        return hit

    def decides(self, j: int) -> Any:
        """Category ``j`` decides the dispute: chosen, a band holds, and the overrides and its
        remedies evaluate without error."""
        sp, dec = self.space, self.dec
        chosen = dec.category_chosen(j)
        cat = self.cats[j]
        parts = [chosen, sp.any_of([dec.band_chosen(j, b, chosen)
                                     for b in range(len(cat.bands))])]
        parts += [sp.encode(ov.when).ok for ov in self.policy.overrides]
        for rid in cat.remedies:
            r = self.policy.remedy(rid)
            if r is None:
                continue
            if r.when is not None:
                parts.append(sp.encode(r.when).ok)
            if r.amount is not None:
                amount_ok = sp.encode(r.amount).ok
                parts.append(amount_ok if r.when is None else z3.Or(sp.fails(r.when),
                                                                     amount_ok))
        return sp.all_of(parts)

    def _ask(self, *formulas: Any, tracked: Any = None) -> Outcome:
        before = self.prover.queries
        out = self.prover.check(*formulas, tracked=tracked)
        self.report.steps[self.step] += self.prover.queries - before
        return out

    def run(self) -> Report:
        """The checks in a fixed order (the solver's answers, hence the witnesses, depend on
        the queries asked before): each runs only when needed (:data:`STEPS`)."""
        self.candidates = self._candidates()
        if self.begin("categories"):
            self.categories()
            if self.begin("overlaps"):
                self.overlaps()
            if self.begin("unclassified"):
                self.unclassified()
            if self.begin("bands"):
                for i in range(len(self.cats)):
                    if self.status[i] == "ok":
                        self.bands(i)
        if self.begin("overrides"):
            self.overrides()
        if self.steps & {"remedies", "exceeds"}:
            self.remedies()
        if self.begin("failures"):
            self.failures()
        self.report.queries = self.prover.queries
        self.report.steps = +self.report.steps
        return self.report

    # -- witnesses -----------------------------------------------------------------------------
    def witness(self, outcome: Outcome, keep: list[Any], exprs: list[Expression | None],
                check: Callable[..., object]) -> tuple[Any, ...]:
        """(witness or None, possible, uncertain texts) for a sat outcome. A witness the
        evaluator does not reproduce is excluded and the solver asked for another one (a
        boundary value may round the other way in IEEE arithmetic; a refusal on the way)."""
        from .witness import z3_value

        uncertain: set[str] = set()
        for e in exprs:
            if e is not None:
                t = self.space.encode(e)
                uncertain |= t.opaque | t.inexact
        avoid: dict[str, list[Any]] = {}
        blocks: list[Any] = []
        model = outcome.model
        w = None
        for _ in range(WITNESS_TRIES + 2):
            w = self.space.witness(model, self.as_of, keep=keep, avoid=avoid)
            if reproduces(self.policy, w, check):
                return w, False, ()
            differs = []
            for path, fv in self.space.facts.items():
                value = _lookup(w["facts"], path)
                if value is None:
                    continue
                if fv.kind in ("int", "double"):
                    avoid.setdefault(path, []).append(value)
                differs.append(fv.var != z3_value(self.space, fv, value))
            if not differs:
                break
            blocks.append(self.space.any_of(differs))
            again = self._ask(*keep, *blocks)
            if not again.sat:
                break
            model = again.model
        if not uncertain and strict_witnesses():
            raise WitnessError(f"witness {w} does not reproduce its finding")
        return None, True, tuple(sorted(uncertain))

    # -- categories ----------------------------------------------------------------------------
    def _candidates(self) -> list[list[int]]:
        """For each category, the earlier ones the prefilter cannot prove disjoint from it."""
        self.regions = [self.domains.regions(c.when)[0] for c in self.cats]
        return self.domains.earlier_overlaps(self.regions)

    def categories(self) -> None:
        n = len(self.cats)
        dead_from = None
        for i, cat in enumerate(self.cats):
            self.catchall.append(False)
            if dead_from is not None:
                self.status.append("dead")
                self.report.chosen[i] = False
                continue
            if self.regions[i] is BOTTOM:
                self.status.append("never")
                self.report.chosen[i] = False
                self.add(Finding("never-holds", ("category", i)))
                continue
            holds = self.dec.category_holds(i)
            earlier = [j for j in self.candidates[i] if self.status[j] != "never"]
            tracked = {j: self.dec.category_fails(j) for j in earlier}
            out = self.check(("category", i), "whether it can be chosen", holds,
                             tracked=tracked)
            if out.unknown:
                self.status.append("unknown")
                self.report.chosen[i] = None
                continue
            if out.unsat:
                alone = self.check(("category", i), "whether its `when` can hold", holds) \
                    if out.core else Outcome("unsat")
                self.report.chosen[i] = False
                if alone.unsat:
                    self.status.append("never")
                    self.add(Finding("never-holds", ("category", i)))
                else:
                    self.status.append("unreachable")
                    related = tuple(("category", j) for j in sorted(out.core))
                    self.add(Finding("category-unreachable", ("category", i), related=related))
                continue
            self.status.append("ok")
            self.report.chosen[i] = True
            if self.domains.restricts(self.regions[i]):
                continue
            always = self.check(("category", i), "whether its `when` always holds",
                                z3.Not(holds))
            if always.unsat:
                self.catchall[i] = True
                if i < n - 1:
                    dead_from = i
                    self.add(Finding("always-holds", ("category", i), dead=n - 1 - i))

    def overlaps(self) -> None:
        for i, cat in enumerate(self.cats):
            if self.status[i] != "ok" or self.catchall[i]:
                continue
            holds = self.dec.category_holds(i)
            for j in self.candidates[i]:
                if self.status[j] != "ok":
                    continue
                both = self.space.both(self.chosen(j), holds)
                out = self.check(("category", i), f"whether it overlaps `{self.cats[j].id}`",
                                 both)
                if not out.sat:
                    continue
                # a later category holding for every dispute the earlier one decides is its
                # fallback (a catch-all for it): specific cases first, the general one after
                fallback = self.check(("category", i), f"whether it is a fallback for "
                                      f"`{self.cats[j].id}`", self.chosen(j), z3.Not(holds))
                if fallback.unsat:
                    continue
                self.report.overlaps.add((j, i))
                # the witness: a dispute the earlier category *decides* (every earlier `when`
                # false, a band holds, nothing fails on the way) while the later one holds
                decides = self.space.all_of([self.decides(j), holds])
                found = self.check(("category", i), f"whether `{self.cats[j].id}` decides a "
                                   "dispute it overlaps", decides)
                goal = decides if found.sat else both
                exprs = [cat.when, self.cats[j].when, *(b.when for b in self.cats[j].bands)]
                w, possible, uncertain = self.witness(
                    found if found.sat else out, [goal], exprs,
                    lambda d, facts, j=j, i=i: overlap_reproduced(self.policy, d, facts, j, i))
                self.add(Finding("overlap", ("category", i), w, possible, uncertain,
                                 related=(("category", j),), other=j))

    def unclassified(self) -> None:
        if any(self.catchall) or not self.cats:
            self.report.unclassified = False if any(self.catchall) else None
            return
        goal = self.dec.unclassified()
        out = self.check(("categories",), "whether some dispute matches no category", goal)
        self.report.unclassified = None if out.unknown else out.sat
        if out.sat:
            w, possible, uncertain = self.witness(
                out, [goal], [c.when for c in self.cats],
                lambda d, facts: isinstance(d, DisputeError) and d.code == "unclassified")
            self.add(Finding("unclassified", ("categories",), w, possible, uncertain))

    # -- bands ---------------------------------------------------------------------------------
    def bands(self, i: int) -> None:
        cat = self.cats[i]
        chosen = self.chosen(i)
        bands = cat.bands
        fails: dict[int, Any] = {}
        for b, band in enumerate(bands):
            reached = self.space.all_of([chosen, *fails.values()])
            if band.when is not None:
                holds = self.space.holds(band.when)
                out = self.check(("band", i, b), "whether it can be reached", chosen, holds,
                                 tracked=dict(fails))
                if out.unknown:
                    self.report.reached[(i, b)] = None
                    return
                if out.unsat:
                    self.report.reached[(i, b)] = False
                    if self.reports("PE502") or self.reports("PE506"):
                        self._dead_band(i, b, holds, chosen, out)
                    fails[b] = self.space.fails(band.when)
                    continue
            else:
                out = self.check(("band", i, b), "whether it can be reached", reached)
                if out.unknown:
                    self.report.reached[(i, b)] = None
                    return
                self.report.reached[(i, b)] = out.sat
                if out.unsat:
                    self.add(Finding("band-unreachable", ("band", i, b), related=tuple(
                        ("band", i, k) for k in sorted(fails))))
                    self.report.gaps[i] = False
                    return
            self.report.reached[(i, b)] = True
            if band.when is None:
                always = Outcome("unsat")
            else:
                always = self.check(("band", i, b), "whether it always holds once reached",
                                    reached, z3.Not(holds))
            if always.unsat:
                later = len(bands) - 1 - b
                for k in range(b + 1, len(bands)):
                    self.report.reached[(i, k)] = False
                if later:
                    self.add(Finding("always-holds", ("band", i, b), dead=later))
                self.report.gaps[i] = False
                return
            assert band.when is not None  # a band without `when` always holds: returned above
            fails[b] = self.space.fails(band.when)
        if self.begin("gap"):
            self.gap(i, chosen)
            self.begin("bands")

    def _dead_band(self, i: int, b: int, holds: z3.BoolRef, chosen: z3.BoolRef, out: Outcome
                   ) -> None:
        alone = self.check(("band", i, b), "whether its `when` can hold", holds)
        if alone.unsat:
            self.add(Finding("never-holds", ("band", i, b)))
            return
        here = self.check(("band", i, b), "whether it can hold in its category", chosen, holds)
        if here.unsat:
            self.add(Finding("band-outside-category", ("band", i, b), related=(("category", i),)))
            return
        self.add(Finding("band-unreachable", ("band", i, b),
                         related=tuple(("band", i, k) for k in sorted(out.core))))

    def gap(self, i: int, chosen: z3.BoolRef) -> None:
        goal = self.dec.gap(i, chosen)
        out = self.check(("category", i), "whether its bands leave a gap", goal)
        self.report.gaps[i] = None if out.unknown else out.sat
        if not out.sat:
            return
        cat = self.cats[i]
        w, possible, uncertain = self.witness(
            out, [goal], [cat.when, *(b.when for b in cat.bands)],
            lambda d, facts: isinstance(d, DisputeError) and d.code == "threshold_gap"
            and d.problems[0].path == f"categories.{cat.id}")
        self.add(Finding("gap", ("category", i), w, possible, uncertain))

    # -- overrides and remedies ----------------------------------------------------------------
    def overrides(self) -> None:
        for k, ov in enumerate(self.policy.overrides):
            self._never_or_always(("override", k), ov.when, always=True)

    def _never_or_always(self, subject: tuple[Any, ...], expr: Expression, *, always: bool
                         ) -> bool:
        """Report a condition that never holds (True when it does not), and one that always
        holds when ``always``."""
        t, _ = self.domains.regions(expr)
        holds = self.space.holds(expr)
        if t is BOTTOM or (self.reports("PE506") and self.check(
                subject, "whether its `when` can hold", holds).unsat):
            self.add(Finding("never-holds", subject))
            return False
        if always and self.reports("PE507") and not self.domains.restricts(t):
            out = self.check(subject, "whether its `when` always holds", z3.Not(holds))
            if out.unsat:
                self.add(Finding("always-holds", subject))
        return True

    def remedies(self) -> None:
        for k, r in enumerate(self.policy.remedies):
            users = [i for i, c in enumerate(self.cats) if r.id in c.remedies
                     and self.status[i] == "ok"]
            conditions = self.begin("remedies")  # PE506; else only the amount (PE508)
            if r.when is not None and conditions and not self._never_or_always(
                    ("remedy", k), r.when, always=False):
                continue
            some = self.space.any_of([self.chosen(i) for i in users])
            need = some if r.when is None else self.space.both(some, self.space.holds(r.when))
            if r.when is not None and users and conditions:
                out = self.check(("remedy", k), "whether its `when` holds for the categories "
                                 "that list it", need)
                if out.unsat:
                    self.add(Finding("never-holds-here", ("remedy", k),
                                     related=tuple(("category", i) for i in users)))
                    continue
            if users and r.amount is not None and self.begin("exceeds"):
                self.exceeds(k, r, need, users)

    def exceeds(self, k: int, r: Remedy, need: z3.BoolRef, users: list[int]) -> None:
        limits = [x for x in self.dec.limits(r.action) if x is not None]
        if not limits or any(x is True for x in limits):
            return
        top = max(limits)
        assert r.amount is not None  # the caller checks only remedies with an amount
        amount = self.space.encode(r.amount)
        real = self.space.as_real(amount)
        if real is None:
            return
        cap = self.space.num(float(top))
        self.space.pin(real, cap)
        goal = self.space.all_of([need, amount.ok, real > cap])
        out = self.check(("remedy", k), "whether its amount can exceed every authority", goal)
        if not out.sat:
            return
        exprs = [r.amount, r.when, *(self.cats[i].when for i in users)]
        w, possible, uncertain = self.witness(
            out, [goal], exprs,
            lambda d, facts: not isinstance(d, Exception) and any(
                o.id == r.id and o.authorized_by is None for o in d.remedies))
        self.add(Finding("exceeds-authority", ("remedy", k), w, possible, uncertain,
                         limit=top))


    # -- errors -------------------------------------------------------------------------------
    def failures(self) -> None:
        """Expressions that raise a CEL error for some valid dispute on which the evaluator
        evaluates them (every earlier step evaluated without error): the dispute is refused
        with ``evaluation_error``. One query per expression that may fail at all, in the
        evaluator's order; where it is reached is built only for those (a thousand
        categories that cannot fail cost nothing)."""
        sp, dec = self.space, self.dec
        risky = self._risky
        fails = [sp.fails(c.when) for c in self.cats]
        for i, cat in enumerate(self.cats):
            if risky(cat.when):
                self._can_fail(("category", i), cat.when, sp.all_of(fails[:i]))
        overrides = self.policy.overrides
        if any(risky(ov.when) for ov in overrides):
            decided = dec.decided()
            for k, ov in enumerate(overrides):
                if risky(ov.when):
                    self._can_fail(("override", k), ov.when, sp.all_of(
                        [decided, *(sp.encode(o.when).ok for o in overrides[:k])]))
        seen: set[str] = set()
        for i, cat in enumerate(self.cats):
            if self.status[i] != "ok":
                continue
            remedies = [r for r in (self.policy.remedy(rid) for rid in cat.remedies)
                        if r is not None]
            exprs = [b.when for b in cat.bands] + [e for r in remedies
                                                   for e in (r.when, r.amount)]
            if not any(e is not None and risky(e) for e in exprs):
                continue
            chosen = dec.category_chosen(i)
            bands: list[Any] = []
            for b, band in enumerate(cat.bands):
                if band.when is not None:
                    if risky(band.when):
                        self._can_fail(("band", i, b), band.when,
                                       sp.all_of([chosen, *bands]))
                    bands.append(sp.fails(band.when))
            banded = sp.all_of([chosen, sp.any_of(
                [dec.band_chosen(i, b, chosen) for b in range(len(cat.bands))]),
                *(sp.encode(ov.when).ok for ov in overrides)])
            earlier: list[Any] = []
            for r in remedies:
                k = self.policy.remedies.index(r)
                reached = sp.all_of([banded, *earlier])
                if r.when is not None and r.id not in seen and risky(r.when):
                    if self._can_fail(("remedy", k), r.when, reached):
                        seen.add(r.id)
                if r.amount is not None and r.id + "#amount" not in seen and risky(r.amount):
                    need = reached if r.when is None else sp.both(reached, sp.holds(r.when))
                    if self._can_fail(("remedy", k), r.amount, need):
                        seen.add(r.id + "#amount")
                ok = sp.true if r.when is None else sp.encode(r.when).ok
                if r.amount is not None:
                    amount_ok = sp.encode(r.amount).ok
                    ok = sp.both(ok, amount_ok if r.when is None else z3.Or(
                        sp.fails(r.when), amount_ok))
                earlier.append(ok)

    def _risky(self, expr: Any) -> bool:
        """Whether ``expr`` may fail at all (its encoding has an error condition, or an opaque
        part that may fail)."""
        term = self.space.encode(expr)
        return not z3.is_true(term.ok) or bool(self.space.may_fail_opaque(term))

    def _can_fail(self, subject: tuple[Any, ...], expr: Any, reached: Any) -> bool:
        """Report ``expr`` when it can raise an error where it is evaluated; True if found."""
        term = self.space.encode(expr)
        risky = self.space.may_fail_opaque(term)
        if z3.is_true(term.ok) and not risky:
            return False
        goal = self.space.both(reached, z3.Not(term.ok)) if not z3.is_true(term.ok) \
            else reached
        out = self.check(subject, f"whether `{expr.text}` can fail", goal)
        if not out.sat:
            return False
        found: dict[str, str] = {}

        def fails_here(d: Any, facts: Any) -> bool:
            if isinstance(d, DisputeError) and d.code == "evaluation_error" and \
                    d.problems[0].path == expr.element:
                found["message"] = d.problems[0].message
                return True
            return False

        w, possible, uncertain = self.witness(out, [goal], [expr], fails_here)
        if z3.is_true(term.ok) and w is None:
            uncertain = tuple(sorted(risky))  # an opaque part that may fail: say so
            possible = True
        self.add(Finding("can-fail", subject, w, possible, uncertain, expression=expr,
                         message=found.get("message")))
        return True


def _lookup(facts: dict[Any, Any], path: str) -> Any:
    node: Any = facts
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node
