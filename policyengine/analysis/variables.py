"""The z3 variables of a policy's facts and the domain every valid dispute satisfies:
:class:`FactVariables`, the part of a fact space that the encoding of CEL's operators
(:mod:`~policyengine.analysis._cel`) and the witness builder (:mod:`~policyengine.analysis.witness`)
read. :class:`~policyengine.analysis.encode.FactSpace` adds the encoding of expressions on top;
this module imports neither of them (the three modules would otherwise import each other).

One variable per scalar fact (a map's fields each get their own, named by the dotted path
``partner.tier``): ``int`` is a z3 ``Int`` kept in the signed 64-bit range, ``double`` a z3
``Real``, ``bool`` a ``Bool``, a string with an ``enum`` an ``Int`` index into its values, any other
string a z3 ``String``; ``min``, ``max`` and ``enum`` bound them (``domain``). With ``ieee=True``
the results of double arithmetic and int-to-double conversions are variables within
round-to-nearest of the exact value (:meth:`FactVariables.rounded`, :meth:`FactVariables.pin`).
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction
from typing import Any, Iterable

import z3

from ..expr import ast
from ..model.nodes import FactDecl, Policy
from .terms import INT64_MAX, INT64_MIN, FactSource, FactVar, Term, Z3Expr

_ULP = "1/9007199254740992"  # 2^-53: half an ulp, relative
_TINY = f"1/{2 ** 1075}"  # half the smallest subnormal
_MAX_DOUBLE = str(int(1.7976931348623157e308))


class FactVariables:
    """z3 variables and domain constraints for the facts of ``policy`` (built once).

    Public attributes: ``ctx`` (the z3 context every term lives in), ``facts`` (dotted path ->
    :class:`FactVar`), ``domain`` (list of z3 booleans that every valid dispute satisfies; it grows
    when an opaque integer gets its range), ``policy``, ``declarations`` (where the facts are
    declared: ``policy`` unless ``declarations=`` is given, as the diff gives the merged
    declarations of two versions), ``opaque_vars`` and ``opaque_nodes`` (the sub-expressions
    the encoding made unknowns, by canonical text).
    """

    def __init__(self, policy: Policy, *, ctx: Any = None, ieee: bool = False,
                 declarations: FactSource | None = None) -> None:
        self.policy = policy
        self.declarations: FactSource = declarations if declarations is not None else policy
        self.ctx = ctx if ctx is not None else z3.Context()
        #: encode double arithmetic and int -> double conversions as the evaluator computes
        #: them (IEEE round-to-nearest): each result is a variable within half an ulp of the
        #: exact value (see :meth:`rounded`); off: exact reals, literals as their decimals
        self.ieee = ieee
        #: the rounded results, in creation order (inner first):
        #: ``(variable, exact z3 value, "double" | "convert")``; the witness builder computes
        #: each from the facts as the evaluator does
        self.rounding: list[tuple[Z3Expr, Z3Expr, str]] = []
        self._rounded: dict[tuple[str, int], Z3Expr] = {}
        #: the texts of double divisions encoded with ``ieee``: z3's ``x / 0.0`` is an
        #: unspecified real where the evaluator gives an infinity or NaN (not followed exactly)
        self.nonfinite: set[str] = set()
        self._by_var: dict[int, tuple[Z3Expr, Z3Expr, str]] = {}
        self._pinned: set[tuple[int, int]] = set()
        #: the exact comparisons a pinned one stands for (:meth:`pin`): where, along the facts
        #: of the exact value, the rounded comparison changes its truth
        self.pins: list[Z3Expr] = []
        self.true: Z3Expr = z3.BoolVal(True, self.ctx)
        self.false: Z3Expr = z3.BoolVal(False, self.ctx)
        self.facts: dict[str, FactVar] = {}
        self.domain: list[Z3Expr] = []
        self.opaque_vars: dict[str, Z3Expr] = {}  # canonical text -> z3 constant
        self.opaque_nodes: dict[str, ast.Node] = {}  # canonical text -> its typed AST
        self._fact_terms: dict[str, Term] = {}
        for decl in self.declarations.facts:
            self._declare(decl)

    # -- declarations ------------------------------------------------------------------------
    def _declare(self, decl: FactDecl) -> None:
        ctx = self.ctx
        if decl.type == "map":
            for f in decl.fields:
                self._declare(f)
            return
        if decl.type == "list":
            return
        path = decl.path
        fv: FactVar
        if decl.type == "bool":
            fv = FactVar(path, decl, "bool", z3.Bool(path, ctx))
        elif decl.type == "string" and decl.enum is not None:
            var = z3.Int(path, ctx)
            fv = FactVar(path, decl, "enum", var, tuple(decl.enum))
            self.domain.append(z3.And(var >= 0, var < len(decl.enum)))
        elif decl.type == "string":
            fv = FactVar(path, decl, "string", z3.String(path, ctx))
        elif decl.type == "int":
            var = z3.Int(path, ctx)
            fv = FactVar(path, decl, "int", var, tuple(decl.enum) if decl.enum else None)
            self.domain.append(z3.And(var >= INT64_MIN, var <= INT64_MAX))
            if decl.enum is not None:
                self.domain.append(z3.Or([var == v for v in decl.enum]) if decl.enum
                                   else self.false)
        else:  # double: a finite double (a dispute carries no infinity)
            fv = FactVar(path, decl, "double", z3.Real(path, ctx))
            top = z3.RealVal(_MAX_DOUBLE, ctx)
            self.domain.append(z3.And(fv.var <= top, fv.var >= -top))
        if decl.type in ("int", "double"):
            if decl.min is not None:
                self.domain.append(fv.var >= self._bound(decl.min, decl.type, "min"))
            if decl.max is not None:
                self.domain.append(fv.var <= self._bound(decl.max, decl.type, "max"))
        self.facts[path] = fv

    def _bound(self, value: float, kind: str, which: str) -> Z3Expr:
        if kind == "double":
            return self.num(float(value))
        # an int fact with a fractional bound (PE111 refuses it, but be safe): round inwards
        frac = Fraction(value)
        whole = -((-frac.numerator) // frac.denominator) if which == "min" else \
            frac.numerator // frac.denominator
        return z3.IntVal(whole, self.ctx)

    def fact_term(self, path: str) -> Term:
        """The term of a scalar fact (built once: an enum's choice has one test per value)."""
        hit = self._fact_terms.get(path)
        if hit is None:
            hit = self._fact_terms[path] = self.facts[path].term(self.true)
        return hit

    def num(self, value: float) -> Z3Expr:
        """The exact value of a double as a z3 real."""
        frac = Fraction(value)
        return z3.RealVal(f"{frac.numerator}/{frac.denominator}", self.ctx)

    # -- IEEE doubles -------------------------------------------------------------------------
    def rounded(self, exact: Z3Expr, how: str = "double") -> Z3Expr:
        """A real within IEEE round-to-nearest of ``exact`` (a z3 real): ``|r - exact| <=
        2^-53 |exact| + 2^-1075``, and free beyond the largest double (the evaluator's result is
        then infinite). ``how`` is ``double`` (an arithmetic result) or ``convert`` (an int made
        a double: exact up to 2^53). One variable per distinct exact term, so the same
        sub-expression rounds the same way everywhere."""
        key = (how, exact.get_id())
        hit = self._rounded.get(key)
        if hit is not None:
            return hit
        ctx = self.ctx
        ulp, tiny = z3.RealVal(_ULP, ctx), z3.RealVal(_TINY, ctx)
        r = z3.Real(f"|round#{len(self.rounding)}|", ctx)
        if how == "convert":
            x = exact
            big = z3.IntVal(2 ** 53, ctx)
            ax = z3.If(x >= 0, x, -x)
            rx = z3.ToReal(x)
            rax = z3.ToReal(ax)
            self.domain.append(z3.If(ax <= big, r == rx, z3.And(
                r - rx <= rax * ulp, rx - r <= rax * ulp)))
        else:
            e = exact
            ae = z3.If(e >= 0, e, -e)
            bound = ae * ulp + tiny
            self.domain.append(z3.Or(ae > z3.RealVal(_MAX_DOUBLE, ctx),
                                     z3.And(r - e <= bound, e - r <= bound)))
        self.rounding.append((r, exact, how))
        self._rounded[key] = r
        self._by_var[r.get_id()] = (r, exact, how)
        return r

    def pin(self, value: Z3Expr, other: Z3Expr) -> None:
        """When ``value`` is a rounded result and ``other`` a constant double ``c``, make their
        comparisons exact: rounding to nearest is monotone, so ``r <= c`` exactly when the
        exact value is below the midpoint between ``c`` and the next double (at the midpoint,
        ties go to the even one), and likewise ``r >= c``. Added once per pair."""
        for r, c in ((value, other), (other, value)):
            entry = self._by_var.get(r.get_id()) if z3.is_const(r) else None
            if entry is None or not z3.is_rational_value(c):
                continue
            key = (r.get_id(), c.get_id())
            if key in self._pinned:
                continue
            self._pinned.add(key)
            exact = entry[1] if entry[2] == "double" else z3.ToReal(entry[1])
            cf = float(c.as_fraction())
            if not math.isfinite(cf) or Fraction(cf) != c.as_fraction():
                continue  # not a double: nothing exact to say
            even = _even(cf)
            up, down = math.nextafter(cf, math.inf), math.nextafter(cf, -math.inf)
            gap_up = Fraction(up) - Fraction(cf) if math.isfinite(up) else \
                Fraction(cf) - Fraction(down)
            gap_dn = Fraction(cf) - Fraction(down) if math.isfinite(down) else gap_up
            mid_up = self._frac(Fraction(cf) + gap_up / 2)
            mid_dn = self._frac(Fraction(cf) - gap_dn / 2)
            at_up = exact == mid_up
            at_dn = exact == mid_dn
            self.domain.append((r <= c) == z3.Or(exact < mid_up, z3.And(at_up, even)))
            self.domain.append((r >= c) == z3.Or(exact > mid_dn, z3.And(at_dn, even)))
            self.pins.extend([exact < mid_up, exact > mid_dn])

    def _frac(self, f: Fraction) -> Z3Expr:
        return z3.RealVal(f"{f.numerator}/{f.denominator}", self.ctx)

    def to_double(self, t: Term) -> Z3Expr:
        """An int or double term as the double the evaluator compares (``float(int)``)."""
        if t.kind == "double":
            return t.value
        if z3.is_int_value(t.value):
            return self.num(float(t.value.as_long()))
        if not self.ieee:
            return z3.ToReal(t.value)
        return self.rounded(t.value, "convert")

    def as_bool(self, t: Term) -> Z3Expr:
        if t.kind == "bool":
            return t.value
        return self.false  # a non-bool condition never holds (the checker refuses it anyway)

    def as_real(self, t: Term) -> Z3Expr | None:
        """A numeric term as a z3 real (ints converted exactly), or None."""
        if t.kind == "double":
            return t.value
        if t.kind == "int":
            return z3.ToReal(t.value)
        return None

    # -- boolean combinators (fold the constants z3 would keep) -------------------------------
    def both(self, a: Z3Expr, b: Z3Expr) -> Z3Expr:
        """``a and b`` as a z3 boolean, ``true`` and ``false`` folded."""
        if z3.is_true(a):
            return b
        if z3.is_true(b):
            return a
        if z3.is_false(a) or z3.is_false(b):
            return self.false
        return z3.And(a, b)

    def all_of(self, items: Iterable[Z3Expr]) -> Z3Expr:
        """The conjunction of ``items`` (``true`` for none), constants folded."""
        kept = [x for x in items if not z3.is_true(x)]
        if any(z3.is_false(x) for x in kept):
            return self.false
        if not kept:
            return self.true
        return kept[0] if len(kept) == 1 else z3.And(kept)

    def any_of(self, items: Iterable[Z3Expr]) -> Z3Expr:
        """The disjunction of ``items`` (``false`` for none), constants folded."""
        kept = [x for x in items if not z3.is_false(x)]
        if any(z3.is_true(x) for x in kept):
            return self.true
        if not kept:
            return self.false
        return kept[0] if len(kept) == 1 else z3.Or(kept)


def _even(value: float) -> bool:
    """Whether a double's last mantissa bit is 0 (round-half-to-even picks it)."""
    bits: int = struct.unpack("<q", struct.pack("<d", value))[0]
    return (bits & 1) == 0


__all__ = ["FactVariables"]
