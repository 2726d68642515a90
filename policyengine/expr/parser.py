"""Text -> AST. The Lark LALR parser for ``cel.lark`` is built lazily, once per process; the
common forms are parsed by hand first (``fast_parser.py``: the same AST, checked against lark).

Syntax errors become :class:`ExpressionSyntaxError` (code PE601) with the span of the offending
token inside the expression and the tokens that would have been accepted, in plain English.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Iterable

from ..core.errors import ExpressionError, ExpressionSyntaxError
from . import ast
from .fast_parser import fast_parse

if TYPE_CHECKING:  # lark is imported when the fast parser cannot answer (and for errors)
    from lark import Lark, Token
    from lark.exceptions import UnexpectedInput

#: Longest expression text accepted (characters). Longer input is refused with PE610 before
#: parsing: a trigger is a line or two, and the LALR parser costs some 20 microseconds per token
#: (each value climbs the ten precedence levels), so this keeps the worst case well under a
#: second while 5,000-deep nesting of parentheses, lists, `!`, `-` or `?:` still compiles.
MAX_LENGTH = 24_000

_LOCK = threading.Lock()
_PARSER: Lark | None = None

#: Terminal name -> how a policy author would call it.
TOKEN_NAMES = {
    "QUESTION": "`?`", "COLON": "`:`", "OROR": "`||`", "ANDAND": "`&&`", "OR_KW": "`or`",
    "AND_KW": "`and`", "NOT_KW": "`not`", "IN": "`in`", "LE": "`<=`", "GE": "`>=`", "LT": "`<`",
    "GT": "`>`", "EQ": "`==`", "NE": "`!=`", "BANG": "`!`", "PLUS": "`+`", "MINUS": "`-`",
    "STAR": "`*`", "SLASH": "`/`", "PERCENT": "`%`", "DOT": "`.`", "COMMA": "`,`",
    "LPAREN": "`(`", "RPAREN": "`)`", "LBRACKET": "`[`", "RBRACKET": "`]`", "LBRACE": "`{`",
    "RBRACE": "`}`", "TRUE": "`true`", "FALSE": "`false`", "NULL": "`null`", "IDENT": "a name",
    "QUOTED_IDENT": "a quoted field name", "FLOAT": "a number", "INT": "a number",
    "UINT": "a number", "STRING": "a string", "$END": "the end of the expression",
}

#: Operators and values, in the order an "expected ..." list shows them.
_VALUE_TOKENS = {"IDENT", "INT", "FLOAT", "UINT", "STRING", "TRUE", "FALSE", "NULL"}
_OPERATOR_TOKENS = {"OROR", "ANDAND", "OR_KW", "AND_KW", "IN", "LE", "GE", "LT", "GT", "EQ", "NE",
                    "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "QUESTION"}

#: Characters that are no CEL token, with the advice for each.
_CHAR_HINTS = {
    "=": "compare with `==`", "&": "write `&&` (or `and`)", "|": "write `||` (or `or`)",
    "'": "a string is closed by the same quote that opened it, on the same line",
    '"': "a string is closed by the same quote that opened it, on the same line",
    "`": "a quoted field name is written `.`name``, after a dot",
    "#": "comments start with `//`", ";": "an expression has no `;`",
    "@": None, "$": None, "\\": None, "^": None, "~": None,
}

#: Common mistakes recognised by the parser state they fail in (lark's match_examples).
_EXAMPLES = {
    "a condition is missing after the operator": ["a &&", "a ||", "a and", "a or", "a ==", "a <",
                                                  "a +", "a *", "!"],
    "the ternary `c ? a : b` lacks its `: b` part": ["a ? b", "a ? b c"],
    "a `(` is never closed": ["(a", "f(a", "(a, b", "f(a b"],
    "a `[` is never closed": ["[a", "[a, b", "a[b"],
    "two values follow each other without an operator between them": ["a b", "1 2", "'a' 'b'",
                                                                        "a 1"],
}


def _parser() -> Lark:
    global _PARSER
    if _PARSER is None:
        with _LOCK:
            if _PARSER is None:
                from importlib import resources

                from lark import Lark

                grammar = resources.files(__package__).joinpath("cel.lark").read_text("utf-8")
                _PARSER = Lark(grammar, parser="lalr", lexer="contextual",
                               propagate_positions=False, maybe_placeholders=True)
    return _PARSER


def parse_expression(text: str) -> ast.Node:
    """Parse ``text`` into an AST; raises :class:`ExpressionSyntaxError` (or PE610 when the
    text is over :data:`MAX_LENGTH`)."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError("an expression is text", code="PE601")
    if len(text) > MAX_LENGTH:
        raise ExpressionSyntaxError(
            f"expression is too long: {len(text):,} characters, the limit is {MAX_LENGTH:,}",
            text=text, span=(MAX_LENGTH, len(text)), code="PE610",
            hint="split it into several rules, or move long lists of values into a fact")
    if not text.strip():
        raise ExpressionSyntaxError("the expression is empty", text=text, span=(0, len(text)),
                                    code="PE601", hint="write a condition such as `amount > 0.0`")
    fast = fast_parse(text)  # the common forms, by hand; lark for the rest and for every error
    if fast is not None:
        return fast
    from lark.exceptions import UnexpectedInput

    from .to_ast import tree_to_ast

    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise _syntax_error(text, err) from None
    except RecursionError:  # pragma: no cover - lark's LALR parser is iterative
        raise ExpressionSyntaxError("the expression nests too deeply", text=text,
                                    span=(0, len(text)), code="PE610") from None
    try:
        return tree_to_ast(tree, text)
    except ExpressionError:
        raise
    except RecursionError:  # pragma: no cover - the transformer is iterative
        raise ExpressionSyntaxError("the expression nests too deeply", text=text,
                                    span=(0, len(text)), code="PE610") from None


