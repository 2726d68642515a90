"""Typed expression AST -> z3 terms over the facts of a policy: :class:`FactSpace`.

``FactSpace(policy)`` declares one z3 variable per scalar fact (a map's fields each get their own,
named by the dotted path ``partner.tier``) and the constraints every valid dispute satisfies
(``space.domain``): ``int`` is a z3 ``Int`` kept in the signed 64-bit range, ``double`` a z3
``Real``, ``bool`` a ``Bool``, a string with an ``enum`` an ``Int`` index into its values (a finite
domain), any other string a z3 ``String``; ``min``, ``max`` and ``enum`` bound them. Defaults do not
constrain: a fact with a default may still be given any valid value. List facts get no variable.

``space.encode(expression)`` turns a model :class:`~policyengine.model.nodes.Expression` (or a
typed AST node) into a :class:`Term`: its value, the condition ``ok`` under which it evaluates
without a CEL error, and the sub-expressions the encoding could not express exactly
(``term.opaque``). ``space.holds(e)``, ``space.fails(e)`` and ``space.errors(e)`` are the three
outcomes of a condition as z3 booleans. Terms are cached by canonical text, so asking twice is free
and both policy versions of a diff may share a space when their facts agree.

What is encoded exactly: literals, facts, ``&&``/``||``/``!``/``?:`` with CEL's error absorption,
comparisons (int and double compare across types), ``in`` over literal lists and maps, ``+ - * /
%`` (integer overflow, division and modulus by zero are errors, integer division truncates),
``has()`` of declared fields, ``size``/``contains``/``startsWith``/``endsWith`` on strings, the
numeric conversions, and *any* sub-expression whose facts all have small finite domains (enums and
booleans, at most 256 combinations): it is evaluated with the reference interpreter for every
combination, so ``kind.matches("^co_")`` or a macro over a literal list is exact too.

What is not: ``matches`` on a free string, macros over list facts, list and map values, string
conversions. Such a sub-expression becomes a fresh uninterpreted variable, one per distinct
canonical text (the same sub-expression always gets the same variable), assumed not to fail; its
text is listed in ``term.opaque``. Doubles are real numbers: comparisons between a fact and a
literal are exact (literals keep their exact binary value), but ``+ - * /`` on doubles do not round
as IEEE doubles do and never overflow to infinity; such sub-expressions are listed in
``term.inexact``. An existence claim (a witness) that depends on an opaque or inexact part is
re-checked by the evaluator; an impossibility proof treats opaque parts as free, so it stays sound.
"""

from __future__ import annotations

import itertools
import math
import struct
from fractions import Fraction
from typing import Any, Iterable

import z3

from ..expr import ast, print_expression
from ..expr.cost import budgeted, estimate
from ..expr.interpret import interpret
from ..expr.types import BOOL, DOUBLE, INT, STRING, base
from ..expr.values import CelError
from ..model.nodes import Expression, FactDecl, Policy
from ._cel import encode_node
from .terms import INT64_MAX, INT64_MIN, Choice, FactSource, FactVar, Term, Z3Expr
from .witness import build_witness
_ULP = "1/9007199254740992"  # 2^-53: half an ulp, relative
_TINY = f"1/{2 ** 1075}"  # half the smallest subnormal
_MAX_DOUBLE = str(int(1.7976931348623157e308))
#: A sub-expression whose facts have at most this many value combinations is evaluated for each.
FINITE_LIMIT = 256
#: A sub-expression costlier than this (steps, expr/cost.py) is not run for each combination.
FINITE_STEPS = 10_000


