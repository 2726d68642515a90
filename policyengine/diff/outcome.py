"""What a decision amounts to, for comparing two versions: the outcome of a dispute.

An ``Outcome`` keeps what the diff compares (RULEBOOK.md steps 3-7): the category, the level, the
action, the required remedies with who authorizes them and for how much, or the refusal code.
Dates (``respond_by``, ``decide_by``, remedy expiry and review) are compared separately
(``dates_of``): they move with windows and sunsets, which the structural diff shows with dates.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Mapping

from ..core.decision import Decision
from ..core.errors import DisputeError
from ..model.nodes import Policy
from ..decide.evaluate import evaluate_compiled


@dataclass(frozen=True, slots=True)
class Outcome:
    refusal: str | None = None
    category: str | None = None
    level: str | None = None
    action: str | None = None
    remedies: tuple[tuple[str, str | None, Any], ...] = ()  # (id, authorized_by, amount)

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def label(self) -> str:
        """``pricing at regional`` or ``refused (unclassified)``."""
        if self.refusal is not None:
            return f"refused ({self.refusal})"
        return f"{self.category} at {self.level}"

    def to_dict(self) -> dict[str, Any]:
        if self.refusal is not None:
            return {"refusal": self.refusal}
        return {"category": self.category, "level": self.level, "action": self.action,
                "remedies": [{"id": i, "authorized_by": by, "amount": amount}
                             for i, by, amount in self.remedies]}


def decide(policy: Policy, dispute: Mapping[str, Any], as_of: _dt.date | None
           ) -> tuple[Outcome, Decision | None]:
    """``(Outcome, Decision | None)`` of ``dispute`` under ``policy``; a refusal is an outcome."""
    try:
        decision = evaluate_compiled(policy.compiled, dispute, as_of=as_of)
    except DisputeError as exc:
        return Outcome(refusal=exc.code), None
    return outcome_of(decision), decision


def outcome_of(decision: Decision) -> Outcome:
    remedies = tuple(sorted((r.id, r.authorized_by, r.amount) for r in decision.remedies))
    return Outcome(None, decision.category.id, decision.level.id, decision.action, remedies)


def dates_of(decision: Decision | None) -> tuple[Any, ...]:
    """The dates a decision produces (None for a refusal)."""
    if decision is None:
        return ()
    return (decision.respond_by, decision.decide_by,
            tuple(sorted((r.id, r.expires_on, r.review_on) for r in decision.remedies)),
            tuple((r.id, r.expires_on, r.review_on, r.status) for r in decision.remedies_in_force))


def _amount(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def difference(old: Outcome, new: Outcome) -> str:
    """What changed, in words and without amounts (a stable key for counting): ``level
    regional -> frontline``, ``category exclusivity -> pricing; remedy hold: no longer
    required``. Empty when the outcomes are equal."""
    if old == new:
        return ""
    if old.refused or new.refused:
        return f"{old.label()} -> {new.label()}"
    return "; ".join(_main_parts(old, new) + list(remedy_differences(old, new, amounts=False)))


def main_difference(old: Outcome, new: Outcome) -> str:
    """The refusal, category, level and action part of :func:`difference`."""
    if old.refused or new.refused:
        return difference(old, new)
    return "; ".join(_main_parts(old, new))


def _main_parts(old: Outcome, new: Outcome) -> list[str]:
    parts = []
    if old.category != new.category:
        parts.append(f"category {old.category} -> {new.category}")
    if old.level != new.level:
        parts.append(f"level {old.level} -> {new.level}")
    if old.action != new.action:
        parts.append(f"action {old.action} -> {new.action}")
    return parts


def remedy_differences(old: Outcome, new: Outcome, *, amounts: bool) -> list[str]:
    a = {i: (by, amount) for i, by, amount in old.remedies}
    b = {i: (by, amount) for i, by, amount in new.remedies}
    parts = []
    for rid in sorted(set(a) | set(b)):
        if rid not in b:
            parts.append(f"remedy {rid}: no longer required")
        elif rid not in a:
            parts.append(f"remedy {rid}: now required")
        else:
            (by_a, am_a), (by_b, am_b) = a[rid], b[rid]
            if by_a != by_b:
                parts.append(f"remedy {rid}: authorized by {by_a or 'nobody'} -> "
                             f"{by_b or 'nobody'}")
            if am_a != am_b:
                parts.append(f"remedy {rid}: amount {_amount(am_a)} -> {_amount(am_b)}"
                             if amounts else f"remedy {rid}: amount changes")
    return parts