def _expected_list(allowed: Iterable[str]) -> str:
    names = set(allowed)
    shown: list[str] = []
    if names & _VALUE_TOKENS:
        shown.append("a value")
    if names & (_OPERATOR_TOKENS - ({"MINUS"} if names & _VALUE_TOKENS else set())):
        shown.append("an operator")
    for n in ("RPAREN", "RBRACKET", "RBRACE", "COLON", "COMMA", "LPAREN", "$END"):
        if n in names:
            shown.append(TOKEN_NAMES[n])
    if not shown:
        shown = sorted({TOKEN_NAMES.get(n, n.lower()) for n in names})
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " or " + shown[-1]


def _label(err: UnexpectedInput) -> str | None:
    try:
        return err.match_examples(_parser().parse, _EXAMPLES, use_accepts=True)
    except Exception:  # pragma: no cover - match_examples is best effort advice
        return None


def _syntax_error(text: str, err: UnexpectedInput) -> ExpressionSyntaxError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    if isinstance(err, UnexpectedCharacters):
        pos: int = err.pos_in_stream if err.pos_in_stream is not None else len(text) - 1
        ch = text[pos]
        hint = _CHAR_HINTS.get(ch)
        if ch == "=":
            hint = _equals_hint(text, pos)
        if ch in "'\"":
            return ExpressionSyntaxError("unterminated string", text=text, span=(pos, len(text)),
                                         hint=hint, code="PE601")
        shown = repr(ch)[1:-1] if not ch.isprintable() else ch
        msg = f"unexpected character `{shown}`"
        if err.allowed:
            msg += f", expected {_expected_list(err.allowed)}"
        return ExpressionSyntaxError(msg, text=text, span=(pos, pos + 1), hint=hint, code="PE601")
    if isinstance(err, UnexpectedEOF):
        return ExpressionSyntaxError(
            f"the expression ends too early, expected {_expected_list(err.expected)}",
            text=text, span=(len(text), len(text)), hint=_label(err), code="PE601")
    assert isinstance(err, UnexpectedToken)
    tok = err.token
    expected = err.accepts or err.expected
    if tok.type == "$END":
        start = len(text.rstrip())
        return ExpressionSyntaxError(
            f"the expression ends too early, expected {_expected_list(expected)}",
            text=text, span=(start, start), hint=_label(err), code="PE601")
    start = tok.start_pos
    end = tok.end_pos if tok.end_pos is not None else start + len(tok)
    return ExpressionSyntaxError(
        f"unexpected {_describe(tok)}, expected {_expected_list(expected)}",
        text=text, span=(start, end), hint=_label(err), code="PE601")


def _equals_hint(text: str, pos: int) -> str:
    """Advice for a stray `=`: `=<` and `=>` are reversed `<=` and `>=`; `===` is `==`."""
    after = text[pos + 1: pos + 2]
    before = text[pos - 1: pos] if pos > 0 else ""
    if after in "<>" and after:
        return f"write `{after}=` (the `=` comes second)"
    if before == "=" or after == "=":
        return "compare with `==` (CEL has no `===`)"
    return "compare with `==`"


def _describe(tok: Token) -> str:
    value = str(tok)
    if tok.type == "STRING":
        return f"string `{value}`" if len(value) < 40 else "string"
    if tok.type in ("INT", "FLOAT", "UINT"):
        return f"number `{value}`"
    if tok.type == "IDENT":
        return f"name `{value}`"
    return f"`{value}`"
