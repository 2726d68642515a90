"""Lark parse tree -> :mod:`policyengine.expr.ast`, right after parsing.

The only module besides ``parser`` that knows lark. It runs as a ``Transformer_NonRecursive`` (an
explicit stack, so 5,000-deep input is fine) and computes every node's span from its first and
last token, so the parser does not need ``propagate_positions``. It also does the work that needs
the raw text: decoding string and number literals, folding ``-`` into a numeric literal
(``-9223372036854775808`` is a valid int), expanding the macros (``has``, ``all``, ``exists``,
``exists_one``, ``map``, ``filter``) and rejecting reserved words and unsupported syntax.
"""

from __future__ import annotations

from typing import Any, NoReturn, cast

from lark import Token, Transformer_NonRecursive
from lark.exceptions import VisitError

from ..core.errors import ExpressionSyntaxError
from . import ast
from .reserved import INT64_MAX, INT64_MIN, RESERVED
from .reserved import MACRO_ARITY as _MACRO_ARITY

_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", "?": "?", '"': '"', "'": "'", "`": "`",
}
_HEX = frozenset("0123456789abcdefABCDEF")


class _Builder(Transformer_NonRecursive[Token, ast.Node]):
    """Callbacks per grammar alias; each gets the already-transformed children."""

    def __init__(self, text: str):
        super().__init__(visit_tokens=False)
        self.text = text

    # --- helpers ---------------------------------------------------------------------------
    def _fail(self, message: str, span: ast.Span, hint: str | None = None) -> NoReturn:
        raise ExpressionSyntaxError(message, text=self.text, span=span, hint=hint, code="PE601")

    @staticmethod
    def _span(children: list[Any]) -> tuple[int, int]:
        first = next(c for c in children if c is not None)
        last = next(c for c in reversed(children) if c is not None)
        return (_start(first), _end(last))

    # --- literals ---------------------------------------------------------------------------
    def int_lit(self, children: list[Any]) -> ast.Node:
        tok = children[0]
        text = str(tok)
        if len(text.lstrip("0xX")) > 20:  # far beyond int64: say so without converting it
            self._fail(f"integer literal `{text[:20]}...` is out of range", _tok_span(tok),
                       hint="write a double such as `1e19` for bigger numbers")
        value = int(text[2:], 16) if text[:2] in ("0x", "0X") else int(text)
        return ast.Literal(value, "int", span=_tok_span(tok))

    def uint_lit(self, children: list[Any]) -> NoReturn:
        self._fail(f"unsigned integer `{children[0]}` is not supported", _tok_span(children[0]),
                   hint=f"write `{str(children[0])[:-1]}`")

    def float_lit(self, children: list[Any]) -> ast.Node:
        tok = children[0]
        return ast.Literal(float(str(tok)), "double", span=_tok_span(tok))

    def string_lit(self, children: list[Any]) -> ast.Node:
        tok = children[0]
        return ast.Literal(self._decode_string(tok), "string", span=_tok_span(tok))

    def true_lit(self, children: list[Any]) -> ast.Node:
        return ast.Literal(True, "bool", span=_tok_span(children[0]))

    def false_lit(self, children: list[Any]) -> ast.Node:
        return ast.Literal(False, "bool", span=_tok_span(children[0]))

    def null_lit(self, children: list[Any]) -> ast.Node:
        return ast.Literal(None, "null", span=_tok_span(children[0]))

    def _decode_string(self, tok: Token) -> str:
        raw = str(tok)
        base = _pos(tok.start_pos)
        prefix = 0
        raw_mode = False
        while raw[prefix] not in "'\"":
            if raw[prefix] in "bB":
                self._fail("bytes literals are not supported", _tok_span(tok),
                           hint="write a string literal without the `b` prefix")
            raw_mode = True
            prefix += 1
        quote = 3 if raw[prefix:prefix + 3] in ('"""', "'''") else 1
        body_start = prefix + quote
        body = raw[body_start:len(raw) - quote]
        if raw_mode:
            return body
        out: list[str] = []
        i = 0
        n = len(body)
        while i < n:
            j = body.find("\\", i)
            if j < 0:
                out.append(body[i:])
                break
            out.append(body[i:j])
            where = base + body_start + j
            c = body[j + 1] if j + 1 < n else ""
            if c in _SIMPLE_ESCAPES and c:
                out.append(_SIMPLE_ESCAPES[c])
                i = j + 2
                continue
            if c in ("x", "X", "u", "U"):
                width = {"x": 2, "X": 2, "u": 4, "U": 8}[c]
                digits = body[j + 2:j + 2 + width]
                if len(digits) != width or not all(d in _HEX for d in digits):
                    self._fail(f"invalid escape `\\{c}{digits}`: `\\{c}` takes {width} hex digits",
                               (where, where + 2 + len(digits)))
                code = int(digits, 16)
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    self._fail(f"invalid escape `\\{c}{digits}`: not a Unicode code point",
                               (where, where + 2 + width))
                out.append(chr(code))
                i = j + 2 + width
                continue
            if c in "0123":
                digits = body[j + 1:j + 4]
                if len(digits) != 3 or not all(d in "01234567" for d in digits):
                    self._fail(f"invalid escape `\\{digits}`: an octal escape has 3 digits",
                               (where, where + 1 + len(digits)))
                out.append(chr(int(digits, 8)))
                i = j + 4
                continue
            self._fail(f"invalid escape `\\{c}` in a string", (where, where + 2),
                       hint="write `\\\\` for a backslash, or use a raw string r'...'")
        return "".join(out)

    # --- names, calls, selection ------------------------------------------------------------
    def name(self, children: list[Any]) -> ast.Node:
        tok = children[0]
        if str(tok) in RESERVED:
            self._fail(f"`{tok}` is a reserved word, not a name", _tok_span(tok))
        return ast.Name(str(tok), span=_tok_span(tok))

    def leading_dot(self, children: list[Any]) -> NoReturn:
        self._fail("names with a leading `.` are not supported", self._span(children),
                   hint=f"write `{children[1]}`")

    def message(self, children: list[Any]) -> NoReturn:
        self._fail("message construction `Type{...}` is not supported", self._span(children),
                   hint="use a map literal `{\"key\": value}`")

    def selector(self, children: list[Any]) -> tuple[str, tuple[int, int]]:
        tok = children[0]
        text = str(tok)
        if tok.type == "QUOTED_IDENT":
            text = text[1:-1]
            if not text or any(not (ch.isalnum() or ch in "_.-/ ") for ch in text):
                self._fail(f"invalid quoted field name `{text}`", _tok_span(tok),
                           hint="a quoted field name holds letters, digits, `_`, `.`, `-`, `/` and spaces")
        return (text, _tok_span(tok))

    def select(self, children: list[Any]) -> ast.Node:
        operand, _dot, (field, fspan) = children
        return ast.Select(operand, field, span=(_start(operand), fspan[1]))

    def index(self, children: list[Any]) -> ast.Node:
        return ast.Index(children[0], children[2], span=self._span(children))

    def args(self, children: list[Any]) -> list[Any]:
        return [c for c in children if not isinstance(c, Token)]

    def call(self, children: list[Any]) -> ast.Node:
        tok, _lp, args, rp = children
        args = tuple(args or ())
        span = (_pos(tok.start_pos), _pos(rp.end_pos))
        fn = str(tok)
        if fn == "has":
            if len(args) != 1 or type(args[0]) is not ast.Select or args[0].test:
                self._fail("`has()` takes one field selection, such as `has(partner.tier)`", span)
            sel = args[0]
            return ast.Select(sel.operand, sel.field, True, span=span)
        if fn in RESERVED:
            self._fail(f"`{fn}` is a reserved word, not a function", _tok_span(tok))
        return ast.Call(fn, args, None, span=span)

    def method(self, children: list[Any]) -> ast.Node:
        target, _dot, (fn, fspan), _lp, args, rp = children
        args = tuple(args or ())
        span = (_start(target), _pos(rp.end_pos))
        if fn in _MACRO_ARITY and len(args) in _MACRO_ARITY[fn]:
            var = args[0]
            if type(var) is not ast.Name:
                self._fail(f"the first argument of `{fn}()` must be a simple name, such as `x`",
                           cast(ast.Span, var.span))
            if len(args) == 3:
                return ast.Comprehension(fn, target, var.name, args[2], args[1], span=span)
            return ast.Comprehension(fn, target, var.name, args[1], None, span=span)
        return ast.Call(fn, args, target, span=span)

    # --- operators -------------------------------------------------------------------------
    def paren(self, children: list[Any]) -> ast.Node:
        return cast(ast.Node, children[1])

    def not_(self, children: list[Any]) -> ast.Node:
        return ast.Unary("!", children[1], span=self._span(children))

    def neg(self, children: list[Any]) -> ast.Node:
        tok, operand = children
        if (type(operand) is ast.Literal and operand.kind in ("int", "double")
                and self.text[_pos(tok.end_pos):_start(operand)].strip() == ""
                and not self.text[_start(operand):_start(operand) + 1] in "-("):
            return ast.Literal(-operand.value, operand.kind, span=(_pos(tok.start_pos),
                                                                     _end(operand)))
        return ast.Unary("-", operand, span=(_pos(tok.start_pos), _end(operand)))

    def binary(self, children: list[Any]) -> ast.Node:
        left, op, right = children
        return ast.Binary(str(op), left, right, span=(_start(left), _end(right)))

    def logical(self, children: list[Any]) -> ast.Node:
        left, op, right = children
        sym = "&&" if op.type in ("ANDAND", "AND_KW") else "||"
        return ast.Binary(sym, left, right, span=(_start(left), _end(right)))

    def ternary(self, children: list[Any]) -> ast.Node:
        cond, _q, then, _c, orelse = children
        return ast.Ternary(cond, then, orelse, span=(_start(cond), _end(orelse)))

    def list_(self, children: list[Any]) -> ast.Node:
        lb, items, comma, rb = children
        if items is None and comma is not None:
            self._fail("a list starts with an element, not `,`", _tok_span(comma))
        return ast.ListLit(tuple(items or ()), span=(_pos(lb.start_pos), _pos(rb.end_pos)))

    def entry(self, children: list[Any]) -> tuple[ast.Node, ast.Node]:
        return (children[0], children[2])

    def items(self, children: list[Any]) -> list[Any]:
        # left-recursive (``items COMMA expr``) so that a trailing comma parses: extend in place
        if len(children) == 1:
            return [children[0]]
        children[0].append(children[2])
        return cast(list[Any], children[0])

    entries = items

    def map_(self, children: list[Any]) -> ast.Node:
        lb, entries, comma, rb = children
        if entries is None and comma is not None:
            self._fail("a map starts with an entry, not `,`", _tok_span(comma))
        return ast.MapLit(tuple(entries or ()), span=(_pos(lb.start_pos), _pos(rb.end_pos)))


