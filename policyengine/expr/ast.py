"""The expression AST: small frozen dataclasses, built by ``to_ast`` right after parsing.

Every node carries ``span`` (0-based ``(start, end)`` character offsets into the expression text)
and ``type`` (filled in by the checker), both ignored by equality and hashing, so two trees compare
by meaning, not by layout. Nothing here imports lark.

Node kinds::

    Literal(value, kind)            42, 1.5, "x", true, null        kind: int double string bool null
    Name(name)                      amount
    Select(operand, field, test)    partner.tier; ``test=True`` is the ``has(partner.tier)`` macro
    Index(operand, index)           tags[0], m["k"]
    Call(function, args, target)    size(x); ``target`` set for the method form: s.startsWith("a")
    Unary(op, operand)              !x, -x                          op: "!" "-"
    Binary(op, left, right)         a && b, a + b, a in b           op: || && == != < <= > >= in + - * / %
    Ternary(cond, then, orelse)     c ? a : b
    ListLit(items)                  [1, 2]
    MapLit(entries)                 {"k": v}; entries: tuple of (key, value) pairs
    Comprehension(macro, target, var, body, filter)
                                    xs.all(x, p)  xs.exists(x, p)  xs.exists_one(x, p)
                                    xs.filter(x, p)  xs.map(x, t)  xs.map(x, p, t) (``filter`` = p)

Equality and hashing of the generated dataclass methods recurse; use them on trees of modest depth
(tests), never on untrusted input. Walk trees with :mod:`.visitor` (one method per node kind,
non-recursive), or :func:`walk` and :func:`children` for a plain iteration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import field as _field
from typing import Any, Iterator, Optional, Tuple, Union

Span = Optional[Tuple[int, int]]

#: Literal kinds, from the Python value (``bool`` before ``int``: a bool is never a number).
_KINDS = ((bool, "bool"), (int, "int"), (float, "double"), (str, "string"), (type(None), "null"))


def literal_kind(value: Any) -> str:
    for py_type, kind in _KINDS:
        if isinstance(value, py_type):
            return kind
    raise ValueError(f"a literal holds a bool, int, float, str or None, not {value!r}")


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any
    kind: str = ""
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", literal_kind(self.value))


@dataclass(frozen=True, slots=True)
class Name:
    name: str
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Select:
    operand: "Node"
    field: str  # the field's name: `dataclasses.field` is `_field` in this class body
    test: bool = False
    span: Span = _field(default=None, compare=False, hash=False, repr=False)
    type: Any = _field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Index:
    operand: "Node"
    index: "Node"
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: Tuple["Node", ...] = ()
    target: Optional["Node"] = None
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: "Node"
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: "Node"
    right: "Node"
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class Ternary:
    cond: "Node"
    then: "Node"
    orelse: "Node"
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListLit:
    items: Tuple["Node", ...] = ()
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class MapLit:
    entries: Tuple[Tuple["Node", "Node"], ...] = ()
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


MACROS = ("all", "exists", "exists_one", "filter", "map")


@dataclass(frozen=True, slots=True)
class Comprehension:
    macro: str
    target: "Node"
    var: str
    body: "Node"
    filter: Optional["Node"] = None
    span: Span = field(default=None, compare=False, hash=False, repr=False)
    type: Any = field(default=None, compare=False, hash=False, repr=False)


Node = Union[Literal, Name, Select, Index, Call, Unary, Binary, Ternary, ListLit, MapLit, Comprehension]

NODE_TYPES = (Literal, Name, Select, Index, Call, Unary, Binary, Ternary, ListLit, MapLit, Comprehension)


def children(node: Node) -> Tuple[Node, ...]:
    """The direct sub-expressions of ``node``, in evaluation (left-to-right) order."""
    if isinstance(node, Literal) or isinstance(node, Name):
        return ()
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Select) or isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Index):
        return (node.operand, node.index)
    if isinstance(node, Call):
        return node.args if node.target is None else (node.target, *node.args)
    if isinstance(node, Ternary):
        return (node.cond, node.then, node.orelse)
    if isinstance(node, ListLit):
        return node.items
    if isinstance(node, MapLit):
        return tuple(x for pair in node.entries for x in pair)
    if isinstance(node, Comprehension):
        if node.filter is None:
            return (node.target, node.body)
        return (node.target, node.filter, node.body)
    raise TypeError(f"not an expression node: {node!r}")


def rebuild(node: Node, kids: Tuple[Node, ...], **changes: Any) -> Node:
    """A copy of ``node`` with its sub-expressions replaced by ``kids`` (same order as
    :func:`children`) and other fields replaced by ``changes``."""
    cls = type(node)
    values = {"span": node.span, "type": node.type}
    if isinstance(node, Literal):
        values.update(value=node.value, kind=node.kind)
    elif isinstance(node, Name):
        values.update(name=node.name)
    elif isinstance(node, Binary):
        values.update(op=node.op, left=kids[0], right=kids[1])
    elif isinstance(node, Select):
        values.update(operand=kids[0], field=node.field, test=node.test)
    elif isinstance(node, Unary):
        values.update(op=node.op, operand=kids[0])
    elif isinstance(node, Index):
        values.update(operand=kids[0], index=kids[1])
    elif isinstance(node, Call):
        if node.target is None:
            values.update(function=node.function, args=tuple(kids), target=None)
        else:
            values.update(function=node.function, args=tuple(kids[1:]), target=kids[0])
    elif isinstance(node, Ternary):
        values.update(cond=kids[0], then=kids[1], orelse=kids[2])
    elif isinstance(node, ListLit):
        values.update(items=tuple(kids))
    elif isinstance(node, MapLit):
        values.update(entries=tuple(zip(kids[0::2], kids[1::2])))
    elif isinstance(node, Comprehension):
        values.update(macro=node.macro, target=kids[0], var=node.var)
        if node.filter is None:
            values.update(body=kids[1], filter=None)
        else:
            values.update(filter=kids[1], body=kids[2])
    values.update(changes)
    return cls(**values)


# -- sooner constructors ------------------------------------------------------------------------
# The parser builds every node of every expression a rulebook holds, and the checker a typed
# copy of each: a frozen dataclass's constructor stores each field with ``object.__setattr__``,
# which costs several times a plain store. ``new_<kind>`` fills a *draft* (a class with the
# node's slots and no frozen ``__setattr__``) and makes it the node's class by assigning
# ``__class__`` (Python allows it between classes of the same layout): the result is the node
# its constructor builds (fields, equality, hash, repr, ``FrozenInstanceError``).
# ``tests/expr/test_ast_constructors.py`` pins both.


#: node class -> its draft class (kept in a table: the module's classes are the node kinds)
_DRAFTS: dict[type, type] = {
    cls: type(f"_{cls.__name__}Draft", (), {"__slots__": cls.__slots__})
    for cls in (Literal, Name, Binary, Select, Unary, Index, Ternary, ListLit, Call)}


def new_literal(value: Any, kind: str, span: Span = None, type: Any = None) -> Literal:
    """``Literal(value, kind, span, type)`` with ``kind`` given (never derived)."""
    d: Any = _DRAFTS[Literal]()
    d.value, d.kind, d.span, d.type = value, kind, span, type
    d.__class__ = Literal
    return d  # type: ignore[no-any-return]


def new_name(name: str, span: Span = None, type: Any = None) -> Name:
    d: Any = _DRAFTS[Name]()
    d.name, d.span, d.type = name, span, type
    d.__class__ = Name
    return d  # type: ignore[no-any-return]


def new_binary(op: str, left: Node, right: Node, span: Span = None, type: Any = None) -> Binary:
    d: Any = _DRAFTS[Binary]()
    d.op, d.left, d.right, d.span, d.type = op, left, right, span, type
    d.__class__ = Binary
    return d  # type: ignore[no-any-return]


def new_select(operand: Node, field: str, test: bool = False, span: Span = None,
               type: Any = None) -> Select:
    d: Any = _DRAFTS[Select]()
    d.operand, d.field, d.test, d.span, d.type = operand, field, test, span, type
    d.__class__ = Select
    return d  # type: ignore[no-any-return]


def new_unary(op: str, operand: Node, span: Span = None, type: Any = None) -> Unary:
    d: Any = _DRAFTS[Unary]()
    d.op, d.operand, d.span, d.type = op, operand, span, type
    d.__class__ = Unary
    return d  # type: ignore[no-any-return]


def new_index(operand: Node, index: Node, span: Span = None, type: Any = None) -> Index:
    d: Any = _DRAFTS[Index]()
    d.operand, d.index, d.span, d.type = operand, index, span, type
    d.__class__ = Index
    return d  # type: ignore[no-any-return]


def new_ternary(cond: Node, then: Node, orelse: Node, span: Span = None, type: Any = None
                ) -> Ternary:
    d: Any = _DRAFTS[Ternary]()
    d.cond, d.then, d.orelse, d.span, d.type = cond, then, orelse, span, type
    d.__class__ = Ternary
    return d  # type: ignore[no-any-return]


def new_list_lit(items: Tuple[Node, ...], span: Span = None, type: Any = None) -> ListLit:
    d: Any = _DRAFTS[ListLit]()
    d.items, d.span, d.type = items, span, type
    d.__class__ = ListLit
    return d  # type: ignore[no-any-return]


def new_call(function: str, args: Tuple[Node, ...], target: Optional[Node] = None,
             span: Span = None, type: Any = None) -> Call:
    d: Any = _DRAFTS[Call]()
    d.function, d.args, d.target, d.span, d.type = function, args, target, span, type
    d.__class__ = Call
    return d  # type: ignore[no-any-return]


_RETYPED: dict[type, Any] = {
    Literal: lambda n, k, t: new_literal(n.value, n.kind, n.span, t),
    Name: lambda n, k, t: new_name(n.name, n.span, t),
    Binary: lambda n, k, t: new_binary(n.op, k[0], k[1], n.span, t),
    Select: lambda n, k, t: new_select(k[0], n.field, n.test, n.span, t),
    Unary: lambda n, k, t: new_unary(n.op, k[0], n.span, t),
    Index: lambda n, k, t: new_index(k[0], k[1], n.span, t),
    Ternary: lambda n, k, t: new_ternary(k[0], k[1], k[2], n.span, t),
    ListLit: lambda n, k, t: new_list_lit(tuple(k), n.span, t),
    Call: lambda n, k, t: new_call(n.function, tuple(k), None, n.span, t) if n.target is None
    else new_call(n.function, tuple(k[1:]), k[0], n.span, t),
}


def retyped(node: Node, kids: Tuple[Node, ...], type_: Any) -> Node:
    """``rebuild(node, kids, type=type_)``, sooner for the common kinds (the checker makes a
    typed copy of every node of every expression it checks)."""
    make = _RETYPED.get(node.__class__)
    if make is None:
        return rebuild(node, kids, type=type_)
    made: Node = make(node, kids, type_)
    return made


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children (iterative: safe for deep trees)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def depth(node: Node) -> int:
    """The height of the tree (a leaf has depth 1), computed iteratively."""
    best = 0
    stack = [(node, 1)]
    while stack:
        current, d = stack.pop()
        if d > best:
            best = d
        for kid in children(current):
            stack.append((kid, d + 1))
    return best


def shape(node: Node) -> Tuple[int, int, bool]:
    """(height, number of nodes, holds a comprehension) of a tree, in one iterative walk."""
    height = nodes = 0
    loops = False
    stack = [(node, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        current, d = pop()
        nodes += 1
        if d > height:
            height = d
        kind = type(current)
        if kind is Literal or kind is Name:
            continue
        if kind is Binary:  # the commonest inner node, without the list of children
            push((current.left, d + 1))  # type: ignore[union-attr]
            push((current.right, d + 1))  # type: ignore[union-attr]
            continue
        if kind is Comprehension:
            loops = True
        for kid in children(current):
            push((kid, d + 1))
    return height, nodes, loops
