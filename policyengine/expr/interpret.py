"""The reference interpreter: evaluates an AST over bindings with CEL's semantics.

It is deliberately plain: every operation goes through :mod:`values`, errors are values until the
very end, and nothing is specialised by type. It is also iterative (a
:class:`~.visitor.Interpreter`): each node is a small generator that yields the sub-expressions
it needs and receives their values, driven by one loop with an explicit stack, so a 50,000-deep
tree costs memory, never Python recursion. The compiled form (:mod:`compile`) must agree with it on every input, errors included.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, cast

from . import ast, cost
from .functions import GLOBAL_FUNCTIONS, RECEIVER_FUNCTIONS
from .values import (BINARY_OPERATORS, CelError, condition, has_field, index, iteration_items,
                     logical_and, logical_not, logical_or, make_list, make_map, neg, no_overload,
                     select, unbound_function, unbound_name)
from .visitor import Interpreter, Step

_Scope = dict[Any, Any]  # comprehension variables in scope
_Step = Step[_Scope, Any]


def interpret(root: ast.Node, bindings: Mapping[str, Any]) -> Any:
    """The value of ``root`` (a plain Python value) or a :class:`CelError`."""
    return _Interpreter(bindings).run(root, {})


class _Interpreter(Interpreter[_Scope, Any]):
    """CEL's semantics, one method per node kind (a :class:`~.visitor.Interpreter`)."""

    def __init__(self, bindings: Mapping[str, Any]):
        self.bindings = bindings

    def visit_literal(self, node: ast.Literal, scope: _Scope) -> Any:
        return node.value

    def visit_name(self, node: ast.Name, scope: _Scope) -> Any:
        name = node.name
        if name in scope:
            return scope[name]
        try:
            return self.bindings[name]
        except (KeyError, TypeError):
            return unbound_name(name)

    def visit_select(self, node: ast.Select, scope: _Scope) -> _Step:
        obj = yield node.operand, scope
        return has_field(obj, node.field) if node.test else select(obj, node.field)

    def visit_index(self, node: ast.Index, scope: _Scope) -> _Step:
        container = yield node.operand, scope
        key = yield node.index, scope
        return index(container, key)

    def visit_call(self, node: ast.Call, scope: _Scope) -> _Step:
        if node.target is None:
            impl = GLOBAL_FUNCTIONS.get((node.function, len(node.args)))
        else:
            impl = RECEIVER_FUNCTIONS.get((node.function, len(node.args)))
        if impl is None:
            return unbound_function(node.function, len(node.args), node.target is not None)
        values = []
        for kid in ast.children(node):
            values.append((yield kid, scope))
        return cast(Callable[..., Any], impl)(*values)  # the table's values are plain functions

    def visit_unary(self, node: ast.Unary, scope: _Scope) -> _Step:
        operand = yield node.operand, scope
        return logical_not(operand) if node.op == "!" else neg(operand)

    def visit_binary(self, node: ast.Binary, scope: _Scope) -> _Step:
        op = node.op
        left = yield node.left, scope
        if op == "&&":
            if left is False:
                return False
            right = yield node.right, scope
            return logical_and(left, right)
        if op == "||":
            if left is True:
                return True
            right = yield node.right, scope
            return logical_or(left, right)
        right = yield node.right, scope
        return BINARY_OPERATORS[op](left, right)

    def visit_ternary(self, node: ast.Ternary, scope: _Scope) -> _Step:
        cond = condition((yield node.cond, scope))
        if type(cond) is CelError:
            return cond
        if cond:
            return (yield node.then, scope)
        return (yield node.orelse, scope)

    def visit_list_lit(self, node: ast.ListLit, scope: _Scope) -> _Step:
        items: list[Any] = []
        for kid in node.items:
            items.append((yield kid, scope))
        return make_list(items)

    def visit_map_lit(self, node: ast.MapLit, scope: _Scope) -> _Step:
        pairs = []
        for key_node, value_node in node.entries:
            key = yield key_node, scope
            value = yield value_node, scope
            pairs.append((key, value))
        return make_map(pairs)

    def visit_comprehension(self, node: ast.Comprehension, scope: _Scope) -> _Step:
        items = iteration_items((yield node.target, scope))
        if type(items) is CelError:
            return items
        if cost.budget_active():
            cost.charge(len(items) * _weight(node))
        macro, var, body = node.macro, node.var, node.body
        if macro == "all" or macro == "exists":
            stop = macro == "exists"  # the value that decides at once
            error = None
            for item in items:
                r = yield body, {**scope, var: item}
                if r is stop:
                    return stop
                if r is not (not stop) and error is None:
                    error = r if type(r) is CelError else no_overload(macro, r)
            return error if error is not None else (not stop)
        if macro == "exists_one":
            count = 0
            for item in items:
                r = yield body, {**scope, var: item}
                if r is True:
                    count += 1
                elif r is not False:
                    return r if type(r) is CelError else no_overload(macro, r)
            return count == 1
        out = []
        predicate = body if macro == "filter" else node.filter
        for item in items:
            inner = {**scope, var: item}
            if predicate is not None:
                keep = yield predicate, inner
                if keep is False:
                    continue
                if keep is not True:
                    return keep if type(keep) is CelError else no_overload(macro, keep)
            if macro == "filter":
                out.append(item)
            else:
                value = yield body, inner
                if type(value) is CelError:
                    return value
                out.append(value)
        return out


_WEIGHTS: dict[int, tuple[ast.Comprehension, int]] = {}


def _weight(node: ast.Comprehension) -> int:
    hit = _WEIGHTS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    if len(_WEIGHTS) > 4096:
        _WEIGHTS.clear()
    weight = cost.body_weight(node)
    _WEIGHTS[id(node)] = (node, weight)
    return weight
