"""AST -> canonical text: the form shown in traces and diffs, and the round-trip of the tests
(``parse_expression(print_expression(tree)) == tree``).

Canonical means: ``&&``/``||``/``!`` rather than the keywords, double-quoted strings with the
escapes spelled out, a space around binary operators, and only the parentheses precedence needs.
The printer is iterative: it pushes text pieces and sub-trees on an explicit stack.
"""

from __future__ import annotations

import math
import re
from typing import Any, Iterable

from . import ast

_PREC = {"||": 2, "&&": 3, "==": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4, "in": 4,
         "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_UNARY, _MEMBER, _PRIMARY = 7, 8, 9
_IDENT = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*\Z")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\a": "\\a",
            "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def print_expression(node: ast.Node) -> str:
    """The canonical text of ``node``."""
    out: list[str] = []
    stack: list[Any] = [(node, 0)]
    while stack:
        item = stack.pop()
        if type(item) is str:
            out.append(item)
            continue
        current, need = item
        prec, parts = _template(current)
        if prec < need:
            parts = ["(", *parts, ")"]
        stack.extend(reversed(parts))
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


def _args(nodes: "Iterable[ast.Node]", opening: str = "(", closing: str = ")") -> list[Any]:
    parts: list[Any] = [opening]
    for i, arg in enumerate(nodes):
        if i:
            parts.append(", ")
        parts.append((arg, 0))
    parts.append(closing)
    return parts


def _template(node: ast.Node) -> tuple[int, list[Any]]:
    if isinstance(node, ast.Literal):
        text = _literal_text(node)
        return (_UNARY if text.startswith("-") else _PRIMARY), [text]
    if isinstance(node, ast.Name):
        return _PRIMARY, [node.name]
    if isinstance(node, ast.Select):
        field = node.field if _IDENT.match(node.field) else f"`{node.field}`"
        if node.test:
            return _PRIMARY, ["has(", (node.operand, _MEMBER), ".", field, ")"]
        return _MEMBER, [(node.operand, _MEMBER), ".", field]
    if isinstance(node, ast.Index):
        return _MEMBER, [(node.operand, _MEMBER), "[", (node.index, 0), "]"]
    if isinstance(node, ast.Call):
        if node.target is None:
            return _PRIMARY, [node.function, *_args(node.args)]
        return _MEMBER, [(node.target, _MEMBER), ".", node.function, *_args(node.args)]
    if isinstance(node, ast.Unary):
        operand = node.operand
        if node.op == "-" and type(operand) is ast.Literal and operand.kind in ("int", "double"):
            return _UNARY, ["-(", (operand, 0), ")"]
        return _UNARY, [node.op, (operand, _UNARY)]
    if isinstance(node, ast.Binary):
        prec = _PREC[node.op]
        return prec, [(node.left, prec), f" {node.op} ", (node.right, prec + 1)]
    if isinstance(node, ast.Ternary):
        return 1, [(node.cond, 2), " ? ", (node.then, 2), " : ", (node.orelse, 1)]
    if isinstance(node, ast.ListLit):
        return _PRIMARY, _args(node.items, "[", "]")
    if isinstance(node, ast.MapLit):
        parts: list[Any] = ["{"]
        for i, (key, value) in enumerate(node.entries):
            if i:
                parts.append(", ")
            parts.extend([(key, 0), ": ", (value, 0)])
        parts.append("}")
        return _PRIMARY, parts
    if isinstance(node, ast.Comprehension):
        parts = [(node.target, _MEMBER), f".{node.macro}(", node.var, ", "]
        if node.filter is not None:
            parts.extend([(node.filter, 0), ", "])
        parts.extend([(node.body, 0), ")"])
        return _MEMBER, parts
    raise TypeError(f"not an expression node: {node!r}")