class FactSpace:
    """z3 variables and domain constraints for the facts of ``policy`` (built once).

    Public attributes: ``ctx`` (the z3 context every term lives in), ``facts`` (dotted path ->
    :class:`FactVar`), ``domain`` (list of z3 booleans that every valid dispute satisfies; it grows
    when an opaque integer gets its range), ``policy``, ``declarations`` (where the facts are
    declared: ``policy`` unless ``declarations=`` is given, as the diff gives the merged
    declarations of two versions).
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
        self._by_var: dict[int, tuple[Z3Expr, Z3Expr, str]] = {}
        self._pinned: set[tuple[int, int]] = set()
        self.true: Z3Expr = z3.BoolVal(True, self.ctx)
        self.false: Z3Expr = z3.BoolVal(False, self.ctx)
        self.facts: dict[str, FactVar] = {}
        self.domain: list[Z3Expr] = []
        self.opaque_vars: dict[str, Z3Expr] = {}  # canonical text -> z3 constant
        self.opaque_nodes: dict[str, ast.Node] = {}  # canonical text -> its typed AST
        self._cache: dict[str, Term] = {}
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
            self.domain.append(z3.Or(ae > z3.RealVal(_MAX_DOUBLE, ctx), z3.And(r - e <= bound, e - r <= bound)))
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

    # -- conditions ----------------------------------------------------------------------------
    def encode(self, expression: Expression | ast.Node) -> Term:
        """The term of a model Expression (cached by canonical text) or of a typed AST node."""
        if isinstance(expression, Expression):
            key = expression.canonical
            hit = self._cache.get(key)
            if hit is None:
                hit = self._cache[key] = self._encode_tree(expression.analysis.ast)
            return hit
        return self._encode_tree(expression)

    def holds(self, expression: Expression | ast.Node) -> Z3Expr:
        """z3 boolean: the condition evaluates to ``true``."""
        t = self.encode(expression)
        return self.both(t.ok, self.as_bool(t))

    def fails(self, expression: Expression | ast.Node) -> Z3Expr:
        """z3 boolean: the condition evaluates to ``false`` (without error)."""
        t = self.encode(expression)
        return self.both(t.ok, z3.Not(self.as_bool(t)))

    def errors(self, expression: Expression | ast.Node) -> Z3Expr:
        """z3 boolean: evaluating the expression is a CEL error."""
        return z3.Not(self.encode(expression).ok)

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

    # -- the walk ------------------------------------------------------------------------------
    def _encode_tree(self, root: ast.Node) -> Term:
        done: dict[int, Term] = {}
        stack: list[tuple[ast.Node, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            if type(node) is ast.Comprehension or expanded:
                kids = () if type(node) is ast.Comprehension else ast.children(node)
                term = encode_node(self, node, tuple(done[id(k)] for k in kids))
                if term is None:
                    term = self.finite_or_opaque(node)
                done[id(node)] = term
                continue
            stack.append((node, True))
            stack.extend((kid, False) for kid in reversed(ast.children(node)))
        return done[id(root)]

    def may_fail_opaque(self, term: Term) -> frozenset[str]:
        """The opaque parts of ``term`` that may raise a CEL error the encoding does not see
        (an index out of range or a missing key, integer arithmetic, a conversion): opaque
        parts are assumed not to fail, so a claim that an expression never fails is only
        *possible* when such a part is present."""
        out: set[str] = set()
        for text in term.opaque:
            node = self.opaque_nodes.get(text)
            if node is None or _can_raise(node):
                out.add(text)
        return frozenset(out)

    # -- fallbacks ------------------------------------------------------------------------------
    def finite_or_opaque(self, node: ast.Node) -> Term:
        """Evaluate ``node`` for every combination of its (finite) facts, or make it opaque."""
        term = self._finite(node)
        return term if term is not None else self.opaque(node)

    def opaque(self, node: ast.Node) -> Term:
        text = print_expression(node)
        t = base(node.type)
        kind = {BOOL: "bool", INT: "int", DOUBLE: "double", STRING: "string"}.get(t, "other")
        if kind == "other":
            return Term("other", None, self.true, frozenset({text}))
        var = self.opaque_vars.get(text)
        if var is None:
            name = f"|{text}|"  # by text: the same sub-expression is the same unknown
            var = {"bool": z3.Bool, "int": z3.Int, "double": z3.Real,
                   "string": z3.String}[kind](name, self.ctx)
            self.opaque_vars[text] = var
            self.opaque_nodes[text] = node
            if kind == "int":
                self.domain.append(z3.And(var >= INT64_MIN, var <= INT64_MAX))
        return Term(kind, var, self.true, frozenset({text}))

    def _finite(self, node: ast.Node) -> Term | None:
        declarations = {f.name: f.to_declaration() for f in self.declarations.facts}
        if estimate(node, declarations).high > FINITE_STEPS:
            return None  # too costly to run for every combination: opaque
        names = _free_names(node)
        axes: list[tuple[str, list[tuple[Z3Expr, Any]]]] = []  # (fact, [(condition, value)])
        for name in sorted(names):
            decl = self.declarations.fact(name)
            if decl is None:
                return None
            values = self._finite_values(decl)
            if values is None:
                return None
            axes.append((name, values))
        size = 1
        for _, values in axes:
            size *= len(values)
            if size > FINITE_LIMIT:
                return None
        results: list[tuple[Z3Expr, Any]] = []
        run = budgeted(lambda b: interpret(node, b))
        for combo in itertools.product(*(values for _, values in axes)):
            bindings = {name: value for (name, _), (_, value) in zip(axes, combo)}
            cond = self.all_of([c for c, _ in combo])
            try:
                result = run(bindings)
            except Exception:  # the interpreter returns errors as values; be safe anyway
                return None
            results.append((cond, result))
        return self._table(results)

    def _finite_values(self, decl: FactDecl) -> list[tuple[Z3Expr, Any]] | None:
        """``[(condition, value)]`` for a fact with a small finite domain, else None."""
        if decl.type == "map":
            axes: list[tuple[str, list[tuple[Z3Expr, Any]]]] = []
            for f in decl.fields:
                values = self._finite_values(f)
                if values is None:
                    return None
                axes.append((f.name, values))
            out: list[tuple[Z3Expr, Any]] = []
            for combo in itertools.product(*(v for _, v in axes)):
                if len(out) > FINITE_LIMIT:
                    return None
                out.append((self.all_of([c for c, _ in combo]),
                            {name: value for (name, _), (_, value) in zip(axes, combo)}))
            return out
        fv = self.facts.get(decl.path)
        if fv is None:
            return None
        if fv.kind == "bool":
            return [(fv.var, True), (z3.Not(fv.var), False)]
        if fv.kind == "enum":
            return [(fv.var == i, v) for i, v in enumerate(fv.values or ())]
        if fv.kind == "int" and fv.values is not None:
            return [(fv.var == v, v) for v in fv.values]
        return None

    def _table(self, results: list[tuple[Z3Expr, Any]]) -> Term | None:
        errors = [c for c, r in results if type(r) is CelError]
        ok = z3.Not(self.any_of(errors)) if errors else self.true
        good = [(c, r) for c, r in results if type(r) is not CelError]
        kinds = {_kind_of(r) for _, r in good}
        if not good:
            return Term("bool", self.false, ok)
        if len(kinds) != 1:
            return None
        kind = kinds.pop()
        if kind == "bool":
            return Term("bool", self.any_of([c for c, r in good if r is True]), ok)
        if kind == "string":
            merged: dict[str, list[Z3Expr]] = {}
            for c, r in good:
                merged.setdefault(r, []).append(c)
            return Term("string", Choice(tuple((self.any_of(cs), v)
                                               for v, cs in merged.items())), ok)
        if kind in ("int", "double"):
            def make(v: Any) -> Z3Expr:
                return z3.IntVal(v, self.ctx) if kind == "int" else self.num(v)

            value = make(good[-1][1])
            for c, r in reversed(good[:-1]):
                value = z3.If(c, make(r), value)
            return Term(kind, value, ok)
        if kind == "null":
            return Term("null", None, ok)
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

    # the names the analysis modules of other owners still use (lint's rules, the decision
    # encoding); code outside ``analysis/`` calls the public ones above
    _and = both
    _and_all = all_of
    _or_all = any_of

    # -- witnesses -----------------------------------------------------------------------------
    def witness(self, model: Any, as_of: Any, *, keep: Iterable[Z3Expr] = (),
                avoid: dict[str, Any] | None = None) -> dict[str, Any]:
        """A complete dispute ``{"facts": {...}, "as_of": "YYYY-MM-DD"}`` from a z3 model: every
        declared fact present and valid; values simplified (round numbers, boundary values,
        defaults) as long as every formula of ``keep`` stays true. ``avoid`` maps a fact path
        to values not to pick (for a second try when a witness did not reproduce)."""
        return build_witness(self, model, as_of, keep=tuple(keep), avoid=avoid)


def _even(value: float) -> bool:
    """Whether a double's last mantissa bit is 0 (round-half-to-even picks it)."""
    bits: int = struct.unpack("<q", struct.pack("<d", value))[0]
    return (bits & 1) == 0


