"""A region of disputes (a z3 formula) as a readable condition.

The region is projected on each fact: the enum and bool values it allows (one query per value),
the interval of each number (z3's optimizer, minimum and maximum at once), the escalation level
and date, whether a fact is left out. The conjunction of these projections (a *box*) always
contains the region; when the solver proves the box is inside the region too, the condition is
*exact* ("10000 <= amount < 25000" means exactly those disputes). Clauses that the region's
category already implies (``kind == "pricing"`` for a pricing dispute) are not printed.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import z3

from ..analysis.encode import FactSpace
from ..analysis.terms import INT64_MAX, INT64_MIN, FactVar
from ..analysis.solver import Outcome
from ..analysis.witness import show_value
from .boundaries import Roots  # noqa: F401  (the type of ``roots``)


@dataclass(frozen=True, slots=True)
class Clause:
    """One projection: ``text`` for people (empty: not shown), ``formula`` for the solver,
    ``kind``: ``fact``, ``escalation`` or ``presence``."""

    text: str
    formula: Any
    kind: str = "fact"


def _fraction(v: z3.ExprRef) -> Fraction | None:
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    if z3.is_rational_value(v):
        return Fraction(v.as_fraction())
    if z3.is_algebraic_value(v):
        return Fraction(v.approx(20).as_fraction())
    return None


def _num_text(value: Fraction, kind: str) -> str:
    """``25000`` for an integral number (an int or a double), else the double's shortest
    spelling."""
    if value.denominator == 1:
        return str(value.numerator)
    return show_value(float(value))


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _domain(fv: Any) -> tuple[Any, ...]:
    """The declared (or int64) bounds of a numeric fact, as fractions (None: unbounded)."""
    d = fv.decl
    dmin = Fraction(d.min) if d.min is not None else (
        Fraction(INT64_MIN) if fv.kind == "int" else None)
    dmax = Fraction(d.max) if d.max is not None else (
        Fraction(INT64_MAX) if fv.kind == "int" else None)
    return dmin, dmax


def _maker(fv: Any, space: FactSpace) -> Callable[[Fraction], z3.ExprRef]:
    if fv.kind == "int":
        return lambda v: z3.IntVal(int(v), space.ctx)
    return lambda v: z3.RealVal(f"{v.numerator}/{v.denominator}", space.ctx)


class Describer:
    """Describes regions over one shared space; ``check(*formulas)`` is the prover's check
    with the base constraints (escalation domain) included; ``within(region, *formulas)`` the
    same check on a session that keeps ``region`` asserted."""

    def __init__(self, space: FactSpace, check: Callable[..., Outcome],
                 within: Callable[..., Outcome], base: list[Any], esc: Any,
                 present: dict[str, Any], as_of: _dt.date, timeout: float,
                 roots: Roots | None = None, remaining: Any = None) -> None:
        self.remaining = remaining  # () -> seconds left of the command's budget, or None
        self.space, self.check, self.within, self.base = space, check, within, base
        self.roots = roots
        self.esc, self.present, self.as_of, self.timeout = esc, present, as_of, timeout

    def clauses(self, region: z3.BoolRef, reads: set[str], model: z3.ModelRef | None = None
                ) -> list[Clause]:
        """Projections of ``region`` on the facts in ``reads`` (and the presence of facts), as
        clauses: enum and bool facts first, then numbers. ``model`` (a model of ``region``)
        spares the queries for the values it already shows possible."""
        self.model = model
        out: list[Clause] = []
        numeric = []
        for path, fv in self.space.facts.items():
            if path not in reads:
                continue
            if fv.kind == "bool":
                out.extend(self._finite(region, path, fv.var, [(True, fv.var),
                                                               (False, z3.Not(fv.var))]))
            elif fv.kind == "enum":
                out.extend(self._finite(region, path, fv.var,
                                        [(v, fv.var == i) for i, v in enumerate(fv.values or ())]))
            elif fv.kind == "int" and fv.values is not None:
                out.extend(self._finite(region, path, fv.var,
                                        [(v, fv.var == v) for v in fv.values]))
            elif fv.kind in ("int", "double"):
                numeric.append((path, fv))
        out.sort(key=lambda c: 0 if " == " in c.text or " in [" in c.text or " != " in c.text
                 else 1)
        out.extend(self._intervals(region, numeric))
        for path, flag in self.present.items():
            if self.within(region, flag).unsat:
                out.append(Clause(f"`{path}` left out (each version uses its default)",
                                  z3.Not(flag), "presence"))
            elif self.within(region, z3.Not(flag)).unsat:
                out.append(Clause(f"`{path}` given", flag, "presence"))
        return out

    def escalation_clauses(self, region: z3.BoolRef) -> list[Clause]:
        esc = self.esc
        if esc is None or not self._possible(region, esc.on):
            return []
        out = []
        if self.within(region, z3.Not(esc.on)).unsat:
            levels = [(lv, esc.level == i) for i, lv in enumerate(esc.levels)]
            allowed = [(lv, f) for lv, f in levels if self._possible(region, f)]
            if len(allowed) < len(levels):
                names = ", ".join(f"`{lv}`" for lv, _ in allowed)
                out.append(Clause(f"escalated to {names}" if len(allowed) == 1 else
                                  f"escalated to one of {names}",
                                  z3.Or([f for _, f in allowed]), "escalation"))
            else:
                out.append(Clause("escalated", esc.on, "escalation"))
            lo, hi = self._days(region)
            if lo is not None and hi is not None and (lo > 0 or hi < esc.horizon):
                first = self.as_of - _dt.timedelta(days=hi)
                last = self.as_of - _dt.timedelta(days=lo)
                text = f"since {first}" if first == last else f"since between {first} and {last}"
                if hi >= esc.horizon:
                    text = f"since {last} or earlier"
                out.append(Clause(text, z3.And(esc.days >= lo, esc.days <= hi), "escalation"))
        return out

    def _days(self, region: z3.BoolRef) -> tuple[int | None, int | None]:
        """The fewest and most days before ``as_of`` of the escalations in ``region``: every
        day between two breaks of the due tables is alike, so a binary search over the breaks
        finds them."""
        esc = self.esc
        points = {Fraction(b) for b in esc.breaks} | {Fraction(b - 1) for b in esc.breaks if b}
        points.add(Fraction(esc.horizon))

        class _Days:  # the escalation's days, as _search wants a numeric fact
            var = esc.days
            kind = "int"

            class decl:  # noqa: N801 - mimics FactDecl
                min = 0
                max = esc.horizon

        lo, _, hi, _ = self._search(region, _Days, points)
        return (0 if lo is None else int(lo)), (esc.horizon if hi is None else int(hi))

    def _optimizer(self, region: z3.BoolRef) -> z3.Optimize:
        opt = z3.Optimize(ctx=self.space.ctx)
        opt.set(priority="box")
        limit = self.timeout if self.remaining is None else min(self.timeout, self.remaining())
        opt.set(timeout=max(1, int(limit * 1000)))
        opt.add(*self.space.domain, *self.base, region)
        return opt

    def _possible(self, region: z3.BoolRef, formula: z3.BoolRef) -> bool:
        if self.model is not None and z3.is_true(self.model.eval(formula,
                                                                 model_completion=True)):
            return True
        return not self.within(region, formula).unsat

    def allowed(self, region: z3.BoolRef, values: list[Any], limit: int | None = None
                ) -> list[Any] | None:
        """The ``(value, formula)`` pairs of ``values`` that some dispute of ``region`` has, found
        by asking for a dispute with a value not found yet (one query per value found, not per
        value: an enum may have a thousand). None when more than ``limit`` are found."""
        found: set[int] = set()
        if self.model is not None:
            found.update(i for i, (_, f) in enumerate(values)
                         if z3.is_true(self.model.eval(f, model_completion=True)))
        while True:
            if limit is not None and len(found) > limit:
                return None
            rest = [i for i in range(len(values)) if i not in found]
            if not rest:
                break
            out = self.within(region, z3.Or([values[i][1] for i in rest]))
            if out.unsat:
                break
            if not out.sat:  # not proven: keep every value still possible
                found.update(rest)
                break
            hit = next((i for i in rest if z3.is_true(out.model.eval(values[i][1],
                                                                     model_completion=True))),
                       None)
            if hit is None:
                found.update(rest)
                break
            found.add(hit)
        return [values[i] for i in sorted(found)]

    def _finite(self, region: z3.BoolRef, path: str, var: z3.ExprRef, values: list[Any]
                ) -> list[Clause]:
        allowed = self.allowed(region, values)
        if not allowed or len(allowed) == len(values):
            return []
        formula = z3.Or([f for _, f in allowed]) if len(allowed) > 1 else allowed[0][1]
        if isinstance(allowed[0][0], bool):
            text = path if allowed[0][0] else f"not {path}"
        elif len(allowed) == 1:
            text = f"{path} == {_literal(allowed[0][0])}"
        elif len(values) - len(allowed) == 1:
            left = next(v for v, _ in values if all(v != a for a, _ in allowed))
            text = f"{path} != {_literal(left)}"
        else:
            text = f"{path} in [" + ", ".join(_literal(v) for v, _ in allowed) + "]"
        return [Clause(text, formula)]

    def _intervals(self, region: z3.BoolRef, numeric: list[Any]) -> list[Clause]:
        """The interval of each numeric fact over ``region``: a binary search over the roots of
        the atoms (``boundaries.py``); z3's optimizer for a fact whose roots are unknown."""
        if not numeric:
            return []
        bounds: dict[str, tuple[Any, ...]] = {}
        tangled = [(p, fv) for p, fv in numeric
                   if self.roots is None or fv.var.decl().name() in self.roots.tangled]
        for path, fv in numeric:
            if (path, fv) not in tangled and self.roots is not None:
                bounds[path] = self._search(region, fv,
                                            self.roots.roots[fv.var.decl().name()])
        if tangled:
            bounds.update(self._optimize(region, tangled))
        out = []
        for path, fv in numeric:
            lo, lo_open, hi, hi_open = bounds.get(path, (None, False, None, False))
            dmin, dmax = _domain(fv)
            if lo is not None and dmin is not None and lo == dmin and not lo_open:
                lo = None
            if hi is not None and dmax is not None and hi == dmax and not hi_open:
                hi = None
            if lo is None and hi is None:
                continue
            out.append(self._interval_clause(path, fv, lo, lo_open, hi, hi_open))
        return out

    def _search(self, region: z3.BoolRef, fv: Any, roots: set[Any]) -> tuple[Any, ...]:
        """``(lo, lo_open, hi, hi_open)``: the infimum and supremum of the fact over
        ``region``, found among the roots (and the declared bounds) by binary search; whether
        a point is in reach is monotone in it. ``fv``: a FactVar, or any numeric stand-in with
        its ``var``, ``kind`` and ``decl`` bounds (the escalation's days)."""
        dmin, dmax = _domain(fv)
        points = sorted({r for r in roots if (dmin is None or r >= dmin) and
                         (dmax is None or r <= dmax)} | {e for e in (dmin, dmax)
                                                          if e is not None})
        var, make = fv.var, _maker(fv, self.space)
        n = len(points)
        lo_i, hi_i = 0, n  # the first point p with some value <= p in the region
        while lo_i < hi_i:
            mid = (lo_i + hi_i) // 2
            if self._possible(region, var <= make(points[mid])):
                hi_i = mid
            else:
                lo_i = mid + 1
        if lo_i == n:
            lo, lo_open = (points[-1], True) if points else (None, False)
        elif self._possible(region, var < make(points[lo_i])):
            lo, lo_open = (points[lo_i - 1], True) if lo_i > 0 else (None, False)
        else:
            lo, lo_open = points[lo_i], False
        lo_i, hi_i, best = 0, n - 1, -1  # the last point p with some value >= p
        while lo_i <= hi_i:
            mid = (lo_i + hi_i) // 2
            if self._possible(region, var >= make(points[mid])):
                best, lo_i = mid, mid + 1
            else:
                hi_i = mid - 1
        if best == -1:
            hi, hi_open = (points[0], True) if points else (None, False)
        elif self._possible(region, var > make(points[best])):
            hi, hi_open = (points[best + 1], True) if best + 1 < n else (None, False)
        else:
            hi, hi_open = points[best], False
        if fv.kind == "int":  # an open bound between integers: the nearest integer inside
            if lo is not None and lo_open:
                lo, lo_open = Fraction(math.floor(lo) + 1), False
            if hi is not None and hi_open:
                hi, hi_open = Fraction(math.ceil(hi) - 1), False
        return lo, lo_open, hi, hi_open

    def _optimize(self, region: z3.BoolRef, numeric: list[Any]) -> dict[str, tuple[Any, ...]]:
        opt = self._optimizer(region)
        handles = [(path, opt.minimize(fv.var), opt.maximize(fv.var)) for path, fv in numeric]
        if opt.check() != z3.sat:
            return {}
        out = {}
        for path, lo_h, hi_h in handles:
            lo_inf, lo_val, lo_eps = lo_h.lower_values()
            hi_inf, hi_val, hi_eps = hi_h.upper_values()
            lo = None if _fraction(lo_inf) != 0 else _fraction(lo_val)
            hi = None if _fraction(hi_inf) != 0 else _fraction(hi_val)
            lo_open = lo is not None and _fraction(lo_eps) not in (None, 0)
            hi_open = hi is not None and _fraction(hi_eps) not in (None, 0)
            out[path] = (lo, lo_open, hi, hi_open)
        return out

    def _interval_clause(self, path: str, fv: FactVar, lo: Fraction | None, lo_open: bool,
                         hi: Fraction | None, hi_open: bool) -> Clause:
        var = fv.var
        make = _maker(fv, self.space)
        parts, words = [], []
        if lo is not None and hi is not None and lo == hi:
            return Clause(f"{path} == {_num_text(lo, fv.kind)}", var == make(lo))
        if lo is not None:
            parts.append(var > make(lo) if lo_open else var >= make(lo))
            words.append(f"{_num_text(lo, fv.kind)} {'<' if lo_open else '<='} ")
        words.append(path)
        if hi is not None:
            parts.append(var < make(hi) if hi_open else var <= make(hi))
            words.append(f" {'<' if hi_open else '<='} {_num_text(hi, fv.kind)}")
        text = "".join(words)
        if hi is None:  # "amount >= 250000" reads better than "250000 <= amount"
            assert lo is not None  # a clause has at least one bound
            text = f"{path} {'>' if lo_open else '>='} {_num_text(lo, fv.kind)}"
        return Clause(text, z3.And(parts) if len(parts) > 1 else parts[0])

    def exact(self, region: z3.BoolRef, clauses: list[Clause]) -> bool | None:
        """Whether the clauses describe the region exactly (None: not proven either way)."""
        box = [c.formula for c in clauses]
        out = self.check(*box, z3.Not(region))
        return True if out.unsat else False if out.sat else None

    def implied(self, context: z3.BoolRef, clause: Clause) -> bool:
        return bool(self.check(context, z3.Not(clause.formula)).unsat)
