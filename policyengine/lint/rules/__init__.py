"""Lint rules over a loaded Policy: one module per family, named after its code area.

Each rule is a :class:`Rule`: a name, the codes it can emit (as ruff's and Regal's rules
declare theirs) and ``check(policy, context) -> Iterable[Diagnostic]``. ``RULES`` lists them in
the order they run. A rule none of whose codes is selected (``--select``/``--ignore``, the
configuration's ``select``/``ignore``/``severity = "off"``) does not run at all: deselecting the
logic codes (PE5xx) asks the solver nothing. The codes no rule declares are the stages' own
(:data:`STAGE_CODES`): found while loading, or by the lint run itself.
"""

from __future__ import annotations

from typing import Callable

from . import authority, calendar, coverage, dates, ladder
from ._rule import Rule

__all__ = ["LOGIC_RULES", "RULES", "Rule", "STAGE_CODES", "rules_for"]

RULES: tuple[Rule, ...] = (*ladder.RULES, *authority.RULES, *dates.RULES, *calendar.RULES,
                           *coverage.RULES)
LOGIC_RULES = tuple(r for r in RULES if r.logic)  # the solver's: an editor runs them on save

#: Codes no rule emits: found while loading the rulebook (file and YAML, schema, references,
#: the ladder's structure, expressions, calendars that cannot be resolved), or by the lint
#: run itself (a missing path, inline suppressions, a crashing rule).
STAGE_CODES: dict[str, frozenset[str]] = {
    "load": frozenset({
        "PE001", "PE002", "PE003", "PE004", "PE005", "PE006", "PE007", "PE008", "PE009",
        "PE010", "PE101", "PE102", "PE103", "PE104", "PE110", "PE111", "PE120", "PE121",
        "PE201", "PE202", "PE203", "PE204", "PE205", "PE206", "PE210", "PE301", "PE302",
        "PE303", "PE304", "PE601", "PE602", "PE603", "PE604", "PE605", "PE606", "PE607",
        "PE608", "PE609", "PE610", "PE611", "PE612", "PE710", "PE711", "PE712", "PE714",
        "PE717"}),
    "lint": frozenset({"PE011", "PE801", "PE802", "PE901"}),
}


def rules_for(enabled: Callable[[str], bool]) -> tuple[Rule, ...]:
    """The rules that run when ``enabled(code)`` says which codes are reported."""
    return tuple(r for r in RULES if any(enabled(c) for c in r.codes))
