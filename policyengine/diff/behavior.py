"""One region of disputes that two versions decide differently (``Behavior``), and how a
dotted fact path is read from a dispute: the records the behavioural searches (``semantic.py``,
``dates.py``, ``validity.py``) share, so that none of them imports another's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Behavior:
    """One region of disputes decided differently.

    ``condition``: the region in words (``10000 <= amount < 25000``); ``exact``: the condition
    describes exactly the disputes that change this way (False: it contains them, and more);
    ``change``: what changes (``level regional -> frontline``); ``witness``: a dispute of the
    region, ``{"facts": ..., "as_of": ...}`` (``facts`` may hold the reserved ``escalation``);
    ``old``/``new``: its outcomes under each version."""

    summary: str
    subject: str
    condition: str
    exact: bool
    change: str
    witness: dict[str, Any]  # always reproduced: a region without one is left out
    old: dict[Any, Any]
    new: dict[Any, Any]
    escalated: bool = False
    example_change: str = ""
    #: ``outcome`` (the refusal, category, level, action or remedies change), ``dates`` (the
    #: outcome is the same, its dates move) or ``validity`` (valid under one version, refused
    #: as invalid by the other)
    kind: str = "outcome"
    dates: dict[str, Any] | None = None  # a date region: the witness's dates under each version
    #: the region as a z3 formula over the comparison's variables (not serialized): tests
    #: check grid disputes against it with ``BehaviorReport.contains``
    formula: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = {"summary": self.summary, "subject": self.subject, "condition": self.condition,
               "exact": self.exact, "change": self.change, "escalated": self.escalated,
               "witness": self.witness, "example_change": self.example_change or self.change,
               "old": self.old, "new": self.new, "kind": self.kind}
        if self.dates is not None:
            out["dates"] = self.dates
        return out


def lookup(facts: dict[Any, Any], path: str) -> Any:
    """The value at ``path`` (``partner.tier``) in ``facts``, or None where it is absent."""
    node: Any = facts
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node
