"""The one walk over the expression AST: every walker is a subclass with one method per node kind.

Two flavours, both non-recursive (one loop and an explicit stack, so a 100,000-deep tree costs
memory, never Python recursion), both dispatching on the node's class to ``visit_<kind>``:

:class:`Fold` -- bottom-up, like lark's ``Transformer``: each node's value is computed from its
children's values, children first, in :func:`ast.children` order. Every method has the signature
``visit_<kind>(node, kids, scope) -> R`` where ``kids`` holds the values of ``ast.children(node)``
(``()`` for a leaf). A comprehension's filter and body are folded in a scope of their own:
after its target is folded, ``bind(node, target_value, scope)`` returns the scope of the filter
and the body (the default keeps ``scope``), and the node's method receives both scopes::

    visit_comprehension(node, kids, scope, inner) -> R

The checker, the compiler, the printer and the cost estimate are folds.

:class:`Interpreter` -- top-down, like lark's ``Interpreter``: the method decides which
sub-expressions to visit, in which scope and how often (short-circuits, loops over a
comprehension's items, atoms whose parts are not walked at all). The two leaf kinds (``Literal``
and ``Name``) return their value directly: ``visit_literal(node, scope) -> R``; every other kind
is a generator that yields ``(sub_expression, scope)`` pairs, receives each one's value, and
returns its own::

    def visit_binary(self, node: ast.Binary, scope: S) -> Step[S, R]:
        left = yield node.left, scope
        ...
        return result

The scope type ``S`` is the walker's: a mapping of comprehension variables, or anything richer
(a mode, a negation flag). The reference interpreter and the condition regions are interpreters.

Method names: :data:`KINDS` maps each node class of :mod:`ast` to its kind (``Literal`` ->
``literal``, ``ListLit`` -> ``list_lit``); the method is ``visit_`` + kind. The base classes
define every method to raise ``NotImplementedError``; :func:`missing_methods` lists the kinds a
walker class leaves to that default, and a test requires it to be empty for every walker (a walker
that treats several kinds alike aliases one method: ``visit_select = visit_index = _atom``).

Adding a node kind: add the dataclass to :mod:`ast` (and to ``Node``, ``NODE_TYPES``,
``children`` and ``rebuild``), its kind to :data:`KINDS`, a raising ``visit_<kind>`` to both
bases here, then one to every walker -- ``tests/expr/test_visitor.py`` names each walker that
lacks it.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Generic, NoReturn, TypeVar

from . import ast

S = TypeVar("S")  # the scope a node is walked in
R = TypeVar("R")  # the value a walker computes per node

#: node class -> kind, the suffix of its ``visit_`` method
KINDS: dict[type, str] = {
    ast.Literal: "literal", ast.Name: "name", ast.Select: "select", ast.Index: "index",
    ast.Call: "call", ast.Unary: "unary", ast.Binary: "binary", ast.Ternary: "ternary",
    ast.ListLit: "list_lit", ast.MapLit: "map_lit", ast.Comprehension: "comprehension"}
#: the kinds without sub-expressions: an Interpreter returns their value directly
LEAVES: tuple[type, ...] = (ast.Literal, ast.Name)

#: an Interpreter method for a non-leaf kind: yields (sub-expression, scope), receives its value,
#: returns the node's value
Step = Generator[tuple[ast.Node, S], R, R]

_ENTER, _BIND, _EXIT, _EXIT_COMPREHENSION = 0, 1, 2, 3


def method_name(cls: type) -> str:
    """``visit_<kind>`` for a node class of :mod:`ast`."""
    return "visit_" + KINDS[cls]


def _unhandled(self: Any, node: ast.Node) -> NoReturn:
    raise NotImplementedError(f"{type(self).__name__} has no {method_name(type(node))}")


def missing_methods(walker: type) -> list[str]:
    """The ``visit_<kind>`` methods ``walker`` (a Fold or Interpreter subclass) inherits from the
    base's raising default: the node kinds it does not handle."""
    base = Fold if issubclass(walker, Fold) else Interpreter
    return [method_name(cls) for cls in ast.NODE_TYPES
            if getattr(walker, method_name(cls)) is getattr(base, method_name(cls))]


_TABLES: dict[type, dict[type, Callable[..., Any]]] = {}


def _table(walker: Any) -> dict[type, Callable[..., Any]]:
    """Node class -> the walker class's ``visit_<kind>`` function (called with the walker as
    its first argument), built once per walker class: a fold runs for every expression a
    rulebook holds, several times each, and the lookups cost more than a small tree's walk."""
    cls = type(walker)
    table = _TABLES.get(cls)
    if table is None:
        table = _TABLES[cls] = {kind: getattr(cls, method_name(kind)) for kind in ast.NODE_TYPES}
    return table


