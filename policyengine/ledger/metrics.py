"""Metrics the protocol is judged by, from the disputes' recorded states (pure).

Per group (category, level, or the value of a fact at opening): disputes, open, resolved,
time to resolution in days (median and p90, nearest-rank, over resolutions), deadline
breaches (windows that passed before a decision, as ``evaluate`` traced them), the escalation
rate (share of disputes escalated at least once after opening), recurrence (share opened with a
derived count above zero: the same partner or kind came back) and reopenings.
"""

from __future__ import annotations

import json
import math
import statistics
from typing import Any, Iterable, Mapping

from ..model.nodes import Policy
from ..core.suggest import did_you_mean
from .derived import value_at
from .errors import LedgerError
from .redact import MASK, is_restricted, sensitive_paths

_ABSENT_KEY = "(none)"


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (``q`` in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[rank - 1]


def _fact_paths(policy: Policy) -> set[str]:
    out: set[str] = set()
    stack = list(policy.facts)
    while stack:
        f = stack.pop()
        out.add(f.path)
        stack.extend(f.fields)
    return out


def _group_key(policy: Policy, row: Mapping[str, Any], by: str, reveal: bool) -> str:
    if by == "category":
        if not reveal and is_restricted(policy, row["category"]):
            return MASK
        return str(row["category"])
    if by == "level":
        return str(row["level"])
    if not reveal and (is_restricted(policy, row["category"])):
        return MASK
    v = value_at(json.loads(row["opened_facts"] or "{}"), by)
    if v is None or v.__class__ is object:
        return _ABSENT_KEY
    return v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)


class _Acc:
    def __init__(self) -> None:
        self.disputes = 0
        self.open = 0
        self.resolved = 0
        self.ttr: list[float] = []
        self.breaches = 0
        self.breached = 0
        self.escalated = 0
        self.recurring = 0
        self.reopened = 0

    def add(self, row: Mapping[str, Any]) -> None:
        """A group of disputes alike in status (counts and sums from the database)."""
        n = int(row["n"])
        self.disputes += n
        if row["status"] == "open":
            self.open += n
        else:
            self.resolved += n
        self.breaches += int(row["breaches"] or 0)
        self.breached += int(row["breached"] or 0)
        self.escalated += int(row["escalated"] or 0)
        self.recurring += int(row["recurring"] or 0)
        self.reopened += int(row["reopened"] or 0)
        if row.get("resolution_days"):
            self.add_days(row["resolution_days"])

    def add_days(self, text: str) -> None:
        self.ttr.extend(float(x) for x in text.split(",") if x)

    def to_dict(self, key: str | None = None) -> dict[str, Any]:
        def rate(n: int) -> float | None:
            return round(n / self.disputes, 4) if self.disputes else None

        out: dict[str, Any] = {} if key is None else {"key": key}
        out.update({
            "disputes": self.disputes, "open": self.open, "resolved": self.resolved,
            "time_to_resolution_days": {
                "count": len(self.ttr),
                "median": statistics.median(self.ttr) if self.ttr else None,
                "p90": percentile(self.ttr, 0.9)},
            "deadline_breaches": self.breaches, "disputes_with_breaches": self.breached,
            "escalated": self.escalated, "escalation_rate": rate(self.escalated),
            "recurring": self.recurring, "recurrence_rate": rate(self.recurring),
            "reopened": self.reopened})
        return out


def compute(rows: Iterable[tuple[Policy, Mapping[str, Any]]], *, by: str,
            from_: str | None, to: str | None, reveal: bool = False) -> dict[str, Any]:
    """``rows``: per (policy, category, level[, opening facts], status) the number of disputes,
    the sums of their metric columns and their ``resolution_days`` joined with commas."""
    rows = list(rows)
    if by not in ("category", "level"):
        policies = {p.digest: p for p, _ in rows}
        known = set().union(*(_fact_paths(p) for p in policies.values())) if policies else set()
        if policies and by not in known:
            raise LedgerError("bad_argument", f"`{by}` is neither `category`, `level` nor a fact "
                              "of the policies recorded",
                              hint=did_you_mean(by, sorted(known | {"category", "level"}))
                              or "use category, level or a fact path such as partner.tier")
        if not reveal and any(by in sensitive_paths(p) or
                              any(by.startswith(s + ".") for s in sensitive_paths(p))
                              for p in policies.values()):
            raise LedgerError("bad_argument", f"fact `{by}` is sensitive: grouping by it would "
                              "show its values", hint="add --reveal if you may see them")
    total = _Acc()
    groups: dict[str, _Acc] = {}
    for policy, row in rows:
        key = _group_key(policy, row, by, reveal)
        groups.setdefault(key, _Acc()).add(row)
        total.add(row)
    return {"from": from_, "to": to, "by": by, "redacted": not reveal,
            "total": total.to_dict(),
            "groups": [groups[k].to_dict(k) for k in sorted(groups)]}
