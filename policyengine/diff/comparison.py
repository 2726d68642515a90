"""Two policy versions side by side for the solver: the shared fact space, both versions'
decision terms, sessions, and the questions the diff asks of them.

``Comparison(old, new, as_of)`` merges the facts (``space.py``), builds a ``FactSpace`` and a
``Prover`` (``policyengine.analysis``) and, on first use, the decision terms of both versions
over that one space (``encoding.py``). ``differ(a, b)`` is the formula of "decided differently";
``overlap`` answers the structural diff's question about reordered categories and bands;
``atoms`` lists the comparisons every region is made of (``boundaries.py``).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterator

import z3

from ..analysis.encode import FactSpace
from ..analysis.solver import Outcome, Prover
from ..expr import ast
from ..model.nodes import Expression, Policy
from .encoding import (Names, VersionTerms, make_escalation, presence_substitution, substitute,
                       version_terms)
from .session import Session
from .space import merge_facts

_COMPARE = ("<", "<=", ">", ">=", "==", "!=")


def in_force(policy: Policy, day: _dt.date) -> bool:
    m = policy.meta
    return m.effective <= day and (m.expires is None or day <= m.expires)


class Comparison:
    """The shared space and decision terms of two versions (also the structural diff's oracle
    for reordered categories and bands)."""

    def __init__(self, old: Policy, new: Policy, as_of: _dt.date, *, timeout: float,
                 budget: float) -> None:
        self.old, self.new, self.as_of = old, new, as_of
        self.shared = merge_facts(old, new)
        # the old version's space over the facts of both (each version's decision terms
        # are built for its own policy: encoding.py); doubles as the evaluator computes them
        # (IEEE round-to-nearest, as lint encodes them): a region's formula then holds for a
        # dispute exactly when the evaluator's rounded arithmetic puts it there
        self.space = FactSpace(old, declarations=self.shared, ieee=True)
        self.prover = Prover(self.space, timeout=timeout, budget=budget)
        self.timeout = timeout
        self.unknown = 0
        self.base: list[Any] = []
        self._terms: tuple[Any, ...] | None = None
        self._scope: tuple[Any, ...] | None = None

    def check(self, *formulas: z3.ExprRef) -> Outcome:
        out = self.prover.check(*self.base, *formulas)
        if out.unknown:
            self.unknown += 1
        return out

    def session(self, *formulas: z3.ExprRef) -> Session:
        """A solver with the base constraints and ``formulas`` asserted for many queries."""
        return Session(self.prover, *self.base, *formulas)

    def within(self, region: z3.ExprRef, *formulas: z3.ExprRef) -> Outcome:
        """``check(region, *formulas)`` on a session kept for the last region asked about."""
        key = region.get_id()
        if self._scope is None or self._scope[0] != key:
            self._scope = (key, self.session(region))
        out: Outcome = self._scope[1].check(*formulas)
        if out.unknown:
            self.unknown += 1
        return out

    # -- the structural diff's question ------------------------------------------------------
    def overlap(self, old_conditions: tuple[Any, ...], new_conditions: tuple[Any, ...]
                ) -> bool | None:
        """Can all the conditions of one version hold together (in either version)?"""
        verdicts = []
        for conds in (old_conditions, new_conditions):
            formulas = [self.space.holds(c) for c in conds if c is not None]
            out = self.prover.check(*formulas)
            if out.sat:
                return True
            verdicts.append(out.unsat)
        return False if all(verdicts) else None

    # -- the decision terms ------------------------------------------------------------------
    def terms(self) -> tuple[VersionTerms, VersionTerms]:
        if self._terms is None:
            self.names = Names(self.old, self.new)
            self.esc = make_escalation(self.space, self.old, self.new, self.as_of)
            self.base = list(self.esc.domain)
            pairs_a, present = presence_substitution(self.space, self.shared, 0)
            pairs_b, present_b = presence_substitution(self.space, self.shared, 1)
            present.update(present_b)
            self.present = present
            a = substitute(version_terms(self.space, self.old, self.names, self.esc,
                                         self.as_of), pairs_a)
            b = substitute(version_terms(self.space, self.new, self.names, self.esc,
                                         self.as_of), pairs_b)
            self._terms = (a, b)
        return self._terms

    def atoms(self) -> list[Any]:
        """The comparisons every region is made of: those in the expressions of both versions,
        each amount against each authority limit, and the amounts of both versions."""
        a, b = self.terms()
        out = []
        for p in (self.old, self.new):
            for e in expressions(p):
                for node in ast.walk(e.analysis.ast):
                    if type(node) is ast.Binary and node.op in _COMPARE:
                        term = self.space.encode(node)
                        if term.kind == "bool":
                            out.append(term.value)
        for p, t in ((self.old, a), (self.new, b)):
            for rid, amount in t.amount.items():
                remedy = p.remedy(rid)
                if amount is None or remedy is None:
                    continue
                for g in p.authority:
                    if g.action == remedy.action and not isinstance(g.limit, bool):
                        out.append(amount <= self.space.num(float(g.limit)))
        for rid in set(a.amount) & set(b.amount):
            x, y = a.amount[rid], b.amount[rid]
            if x is not None and y is not None:
                out.append(x == y)
        # a comparison of a rounded result with a constant changes where its exact value
        # crosses the midpoint next to the constant (FactVariables.pin)
        out.extend(self.space.pins)
        return out


    def inexact_changes(self) -> list[str]:
        """The double arithmetic the solver does not follow exactly, in what changed between
        the versions: a division of doubles (z3's ``x / 0.0`` is an unspecified real where the
        evaluator gives an infinity or NaN) in an expression (a condition or an amount) that
        only one version has, or in every amount when the authority limits it is held against
        changed. Sorted, each once. A proof that no dispute changes does not cover the
        disputes where these divide by zero. (``+ - *`` of doubles are encoded as the evaluator
        rounds them: see ``FactVariables.rounded``.)"""
        texts: list[set[str]] = [set(), set()]
        for i, p in enumerate((self.old, self.new)):
            texts[i] = {e.canonical for e in expressions(p)} | {
                r.amount.canonical for r in p.remedies if r.amount is not None}
        limits_changed = self.old.authority != self.new.authority
        out: set[str] = set()
        for i, p in enumerate((self.old, self.new)):
            amounts = [r.amount for r in p.remedies if r.amount is not None]
            for e in [*expressions(p), *amounts]:
                if e.canonical in texts[1 - i] and not (limits_changed and e in amounts):
                    continue
                out |= self.space.encode(e).inexact
        return sorted(out & self.space.nonfinite)


def differ(a: VersionTerms, b: VersionTerms, ctx: z3.Context) -> z3.BoolRef:
    false = z3.BoolVal(False, ctx)
    inner = [a.category != b.category, a.level != b.level, a.escalate != b.escalate]
    for rid in sorted(set(a.required) | set(b.required)):
        ra, rb = a.required.get(rid, false), b.required.get(rid, false)
        inner.append(ra != rb)
        if rid in a.required and rid in b.required:
            inner.append(z3.And(ra, rb, z3.Or(a.by[rid] != b.by[rid], amount_differs(a, b, rid))))
    both = z3.And(a.refusal == 0, b.refusal == 0)
    return z3.Or(a.refusal != b.refusal, z3.And(both, z3.Or(inner)))


def amount_differs(a: VersionTerms, b: VersionTerms, rid: str) -> z3.BoolRef:
    x, y = a.amount.get(rid), b.amount.get(rid)
    ctx = a.refusal.ctx
    if x is None and y is None:
        return z3.BoolVal(False, ctx)
    if x is None or y is None:
        return z3.BoolVal(True, ctx)
    return x != y


def value(model: z3.ModelRef, term: z3.ExprRef) -> Any:
    v = model.eval(term, model_completion=True)
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    return v.as_long() if z3.is_int_value(v) else None


def expressions(policy: Policy) -> Iterator[Expression]:
    for c in policy.categories:
        yield c.when
        for b in c.bands:
            if b.when is not None:
                yield b.when
    for o in policy.overrides:
        yield o.when
    for r in policy.remedies:
        if r.when is not None:
            yield r.when
        if r.amount is not None:
            yield r.amount
