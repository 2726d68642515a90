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
from typing import Any, Iterable

import z3

from ..expr import ast, print_expression
from ..expr.cost import budgeted, estimate
from ..expr.interpret import interpret
from ..expr.types import BOOL, DOUBLE, INT, STRING, base
from ..expr.values import CelError
from ..expr.visitor import Fold
from ..model.nodes import Expression, FactDecl, Policy
from ._cel import Encoder
from .terms import INT64_MAX, INT64_MIN, Choice, FactSource, FactVar, Term, Z3Expr
from .variables import FactVariables
from .witness import build_witness

#: A sub-expression whose facts have at most this many value combinations is evaluated for each.
FINITE_LIMIT = 256
#: A sub-expression costlier than this (steps, expr/cost.py) is not run for each combination.
FINITE_STEPS = 10_000


class FactSpace(FactVariables):
    """The fact variables of ``policy`` (:class:`~policyengine.analysis.variables.FactVariables`:
    ``ctx``, ``facts``, ``domain``, ``policy``, ``declarations``, the boolean combinators) and the
    encoding of its expressions over them (built once, terms cached by canonical text)."""

    def __init__(self, policy: Policy, *, ctx: Any = None, ieee: bool = False,
                 declarations: FactSource | None = None) -> None:
        super().__init__(policy, ctx=ctx, ieee=ieee, declarations=declarations)
        self._cache: dict[str, Term] = {}


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

    # -- the walk ------------------------------------------------------------------------------
    def _encode_tree(self, root: ast.Node) -> Term:
        return Encoder(self, self.finite_or_opaque).run(root, None)

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

    # -- witnesses -----------------------------------------------------------------------------
    def witness(self, model: Any, as_of: Any, *, keep: Iterable[Z3Expr] = (),
                avoid: dict[str, Any] | None = None) -> dict[str, Any]:
        """A complete dispute ``{"facts": {...}, "as_of": "YYYY-MM-DD"}`` from a z3 model: every
        declared fact present and valid; values simplified (round numbers, boundary values,
        defaults) as long as every formula of ``keep`` stays true. ``avoid`` maps a fact path
        to values not to pick (for a second try when a witness did not reproduce)."""
        return build_witness(self, model, as_of, keep=tuple(keep), avoid=avoid)


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


class _CanRaise(Fold[None, bool]):
    """Whether evaluating a node may be a CEL error on valid facts (syntactically): it or a
    part of it indexes, divides, does integer arithmetic or a conversion, or matches a pattern
    that is not a literal."""

    def _any(self, node: ast.Node, kids: tuple[bool, ...], scope: None) -> bool:
        return any(kids)

    visit_literal = visit_name = visit_select = visit_ternary = _any
    visit_list_lit = visit_map_lit = _any

    def visit_index(self, node: ast.Index, kids: tuple[bool, ...], scope: None) -> bool:
        return True

    def visit_binary(self, node: ast.Binary, kids: tuple[bool, ...], scope: None) -> bool:
        return node.op in ("/", "%") or (node.op in ("+", "-", "*") and base(node.type) is INT) \
            or any(kids)

    def visit_unary(self, node: ast.Unary, kids: tuple[bool, ...], scope: None) -> bool:
        return (node.op == "-" and base(node.type) is INT) or any(kids)

    def visit_call(self, node: ast.Call, kids: tuple[bool, ...], scope: None) -> bool:
        return node.function in _RAISING_CALLS or (node.function == "matches" and not (
            node.args and isinstance(node.args[0], ast.Literal))) or any(kids)

    def visit_comprehension(self, node: ast.Comprehension, kids: tuple[bool, ...], scope: None,
                            inner: None) -> bool:
        return any(kids)


def _can_raise(root: ast.Node) -> bool:
    """Whether evaluating ``root`` may be a CEL error on valid facts (syntactically)."""
    return _CanRaise().fold(root, None)


class _FreeNames(Fold[frozenset[str], frozenset[str]]):
    """The fact names a node reads; the scope holds the names its macros bind."""

    def bind(self, node: ast.Comprehension, target: frozenset[str], scope: frozenset[str]
             ) -> frozenset[str]:
        return scope | {node.var}

    def visit_name(self, node: ast.Name, kids: tuple[frozenset[str], ...],
                   scope: frozenset[str]) -> frozenset[str]:
        return frozenset() if node.name in scope else frozenset({node.name})

    def _union(self, node: ast.Node, kids: tuple[frozenset[str], ...], scope: frozenset[str]
               ) -> frozenset[str]:
        return frozenset().union(*kids)

    visit_literal = visit_select = visit_index = visit_call = visit_unary = _union
    visit_binary = visit_ternary = visit_list_lit = visit_map_lit = _union

    def visit_comprehension(self, node: ast.Comprehension, kids: tuple[frozenset[str], ...],
                            scope: frozenset[str], inner: frozenset[str]) -> frozenset[str]:
        return frozenset().union(*kids)


def _free_names(root: ast.Node) -> set[str]:
    """The fact names a sub-expression reads (names bound by a macro excluded)."""
    return set(_FreeNames().fold(root, frozenset()))


__all__ = ["FINITE_LIMIT", "FINITE_STEPS", "INT64_MAX", "INT64_MIN", "Choice", "FactSpace",
           "FactVar", "Term"]
