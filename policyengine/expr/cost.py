"""A static cost estimate for an expression, and the run-time step budget that enforces it.

The model is CEL's (``cel-go``'s ``checker/cost.go``): one step per node evaluated, and a
comprehension's body (and filter) once per item of its target, so nesting multiplies. Sizes
come from what is known at load: a list or map literal's length, a string literal's length, a
fact's declared ``max_items``/``max_length`` (else the defaults of
:mod:`policyengine.model.limits`), the number of fields of a map fact.

:func:`estimate` gives a range ``(low, high)``:

* ``high`` takes every list and string at its bound and every branch taken (the worst case);
* ``low`` takes every list and string of a fact as empty and only what must be evaluated
  (the left side of ``&&``/``||``, the cheaper branch of ``?:``): no dispute can cost less.

* ``fixed`` is ``high`` with every fact's lists and strings empty: what the rulebook's own
  literals cost on the path where every condition holds.

Lint reports ``fixed`` above :data:`STEP_BUDGET` as an error (PE611: no dispute that reaches
that part can be decided, whatever it holds) and ``high`` above it as a warning (PE612:
disputes with large lists or texts may be refused).

At run time, only an expression whose ``high`` exceeds the budget is instrumented (the compiled
fast path of every other expression is untouched): each comprehension, before it runs, charges
``len(target) * (steps of its body)`` to a per-evaluation counter; going past the budget raises
:class:`~policyengine.core.errors.ExpressionEvalError`, which ``evaluate`` turns into an
``evaluation_error`` refusal. The charge is a function of the input's sizes only, so the same
dispute always gets the same answer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..core.errors import ExpressionEvalError
from ..core.limits import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, STEP_BUDGET
from . import ast
from .visitor import Fold, Interpreter, Step

_Size = tuple[int, int]  # (low, high) number of items (or characters)


@dataclass(frozen=True, slots=True)
class Cost:
    """The range of steps one evaluation may take; ``assumed`` when a default size bound (no
    declared ``max_items``/``max_length``) entered ``high``."""

    low: int
    high: int
    assumed: bool = False
    #: ``high`` with every fact's list and string empty: what the rulebook alone costs on the
    #: path where every condition holds. Above the budget, no dispute reaching it is decided.
    fixed: int = 0


def _decl_size(decl: Any) -> tuple[_Size, bool]:
    """(size range, used a default) of a fact declaration (the raw ``facts`` mapping form)."""
    if not isinstance(decl, Mapping):
        return (0, DEFAULT_MAX_ITEMS), True
    kind = decl.get("type")
    if kind == "list":
        bound = decl.get("max_items")
        return ((0, bound), False) if isinstance(bound, int) else ((0, DEFAULT_MAX_ITEMS), True)
    if kind == "string":
        bound = decl.get("max_length")
        return ((0, bound), False) if isinstance(bound, int) else ((0, DEFAULT_MAX_LENGTH), True)
    if kind == "map":
        fields = decl.get("fields")
        n = len(fields) if isinstance(fields, Mapping) else DEFAULT_MAX_ITEMS
        return (n, n), not isinstance(fields, Mapping)
    return (0, 0), False


_Scope = Mapping[str, Any]  # comprehension variable -> (size range, declaration) of one item
_Steps = tuple[int, int]  # (low, high)


class _Estimator(Fold[_Scope, _Steps]):
    """Each node's (low, high) steps from its children's (a :class:`~.visitor.Fold`)."""

    def __init__(self, declarations: Mapping[str, Any] | None, *, empty_facts: bool = False):
        self.declarations = declarations or {}
        self.assumed = False
        self.empty_facts = empty_facts
        self.sizes = _Sizes(self)

    # the declaration a node reads, when it reads a fact (or a part of one)
    def decl(self, node: ast.Node, scope: _Scope) -> Any:
        steps: list[ast.Node] = []  # the selections and indexes, outermost first
        while isinstance(node, (ast.Select, ast.Index)):
            if isinstance(node, ast.Select) and node.test:
                return None
            steps.append(node)
            node = node.operand
        if not isinstance(node, ast.Name):
            return None
        owner = scope[node.name][1] if node.name in scope else self.declarations.get(node.name)
        for step in reversed(steps):
            if isinstance(step, ast.Select):
                if not (isinstance(owner, Mapping) and isinstance(owner.get("fields"), Mapping)):
                    return None
                owner = owner["fields"].get(step.field)
            else:
                if not (isinstance(owner, Mapping) and owner.get("type") == "list"):
                    return None
                owner = owner.get("items")
        return owner

    def size(self, node: ast.Node, scope: _Scope) -> _Size:
        """How many items (or characters) the value of ``node`` may have."""
        return self.sizes.run(node, scope)

    def element(self, target: ast.Node, scope: _Scope) -> tuple[_Size, Any]:
        """(size range, declaration) of one item of ``target`` (the comprehension variable)."""
        if isinstance(target, ast.ListLit) and target.items:
            sizes = [self.size(item, scope) for item in target.items]
            return (min(s[0] for s in sizes), max(s[1] for s in sizes)), None
        decl = self.decl(target, scope)
        if self.empty_facts:
            return (0, 0), decl
        if isinstance(decl, Mapping) and decl.get("type") == "list":
            item = decl.get("items")
            size, assumed = _decl_size(item)
            self.assumed = self.assumed or assumed
            return size, item
        return (0, 0), None  # a map's keys, or unknown: strings, sized by nothing we iterate

    def cost(self, root: ast.Node) -> _Steps:
        """(low, high) steps (a fold: trees may be deep)."""
        return self.fold(root, {})

    def bind(self, node: ast.Comprehension, target: _Steps, scope: _Scope) -> _Scope:
        return {**scope, node.var: self.element(node.target, scope)}

    # --- one method per node kind --------------------------------------------------------------
    def _sum(self, node: ast.Node, kids: tuple[_Steps, ...], scope: _Scope) -> _Steps:
        return 1 + sum(k[0] for k in kids), 1 + sum(k[1] for k in kids)

    visit_literal = visit_name = visit_select = visit_index = visit_call = _sum
    visit_unary = visit_list_lit = visit_map_lit = _sum

    def visit_binary(self, node: ast.Binary, kids: tuple[_Steps, ...], scope: _Scope) -> _Steps:
        if node.op in ("&&", "||"):
            return 1 + min(kids[0][0], kids[1][0]), 1 + kids[0][1] + kids[1][1]
        return self._sum(node, kids, scope)

    def visit_ternary(self, node: ast.Ternary, kids: tuple[_Steps, ...], scope: _Scope
                      ) -> _Steps:
        return 1 + kids[0][0] + min(kids[1][0], kids[2][0]), 1 + sum(k[1] for k in kids)

    def visit_comprehension(self, node: ast.Comprehension, kids: tuple[_Steps, ...],
                            scope: _Scope, inner: _Scope) -> _Steps:
        t_lo, t_hi = kids[0]
        b_lo, b_hi = kids[-1]
        if node.filter is not None:
            f_lo, f_hi = kids[1]
            b_lo, b_hi = f_lo, b_hi + f_hi
        n_lo, n_hi = self.size(node.target, scope)
        return 1 + t_lo + n_lo * b_lo, 1 + t_hi + n_hi * b_hi


class _Sizes(Interpreter[_Scope, _Size]):
    """How many items (or characters) a value may have: literals by their length, facts by
    their declaration, ``+`` and ``?:`` and ``map``/``filter`` from their parts (an interpreter:
    only those parts are visited)."""

    def __init__(self, estimator: _Estimator):
        self.est = estimator

    def declared(self, node: ast.Node, scope: _Scope) -> _Size:
        est = self.est
        if est.empty_facts:
            return 0, 0
        decl = est.decl(node, scope)
        if decl is not None:
            size, assumed = _decl_size(decl)
            est.assumed = est.assumed or assumed
            return size
        est.assumed = True
        return 0, DEFAULT_MAX_ITEMS

    def visit_literal(self, node: ast.Literal, scope: _Scope) -> _Size:
        n = len(node.value) if isinstance(node.value, str) else 0
        return n, n

    def visit_name(self, node: ast.Name, scope: _Scope) -> _Size:
        if node.name in scope:
            lo, hi = scope[node.name][0]
            return int(lo), int(hi)
        return self.declared(node, scope)

    def visit_list_lit(self, node: ast.ListLit, scope: _Scope) -> Step[_Scope, _Size]:
        return len(node.items), len(node.items)
        yield  # a generator that visits nothing

    def visit_map_lit(self, node: ast.MapLit, scope: _Scope) -> Step[_Scope, _Size]:
        return len(node.entries), len(node.entries)
        yield

    def visit_comprehension(self, node: ast.Comprehension, scope: _Scope
                            ) -> Step[_Scope, _Size]:
        if node.macro not in ("map", "filter"):
            return self.declared(node, scope)
        lo, hi = yield node.target, scope
        return (lo if node.macro == "map" and node.filter is None else 0), hi

    def visit_binary(self, node: ast.Binary, scope: _Scope) -> Step[_Scope, _Size]:
        if node.op != "+":
            return self.declared(node, scope)
        a = yield node.left, scope
        b = yield node.right, scope
        return a[0] + b[0], a[1] + b[1]

    def visit_ternary(self, node: ast.Ternary, scope: _Scope) -> Step[_Scope, _Size]:
        a = yield node.then, scope
        b = yield node.orelse, scope
        return min(a[0], b[0]), max(a[1], b[1])

    def _declared(self, node: ast.Node, scope: _Scope) -> Step[_Scope, _Size]:
        return self.declared(node, scope)
        yield

    visit_select = visit_index = visit_call = visit_unary = _declared


def estimate(root: ast.Node, declarations: Mapping[str, Any] | None = None) -> Cost:
    """The static cost range of ``root`` against the rulebook's fact declarations."""
    est = _Estimator(declarations)
    low, high = est.cost(root)
    if high <= STEP_BUDGET:
        return Cost(low, high, est.assumed, high)
    _, fixed = _Estimator(declarations, empty_facts=True).cost(root)
    return Cost(low, high, est.assumed, fixed)


