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
:class:`~policyengine.errors.ExpressionEvalError`, which ``evaluate`` turns into an
``evaluation_error`` refusal. The charge is a function of the input's sizes only, so the same
dispute always gets the same answer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..errors import ExpressionEvalError
from ..limits import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, STEP_BUDGET
from . import ast

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


class _Estimator:
    def __init__(self, declarations: Mapping[str, Any] | None, *, empty_facts: bool = False):
        self.declarations = declarations or {}
        self.assumed = False
        self.empty_facts = empty_facts

    # the declaration a node reads, when it reads a fact (or a part of one)
    def decl(self, node: ast.Node, scope: Mapping[str, Any]) -> Any:
        if isinstance(node, ast.Name):
            if node.name in scope:
                return scope[node.name][1]
            return self.declarations.get(node.name)
        if isinstance(node, ast.Select) and not node.test:
            owner = self.decl(node.operand, scope)
            if isinstance(owner, Mapping) and isinstance(owner.get("fields"), Mapping):
                return owner["fields"].get(node.field)
            return None
        if isinstance(node, ast.Index):
            owner = self.decl(node.operand, scope)
            if isinstance(owner, Mapping) and owner.get("type") == "list":
                return owner.get("items")
            return None
        return None

    def size(self, node: ast.Node, scope: Mapping[str, Any]) -> _Size:
        """How many items (or characters) the value of ``node`` may have."""
        if isinstance(node, ast.ListLit):
            return len(node.items), len(node.items)
        if isinstance(node, ast.MapLit):
            return len(node.entries), len(node.entries)
        if isinstance(node, ast.Literal):
            n = len(node.value) if isinstance(node.value, str) else 0
            return n, n
        if isinstance(node, ast.Name) and node.name in scope:
            lo, hi = scope[node.name][0]
            return int(lo), int(hi)
        if isinstance(node, ast.Comprehension) and node.macro in ("map", "filter"):
            lo, hi = self.size(node.target, scope)
            return (lo if node.macro == "map" and node.filter is None else 0), hi
        if isinstance(node, ast.Binary) and node.op == "+":
            a, b = self.size(node.left, scope), self.size(node.right, scope)
            return a[0] + b[0], a[1] + b[1]
        if isinstance(node, ast.Ternary):
            a, b = self.size(node.then, scope), self.size(node.orelse, scope)
            return min(a[0], b[0]), max(a[1], b[1])
        if self.empty_facts:
            return 0, 0
        decl = self.decl(node, scope)
        if decl is not None:
            size, assumed = _decl_size(decl)
            self.assumed = self.assumed or assumed
            return size
        self.assumed = True
        return 0, DEFAULT_MAX_ITEMS

    def element(self, target: ast.Node, scope: Mapping[str, Any]) -> tuple[_Size, Any]:
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

    def cost(self, root: ast.Node) -> tuple[int, int]:
        """(low, high) steps, computed with an explicit stack (trees may be deep)."""
        # post-order over (node, scope); results keyed by id(node) within the scope chain
        results: dict[tuple[int, int], tuple[int, int]] = {}
        stack: list[tuple[ast.Node, Mapping[str, Any], int, bool]] = [(root, {}, 0, False)]
        scopes: list[Mapping[str, Any]] = [{}]
        while stack:
            node, scope, sid, done = stack.pop()
            if not done:
                stack.append((node, scope, sid, True))
                if isinstance(node, ast.Comprehension):
                    inner = {**scope, node.var: self.element(node.target, scope)}
                    scopes.append(inner)
                    inner_id = len(scopes) - 1
                    results[(id(node), -1)] = (inner_id, 0)
                    stack.append((node.target, scope, sid, False))
                    stack.append((node.body, inner, inner_id, False))
                    if node.filter is not None:
                        stack.append((node.filter, inner, inner_id, False))
                else:
                    for kid in ast.children(node):
                        stack.append((kid, scope, sid, False))
                continue
            results[(id(node), sid)] = self._combine(node, scope, sid, results)
        return results[(id(root), 0)]

    def _combine(self, node: ast.Node, scope: Mapping[str, Any], sid: int,
                 results: dict[tuple[int, int], tuple[int, int]]) -> tuple[int, int]:
        if isinstance(node, ast.Comprehension):
            inner_id = results[(id(node), -1)][0]
            t_lo, t_hi = results[(id(node.target), sid)]
            b_lo, b_hi = results[(id(node.body), inner_id)]
            if node.filter is not None:
                f_lo, f_hi = results[(id(node.filter), inner_id)]
                b_lo, b_hi = f_lo, b_hi + f_hi
            n_lo, n_hi = self.size(node.target, scope)
            return 1 + t_lo + n_lo * b_lo, 1 + t_hi + n_hi * b_hi
        kids = [results[(id(k), sid)] for k in ast.children(node)]
        high = 1 + sum(k[1] for k in kids)
        if isinstance(node, ast.Binary) and node.op in ("&&", "||"):
            low = 1 + min(kids[0][0], kids[1][0])
        elif isinstance(node, ast.Ternary):
            low = 1 + kids[0][0] + min(kids[1][0], kids[2][0])
        else:
            low = 1 + sum(k[0] for k in kids)
        return low, high


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
