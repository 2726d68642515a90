"""Facts derived from the ledger (``derived:`` on a fact): counted, deterministically, as of
the decision's date from the disputes recorded so far."""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable, Mapping

from ..model.nodes import DerivedCount, FactDecl, Policy

_ABSENT = object()


def derived_facts(policy: Policy) -> tuple[FactDecl, ...]:
    return tuple(f for f in policy.facts if f.derived is not None)


def window_start(derived: DerivedCount, as_of: _dt.date) -> _dt.date:
    """Disputes opened *after* this day (and on or before ``as_of``) are in the window."""
    return as_of - derived.within.delta


def value_at(facts: Mapping[str, Any], path: str) -> Any:
    node: Any = facts
    for key in path.split("."):
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        else:
            return _ABSENT
    return node


def matches(derived: DerivedCount, mine: Mapping[str, Any], other: Mapping[str, Any]) -> bool:
    """Whether another dispute's opening facts equal this dispute's at every ``same`` path
    (a fact absent in both counts as equal; ``1`` and ``1.0`` are equal, ``true`` and ``1``
    are not)."""
    for path in derived.same:
        a, b = value_at(mine, path), value_at(other, path)
        if a is _ABSENT or b is _ABSENT:
            if a is not b:
                return False
            continue
        if isinstance(a, bool) != isinstance(b, bool) or a != b:
            return False
    return True


def count(derived: DerivedCount, mine: Mapping[str, Any],
          others: Iterable[tuple[str, Mapping[str, Any]]], as_of: _dt.date) -> int:
    """How many of ``others`` ((opened_on, opening facts), this dispute excluded by the
    caller) were opened in the window ending on ``as_of`` with the same facts."""
    start = window_start(derived, as_of).isoformat()
    end = as_of.isoformat()
    return sum(1 for opened_on, facts in others
               if start < opened_on <= end and matches(derived, mine, facts))
