"""Outcome keys: what the solver's model says each version decides, the region of disputes
decided like it, and whether the evaluator agrees with it.

A key is ``(refusal,)`` or ``(0, category, level, escalate, ((remedy, required, role), ...))``
with the shared ids of ``encoding.Names``. A region is *coarse* when the refusal, category,
level or action changes (the remedies follow), *fine* when only remedies change.
"""

from __future__ import annotations

import z3
from typing import Any

from ..model.nodes import Policy
from .comparison import Comparison, amount_differs, value
from .encoding import REFUSALS, VersionTerms
from .outcome import Outcome


class Keys:
    def __init__(self, cmp: Comparison):
        self.a, self.b = cmp.terms()
        self.ctx = cmp.space.ctx
        self.names = cmp.names

    # -- keys ---------------------------------------------------------------------------------
    def key(self, model: z3.ModelRef, t: VersionTerms) -> tuple[Any, ...]:
        refusal = value(model, t.refusal)
        if refusal:
            return (refusal,)
        remedies = []
        for rid in sorted(t.required):
            req = value(model, t.required[rid])
            remedies.append((rid, req, value(model, t.by[rid]) if req else None))
        return (0, value(model, t.category), value(model, t.level),
                value(model, t.escalate), tuple(remedies))

    def region_formula(self, model: z3.ModelRef, ka: tuple[Any, ...], kb: tuple[Any, ...],
                       escalated: bool, phase: z3.BoolRef) -> z3.BoolRef:
        """The disputes whose outcome pair is like the model's.

        When the refusal, category, level or action changes, the region is every dispute with
        the same of those (for escalated disputes: any category, the same in both versions);
        the remedies follow. When only remedies change, it is every dispute of the category
        whose level and action stay alike and whose remedies change the same way: the same
        remedies required, the same authorizers where they change, the same amounts changing.
        """
        a, b = self.a, self.b
        ctx = self.ctx
        if not fine(ka, kb):
            parts = [self._coarse(ka, a, escalated), self._coarse(kb, b, escalated)]
            if escalated and ka[0] == 0 and kb[0] == 0 and ka[1] == kb[1]:
                parts.append(a.category == b.category)
            return z3.And(phase, *parts)
        parts = [a.refusal == 0, b.refusal == 0, a.level == b.level, a.escalate == b.escalate]
        parts += [a.category == b.category] if escalated else [a.category == ka[1],
                                                                b.category == kb[1]]
        for rid, (ra, by_a), (rb, by_b) in self.remedy_pairs(ka, kb):
            parts.append(a.required[rid] == z3.BoolVal(ra, ctx) if rid in a.required
                         else z3.BoolVal(not ra, ctx))
            parts.append(b.required[rid] == z3.BoolVal(rb, ctx) if rid in b.required
                         else z3.BoolVal(not rb, ctx))
            if ra and rb:
                if by_a == by_b:
                    parts.append(a.by[rid] == b.by[rid])
                else:
                    parts += [a.by[rid] == by_a, b.by[rid] == by_b]
                d = amount_differs(a, b, rid)
                parts.append(d if value(model, d) else z3.Not(d))
        return z3.And(phase, *parts)

    def _coarse(self, key: tuple[Any, ...], t: VersionTerms, escalated: bool) -> z3.BoolRef:
        parts = [t.refusal == key[0]]
        if key[0] == 0:
            parts += [t.level == key[2], t.escalate == z3.BoolVal(bool(key[3]), self.ctx)]
            if not escalated:
                parts.append(t.category == key[1])
        return z3.And(parts)

    @staticmethod
    def remedy_pairs(ka: tuple[Any, ...], kb: tuple[Any, ...]) -> list[Any]:
        """``[(remedy id, (required, by) old, (required, by) new)]`` over both versions."""
        a = {rid: (bool(req), by) for rid, req, by in ka[4]}
        b = {rid: (bool(req), by) for rid, req, by in kb[4]}
        return [(rid, a.get(rid, (False, None)), b.get(rid, (False, None)))
                for rid in sorted(set(a) | set(b))]

    def signature(self, model: z3.ModelRef, ka: tuple[Any, ...], kb: tuple[Any, ...]
                  ) -> tuple[Any, ...]:
        """How the remedies change in the model: per remedy, (required old, required new,
        authorizers when they change, whether the amount changes)."""
        names = self.names.roles
        out = []
        for rid, (ra, by_a), (rb, by_b) in self.remedy_pairs(ka, kb):
            if not (ra or rb):
                continue
            change = None
            amount = False
            if ra and rb:
                if by_a != by_b:
                    change = (names[by_a] if by_a >= 0 else None,
                              names[by_b] if by_b >= 0 else None)
                amount = bool(value(model, amount_differs(self.a, self.b, rid)))
            out.append((rid, ra, rb, change, amount))
        return tuple(out)

    def predicted(self, key: tuple[Any, ...], policy: Policy) -> Outcome:
        if key[0]:
            return Outcome(refusal=REFUSALS[key[0]])
        _, cat, level, escalate, remedies = key
        rems = tuple(sorted((rid, self.names.roles[by] if by is not None and by >= 0 else None,
                             None) for rid, req, by in remedies if req))
        return Outcome(None, self.names.categories[cat] if cat >= 0 else None,
                       self.names.levels[level] if level >= 0 else None,
                       "escalate" if escalate else "handle", rems)

    @staticmethod
    def matches(o_old: Outcome, o_new: Outcome, want_old: Outcome, want_new: Outcome,
                want_sig: tuple[Any, ...] | None, escalated: bool) -> bool:
        """The evaluator's outcomes are in the region the solver described."""
        if want_sig is None:  # a coarse region: refusal, category, level, action
            return all(_same(real, want, escalated)
                       for real, want in ((o_old, want_old), (o_new, want_new)))
        if o_old.refused or o_new.refused:
            return False
        if (o_old.level, o_old.action) != (o_new.level, o_new.action) or \
                o_old.category != o_new.category or \
                (not escalated and o_old.category != want_old.category):
            return False
        return _signature(o_old, o_new) == want_sig


def fine(ka: tuple[Any, ...], kb: tuple[Any, ...]) -> bool:
    """A region is keyed by the whole outcome when only remedies change; otherwise by the
    refusal, category, level and action (the remedies follow the level)."""
    return ka[0] == 0 and kb[0] == 0 and ka[1:4] == kb[1:4]


def _same(real: Outcome, want: Outcome, loose: bool) -> bool:
    """The evaluator's refusal, level and action (and category unless ``loose``) are the
    solver's."""
    if real.refusal or want.refusal:
        return real.refusal == want.refusal
    return (real.level, real.action) == (want.level, want.action) and (
        loose or real.category == want.category)


def _signature(o_old: Outcome, o_new: Outcome) -> tuple[Any, ...]:
    """How the remedies change between two decisions (see ``_Search.signature``)."""
    a = {i: (by, amount) for i, by, amount in o_old.remedies}
    b = {i: (by, amount) for i, by, amount in o_new.remedies}
    out = []
    for rid in sorted(set(a) | set(b)):
        change, amount = None, False
        if rid in a and rid in b:
            if a[rid][0] != b[rid][0]:
                change = (a[rid][0], b[rid][0])
            amount = a[rid][1] != b[rid][1]
        out.append((rid, rid in a, rid in b, change, amount))
    return tuple(out)