def _pos(offset: int | None) -> int:
    """A token's offset (lark types it optional; the parser always sets it)."""
    return cast(int, offset)


def _tok_span(tok: Token) -> tuple[int, int]:
    return (_pos(tok.start_pos), _pos(tok.end_pos))


def _start(item: Any) -> int:
    if isinstance(item, Token):
        return _pos(item.start_pos)
    if isinstance(item, tuple):  # a map entry
        return cast(int, item[0].span[0])
    return cast(int, item.span[0])


def _end(item: Any) -> int:
    if isinstance(item, Token):
        return _pos(item.end_pos)
    if isinstance(item, tuple):
        return cast(int, item[1].span[1])
    return cast(int, item.span[1])


def tree_to_ast(tree: Any, text: str) -> ast.Node:
    """Turn a lark tree of ``cel.lark`` into our AST; raises ExpressionSyntaxError."""
    try:
        node: ast.Node = _Builder(text).transform(tree)
    except VisitError as err:  # lark wraps what a callback raises
        if isinstance(err.orig_exc, ExpressionSyntaxError):
            raise err.orig_exc from None
        raise
    for current in ast.walk(node):
        if type(current) is ast.Literal and current.kind == "int" and not (
                INT64_MIN <= current.value <= INT64_MAX):
            span = cast(tuple[int, int], current.span)
            raise ExpressionSyntaxError(
                f"integer literal `{text[span[0]:span[1]]}` is out of range",
                text=text, span=current.span, code="PE601",
                hint="an int lies between -9223372036854775808 and 9223372036854775807; "
                     "write a double such as `1e19` for bigger numbers")
    return node
