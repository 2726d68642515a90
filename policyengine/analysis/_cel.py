"""CEL's operators on :class:`~policyengine.analysis.terms.Term`: one method per node kind.

:class:`Encoder` (a walker of the visitor base, :mod:`policyengine.expr.visitor`) computes the
term of a node from the terms of its children; a node outside what is encoded exactly goes to
the fallback it is given (the fact space evaluates it over a finite domain or makes it opaque). Semantics follow ``policyengine/expr/values.py``: errors are
absorbed by ``&&``, ``||`` and ``?:`` exactly as CEL absorbs them.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable, Generator, Iterable

import z3

from ..expr import ast
from ..expr import print_expression
from ..expr.functions import contains, ends_with, matches, starts_with
from ..expr.values import CelError
from ..expr.visitor import Interpreter, Step
from ..model.nodes import FactDecl
from .terms import INT64_MAX, INT64_MIN, Choice, Term, Z3Expr
from .variables import FactVariables


_POINTWISE: dict[str, Callable[[str, str], Any]] = {
    "contains": contains, "startsWith": starts_with, "endsWith": ends_with, "matches": matches}
_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b}


class Encoder(Interpreter[None, Term]):
    """The term of every node from its children's terms: one method per node kind, the walk the
    visitor base's (top-down, non-recursive: each method yields its children in
    :func:`~policyengine.expr.ast.children` order and receives their terms). A node outside what
    is encoded exactly (a child the encoding does not follow, an operator on kinds it does not
    cover) is handed to ``fallback``: evaluated over its finite facts or made opaque. A
    comprehension is such a node as a whole: its parts are not walked."""

    def __init__(self, space: FactVariables, fallback: Callable[[ast.Node], Term]) -> None:
        self.space = space
        self.fallback = fallback

    def _kids(self, node: ast.Node, scope: None
              ) -> Generator[tuple[ast.Node, None], Term, tuple[Term, ...]]:
        """Walk the children in order (``yield from`` this): their terms."""
        kids: list[Term] = []
        for kid in ast.children(node):
            term = yield kid, scope
            kids.append(term)
        return tuple(kids)

    def _done(self, node: ast.Node, term: Term | None) -> Term:
        return term if term is not None else self.fallback(node)

    def _followed(self, kids: tuple[Term, ...]) -> bool:
        return not any(k.kind == "other" for k in kids)

    # -- leaves ----------------------------------------------------------------------------
    def visit_literal(self, node: ast.Literal, scope: None) -> Term:
        return _literal(self.space, node)

    def visit_name(self, node: ast.Name, scope: None) -> Term:
        return self._done(node, _name(self.space, node))

    # -- one method per kind with children ---------------------------------------------------
    def visit_select(self, node: ast.Select, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        ok = self._followed(kids)
        return self._done(node, _select(self.space, node, kids[0]) if ok else None)

    def visit_index(self, node: ast.Index, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        key = node.index
        if (self._followed(kids) and kids[0].kind == "map" and isinstance(key, ast.Literal)
                and key.kind == "string"):
            return self._done(node, _field(self.space, kids[0], key.value))
        return self.fallback(node)

    def visit_unary(self, node: ast.Unary, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        ok = self._followed(kids)
        return self._done(node, _unary(self.space, node.op, kids[0]) if ok else None)

    def visit_binary(self, node: ast.Binary, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        ok = self._followed(kids)
        return self._done(node, _binary(self.space, node, kids[0], kids[1]) if ok else None)

    def visit_ternary(self, node: ast.Ternary, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        ok = self._followed(kids)
        return self._done(node, _ternary(self.space, *kids) if ok else None)

    def visit_list_lit(self, node: ast.ListLit, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        if not self._followed(kids):
            return self.fallback(node)
        return Term("list", kids, self.space.all_of(k.ok for k in kids), *_marks(kids))

    def visit_map_lit(self, node: ast.MapLit, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        if not self._followed(kids):
            return self.fallback(node)
        return Term("mapkeys", kids[0::2], self.space.all_of(k.ok for k in kids),
                    *_marks(kids))

    def visit_call(self, node: ast.Call, scope: None) -> Step[None, Term]:
        kids = yield from self._kids(node, scope)
        ok = self._followed(kids)
        return self._done(node, _call(self.space, node, kids) if ok else None)

    def visit_comprehension(self, node: ast.Comprehension, scope: None) -> Step[None, Term]:
        return self.fallback(node)
        yield  # a generator that walks none of its parts (a macro is encoded as a whole)


def _marks(kids: Iterable[Term]) -> tuple[frozenset[str], frozenset[str]]:
    opaque: frozenset[str] = frozenset()
    inexact: frozenset[str] = frozenset()
    for k in kids:
        opaque |= k.opaque
        inexact |= k.inexact
    return opaque, inexact


def _make(space: FactVariables, kind: str, value: Z3Expr, kids: tuple[Term, ...],
          *extra_ok: Z3Expr, inexact_text: str | None = None) -> Term:
    opaque, inexact = _marks(kids)
    if inexact_text is not None:
        inexact |= {inexact_text}
    return Term(kind, value, space.all_of([*(k.ok for k in kids), *extra_ok]), opaque, inexact)


# -- leaves ------------------------------------------------------------------------------------
def _literal(space: FactVariables, node: ast.Literal) -> Term:
    ctx, v = space.ctx, node.value
    if node.kind == "bool":
        return Term("bool", z3.BoolVal(v, ctx), space.true)
    if node.kind == "int":
        return Term("int", z3.IntVal(v, ctx), space.true)
    if node.kind == "double":
        if v != v or v in (float("inf"), float("-inf")):
            return Term("other", None, space.true)
        return Term("double", space.num(v), space.true)
    if node.kind == "string":
        return Term("string", Choice(((space.true, v),)), space.true)
    return Term("null", None, space.true)


def _name(space: FactVariables, node: ast.Name) -> Term | None:
    decl = space.declarations.fact(node.name)
    if decl is None:
        return None
    return _fact_term(space, decl)


def _fact_term(space: FactVariables, decl: FactDecl) -> Term:
    if decl.type == "map":
        return Term("map", decl, space.true)
    if decl.type == "list":
        return Term("other", None, space.true)
    return space.fact_term(decl.path)


def _field(space: FactVariables, term: Term, name: str) -> Term | None:
    decl = term.value.field_named(name) if term.value is not None else None
    if decl is None:
        return None
    return _fact_term(space, decl)


def _select(space: FactVariables, node: ast.Select, operand: Term) -> Term | None:
    if operand.kind != "map":
        return None
    if node.test:  # has(m.f): after validation every declared field is present
        declared = operand.value.field_named(node.field) is not None
        return Term("bool", z3.BoolVal(declared, space.ctx), space.true)
    return _field(space, operand, node.field)


# -- operators ---------------------------------------------------------------------------------
def _unary(space: FactVariables, op: str, a: Term) -> Term | None:
    if op == "!" and a.kind == "bool":
        return _make(space, "bool", z3.Not(a.value), (a,))
    if op == "-" and a.kind == "int":
        return _make(space, "int", -a.value, (a,), a.value != INT64_MIN)
    if op == "-" and a.kind == "double":
        return _make(space, "double", -a.value, (a,))
    return None


def _binary(space: FactVariables, node: ast.Binary, a: Term, b: Term) -> Term | None:
    op = node.op
    if op in ("&&", "||"):
        if a.kind != "bool" or b.kind != "bool":
            return None
        va, vb = a.value, b.value
        if op == "&&":
            value = z3.And(va, vb)
            ok = _either(space, a.ok, b.ok, z3.Not(va), z3.Not(vb))
        else:
            value = z3.Or(va, vb)
            ok = _either(space, a.ok, b.ok, va, vb)
        opaque, inexact = _marks((a, b))
        return Term("bool", value, ok, opaque, inexact)
    if op in ("==", "!="):
        eq = equal(space, a, b)
        if eq is None:
            return None
        return _make(space, "bool", eq if op == "==" else z3.Not(eq), (a, b),
                     inexact_text=_converts(space, node, a, b))
    if op in _ORDER:
        cmp = _compare(space, op, a, b)
        return None if cmp is None else _make(space, "bool", cmp, (a, b),
                                              inexact_text=_converts(space, node, a, b))
    if op == "in":
        if b.kind not in ("list", "mapkeys"):
            return None
        eqs = [equal(space, a, item) for item in b.value]
        if any(e is None for e in eqs):
            return None
        return _make(space, "bool", space.any_of(eqs), (a, b))
    return _arith(space, node, a, b)


def _converts(space: FactVariables, node: ast.Binary, a: Term, b: Term) -> str | None:
    """The text of a comparison that converts a non-constant int to a double (which rounds
    beyond 2^53), under the IEEE encoding."""
    if not space.ieee or {a.kind, b.kind} != {"int", "double"}:
        return None
    side = a if a.kind == "int" else b
    return None if z3.is_int_value(side.value) else print_expression(node)


def _either(space: FactVariables, ok_a: Z3Expr, ok_b: Z3Expr, a_false: Z3Expr,
            b_false: Z3Expr) -> Z3Expr:
    """ok of ``&&`` (``||`` with the roles of true/false swapped): both evaluate, or one side
    decides the result on its own."""
    if z3.is_true(ok_a) and z3.is_true(ok_b):
        return space.true
    return space.any_of([space.both(ok_a, ok_b), space.both(ok_a, a_false),
                         space.both(ok_b, b_false)])


def _arith(space: FactVariables, node: ast.Binary, a: Term, b: Term) -> Term | None:
    op = node.op
    if a.kind == b.kind == "int":
        x, y = a.value, b.value
        if op in ("+", "-", "*"):
            r = x + y if op == "+" else x - y if op == "-" else x * y
            return _make(space, "int", r, (a, b), r >= INT64_MIN, r <= INT64_MAX)
        if op in ("/", "%"):
            ax, ay = z3.If(x >= 0, x, -x), z3.If(y >= 0, y, -y)
            if op == "/":
                q = ax / ay  # both non-negative: z3's division is the truncated quotient
                r = z3.If((x >= 0) == (y >= 0), q, -q)
                return _make(space, "int", r, (a, b), y != 0,
                             z3.Not(z3.And(x == INT64_MIN, y == -1)))
            m = ax % ay  # the remainder takes the sign of the dividend
            r = z3.If(x >= 0, m, -m)
            return _make(space, "int", r, (a, b), y != 0,
                         z3.Not(z3.And(x == INT64_MIN, y == -1)))
        return None
    if a.kind == b.kind == "double" and op in ("+", "-", "*", "/") and space.ieee:
        # as the evaluator computes: the operands' binary values, the result rounded to a
        # double (z3's x / 0.0 is unspecified where IEEE gives inf or nan: inexact)
        x, y = a.value, b.value
        r = x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x / y
        text = print_expression(node)
        if op == "/":
            space.nonfinite.add(text)
        return _make(space, "double", space.rounded(r), (a, b), inexact_text=text)
    if a.kind == b.kind == "double" and op in ("+", "-", "*", "/"):
        # a literal operand counts as the decimal it spells (0.1 is 1/10): IEEE arithmetic
        # rounds `amount * 0.1` to what the author meant far more often than to the product
        # with the binary value of 0.1 (comparisons keep the exact binary value: see encode)
        x = _decimal(space, node.left) if _is_double_literal(node.left) else a.value
        y = _decimal(space, node.right) if _is_double_literal(node.right) else b.value
        r = x + y if op == "+" else x - y if op == "-" else x * y if op == "*" else x / y
        # reals do not round, and z3's x / 0.0 is unspecified where IEEE gives inf or nan
        return _make(space, "double", r, (a, b), inexact_text=print_expression(node))
    return None


def _is_double_literal(node: ast.Node) -> bool:
    return type(node) is ast.Literal and node.kind == "double"


def _decimal(space: FactVariables, node: ast.Node) -> Z3Expr:
    assert isinstance(node, ast.Literal)
    return z3.RealVal(repr(node.value), space.ctx)


def _ternary(space: FactVariables, c: Term, t: Term, e: Term) -> Term | None:
    if c.kind != "bool":
        return None
    ok = space.both(c.ok, z3.If(c.value, t.ok, e.ok) if not (
        z3.is_true(t.ok) and z3.is_true(e.ok)) else space.true)
    opaque, inexact = _marks((c, t, e))
    if t.kind == e.kind and t.kind in ("bool", "int", "double"):
        return Term(t.kind, z3.If(c.value, t.value, e.value), ok, opaque, inexact)
    if t.kind == e.kind == "string":
        if type(t.value) is Choice and type(e.value) is Choice:
            alts = [(space.both(c.value, cond), v) for cond, v in t.value.alternatives]
            alts += [(space.both(z3.Not(c.value), cond), v) for cond, v in e.value.alternatives]
            return Term("string", Choice(tuple(alts)), ok, opaque, inexact)
        return Term("string", z3.If(c.value, _as_z3_string(space, t.value),
                                    _as_z3_string(space, e.value)), ok, opaque, inexact)
    if t.kind == e.kind == "null":
        return Term("null", None, ok, opaque, inexact)
    return None


# -- comparisons -------------------------------------------------------------------------------
def equal(space: FactVariables, a: Term, b: Term) -> Z3Expr | None:
    """z3 boolean for CEL ``a == b`` (assuming both evaluate), or None when not encodable."""
    ka, kb = a.kind, b.kind
    numeric = ("int", "double")
    if ka in numeric and kb in numeric:
        if ka == kb:
            if ka == "double":
                space.pin(a.value, b.value)
            return a.value == b.value
        exact = _int_against_literal(space, "==", a, b)
        if exact is not None:
            return exact
        x, y = space.to_double(a), space.to_double(b)  # the int converted, as CEL does
        space.pin(x, y)
        return x == y
    if ka == kb == "bool":
        return a.value == b.value
    if ka == kb == "null":
        return space.true
    if ka == kb == "string":
        va, vb = a.value, b.value
        if type(va) is Choice and type(vb) is Choice:
            return space.any_of([space.both(ca, cb) for ca, x in va.alternatives
                                 for cb, y in vb.alternatives if x == y])
        if type(va) is Choice:
            va, vb = vb, va
        if type(vb) is Choice:
            return space.any_of([space.both(cond, va == z3.StringVal(v, space.ctx))
                                 for cond, v in vb.alternatives])
        return va == vb
    scalar = ("int", "double", "bool", "null", "string")
    if ka in scalar and kb in scalar:
        return space.false  # different kinds are never equal in CEL
    return None


def _compare(space: FactVariables, op: str, a: Term, b: Term) -> Z3Expr | None:
    fn = _ORDER[op]
    if a.kind in ("int", "double") and b.kind in ("int", "double"):
        if a.kind == b.kind:
            if a.kind == "double":
                space.pin(a.value, b.value)
            return fn(a.value, b.value)
        exact = _int_against_literal(space, op, a, b)
        if exact is not None:
            return exact
        x, y = space.to_double(a), space.to_double(b)
        space.pin(x, y)
        return fn(x, y)
    if a.kind == b.kind == "bool":
        x, y = a.value, b.value
        one, zero = z3.IntVal(1, space.ctx), z3.IntVal(0, space.ctx)
        return fn(z3.If(x, one, zero), z3.If(y, one, zero))
    if a.kind == b.kind == "string" and type(a.value) is Choice and type(b.value) is Choice:
        return space.any_of([space.both(ca, cb) for ca, x in a.value.alternatives
                             for cb, y in b.value.alternatives if fn(x, y)])
    return None


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}
_FAR = 2 ** 1100  # beyond every value an int term takes where it evaluates (int64)


def _int_against_literal(space: FactVariables, op: str, a: Term, b: Term) -> Z3Expr | None:
    """``a op b`` for an int and a constant double (either order) exactly as the evaluator
    decides it, ``float(int) op double``, as bounds on the int; None for other operands and
    under the IEEE encoding (which rounds the int and pins the comparison instead).

    The conversion rounds to nearest, and rounding is monotone: ``float(n) >= c`` exactly when
    ``n`` reaches the least integer whose double is ``c`` or more. Compared as real numbers,
    ``9007199254740995 < 9007199254740996.0`` would hold; the evaluator converts the int to
    ``9007199254740996.0`` (ties go to even) and says false, and so does this encoding."""
    if space.ieee:
        return None
    if a.kind == "double":
        a, b, op = b, a, _FLIP[op]
    if a.kind != "int" or b.kind != "double":
        return None
    value = b.value
    if z3.is_app_of(value, z3.Z3_OP_UMINUS) and z3.is_rational_value(value.arg(0)):
        value = z3.simplify(value)  # a negative literal: `-` applied to the literal
    if not z3.is_rational_value(value):
        return None
    exact = value.as_fraction()
    c = float(exact)
    if not math.isfinite(c) or Fraction(c) != exact or z3.is_int_value(a.value):
        return None  # not a double's value, or a constant int (converted exactly: to_double)
    if abs(c) < 2.0 ** 53:
        return None  # every int that near c is a double: comparing reals is the evaluator's
    n, ctx = a.value, space.ctx
    reach = z3.IntVal(least_int_reaching(c), ctx)  # float(n) >= c  <=>  n >= reach
    beyond = z3.IntVal(least_int_reaching(math.nextafter(c, math.inf)), ctx)  # float(n) > c
    if op == "<":
        return n < reach
    if op == ">=":
        return n >= reach
    if op == "<=":
        return n < beyond
    if op == ">":
        return n >= beyond
    return z3.And(n >= reach, n < beyond)


def least_int_reaching(c: float) -> int:
    """The least integer ``n`` with ``float(n) >= c`` (``c`` a double or an infinity); beyond
    ``2^1000`` either way, a bound no int64 reaches."""
    if c > 2.0 ** 1000:
        return _FAR
    if c < -(2.0 ** 1000):
        return -_FAR
    below = math.nextafter(c, -math.inf)
    n = math.floor((Fraction(below) + Fraction(c)) / 2)  # the rounding boundary below c
    while float(n) < c:
        n += 1
    while float(n - 1) >= c:
        n -= 1
    return n


def _as_z3_string(space: FactVariables, value: Any) -> Z3Expr:
    if type(value) is not Choice:
        return value
    alts = value.alternatives
    out = z3.StringVal(alts[-1][1], space.ctx)
    for cond, v in reversed(alts[:-1]):
        out = z3.If(cond, z3.StringVal(v, space.ctx), out)
    return out


# -- calls ---------------------------------------------------------------------------------------
def _call(space: FactVariables, node: ast.Call, kids: tuple[Term, ...]) -> Term | None:
    fn = node.function
    if fn == "dyn" and len(kids) == 1:
        return kids[0]
    if node.target is None and fn in ("int", "double") and len(kids) == 1:
        return _convert(space, fn, kids[0])
    if fn == "size" and len(kids) == 1 and kids[0].kind == "string":
        s = kids[0].value
        if type(s) is Choice:
            return _pointwise_int(space, s, len, kids)
        return _make(space, "int", z3.Length(s), kids)
    if fn in _POINTWISE and len(kids) == 2 and kids[0].kind == kids[1].kind == "string":
        s, arg = kids[0].value, kids[1].value
        if type(s) is Choice and type(arg) is Choice:
            impl = _POINTWISE[fn]
            pairs: list[Z3Expr] = []
            for cs, x in s.alternatives:
                for ca, y in arg.alternatives:
                    r = impl(x, y)
                    if type(r) is CelError:
                        return None
                    if r is True:
                        pairs.append(space.both(cs, ca))
            return _make(space, "bool", space.any_of(pairs), kids)
        if fn == "matches":
            return None
        zs, za = _as_z3_string(space, s), _as_z3_string(space, arg)
        value = (z3.Contains(zs, za) if fn == "contains" else
                 z3.PrefixOf(za, zs) if fn == "startsWith" else z3.SuffixOf(za, zs))
        return _make(space, "bool", value, kids)
    return None


def _pointwise_int(space: FactVariables, choice: Choice, fn: Callable[[str], int],
                   kids: tuple[Term, ...]) -> Term:
    value: Z3Expr = None
    for cond, v in reversed(choice.alternatives):
        n = z3.IntVal(fn(v), space.ctx)
        value = n if value is None else z3.If(cond, n, value)
    return _make(space, "int", value, kids)


def _convert(space: FactVariables, fn: str, a: Term) -> Term | None:
    if fn == "double" and a.kind == "double":
        return a
    if fn == "int" and a.kind == "int":
        return a
    if fn == "double" and a.kind == "int":
        return _make(space, "double", space.to_double(a), (a,))
    if fn == "int" and a.kind == "double":
        x = a.value
        r = z3.If(x >= 0, z3.ToInt(x), -z3.ToInt(-x))  # truncation toward zero
        return _make(space, "int", r, (a,), x > -(2 ** 63), x < 2 ** 63)  # as CEL: -2^63 < x < 2^63
    return None
