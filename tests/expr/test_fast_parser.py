"""The hand-written parser (``expr/fast_parser.py``, issue 14: load speed) builds the very AST
lark and ``to_ast`` build (node for node, span for span) and never accepts what lark refuses:
on generated expressions, on token soup and on every expression of the repository's rulebooks."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from policyengine.core.errors import ExpressionError
from policyengine.expr import ast
from policyengine.expr.fast_parser import _GiveUp, _tokens, fast_parse, reference_tokens
from policyengine.expr.parser import _parser
from policyengine.expr.to_ast import tree_to_ast

ROOT = Path(__file__).resolve().parents[2]


def _lark(text: str) -> Any:
    """lark's AST for ``text``, or None when it refuses it."""
    try:
        return tree_to_ast(_parser().parse(text), text)
    except (ExpressionError, Exception):  # noqa: BLE001 - any refusal
        return None


def _same(a: Any, b: Any) -> bool:
    """Equal trees, spans included (AST equality ignores spans)."""
    todo = [(a, b)]
    while todo:
        x, y = todo.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, tuple):
            if len(x) != len(y):
                return False
            todo.extend(zip(x, y))
        elif dataclasses.is_dataclass(x):
            if x.span != y.span:
                return False
            for f in dataclasses.fields(x):
                if f.name not in ("span", "type"):
                    todo.append((getattr(x, f.name), getattr(y, f.name)))
        elif type(x) is float:
            if not (x == y or (x != x and y != y)):
                return False
        elif x != y:
            return False
    return True


def _agrees(text: str) -> Any:
    fast = fast_parse(text)
    if fast is not None:
        slow = _lark(text)
        assert slow is not None, f"the fast parser accepts what lark refuses: {text!r}"
        assert _same(fast, slow), (text, fast, slow)
    return fast


_NAMES = st.sampled_from(["a", "amount", "region", "x", "tags", "partner", "_p", "ab1", "has",
                          "size", "in", "and", "not", "true", "null", "inx", "orx", "notx",
                          "r", "b", "e5", "all", "map", "filter", "exists_one", "for"])
_NUMBERS = st.sampled_from(["0", "1", "42", "007", "1.5", ".5", "1e3", "2.5E-3", "0x1F", "0X",
                            "1u", "9223372036854775807", "9223372036854775808",
                            "-9223372036854775808", "123456789012345678901234", "1.", "1..2",
                            "3.0e+2"])
_STRINGS = st.sampled_from(['"x"', "'y'", '""', "'a b'", r'"a\"b"', r"'\n'", 'r"raw"',
                            "b'by'", '"""tri"""', "'''t'''", '"unterminated', "'it''s'",
                            '"a // b"', "R'x'", r'"\x41"', "`q`"])
_SPACE = st.sampled_from(["", " ", "  ", "\n", "\t", " \r\n "])


def _atoms() -> st.SearchStrategy[str]:
    return st.one_of(_NAMES, _NUMBERS, _STRINGS)


def _compose(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binop = st.sampled_from(["||", "&&", "or", "and", "==", "!=", "<", "<=", ">", ">=", "in",
                             "+", "-", "*", "/", "%"])
    return st.one_of(
        st.tuples(inner, _SPACE, binop, _SPACE, inner).map("".join),
        st.tuples(st.sampled_from(["!", "-", "not ", "- ", "!!", "--"]), inner).map("".join),
        st.tuples(inner, st.just(" ? "), inner, st.just(" : "), inner).map("".join),
        st.tuples(st.just("("), inner, st.just(")")).map("".join),
        st.tuples(inner, st.just("."), _NAMES).map("".join),
        st.tuples(inner, st.just("["), inner, st.just("]")).map("".join),
        st.tuples(_NAMES, st.just("("), st.lists(inner, max_size=3).map(", ".join),
                  st.just(")")).map("".join),
        st.tuples(inner, st.just("."), _NAMES, st.just("("),
                  st.lists(inner, max_size=3).map(", ".join), st.just(")")).map("".join),
        st.tuples(st.just("["), st.lists(inner, max_size=3).map(", ".join),
                  st.sampled_from(["", ","]), st.just("]")).map("".join),
        st.tuples(st.just("{"), st.lists(st.tuples(inner, st.just(": "), inner).map("".join),
                                         max_size=2).map(", ".join),
                  st.sampled_from(["", ","]), st.just("}")).map("".join),
        st.tuples(inner, _SPACE, st.sampled_from(["{}", "//c", ".`f`", "?", ",", ":"])).map(
            "".join),
    )


EXPRESSIONS = st.recursive(_atoms(), _compose, max_leaves=12)


@settings(max_examples=500)
@given(EXPRESSIONS)
def test_generated_expressions_parse_as_lark_parses_them(text: str) -> None:
    _agrees(text)


_SOUP = st.lists(st.one_of(_atoms(), st.sampled_from(
    ["(", ")", "[", "]", "{", "}", ",", ":", "?", ".", "!", "-", "+", "*", "==", "&&", "||",
     "in", "and", "=", "&", "#", "//", " ", "\u00a0", "\v"])), max_size=9).map(" ".join)


@settings(max_examples=300)
@given(_SOUP)
def test_token_soup_is_never_accepted_unless_lark_accepts_it(text: str) -> None:
    _agrees(text)


def _read(tokens: Any, text: str) -> Any:
    try:
        return tokens(text)
    except _GiveUp:
        return "gives up"


_CHARS = st.text(alphabet=st.sampled_from(
    list("abrBRx_09.eE+-xuU'\"\\ \t\n\r\f/|&=<>!?:,()[]{}%*#`\u00e9")), max_size=30)


@settings(max_examples=500)
@given(st.one_of(EXPRESSIONS, _SOUP, _CHARS))
def test_the_tokens_are_the_reference_tokens(text: str) -> None:
    """The one-scan tokenizer reads what the full pattern reads one position at a time
    (tokens, kinds, offsets) and gives up where it gives up."""
    assert _read(_tokens, text) == _read(reference_tokens, text), text


def _repository_expressions() -> list[str]:
    found = set()
    pattern = re.compile(r"^\s*(?:-\s*)?\{?\s*(?:when|amount)\s*:\s*(.+?)\s*$", re.MULTILINE)
    for path in [*ROOT.glob("policies/*.yaml"), *ROOT.glob("tests/golden/**/*.yaml")]:
        for m in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
            text = m.group(1)
            if len(text) > 1 and text[0] in "'\"" and text[-1] == text[0]:
                text = text[1:-1]
            found.add(text)
    return sorted(found)


def test_the_repository_expressions_parse_as_lark_parses_them() -> None:
    texts = [t for t in _repository_expressions() if _lark(t) is not None]
    fast = [t for t in texts if _agrees(t) is not None]
    assert len(texts) > 40 and len(fast) >= 0.9 * len(texts)  # the common forms take this path


def test_what_it_leaves_to_lark() -> None:
    for text in ["a // comment", "r'x'", '"a\\nb"', "1u", "x.`f`", "and", "a {}", ".a", "[,]",
                 "f(a,)", "9223372036854775808", "a ?", "(" * 50 + "a" + ")" * 50, "x.all(1, y)",
                 "has(a)", "a not b", "1..2"]:
        assert fast_parse(text) is None, text
    assert _same(fast_parse("-9223372036854775808"), ast.Literal(-2 ** 63, "int", span=(0, 20)))