def _kind_of(value: Any) -> str:
    t = type(value)
    if t is bool:
        return "bool"
    if t is int:
        return "int"
    if t is float:
        return "double"
    if t is str:
        return "string"
    if value is None:
        return "null"
    return "other"


_RAISING_CALLS = frozenset({"int", "uint", "double", "timestamp", "duration"})


def _can_raise(root: ast.Node) -> bool:
    """Whether evaluating ``root`` may be a CEL error on valid facts (syntactically)."""
    stack: list[ast.Node] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Index):
            return True
        if isinstance(node, ast.Binary) and (node.op in ("/", "%") or (
                node.op in ("+", "-", "*") and base(node.type) is INT)):
            return True
        if isinstance(node, ast.Unary) and node.op == "-" and base(node.type) is INT:
            return True
        if isinstance(node, ast.Call) and (node.function in _RAISING_CALLS or (
                node.function == "matches" and not (
                    node.args and isinstance(node.args[0], ast.Literal)))):
            return True
        if isinstance(node, ast.Comprehension):
            stack.extend(x for x in (node.target, node.body, node.filter) if x is not None)
            continue
        stack.extend(ast.children(node))
    return False


def _free_names(root: ast.Node) -> set[str]:
    """The fact names a sub-expression reads (names bound by a macro excluded)."""
    names: set[str] = set()
    stack: list[tuple[ast.Node, frozenset[str]]] = [(root, frozenset())]
    while stack:
        node, bound = stack.pop()
        if isinstance(node, ast.Name):
            if node.name not in bound:
                names.add(node.name)
            continue
        if isinstance(node, ast.Comprehension):
            stack.append((node.target, bound))
            inner = bound | {node.var}
            stack.append((node.body, inner))
            if node.filter is not None:
                stack.append((node.filter, inner))
            continue
        stack.extend((kid, bound) for kid in ast.children(node))
    return names


__all__ = ["FINITE_LIMIT", "FINITE_STEPS", "INT64_MAX", "INT64_MIN", "Choice", "FactSpace",
           "FactVar", "Term"]
