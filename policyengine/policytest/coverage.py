"""Rule coverage: which categories, bands, overrides and remedies of a policy the cases
exercised.

A category is covered when a case's dispute fell into it; a band when it set a case's base
level; an override when it held for a case (whether or not it raised the level); a remedy when a
case's decision required it. Refused cases exercise nothing. The rule ids are the elements the
decision trace names (``categories.pricing.thresholds[1]``, ``overrides.recurring``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core.decision import Decision
from ..core.diagnostics import Span
from ..model.nodes import Policy

KINDS = ("category", "band", "override", "remedy")
KIND_PLURALS = {"category": "categories", "band": "bands", "override": "overrides",
                "remedy": "remedies"}


@dataclass(frozen=True)
class Rule:
    kind: str  # category | band | override | remedy
    element: str  # categories.pricing.thresholds[1]
    label: str  # band 2 of category `pricing` (amount < 250000.0)
    span: Span | None

    @property
    def location(self) -> str:
        return str(self.span) if self.span is not None else "<policy>"


def rules_of(policy: Policy) -> list[Rule]:
    """Every rule of ``policy`` a case can exercise, in file order within each kind."""
    out: list[Rule] = []
    for c in policy.categories:
        out.append(Rule("category", f"categories.{c.id}", f"category `{c.id}`", c.span))
    for c in policy.categories:
        for b in c.bands:
            what = "otherwise" if b.when is None else b.when.text
            out.append(Rule("band", f"categories.{c.id}.thresholds[{b.index}]",
                            f"band {b.index + 1} of category `{c.id}` ({what} -> `{b.level}`)",
                            b.span))
    for o in policy.overrides:
        out.append(Rule("override", f"overrides.{o.id}", f"override `{o.id}`", o.span))
    for r in policy.remedies:
        out.append(Rule("remedy", f"remedies.{r.id}", f"remedy `{r.id}`", r.span))
    return out


def exercised(decision: Decision) -> set[str]:
    """The rule elements one decision exercised."""
    hit = {s.rule for s in decision.trace if s.kind in ("category", "band", "override")}
    hit.update(f"remedies.{r.id}" for r in decision.remedies)
    return hit


@dataclass
class PolicyCoverage:
    """Coverage of one policy, over every test file that targets it."""

    policy_path: str
    policy_id: str
    rules: list[Rule]
    hit: set[str] = field(default_factory=set)

    def add(self, decision: Decision) -> None:
        self.hit |= exercised(decision)

    @property
    def covered(self) -> list[Rule]:
        return [r for r in self.rules if r.element in self.hit]

    @property
    def uncovered(self) -> list[Rule]:
        return [r for r in self.rules if r.element not in self.hit]

    def counts(self, kind: str) -> tuple[int, int]:
        rules = [r for r in self.rules if r.kind == kind]
        return sum(r.element in self.hit for r in rules), len(rules)

    @property
    def percent(self) -> float:
        return percent(len(self.covered), len(self.rules))


def percent(covered: int, total: int) -> float:
    """Covered share in percent; a policy with no rules is fully covered."""
    return 100.0 if total == 0 else 100.0 * covered / total