def body_weight(node: ast.Comprehension) -> int:
    """Steps one iteration of ``node`` takes outside any comprehension nested in it (those
    charge for themselves when they run): the nodes of its body and filter."""
    count = 0
    stack: list[ast.Node] = [node.body] + ([node.filter] if node.filter is not None else [])
    while stack:
        n = stack.pop()
        count += 1
        if isinstance(n, ast.Comprehension):
            stack.append(n.target)  # its target is evaluated once per outer iteration
            continue
        stack.extend(ast.children(n))
    return count


# -- the run-time budget ---------------------------------------------------------------------
class StepsExhausted(BaseException):
    """The budget ran out. A BaseException on purpose: the error-absorbing forms (``&&``,
    ``||``, ``all``, ``exists``) and the interpreter's safety nets catch ``Exception``, and a
    spent budget must stop the whole evaluation, in the compiled form and the interpreter alike.
    :func:`budgeted` turns it into an :class:`ExpressionEvalError`."""


class _Left(threading.local):
    steps: int | None = None


_LEFT = _Left()


def budget_exceeded() -> ExpressionEvalError:
    return ExpressionEvalError(f"the evaluation needs more than {STEP_BUDGET:,} steps (the "
                               "budget of one expression): the lists or texts it goes "
                               "through are too large")


def budget_active() -> bool:
    return _LEFT.steps is not None


def charge(steps: int) -> None:
    """Take ``steps`` from the running budget (raises when it runs out)."""
    left = _LEFT.steps
    if left is not None:
        left -= steps
        _LEFT.steps = left
        if left < 0:
            raise StepsExhausted()


def charger(weight: int) -> Callable[[Any], Any]:
    """A function that charges ``len(target) * weight`` steps and returns ``target``."""

    def charge(target: Any) -> Any:
        left = _LEFT.steps
        if left is not None:
            try:
                n = len(target)
            except TypeError:
                return target  # not a collection: the comprehension reports its own error
            left -= n * weight
            _LEFT.steps = left
            if left < 0:
                raise StepsExhausted()
        return target

    return charge


def budgeted(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` run with a fresh budget of :data:`STEP_BUDGET` steps."""

    def run(bindings: Any) -> Any:
        outer = _LEFT.steps
        _LEFT.steps = STEP_BUDGET
        try:
            return fn(bindings)
        except StepsExhausted:
            raise budget_exceeded() from None
        finally:
            _LEFT.steps = outer

    return run


__all__ = ["Cost", "STEP_BUDGET", "budgeted", "charger", "estimate"]
