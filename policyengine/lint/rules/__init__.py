"""Lint rules over a loaded Policy: one module per family, named after its code area.

Each rule is ``rule(policy, context) -> Iterable[Diagnostic]``; ``RULES`` lists them in order.
"""

from __future__ import annotations

from . import authority, calendar, coverage, dates, ladder

RULES = (*ladder.RULES, *authority.RULES, *dates.RULES, *calendar.RULES, *coverage.RULES)
LOGIC_RULES = coverage.RULES  # the solver's: an editor runs them on save only
