"""The auditor's diff: what changed between two versions of a rulebook, and which disputes it
changes.

``diff_policies(old, new, as_of=..., replay=...)`` returns a :class:`PolicyDiff`:

* ``changes``: structural changes matched by id (``structural.py``, records in ``records.py``);
* ``behavior``: the regions of disputes decided differently, proven with z3, each with a witness
  checked by the evaluator (``semantic.py``), and the verdict (``identical``, ``equivalent``,
  ``different``, ``unknown``, ``not-compared``);
* ``replay``: past disputes decided under both versions (``replay.py``), when asked.

``PolicyDiff.to_dict()`` validates against ``schemas/diff.schema.json``. See ``docs/diff.md``.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import IO, Any, Callable

from ..core.calendar import AsOf, as_day
from ..model.nodes import Policy
from .records import Added, Change, Changed, Moved, Removed
from .replay import ReplayResult, replay
from .comparison import Comparison
from .behavior import Behavior
from .semantic import BehaviorReport, compare_behavior
from .sources import SourceError, load_version
from .space import project
from .structural import structural_changes

__all__ = ["Added", "Behavior", "BehaviorReport", "Change", "Changed", "Moved", "PolicyDiff",
           "Removed", "ReplayResult", "SourceError", "diff_policies", "project"]

FAIL_ON = ("behavior", "outcome", "any", "none")

#: changes whose ``note`` gives the dates they produce on ``as_of``
DATED = ("respond_within", "decide_within", "sunset", "review_every", "effective", "expires")


@dataclass
class PolicyDiff:
    old: Policy
    new: Policy
    as_of: _dt.date
    changes: list[Change]
    behavior: BehaviorReport
    replay: ReplayResult | None = None

    @property
    def verdict(self) -> str:
        return self.behavior.verdict

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.breaking]

    @property
    def problems(self) -> list[Change]:
        return [c for c in self.changes if c.problem]

    @property
    def dates_change(self) -> bool:
        """Some change moves the dates decisions produce (windows, sunsets, reviews, term)."""
        return any(c.path.rsplit(".", 1)[-1] in DATED for c in self.changes)

    @property
    def decisions_change(self) -> bool | None:
        """True when some dispute is decided differently, its dates included (proven, or seen
        in the replay); None when not proven either way."""
        return self._changes(dates=True)

    @property
    def outcomes_change(self) -> bool | None:
        """Like :attr:`decisions_change`, leaving dates out: the refusal, category, level,
        action or remedies of some dispute change (a dispute refused as invalid by one version
        only counts: a refusal is an outcome)."""
        return self._changes(dates=False)

    def _changes(self, *, dates: bool) -> bool | None:
        regions = [r for r in self.behavior.regions if dates or r.kind != "dates"]
        replayed = self.replay is not None and (
            self.replay.changed or (dates and self.replay.dates_changed))
        if regions or replayed:
            return True
        if self.behavior.verdict == "unknown" or (self.behavior.verdict == "not-compared"
                                                  and not self.behavior.complete):
            # not proven either way; with no dispute valid under both versions, every dispute
            # one version decides is refused by the other
            return None
        if not self.behavior.complete:
            return None  # regions were left out (a witness did not reproduce, a timeout)
        return False

    def exit_code(self, fail_on: str = "behavior") -> int:
        """0 or 1 under ``--fail-on``: ``behavior`` (some decision changes, dates included,
        or it cannot be proven that none does), ``outcome`` (the same, leaving out disputes
        whose only change is their dates), ``any`` (any change at all), ``none``."""
        if fail_on == "none":
            return 0
        if fail_on == "any":
            return 1 if self.changes or self.decisions_change is not False else 0
        if fail_on == "outcome":
            return 0 if self.outcomes_change is False else 1
        return 0 if self.decisions_change is False else 1

    def to_dict(self) -> dict[str, Any]:
        def side(p: Policy) -> dict[Any, Any]:
            return {"id": p.meta.id, "version": p.meta.version, "source": p.path,
                    "digest": p.digest}

        return {
            "old": side(self.old),
            "new": side(self.new),
            "as_of": self.as_of.isoformat(),
            "verdict": self.verdict,
            "summary": {"changes": len(self.changes), "breaking": len(self.breaking),
                        "problems": len(self.problems), "behavior": len(self.behavior.regions),
                        "dates_only": sum(1 for r in self.behavior.regions
                                          if r.kind == "dates"),
                        "complete": self.behavior.complete,
                        "dates_change": self.dates_change},
            "changes": [c.to_dict() for c in self.changes],
            "behavior": [b.to_dict() for b in self.behavior.regions],
            "notes": list(self.behavior.notes),
            "replay": self.replay.to_dict() if self.replay is not None else None,
        }


def diff_policies(old: "Policy | str | os.PathLike[str]", new: "Policy | str | os.PathLike[str]", *,
                  as_of: AsOf | None = None, replay: "str | os.PathLike[str] | IO[bytes] | None"
                  = None, behavior: bool = True, timeout: float = 10.0, budget: float = 60.0,
                  max_regions: int = 30, examples: int = 5,
                  progress: Callable[[int], None] | None = None,
                  replay_source: str | None = None) -> PolicyDiff:
    """Compare two versions of a rulebook.

    ``old``/``new``: loaded policies, paths, or ``REV:PATH`` read from git. ``as_of`` (default
    today): the day decisions are compared on and dates shown for. ``replay``: a JSON Lines file
    (path or binary stream) of past disputes, named ``replay_source`` in the report. ``behavior=False`` skips the solver. ``timeout``
    (per query) and ``budget`` (in all) bound the solver, in seconds.

    Raises SourceError (unreadable source) or PolicyError (a version does not load).
    """
    day = as_day(as_of)
    a, b = load_version(old), load_version(new)
    holder: dict[str, Comparison] = {}

    def comparison() -> Comparison:
        if "cmp" not in holder:
            holder["cmp"] = Comparison(a, b, day, timeout=timeout, budget=budget)
        return holder["cmp"]

    changes = structural_changes(a, b, as_of=day,
                                 overlap=lambda x, y: comparison().overlap(x, y))
    if a == b and a.digest == b.digest:
        report = BehaviorReport("identical")
    elif behavior:
        report = compare_behavior(a, b, as_of=day, max_regions=max_regions,
                                  comparison=comparison())
    else:
        report = BehaviorReport("unknown", complete=False,
                                notes=["the behavioral comparison was not run"])
    replayed = None
    if replay is not None:
        if isinstance(replay, (str, os.PathLike)):
            with open(replay, "rb") as stream:
                replayed = _replay(a, b, stream, replay_source or os.fspath(replay), day,
                                   examples, progress)
        else:
            name = replay_source or getattr(replay, "name", None) or "<stream>"
            replayed = _replay(a, b, replay, name, day, examples, progress)
    return PolicyDiff(a, b, day, changes, report, replayed)


def _replay(a: Policy, b: Policy, stream: IO[bytes], name: str, day: _dt.date, examples: int,
            progress: Callable[[int], None] | None) -> ReplayResult:
    return replay(a, b, stream, source=str(name), as_of=day, examples=examples,
                  progress=progress)
