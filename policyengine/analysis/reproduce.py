"""Decide a witness with the real evaluator and check that it reproduces its finding."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable

from ..core.decision import Decision
from ..core.errors import DisputeError
from ..model.nodes import Policy
from ..decide.evaluate import evaluate_compiled


def reproduces(policy: Policy, witness: dict[str, Any],
               check: Callable[[Decision | DisputeError, Any], object]) -> bool:
    """Decide the witness with the real evaluator and ask ``check(decision_or_error, facts)``."""
    try:
        outcome: Any = evaluate_compiled(policy.compiled, witness["facts"],
                                       as_of=_dt.date.fromisoformat(witness["as_of"]))
    except DisputeError as exc:
        outcome = exc
    try:
        return bool(check(outcome, witness["facts"]))
    except Exception:  # a check that cannot even look at the outcome: not reproduced
        return False


def overlap_reproduced(policy: Policy, decision: Decision | Exception, facts: Any,
                       earlier: int, later: int) -> bool:
    """The earlier category decided the dispute, and the later one's `when` holds too."""
    cp = policy.compiled
    if isinstance(decision, DisputeError):
        # chosen, then refused inside the earlier category (a gap among its bands)
        first = decision.problems[0] if decision.problems else None
        if decision.code != "threshold_gap" or first is None or \
                first.path != f"categories.{cp.categories[earlier].ref.id}":
            return False
    elif isinstance(decision, Exception):
        return False
    elif decision.category.id != cp.categories[earlier].ref.id:
        return False
    problems: list[Any] = []
    normalized = cp.check_facts(facts, "", problems)
    if problems:
        return False
    try:
        return cp.categories[later].when.fn(normalized) is True
    except Exception:
        return False
