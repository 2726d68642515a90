"""A hand-written parser for the common expressions: the same AST as ``cel.lark`` + ``to_ast``,
about ten times sooner.

Lark's LALR parser climbs the grammar's ten precedence levels for every value (some 50
microseconds a token); a rulebook of 1,000 categories spends a third of its load there.
:func:`fast_parse` is a recursive-descent parser of the same grammar that builds the same nodes
with the same spans, for what rulebooks are made of: names, fields, calls and macros, numbers,
plain strings, lists, maps and every operator. It gives up (returns None) on anything else:
every syntax error, comments, raw, bytes, triple-quoted or escaped strings, quoted field names,
unsigned integers, reserved words where a name should be, out-of-range integers, deep nesting.
The caller then parses with lark, which stays the one authority on the language's errors and
its rare forms. ``tests/expr/test_fast_parser.py`` checks, on generated expressions, that the
two parsers agree node for node and span for span, and that this one never accepts what lark
refuses.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from . import ast
from .reserved import INT64_MAX, INT64_MIN, RESERVED
from .reserved import MACRO_ARITY as _MACRO_ARITY

#: The tokens, in the order lark's lexer tries ``cel.lark``'s terminals (priority, then width):
#: strings, then numbers (a float before an int), names, blanks, two-character operators, then
#: one-character ones. The patterns are the grammar's own.
_TOKEN = re.compile(r"""
    (?P<STRING>[bB]?[rR]("{3}[\s\S]*?"{3}|'{3}[\s\S]*?'{3}|"[^"\n\r]*"|'[^'\n\r]*')
      |[bB]?("{3}([^"\\]|\\[\s\S]|"(?!""))*"{3}|'{3}([^'\\]|\\[\s\S]|'(?!''))*'{3}
      |"([^"\\\n\r]|\\.)*"|'([^'\\\n\r]|\\.)*'))
   |(?P<FLOAT>([0-9]+\.[0-9]+|\.[0-9]+)([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)
   |(?P<UINT>(0[xX][0-9a-fA-F]+|[0-9]+)[uU])
   |(?P<INT>0[xX][0-9a-fA-F]+|[0-9]+)
   |(?P<WORD>[_a-zA-Z][_a-zA-Z0-9]*)
   |(?P<BLANK>[ \t\n\r\f]+)
   |(?P<OP>\|\||&&|<=|>=|==|!=|[?:<>!+\-*/%.,()\[\]{}])
""", re.VERBOSE)

#: operator -> its precedence level in ``cel.lark`` (or_expr 1 ... multiplication 5)
_LEVELS = {"||": 1, "or": 1, "&&": 2, "and": 2, "<": 3, "<=": 3, ">": 3, ">=": 3, "==": 3,
           "!=": 3, "in": 3, "+": 4, "-": 4, "*": 5, "/": 5, "%": 5}
_SPELLED = {"or": "||", "and": "&&"}  # the keyword forms are the logical operators
_LITERAL_WORDS = {"true": (True, "bool"), "false": (False, "bool"), "null": (None, "null")}
#: Deeper than this is left to lark (its parser and ``to_ast`` are iterative)
_MAX_DEPTH = 40


class _GiveUp(Exception):
    """Not for this parser: lark decides."""


#: The terminals of :data:`_TOKEN` where the first character leaves no doubt, tried in its
#: order: names, blanks, numbers (a float before an int), a string without escapes or line
#: breaks that does not open a triple-quoted one, operators (a `.` only before a non-digit).
#: Anything else is ``DOUBT``: a `.` before a digit, a quote that opens a triple-quoted, raw,
#: escaped or unterminated string, a character of no terminal. A name that is a string's
#: prefix (``r``, ``b``, ``br``...) right before a quote is a doubt too (checked by
#: :func:`_tokens`): :data:`_TOKEN` then reads them as one string.
_FAST_TOKEN = re.compile(r"""
    [ \t\n\r\f]*  # the blanks before a token are part of its match (the group is the token)
    (?:(?P<WORD>[_a-zA-Z][_a-zA-Z0-9]*)
   |(?P<FLOAT>[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)
   |(?P<UINT>(0[xX][0-9a-fA-F]+|[0-9]+)[uU])
   |(?P<INT>0[xX][0-9a-fA-F]+|[0-9]+)
   |(?P<STRING>"(?!"")[^"\\\n\r]*"|'(?!'')[^'\\\n\r]*')
   |(?P<OP>\|\||&&|<=|>=|==|!=|[?:<>!+\-*/%,()\[\]{}]|\.(?![0-9]))
   |(?P<DOUBT>[\s\S])
   |$)  # blanks at the end
""", re.VERBOSE)
_STRING_PREFIXES = frozenset(("b", "B", "r", "R", "br", "bR", "Br", "BR"))


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of every token but blanks; kind is the operator itself for
    operators, ``WORD`` for names and keywords, ``INT``/``FLOAT``/``STRING`` for literals.

    What :func:`reference_tokens` reads with :data:`_TOKEN` one position at a time, found in
    one scan of :data:`_FAST_TOKEN` (whose alternatives are :data:`_TOKEN`'s own, restricted
    to where the first character decides; :data:`_TOKEN` tries the costly alternatives of
    strings first at every token). At the first doubt the reference reads the whole text.
    ``tests/expr/test_fast_parser.py`` compares the two on generated text."""
    out: list[tuple[str, str, int, int]] = []
    append = out.append
    for m in _FAST_TOKEN.finditer(text):
        kind = m.lastgroup
        if kind is None:  # blanks at the end (or the empty match after them)
            continue
        start, end = m.span(kind)
        value = text[start:end]
        if kind == "OP":
            if value == "/" and text.startswith("/", end):
                raise _GiveUp  # a comment
            append((value, value, start, end))
        elif kind == "WORD":
            if end - start <= 2 and value in _STRING_PREFIXES and text[end:end + 1] in (
                    "'", '"'):
                return reference_tokens(text)
            append(("WORD", value, start, end))
        elif kind == "DOUBT":
            return reference_tokens(text)
        elif kind == "UINT":
            raise _GiveUp
        else:
            append((kind, value, start, end))
    return out


def reference_tokens(text: str) -> list[tuple[str, str, int, int]]:
    """What :func:`_tokens` returns, read by :data:`_TOKEN` alone at every position (the
    reference the tests compare it with); raises the same ``_GiveUp``."""
    out = []
    match = _TOKEN.match
    pos, n = 0, len(text)
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise _GiveUp
        kind = m.lastgroup
        end = m.end()
        if kind == "OP":
            value = m.group()
            if value == "/" and text.startswith("//", pos):
                raise _GiveUp  # a comment
            out.append((value, value, pos, end))
        elif kind != "BLANK":
            if kind == "UINT":
                raise _GiveUp
            out.append((kind, m.group(), pos, end))  # type: ignore[arg-type]
        pos = end
    return out


class _Parser:
    __slots__ = ("text", "toks", "i", "depth", "big")

    def __init__(self, text: str, toks: list[tuple[str, str, int, int]]) -> None:
        self.text = text
        self.toks = toks
        self.i = 0
        self.depth = 0
        # an integer literal above INT64_MAX was read: only then can the tree hold one out of
        # range (a negated literal of at most INT64_MAX is above INT64_MIN)
        self.big = False

    def peek(self) -> str:
        i = self.i
        return self.toks[i][0] if i < len(self.toks) else ""

    def take(self) -> tuple[str, str, int, int]:
        i = self.i
        if i >= len(self.toks):
            raise _GiveUp
        self.i = i + 1
        return self.toks[i]

    def expect(self, kind: str) -> tuple[str, str, int, int]:
        tok = self.take()
        if tok[0] != kind:
            raise _GiveUp
        return tok

    def word_op(self) -> str:
        """The operator at the cursor, ``and``/``or``/``in`` included ('' at the end)."""
        i = self.i
        if i >= len(self.toks):
            return ""
        kind, value = self.toks[i][0], self.toks[i][1]
        if kind == "WORD":
            return value if value in ("and", "or", "in") else "?word"
        return kind

    # -- the grammar, level by level ---------------------------------------------------------
    def expr(self) -> ast.Node:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _GiveUp
        cond = self.or_expr()
        if self.peek() == "?":
            self.i += 1
            then = self.or_expr()
            self.expect(":")
            orelse = self.expr()
            cond = ast.new_ternary(cond, then, orelse, span=(_start(cond), _end(orelse)))
        self.depth -= 1
        return cond

    def or_expr(self) -> ast.Node:
        return self.climb(1)

    def climb(self, level: int) -> ast.Node:
        """The binary operators of ``level`` and above (precedence climbing: every level of
        the grammar is left-associative), with the grammar's spans."""
        left = self.unary()
        while True:
            op = self.word_op()
            at = _LEVELS.get(op, 0)
            if at < level:
                return left
            self.i += 1
            right = self.climb(at + 1)
            left = ast.new_binary(_SPELLED.get(op, op), left, right,
                              span=(_start(left), _end(right)))

    def unary(self) -> ast.Node:
        kind = self.peek()
        if kind == "!" or (kind == "WORD" and self.toks[self.i][1] == "not"):
            tok, operand = self.prefixed()
            return ast.new_unary("!", operand, span=(tok[2], _end(operand)))
        if kind == "-":
            tok, operand = self.prefixed()
            text = self.text
            if (type(operand) is ast.Literal and operand.kind in ("int", "double")
                    and text[tok[3]:_start(operand)].strip() == ""
                    and not text[_start(operand):_start(operand) + 1] in "-("):
                return ast.new_literal(-operand.value, operand.kind, span=(tok[2], _end(operand)))
            return ast.new_unary("-", operand, span=(tok[2], _end(operand)))
        return self.member()

    def prefixed(self) -> tuple[tuple[str, str, int, int], ast.Node]:
        """A prefix operator's token and its operand (a nesting level deeper)."""
        tok = self.take()
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _GiveUp
        operand = self.unary()
        self.depth -= 1
        return tok, operand

    def member(self) -> ast.Node:
        node = self.primary()
        while True:
            kind = self.peek()
            if kind == ".":
                self.i += 1
                name = self.take()
                if name[0] != "WORD":
                    raise _GiveUp  # a quoted field name, or an error
                if self.peek() == "(":
                    self.i += 1
                    args = self.args()
                    rp = self.expect(")")
                    node = self.method(node, name[1], args, (_start(node), rp[3]))
                else:
                    node = ast.new_select(node, name[1], span=(_start(node), name[3]))
            elif kind == "[":
                self.i += 1
                index = self.expr()
                rb = self.expect("]")
                node = ast.new_index(node, index, span=(_start(node), rb[3]))
            elif kind == "{":
                raise _GiveUp  # message construction
            else:
                return node

    def args(self) -> tuple[ast.Node, ...]:
        if self.peek() == ")":
            return ()
        out = [self.expr()]
        while self.peek() == ",":
            self.i += 1
            out.append(self.expr())
        return tuple(out)

    def method(self, target: ast.Node, fn: str, args: tuple[ast.Node, ...],
               span: tuple[int, int]) -> ast.Node:
        if fn in _MACRO_ARITY and len(args) in _MACRO_ARITY[fn]:
            var = args[0]
            if type(var) is not ast.Name:
                raise _GiveUp
            if len(args) == 3:
                return ast.Comprehension(fn, target, var.name, args[2], args[1], span=span)
            return ast.Comprehension(fn, target, var.name, args[1], None, span=span)
        return ast.new_call(fn, args, target, span=span)

    def primary(self) -> ast.Node:
        tok = self.take()
        kind, value, start, end = tok
        if kind == "WORD":
            if value in _LITERAL_WORDS:
                literal, lit_kind = _LITERAL_WORDS[value]
                return ast.new_literal(literal, lit_kind, span=(start, end))
            if value in RESERVED:
                raise _GiveUp
            if self.peek() == "(":
                self.i += 1
                args = self.args()
                rp = self.expect(")")
                if value == "has":
                    if len(args) != 1 or type(args[0]) is not ast.Select or args[0].test:
                        raise _GiveUp
                    sel = args[0]
                    return ast.new_select(sel.operand, sel.field, True, span=(start, rp[3]))
                return ast.new_call(value, args, None, span=(start, rp[3]))
            return ast.new_name(value, span=(start, end))
        if kind == "INT":
            if len(value.lstrip("0xX")) > 20:
                raise _GiveUp
            number = int(value[2:], 16) if value[:2] in ("0x", "0X") else int(value)
            if number > INT64_MAX:
                self.big = True
            return ast.new_literal(number, "int", span=(start, end))
        if kind == "FLOAT":
            return ast.new_literal(float(value), "double", span=(start, end))
        if kind == "STRING":
            if value[0] not in "'\"" or "\\" in value or value[:3] in ('"""', "'''"):
                raise _GiveUp  # raw, bytes, triple-quoted or escaped: to_ast decodes them
            return ast.new_literal(value[1:-1], "string", span=(start, end))
        if kind == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if kind == "[":
            items = self.sequence("]", self.expr)
            rb = self.expect("]")
            return ast.new_list_lit(tuple(items), span=(start, rb[3]))
        if kind == "{":
            entries = self.sequence("}", self.entry)
            rb = self.expect("}")
            return ast.MapLit(tuple(entries), span=(start, rb[3]))
        raise _GiveUp  # a leading dot, an operator where a value should be

    def entry(self) -> tuple[ast.Node, ast.Node]:
        key = self.expr()
        self.expect(":")
        return (key, self.expr())

    def sequence(self, close: str, item: Callable[[], Any]) -> list[Any]:
        """Items up to ``close`` (not taken), a trailing comma allowed after one at least."""
        out: list[Any] = []
        while self.peek() != close:
            out.append(item())
            if self.peek() != ",":
                break
            self.i += 1
        return out


def _start(node: ast.Node) -> int:
    return node.span[0]  # type: ignore[index]


def _end(node: ast.Node) -> int:
    return node.span[1]  # type: ignore[index]


def fast_parse(text: str) -> ast.Node | None:
    """The AST lark and ``to_ast`` would build for ``text``, or None when lark must decide."""
    try:
        toks = _tokens(text)
        if not toks:
            return None
        parser = _Parser(text, toks)
        root = parser.expr()
        if parser.i != len(toks):
            return None
    except (_GiveUp, RecursionError):
        return None
    if not parser.big:
        return root
    for node in ast.walk(root):
        if type(node) is ast.Literal and node.kind == "int" and not (
                INT64_MIN <= node.value <= INT64_MAX):
            return None
    return root


__all__ = ["fast_parse"]
