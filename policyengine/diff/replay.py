"""Replay past disputes under both versions, streaming, in constant memory.

The input is JSON Lines: one dispute per line (facts plus the reserved keys ``escalation``,
``remedies_in_force`` and ``as_of``). A line without ``as_of`` is decided on the replay's date.
Memory is bounded by the counters (keyed by category and by the words of a change, not by the
disputes) and the first ``examples`` changed disputes; lines are read one at a time.
"""

from __future__ import annotations

import collections
import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from ..load import json_input
from ..model.nodes import Policy
from .outcome import dates_of, decide, difference


@dataclass
class ReplayExample:
    line: int
    dispute: dict[Any, Any]
    as_of: str
    old: dict[Any, Any]
    new: dict[Any, Any]
    change: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "dispute": self.dispute, "as_of": self.as_of,
                "old": self.old, "new": self.new, "change": self.change}


@dataclass
class ReplayResult:
    source: str
    total: int = 0
    changed: int = 0
    dates_changed: int = 0
    refused_both: int = 0
    unreadable: int = 0
    by_change: collections.Counter[Any] = field(default_factory=collections.Counter)
    by_category: collections.Counter[Any] = field(default_factory=collections.Counter)
    examples: list[ReplayExample] = field(default_factory=list)

    @property
    def unchanged(self) -> int:
        return self.total - self.changed - self.unreadable

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "total": self.total, "changed": self.changed,
            "unchanged": self.unchanged, "dates_changed": self.dates_changed,
            "refused_both": self.refused_both, "unreadable": self.unreadable,
            "by_change": [{"change": k, "count": n} for k, n in ordered(self.by_change)],
            "by_category": [{"category": k, "count": n} for k, n in ordered(self.by_category)],
            "examples": [e.to_dict() for e in self.examples],
        }


def ordered(counter: collections.Counter[Any]) -> list[tuple[str, int]]:
    """The counts of a replay's counter, most first (ties by name): the order of every
    report of the replay."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def replay(old: Policy, new: Policy, stream: IO[bytes], *, source: str = "<stream>",
           as_of: _dt.date | None = None, examples: int = 5,
           progress: Callable[[int], None] | None = None) -> ReplayResult:
    """Decide every dispute of ``stream`` (binary JSON Lines) under both versions.

    ``progress(n)`` is called with the bytes read since the last call. Unreadable lines (not
    JSON, not an object) are counted, not fatal. A change is counted by its words
    (``level regional -> frontline``) and by the category the dispute had under the old
    version (``refused`` when the old version refused it).
    """
    day = as_of or _dt.date.today()
    result = ReplayResult(source)
    for number, raw in enumerate(stream, 1):
        if progress is not None:
            progress(len(raw))
        text = raw.strip()
        if not text:
            continue
        result.total += 1
        try:
            dispute = json_input.loads(text)
        except json_input.JsonInputError:
            result.unreadable += 1
            continue
        if not isinstance(dispute, dict):
            result.unreadable += 1
            continue
        when = None if dispute.get("as_of") is not None else day
        o_old, d_old = decide(old, dispute, when)
        o_new, d_new = decide(new, dispute, when)
        if o_old.refused and o_new.refused and o_old == o_new:
            result.refused_both += 1
        change = difference(o_old, o_new)
        if not change:
            if dates_of(d_old) != dates_of(d_new):
                result.dates_changed += 1
            continue
        result.changed += 1
        result.by_change[change] += 1
        result.by_category[o_old.category or "refused"] += 1
        if len(result.examples) < examples:
            shown = when.isoformat() if when is not None else str(dispute.get("as_of"))
            result.examples.append(ReplayExample(number, dispute, shown, o_old.to_dict(),
                                                 o_new.to_dict(), change))
    return result
