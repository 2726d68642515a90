"""AST -> canonical text: the form shown in traces and diffs, and the round-trip of the tests
(``parse_expression(print_expression(tree)) == tree``).

Canonical means: ``&&``/``||``/``!`` rather than the keywords, double-quoted strings with the
escapes spelled out, a space around binary operators, and only the parentheses precedence needs.
The printer is a :class:`~.visitor.Fold` (iterative): each node's text from its children's, as
nested pieces flattened once at the end.
"""

from __future__ import annotations

import math
import re
from typing import Any, Sequence, Tuple, Union

from . import ast
from .visitor import Fold

_PREC = {"||": 2, "&&": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4,
         "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_UNARY, _MEMBER, _PRIMARY = 7, 8, 9
_IDENT = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*\Z")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\a": "\\a",
            "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def print_expression(node: ast.Node) -> str:
    """The canonical text of ``node``."""
    out: list[str] = []
    stack: list[_Pieces] = [_Printer().fold(node, None)[1]]
    while stack:  # flatten the nested pieces, left to right
        item = stack.pop()
        if type(item) is str:
            out.append(item)
        else:
            stack.extend(reversed(item))
    return "".join(out)


def format_string(value: str) -> str:
    """A string literal in CEL syntax (double quotes, escapes for the unprintable)."""
    pieces = ['"']
    for ch in value:
        if ch in _ESCAPES:
            pieces.append(_ESCAPES[ch])
        elif ch.isprintable():
            pieces.append(ch)
        elif ord(ch) <= 0xFFFF:
            pieces.append(f"\\u{ord(ch):04x}")
        else:
            pieces.append(f"\\U{ord(ch):08x}")
    pieces.append('"')
    return "".join(pieces)


def _literal_text(node: ast.Literal) -> str:
    kind, value = node.kind, node.value
    if kind == "bool":
        return "true" if value else "false"
    if kind == "null":
        return "null"
    if kind == "string":
        return format_string(value)
    if kind == "int":
        return str(value)
    if math.isnan(value):
        raise ValueError("a NaN literal has no CEL text")
    if math.isinf(value):
        return "1e999" if value > 0 else "-1e999"
    return repr(value)


#: the text of a sub-tree: a string, or a tuple of pieces (nested, so that building the text of
#: a deep tree stays linear; :func:`print_expression` flattens it once)
_Pieces = Union[str, Tuple[Any, ...]]
#: (precedence of the node's form, its text)
_Text = Tuple[int, _Pieces]


def _at(kid: _Text, need: int) -> _Pieces:
    """A sub-tree's text where the parent needs precedence ``need``: parenthesised if lower."""
    return kid[1] if kid[0] >= need else ("(", kid[1], ")")


def _args(kids: tuple[_Text, ...], opening: str = "(", closing: str = ")") -> _Pieces:
    parts: list[_Pieces] = [opening]
    for i, kid in enumerate(kids):
        if i:
            parts.append(", ")
        parts.append(kid[1])
    parts.append(closing)
    return tuple(parts)


class _Printer(Fold[None, _Text]):
    """Each node's (precedence, text) from its children's."""

    def visit_literal(self, node: ast.Literal, kids: tuple[_Text, ...], scope: None) -> _Text:
        text = _literal_text(node)
        return (_UNARY if text.startswith("-") else _PRIMARY), text

    def visit_name(self, node: ast.Name, kids: tuple[_Text, ...], scope: None) -> _Text:
        return _PRIMARY, node.name

    def visit_select(self, node: ast.Select, kids: tuple[_Text, ...], scope: None) -> _Text:
        field = node.field if _IDENT.match(node.field) else f"`{node.field}`"
        if node.test:
            return _PRIMARY, ("has(", _at(kids[0], _MEMBER), ".", field, ")")
        return _MEMBER, (_at(kids[0], _MEMBER), ".", field)

    def visit_index(self, node: ast.Index, kids: tuple[_Text, ...], scope: None) -> _Text:
        return _MEMBER, (_at(kids[0], _MEMBER), "[", kids[1][1], "]")

    def visit_call(self, node: ast.Call, kids: tuple[_Text, ...], scope: None) -> _Text:
        if node.target is None:
            return _PRIMARY, (node.function, _args(kids))
        return _MEMBER, (_at(kids[0], _MEMBER), ".", node.function, _args(kids[1:]))

    def visit_unary(self, node: ast.Unary, kids: tuple[_Text, ...], scope: None) -> _Text:
        operand = node.operand
        if node.op == "-" and type(operand) is ast.Literal and operand.kind in ("int", "double"):
            return _UNARY, ("-(", kids[0][1], ")")
        return _UNARY, (node.op, _at(kids[0], _UNARY))

    def visit_binary(self, node: ast.Binary, kids: tuple[_Text, ...], scope: None) -> _Text:
        prec = _PREC[node.op]
        return prec, (_at(kids[0], prec), f" {node.op} ", _at(kids[1], prec + 1))

    def visit_ternary(self, node: ast.Ternary, kids: tuple[_Text, ...], scope: None) -> _Text:
        return 1, (_at(kids[0], 2), " ? ", _at(kids[1], 2), " : ", _at(kids[2], 1))

    def visit_list_lit(self, node: ast.ListLit, kids: tuple[_Text, ...], scope: None) -> _Text:
        return _PRIMARY, _args(kids, "[", "]")

    def visit_map_lit(self, node: ast.MapLit, kids: tuple[_Text, ...], scope: None) -> _Text:
        parts: list[_Pieces] = ["{"]
        for i in range(0, len(kids), 2):
            if i:
                parts.append(", ")
            parts.extend([kids[i][1], ": ", kids[i + 1][1]])
        parts.append("}")
        return _PRIMARY, tuple(parts)

    def visit_comprehension(self, node: ast.Comprehension, kids: tuple[_Text, ...], scope: None,
                            inner: None) -> _Text:
        parts: list[_Pieces] = [_at(kids[0], _MEMBER), f".{node.macro}(", node.var, ", "]
        if node.filter is not None:
            parts.extend([kids[1][1], ", "])
        parts.extend([kids[-1][1], ")"])
        return _MEMBER, tuple(parts)
