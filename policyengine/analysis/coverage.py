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
from dataclasses import dataclass, field
from typing import Any, Callable

import z3

from ..errors import DisputeError
from ..model.nodes import Expression, Policy, Remedy
from .decision import DecisionEncoding
from .domain import BOTTOM, Domains
from .encode import FactSpace
from .reproduce import overlap_reproduced, reproduces
from .solver import DEFAULT_BUDGET, DEFAULT_TIMEOUT, Outcome, Prover


WITNESS_TRIES = 3


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


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    chosen: dict[int, bool | None] = field(default_factory=dict)  # category can be chosen
    reached: dict[tuple[int, int], bool | None] = field(default_factory=dict)  # band
    gaps: dict[int, bool | None] = field(default_factory=dict)
    overlaps: set[tuple[int, int]] = field(default_factory=set)  # (earlier, later)
    unclassified: bool | None = None
    queries: int = 0


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
                   timeout: float = DEFAULT_TIMEOUT, budget: float = DEFAULT_BUDGET) -> Report:
    """Run every logic check on a policy that loaded without errors."""
    return _Run(policy, witness_date(policy, as_of), timeout, budget).run()


class _Run:
    def __init__(self, policy: Policy, as_of: _dt.date, timeout: float, budget: float) -> None:
        self.policy = policy
        self.as_of = as_of
        self.space = FactSpace(policy)
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

    def check(self, subject: tuple[Any, ...], question: str, *formulas: z3.ExprRef,
              tracked: Any = None) -> Outcome:
        out = self.prover.check(*formulas, tracked=tracked)
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

    def run(self) -> Report:
        self.candidates = self._candidates()
        self.categories()
        self.overlaps()
        self.unclassified()
        for i in range(len(self.cats)):
            if self.status[i] == "ok":
                self.bands(i)
        self.overrides()
        self.remedies()
        self.report.queries = self.prover.queries
        return self.report

    # -- witnesses -----------------------------------------------------------------------------
    def witness(self, outcome: Outcome, keep: list[Any], exprs: list[Expression | None],
                check: Callable[..., object]) -> tuple[Any, ...]:
        """(witness or None, possible, uncertain texts) for a sat outcome."""
        uncertain: set[str] = set()
        for e in exprs:
            if e is not None:
                t = self.space.encode(e)
                uncertain |= t.opaque | t.inexact
        avoid: dict[str, list[Any]] = {}
        for _ in range(WITNESS_TRIES if uncertain else 1):
            w = self.space.witness(outcome.model, self.as_of, keep=keep, avoid=avoid)
            if reproduces(self.policy, w, check):
                return w, False, ()
            # a boundary value may round the other way in IEEE arithmetic: avoid it next time
            for path, fv in self.space.facts.items():
                if fv.kind in ("int", "double"):
                    avoid.setdefault(path, []).append(_lookup(w["facts"], path))
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
                both = self.space._and(self.chosen(j), holds)
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
                w, possible, uncertain = self.witness(
                    out, [both], [cat.when, self.cats[j].when],
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
            reached = self.space._and_all([chosen, *fails.values()])
            if band.when is not None:
                holds = self.space.holds(band.when)
                out = self.check(("band", i, b), "whether it can be reached", chosen, holds,
                                 tracked=dict(fails))
                if out.unknown:
                    self.report.reached[(i, b)] = None
                    return
                if out.unsat:
                    self.report.reached[(i, b)] = False
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
            fails[b] = self.space.fails(band.when)
        self.gap(i, chosen)

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
        if t is BOTTOM or self.check(subject, "whether its `when` can hold", holds).unsat:
            self.add(Finding("never-holds", subject))
            return False
        if always and not self.domains.restricts(t):
            out = self.check(subject, "whether its `when` always holds", z3.Not(holds))
            if out.unsat:
                self.add(Finding("always-holds", subject))
        return True

    def remedies(self) -> None:
        for k, r in enumerate(self.policy.remedies):
            users = [i for i, c in enumerate(self.cats) if r.id in c.remedies
                     and self.status[i] == "ok"]
            if r.when is not None and not self._never_or_always(("remedy", k), r.when,
                                                                always=False):
                continue
            some = self.space._or_all([self.chosen(i) for i in users])
            need = some if r.when is None else self.space._and(some, self.space.holds(r.when))
            if r.when is not None and users:
                out = self.check(("remedy", k), "whether its `when` holds for the categories "
                                 "that list it", need)
                if out.unsat:
                    self.add(Finding("never-holds-here", ("remedy", k),
                                     related=tuple(("category", i) for i in users)))
                    continue
            if users and r.amount is not None:
                self.exceeds(k, r, need, users)

    def exceeds(self, k: int, r: Remedy, need: z3.BoolRef, users: list[int]) -> None:
        limits = [x for x in self.dec.limits(r.action) if x is not None]
        if not limits or any(x is True for x in limits):
            return
        top = max(limits)
        amount = self.space.encode(r.amount)
        real = self.space.as_real(amount)
        if real is None:
            return
        goal = self.space._and_all([need, amount.ok, real > self.space.num(float(top))])
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


def _lookup(facts: dict[Any, Any], path: str) -> Any:
    node: Any = facts
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node
