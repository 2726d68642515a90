"""A z3 solver that keeps some formulas asserted across many queries.

The behavioral diff asks many questions about one region of disputes (which enum values it
allows, whether a clause covers it, ...) and, in its main loop, the same question again and
again with one more region excluded each time. Asserting the big shared formulas once and
asking with ``push``/``pop`` lets z3 keep what it learned; re-asserting them per query (as a
fresh ``Prover.check`` does) costs most of the time. Queries count against the ``Prover``'s
budget and use its per-query timeout.
"""

from __future__ import annotations

import z3

from ..analysis.solver import Outcome, Prover, solve


class Session:
    def __init__(self, prover: Prover, *formulas: z3.ExprRef) -> None:
        self.prover = prover
        space = prover.space
        self.solver = z3.Solver(ctx=space.ctx)
        self.solver.set("timeout", max(1, int(prover.timeout * 1000)))
        self.solver.add(*space.domain)
        self.add(*formulas)

    def add(self, *formulas: z3.ExprRef) -> None:
        """Assert for every later query."""
        for f in formulas:
            if not z3.is_true(f):
                self.solver.add(f)

    def check(self, *formulas: z3.ExprRef) -> Outcome:
        """Is the conjunction of the session's formulas and ``formulas`` satisfiable?"""
        if self.prover.exhausted:
            return Outcome("unknown", reason="budget")
        return solve(self.solver, self.prover, formulas)
