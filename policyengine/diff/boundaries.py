"""Where a region can change along one numeric fact: the roots of the comparisons it is made of.

Every region of the behavioral diff is built from the *atoms* of both versions: the comparisons
in their expressions (each encoded alone), the authority checks ``amount <= limit`` and the
comparisons of two amounts. Each atom is resolved through the ``If``-terms it contains
(``amount < (region == "APAC" ? 5000 : 15000)`` gives two comparisons, their conditions are
visited as atoms of their own); a resolved comparison that reads one numeric fact linearly
changes its truth only at one value of it, its *root*. Between two consecutive roots every
region is the same for every value of the fact, so a region's interval along the fact is found
by a binary search over the roots instead of an optimizer call.

A fact read together with another number in one comparison (``amount * rate < 10``), or
non-linearly, is *tangled*: its interval is left to z3's optimizer.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable

import z3

from ..analysis.witness import constant_names

_COMPARE = {z3.Z3_OP_LE, z3.Z3_OP_LT, z3.Z3_OP_GE, z3.Z3_OP_GT, z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT}
MAX_FORMS = 64  # resolved forms of one comparison before giving up on it


def _number(e: z3.ExprRef) -> Fraction | None:
    e = z3.simplify(e)
    if z3.is_int_value(e):
        return Fraction(e.as_long())
    if z3.is_rational_value(e):
        value: Fraction = e.as_fraction()
        return value
    return None


class Roots:
    """``roots[name]``: the roots found for the numeric constant ``name``; ``tangled``: the
    names whose roots cannot be found this way."""

    def __init__(self, atoms: Iterable[Any], numeric: Iterable[Any]) -> None:
        self.vars = {v.decl().name(): v for v in numeric}
        self.roots: dict[str, set[Fraction]] = {name: set() for name in self.vars}
        self.tangled: set[str] = set()
        for atom in atoms:
            self._walk(atom)

    # -- the walk ------------------------------------------------------------------------------
    def _walk(self, formula: z3.ExprRef) -> None:
        seen: set[int] = set()  # ids of nodes of ``formula``, alive while it is
        stack = [formula]
        while stack:
            e = stack.pop()
            key = e.get_id()
            if key in seen:
                continue
            seen.add(key)
            if not z3.is_app(e):
                continue
            kind = e.decl().kind()
            if kind in _COMPARE and e.num_args() >= 2 and z3.is_arith(e.arg(0)):
                stack.extend(self._comparison(e))
            elif kind == z3.Z3_OP_ITE and not z3.is_bool(e):
                stack.extend(self._arith_conditions(e))
            else:
                stack.extend(e.children())

    def _comparison(self, e: z3.ExprRef) -> list[Any]:
        """Record the roots of one comparison; return the conditions found inside it."""
        conditions: list[Any] = []
        forms = self._resolve(e.arg(0) - e.arg(1), conditions)
        if forms is None:
            for name in self._names(e):
                self.tangled.add(name)
            return conditions
        for form in forms:
            names = self._names(form)
            if not names:
                continue
            if len(names) > 1:
                self.tangled.update(names)
                continue
            name = next(iter(names))
            root = self._root(form, self.vars[name])
            if root is None:
                self.tangled.add(name)
            elif isinstance(root, Fraction):  # False: the form is never zero
                self.roots[name].add(root)
        return conditions

    def _arith_conditions(self, e: z3.ExprRef) -> list[Any]:
        conditions: list[Any] = []
        self._resolve(e, conditions)
        return conditions

    def _resolve(self, term: z3.ExprRef, conditions: list[Any]) -> list[Any] | None:
        """The If-free forms ``term`` can take (at most MAX_FORMS), collecting the conditions
        of its If-terms; None when there are too many."""
        if z3.is_app(term) and term.decl().kind() == z3.Z3_OP_ITE:
            conditions.append(term.arg(0))
            a = self._resolve(term.arg(1), conditions)
            b = self._resolve(term.arg(2), conditions)
            if a is None or b is None or len(a) + len(b) > MAX_FORMS:
                return None
            return a + b
        if not z3.is_app(term) or term.num_args() == 0 or not self._has_ite(term):
            return [term]
        options: list[list[Any]] = [[]]
        for kid in term.children():
            forms = self._resolve(kid, conditions)
            if forms is None or len(options) * len(forms) > MAX_FORMS:
                return None
            options = [o + [f] for o in options for f in forms]
        return [term.decl()(*o) for o in options]

    def _has_ite(self, term: z3.ExprRef) -> bool:
        seen: set[int] = set()
        stack = [term]
        while stack:
            e = stack.pop()
            if e.get_id() in seen:
                continue
            seen.add(e.get_id())
            if z3.is_app(e) and e.decl().kind() == z3.Z3_OP_ITE:
                return True
            stack.extend(e.children())
        return False

    def _names(self, e: z3.ExprRef) -> frozenset[Any]:
        """The numeric facts an expression reads. (Not cached: z3 reuses the ids of terms
        that are freed, and the resolved forms are temporaries.)"""
        return frozenset(constant_names(e) & self.vars.keys())

    @staticmethod
    def _root(form: z3.ExprRef, var: z3.ExprRef) -> Fraction | None | bool:
        """The value of ``var`` where the linear ``form`` is zero; False when it never is
        (a constant slope of zero); None when ``form`` is not linear."""
        zero = z3.IntVal(0, var.ctx) if var.is_int() else z3.RealVal(0, var.ctx)
        vals = []
        for k in (0, 1, 2):
            v = _number(z3.substitute(form, (var, zero + k)))
            if v is None:
                return None
            vals.append(v)
        slope = vals[1] - vals[0]
        if vals[2] - vals[1] != slope:
            return None
        if slope == 0:
            return False
        return -vals[0] / slope
