"""The decision procedure of RULEBOOK.md (steps 3-5 and 7) as z3 terms over a fact space.

``DecisionEncoding(space)`` follows the evaluator: the first category whose ``when`` holds is
chosen (a ``when`` that errors on the way refuses the dispute), then the first band that holds,
then the overrides, then the authority each required remedy needs. Deadlines (step 6) depend on
``escalation``, not on facts, and are left out. Every method returns a z3 term over
``space``'s variables, so two encodings over the same space compare two policy versions:

* ``category_chosen(i)``, ``unclassified()``; ``band_chosen(i, b)``, ``gap(i)``;
* ``base_level()``, ``level()`` (after overrides), ``final_level()`` (after remedies) as z3
  integers: the level's rank, 0 for the entry; ``decided()`` holds when no refusal occurs;
* ``remedy_required(i, remedy_id)``, ``remedy_amount(remedy_id)`` (a Term).

``earlier`` arguments restrict the categories whose ``when`` must fail before category ``i``
(default: all earlier ones). Leaving out categories that cannot hold together with ``i`` keeps
queries small; leaving out others over-approximates (a witness then needs re-checking).
"""

from __future__ import annotations

from typing import Any, Iterable

import z3

from ..compile.policy import derived_facts
from ..model.nodes import Policy
from .encode import FactSpace, Term


class DecisionEncoding:
    def __init__(self, space: FactSpace, policy: Policy | None = None) -> None:
        """``policy`` defaults to the space's; the diff passes each version's own policy over
        a fact space shared by two versions."""
        self.space = space
        policy = policy if policy is not None else space.policy
        self.policy = policy
        self.derived = derived_facts(policy)  # the ladder order and the authority limits
        self.levels = self.derived.levels
        self.rank = self.derived.rank
        self.categories = policy.categories

    # -- categories ---------------------------------------------------------------------------
    def category_holds(self, i: int) -> z3.ExprRef:
        return self.space.holds(self.categories[i].when)

    def category_fails(self, i: int) -> z3.ExprRef:
        return self.space.fails(self.categories[i].when)

    def category_chosen(self, i: int, earlier: Iterable[int] | None = None) -> z3.ExprRef:
        """Category ``i`` decides the dispute: every earlier ``when`` is false, its own true."""
        before = range(i) if earlier is None else earlier
        return self.space.all_of([*(self.category_fails(j) for j in before),
                                    self.category_holds(i)])

    def unclassified(self) -> z3.BoolRef:
        """No category's ``when`` holds (and none errors): the ``unclassified`` refusal."""
        return self.space.all_of([self.category_fails(j) for j in range(len(self.categories))])

    # -- bands ---------------------------------------------------------------------------------
    def band_holds(self, i: int, b: int) -> z3.ExprRef:
        band = self.categories[i].bands[b]
        return self.space.true if band.when is None else self.space.holds(band.when)

    def band_fails(self, i: int, b: int) -> z3.ExprRef:
        band = self.categories[i].bands[b]
        return self.space.false if band.when is None else self.space.fails(band.when)

    def band_reached(self, i: int, b: int, chosen: Any = None) -> z3.ExprRef:
        """Disputes of category ``i`` for which every band before ``b`` is false."""
        chosen = self.category_chosen(i) if chosen is None else chosen
        return self.space.all_of([chosen, *(self.band_fails(i, k) for k in range(b))])

    def band_chosen(self, i: int, b: int, chosen: Any = None) -> z3.ExprRef:
        return self.space.both(self.band_reached(i, b, chosen), self.band_holds(i, b))

    def gap(self, i: int, chosen: Any = None) -> z3.ExprRef:
        """Category ``i`` is chosen and no band holds: the ``threshold_gap`` refusal."""
        return self.band_reached(i, len(self.categories[i].bands), chosen)

    # -- levels --------------------------------------------------------------------------------
    def _int(self, n: int) -> z3.ExprRef:
        return z3.IntVal(n, self.space.ctx)

    def base_level(self) -> z3.ExprRef:
        """The rank of the level the chosen band gives (-1 when the dispute is refused)."""
        value = self._int(-1)
        for i in reversed(range(len(self.categories))):
            for b in reversed(range(len(self.categories[i].bands))):
                band = self.categories[i].bands[b]
                value = z3.If(self.band_chosen(i, b), self._int(self.rank[band.level]), value)
        return value

    def level(self) -> z3.ExprRef:
        """The rank after the overrides (step 5): the highest of the band's and the overrides'
        that hold."""
        value = self.base_level()
        for ov in self.policy.overrides:
            r = self._int(self.rank[ov.min_level])
            value = z3.If(z3.And(self.space.holds(ov.when), value < r), r, value)
        return value

    def decided(self) -> z3.ExprRef:
        """Some category and some band decide the dispute (and no condition on the way fails)."""
        return self.base_level() >= 0

    # -- remedies --------------------------------------------------------------------------------
    def remedy_required(self, i: int, remedy_id: str) -> z3.ExprRef:
        """Category ``i`` is chosen and the remedy (listed by it) is required."""
        remedy = self.policy.remedy(remedy_id)
        if remedy is None or remedy_id not in self.categories[i].remedies:
            return self.space.false
        cond = self.space.true if remedy.when is None else self.space.holds(remedy.when)
        return self.space.both(self.category_chosen(i), cond)

    def remedy_amount(self, remedy_id: str) -> Term | None:
        remedy = self.policy.remedy(remedy_id)
        if remedy is None or remedy.amount is None:
            return None
        return self.space.encode(remedy.amount)

    def limits(self, action: str) -> tuple[Any, ...]:
        """Per level rank: True (unlimited), a number (up to, inclusive) or None."""
        return self.derived.limits_of(action)

    def authorizing_rank(self, remedy_id: str, level: Any) -> z3.ExprRef:
        """The rank of the lowest level at or above ``level`` that may authorize the remedy
        (step 7), or -1 when none may."""
        remedy = self.policy.remedy(remedy_id)
        assert remedy is not None  # ids come from the policy's own remedies
        limits = self.limits(remedy.action)
        amount = self.remedy_amount(remedy_id)
        value = self._int(-1)
        for k in reversed(range(len(limits))):
            limit = limits[k]
            if limit is None:
                continue
            if limit is True or amount is None:
                allows = self.space.true
            else:
                real = self.space.as_real(amount)
                if real is None:
                    allows = self.space.false
                else:
                    top = self.space.num(float(limit))
                    self.space.pin(real, top)
                    allows = real <= top
            value = z3.If(z3.And(level <= k, allows), self._int(k), value)
        return value

    def final_level(self) -> z3.ExprRef:
        """The decision's level rank after the remedies (step 7): a remedy no level may
        authorize sends the dispute to the terminal level."""
        level = self.level()
        value = level
        terminal = self._int(len(self.levels) - 1)
        for i, cat in enumerate(self.categories):
            for rid in cat.remedies:
                if self.policy.remedy(rid) is None:
                    continue
                by = self.authorizing_rank(rid, level)
                need = self.remedy_required(i, rid)
                value = z3.If(z3.And(need, by < 0), terminal,
                              z3.If(z3.And(need, by > value), by, value))
        return value