class Fold(Generic[S, R]):
    """Bottom-up: ``fold(root, scope)`` is the value of ``visit_<kind>(node, kids, scope)`` at
    the root, each node's ``kids`` being its children's values (see the module docstring)."""

    def bind(self, node: ast.Comprehension, target: R, scope: S) -> S:
        """The scope of ``node``'s filter and body, once its target's value is known."""
        return scope

    def fold(self, root: ast.Node, scope: S) -> R:
        table = _table(self)
        out: list[R] = []
        # (step, node, scope, extra): extra is the number of children at _EXIT, the inner
        # scope at _EXIT_COMPREHENSION
        stack: list[tuple[int, Any, Any, Any]] = [(_ENTER, root, scope, None)]
        push, pop, put = stack.append, stack.pop, out.append
        comprehension, binary = ast.Comprehension, ast.Binary
        literal, name = ast.Literal, ast.Name
        children = ast.children
        while stack:
            step, node, sc, extra = pop()
            if step == _ENTER:
                kind = type(node)
                if kind is literal or kind is name:
                    put(table[kind](self, node, (), sc))
                    continue
                if kind is binary:
                    # the commonest node, without the general path's list of children; a leaf
                    # operand is visited at once (it is next in the walk's order anyway)
                    left, right = node.left, node.right
                    lk, rk = type(left), type(right)
                    if lk is literal or lk is name:
                        a = table[lk](self, left, (), sc)
                        if rk is literal or rk is name:
                            b = table[rk](self, right, (), sc)
                            put(table[binary](self, node, (a, b), sc))
                            continue
                        put(a)
                        push((_EXIT, node, sc, 2))
                        push((_ENTER, right, sc, None))
                        continue
                    push((_EXIT, node, sc, 2))
                    push((_ENTER, right, sc, None))
                    push((_ENTER, left, sc, None))
                    continue
                if kind is comprehension:
                    push((_BIND, node, sc, None))
                    push((_ENTER, node.target, sc, None))
                    continue
                kids = children(node)
                if not kids:
                    put(table[kind](self, node, (), sc))
                    continue
                push((_EXIT, node, sc, len(kids)))
                for kid in reversed(kids):
                    push((_ENTER, kid, sc, None))
            elif step == _EXIT:
                if extra == 2:
                    b = out.pop()
                    values: tuple[R, ...] = (out.pop(), b)
                elif extra == 1:
                    values = (out.pop(),)
                else:
                    values = tuple(out[-extra:])
                    del out[-extra:]
                put(table[type(node)](self, node, values, sc))
            elif step == _BIND:
                inner = self.bind(node, out[-1], sc)
                push((_EXIT_COMPREHENSION, node, sc, inner))
                push((_ENTER, node.body, inner, None))
                if node.filter is not None:
                    push((_ENTER, node.filter, inner, None))
            else:
                n = 2 if node.filter is None else 3
                values = tuple(out[-n:])
                del out[-n:]
                put(self.visit_comprehension(node, values, sc, extra))
        return out[0]

    # --- one method per node kind (each walker overrides every one) --------------------------
    def visit_literal(self, node: ast.Literal, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_name(self, node: ast.Name, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_select(self, node: ast.Select, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_index(self, node: ast.Index, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_call(self, node: ast.Call, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_unary(self, node: ast.Unary, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_binary(self, node: ast.Binary, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_ternary(self, node: ast.Ternary, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_list_lit(self, node: ast.ListLit, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_map_lit(self, node: ast.MapLit, kids: tuple[R, ...], scope: S) -> R:
        _unhandled(self, node)

    def visit_comprehension(self, node: ast.Comprehension, kids: tuple[R, ...], scope: S,
                            inner: S) -> R:
        _unhandled(self, node)


class Interpreter(Generic[S, R]):
    """Top-down: ``run(root, scope)`` drives the ``visit_<kind>`` generators with one explicit
    stack (see the module docstring)."""

    def run(self, root: ast.Node, scope: S) -> R:
        table = _table(self)
        leaves = LEAVES
        if type(root) in leaves:
            return table[type(root)](self, root, scope)  # type: ignore[no-any-return]
        stack: list[Step[S, R]] = [table[type(root)](self, root, scope)]
        push, pop = stack.append, stack.pop
        value: Any = None
        while stack:
            try:
                node, sc = stack[-1].send(value)
            except StopIteration as stop:
                pop()
                value = stop.value
                continue
            if type(node) in leaves:
                value = table[type(node)](self, node, sc)
            else:
                push(table[type(node)](self, node, sc))
                value = None
        return value  # type: ignore[no-any-return]

    # --- one method per node kind (each walker overrides every one) --------------------------
    def visit_literal(self, node: ast.Literal, scope: S) -> R:
        _unhandled(self, node)

    def visit_name(self, node: ast.Name, scope: S) -> R:
        _unhandled(self, node)

    def visit_select(self, node: ast.Select, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_index(self, node: ast.Index, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_call(self, node: ast.Call, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_unary(self, node: ast.Unary, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_binary(self, node: ast.Binary, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_ternary(self, node: ast.Ternary, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_list_lit(self, node: ast.ListLit, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_map_lit(self, node: ast.MapLit, scope: S) -> Step[S, R]:
        _unhandled(self, node)

    def visit_comprehension(self, node: ast.Comprehension, scope: S) -> Step[S, R]:
        _unhandled(self, node)


__all__ = ["Fold", "Interpreter", "KINDS", "LEAVES", "Step", "method_name", "missing_methods"]
