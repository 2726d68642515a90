"""Bounded satisfiability checks over a :class:`~policyengine.analysis.encode.FactSpace`.

``Prover(space, timeout=2.0, budget=60.0)`` keeps one z3 solver with the domain asserted once and
answers each query inside ``push``/``pop``. Every query has a timeout (seconds); the prover also
has a total budget, after which queries are answered ``unknown`` without calling z3. A query
never raises for a hard formula: it returns an :class:`Outcome` whose ``status`` is ``sat`` (with
a ``model``), ``unsat`` (with the ``core``: the names of the tracked parts that suffice) or
``unknown`` (with a ``reason``: ``timeout``, ``budget`` or z3's own).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Mapping

import z3

from .encode import FactSpace

DEFAULT_TIMEOUT = 2.0  # seconds per query
DEFAULT_BUDGET = 60.0  # seconds per policy


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str  # "sat" | "unsat" | "unknown"
    model: Any = None
    core: tuple[Any, ...] = ()
    reason: str | None = None

    @property
    def sat(self) -> bool:
        return self.status == "sat"

    @property
    def unsat(self) -> bool:
        return self.status == "unsat"

    @property
    def unknown(self) -> bool:
        return self.status == "unknown"


class Prover:
    """One incremental solver over a fact space, with a per-query timeout and a total budget."""

    def __init__(self, space: FactSpace, *, timeout: float = DEFAULT_TIMEOUT,
                 budget: float = DEFAULT_BUDGET):
        self.space = space
        self.timeout = timeout
        self.budget = budget
        self.spent = 0.0
        self.queries = 0  # queries z3 answered (not those decided without it)
        self.label = ""  # who is asking (lint's logic checks name themselves), for counting
        # the budget bounds wall-clock time too, from the prover's creation: time spent outside
        # z3's own check (encoding, optimizing, describing) counts, so the whole command that
        # owns the prover stops asking once the budget has passed
        self.deadline = time.monotonic() + budget
        self.solver = z3.Solver(ctx=space.ctx)
        self.solver.set("timeout", max(1, int(timeout * 1000)))
        self.solver.set("core.minimize", True)
        self._asserted = 0

    def _sync(self) -> None:
        """Assert the domain constraints added since the last query (at the base level)."""
        domain = self.space.domain
        if self._asserted < len(domain):
            self.solver.add(*domain[self._asserted:])
            self._asserted = len(domain)

    @property
    def remaining(self) -> float:
        """Seconds left before the deadline (0 when it has passed)."""
        return max(0.0, self.deadline - time.monotonic())

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.budget or time.monotonic() >= self.deadline

    def check(self, *formulas: Any, tracked: Mapping[str, Any] | None = None) -> Outcome:
        """Is the conjunction of ``formulas`` and ``tracked.values()`` satisfiable over the
        domain? When unsat, ``core`` names the tracked parts needed for the contradiction."""
        if self.exhausted:
            return Outcome("unknown", reason="budget")
        self._sync()
        return solve(self.solver, self, formulas, tracked)


def solve(solver: Any, prover: Prover, formulas: Any,
          tracked: Mapping[str, Any] | None = None) -> Outcome:
    """One query on ``solver`` inside ``push``/``pop``: assert ``formulas`` (and each of
    ``tracked`` behind a literal, for the unsat core), check, and classify the answer. Time and
    queries count against ``prover`` (its per-query timeout is the solver's)."""
    ctx = prover.space.ctx
    solver.push()
    try:
        for f in formulas:
            if z3.is_false(f):
                return Outcome("unsat")
            if not z3.is_true(f):
                solver.add(f)
        literals = []
        names = {}
        for i, (name, f) in enumerate((tracked or {}).items()):
            lit = z3.Bool(f"!track{i}", ctx)
            solver.add(z3.Implies(lit, f))
            literals.append(lit)
            names[lit.get_id()] = name
        if prover.exhausted:
            return Outcome("unknown", reason="budget")
        # no query may run past the deadline (set only when it is near: resetting a solver's
        # parameters changes which of several models z3 finds)
        left = prover.remaining
        if left < prover.timeout:
            solver.set("timeout", max(1, int(left * 1000)))
        started = time.perf_counter()
        try:
            result = solver.check(*literals)
        except z3.Z3Exception as exc:  # z3 interrupted or out of memory: an unknown
            prover.spent += time.perf_counter() - started
            return Outcome("unknown", reason=str(exc) or "z3 error")
        elapsed = time.perf_counter() - started
        prover.spent += elapsed
        prover.queries += 1
        if result == z3.sat:
            return Outcome("sat", model=solver.model())
        if result == z3.unsat:
            if not names:
                return Outcome("unsat")
            core = tuple(names[c.get_id()] for c in solver.unsat_core() if c.get_id() in names)
            return Outcome("unsat", core=core)
        reason = solver.reason_unknown()
        if "timeout" in reason or "canceled" in reason or elapsed >= prover.timeout * 0.95:
            reason = "timeout"
        return Outcome("unknown", reason=reason)
    finally:
        solver.pop()
