"""Parser and printer: text -> AST (with spans) -> canonical text."""

from __future__ import annotations

import pytest

from policyengine.core.errors import ExpressionSyntaxError
from policyengine.expr import parse_expression, print_expression
from policyengine.expr.ast import (Binary, Call, Comprehension, Index, ListLit, Literal, MapLit,
                                   Name, Select, Ternary, Unary, depth)
from policyengine.expr.parser import MAX_LENGTH


def test_precedence_follows_cel():
    tree = parse_expression("a || b && c == d + e * -f")
    assert tree == Binary("||", Name("a"), Binary("&&", Name("b"), Binary(
        "==", Name("c"), Binary("+", Name("d"), Binary("*", Name("e"), Unary("-", Name("f")))))))


def test_ternary_is_right_associative_and_lowest():
    tree = parse_expression("a ? b : c ? d : e || f")
    assert tree == Ternary(Name("a"), Name("b"),
                           Ternary(Name("c"), Name("d"), Binary("||", Name("e"), Name("f"))))


def test_keywords_and_or_not_are_the_operators():
    assert parse_expression("not a and b or c") == parse_expression("!a && b || c")


def test_relations_are_left_associative():
    assert parse_expression("a == b == c") == Binary("==", Binary("==", Name("a"), Name("b")), Name("c"))


@pytest.mark.parametrize("text, value, kind", [
    ("42", 42, "int"), ("0x1F", 31, "int"), ("-9223372036854775808", -(2**63), "int"),
    ("1.5", 1.5, "double"), (".5", 0.5, "double"), ("1e3", 1000.0, "double"),
    ("-2.3e+1", -23.0, "double"), ("true", True, "bool"), ("null", None, "null"),
    ("'a'", "a", "string"), ('"a"', "a", "string"), ("'''a'b'''", "a'b", "string"),
    ('"""x\ny"""', "x\ny", "string"), ("r'\\n'", "\\n", "string"),
    ("'\\x41\\X42\\u00e9\\U0001F431\\101'", "AB\u00e9\U0001F431A", "string"),
    ("'\\a\\b\\f\\n\\r\\t\\v\\\\\\?\\\"\\'\\`'", "\a\b\f\n\r\t\v\\?\"'`", "string"),
])
def test_literals(text, value, kind):
    node = parse_expression(text)
    assert node == Literal(value, kind)
    assert type(node.value) is type(value)


def test_minus_folds_into_a_number_only_when_it_touches_it():
    assert parse_expression("-5") == Literal(-5)
    assert parse_expression("-(5)") == Unary("-", Literal(5))
    assert parse_expression("--5") == Unary("-", Literal(-5))


def test_spans_are_offsets_into_the_text():
    node = parse_expression("amount >= 10 && partner.tier == 'gold'")
    assert node.span == (0, 38)
    assert node.left.left.span == (0, 6)
    assert node.right.left.span == (16, 28)
    assert node.right.right.span == (32, 38)


def test_macros_become_comprehensions_and_has_a_test_select():
    assert parse_expression("xs.all(x, x > 0)") == Comprehension(
        "all", Name("xs"), "x", Binary(">", Name("x"), Literal(0)))
    assert parse_expression("xs.map(x, x > 0, x * 2)") == Comprehension(
        "map", Name("xs"), "x", Binary("*", Name("x"), Literal(2)), Binary(">", Name("x"), Literal(0)))
    assert parse_expression("has(p.tier)") == Select(Name("p"), "tier", True)
    assert parse_expression("s.startsWith('a')") == Call("startsWith", (Literal("a"),), Name("s"))
    assert parse_expression("size(x)") == Call("size", (Name("x"),))


def test_reserved_words_may_follow_a_dot():
    assert parse_expression("m.in") == Select(Name("m"), "in")
    assert parse_expression("m.`content-type`") == Select(Name("m"), "content-type")
    assert parse_expression("a.while()") == Call("while", (), Name("a"))


def test_lists_maps_indexes():
    assert parse_expression("[1, 2,][0]") == Index(ListLit((Literal(1), Literal(2))), Literal(0))
    assert parse_expression("{'a': 1}") == MapLit(((Literal("a"), Literal(1)),))
    assert parse_expression("// a comment\n[]") == ListLit(())


@pytest.mark.parametrize("text, code, span, message", [
    ("a &&", "PE601", (4, 4), "the expression ends too early"),
    ("(a", "PE601", (2, 2), "expected `)`"),
    ("a b", "PE601", (2, 3), "unexpected name `b`"),
    ("a = b", "PE601", (2, 3), "unexpected character `=`"),
    ("'abc", "PE601", (0, 4), "unterminated string"),
    ("in", "PE601", (0, 2), "`in` is a reserved word"),
    ("while", "PE601", (0, 5), "`while` is a reserved word"),
    ("1u", "PE601", (0, 2), "unsigned integer"),
    ("b'x'", "PE601", (0, 4), "bytes literals are not supported"),
    ("9223372036854775808", "PE601", (0, 19), "out of range"),
    ("'\\q'", "PE601", (1, 3), "invalid escape"),
    ("'\\uD800'", "PE601", (1, 7), "not a Unicode code point"),
    ("has(a)", "PE601", (0, 6), "`has()` takes one field selection"),
    ("xs.all(1, true)", "PE601", (7, 8), "must be a simple name"),
    ("", "PE601", (0, 0), "the expression is empty"),
    ("Msg{}", "PE601", (0, 5), "message construction"),
])
def test_syntax_errors_locate_the_problem(text, code, span, message):
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression(text)
    err = info.value
    assert err.code == code
    assert err.span == span
    assert message in err.message
    assert err.message[0].islower() or err.message[0] == "`"
    assert not err.message.endswith(".")


def test_syntax_error_names_expected_tokens_and_advice():
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression("a ? b")
    assert "expected" in info.value.message and "`:`" in info.value.message
    assert info.value.hint == "the ternary `c ? a : b` lacks its `: b` part"
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression("a = b")
    assert info.value.hint == "compare with `==`"


def test_line_and_column_inside_a_multiline_expression():
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression("a &&\n  b c")
    assert (info.value.line, info.value.column) == (2, 5)


def test_overlong_text_is_pe610():
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression("1" + " + 1" * MAX_LENGTH)
    assert info.value.code == "PE610"


@pytest.mark.parametrize("text", [
    "a || b && !c", "(a || b) && c", "a ? b : c ? d : e", "(a ? b : c) ? d : e",
    "-x * (y + 1)", "-(5)", "--5", "x - (y - z)", "x - y - z", "[1, 2.5, 'a\\n', null, true]",
    "{'k': [1], 2: {}}", "m.`a-b` == m['c']", "has(p.tier) && p.tier in ['a', 'b']",
    "xs.map(x, x > 1, x * 2).filter(y, y < 10).exists_one(z, z == 4)", "size('é') + int('1')",
    "(-5).x", "s.matches('^a+$')", "'\\u0001\\U0001f431'", "1e999 > 1.0",
])
def test_print_parse_round_trip(text):
    tree = parse_expression(text)
    printed = print_expression(tree)
    assert parse_expression(printed) == tree
    assert print_expression(parse_expression(printed)) == printed


def test_printer_is_canonical():
    assert print_expression(parse_expression("not a and b or c")) == "!a && b || c"
    assert print_expression(parse_expression("r'a\\b'")) == '"a\\\\b"'


def test_deep_input_parses_and_prints_without_recursion():
    text = "(" * 5000 + "1" + ")" * 5000
    assert parse_expression(text) == Literal(1)
    tree = parse_expression("!" * 5000 + "x")
    assert depth(tree) == 5001
    assert print_expression(tree) == "!" * 5000 + "x"


@pytest.mark.parametrize("text,hint", [
    ("amount =< 10000.0", "write `<=` (the `=` comes second)"),
    ("amount => 5", "write `>=` (the `=` comes second)"),
    ("amount = 5", "compare with `==`"),
    ("x === y", "compare with `==` (CEL has no `===`)"),
])
def test_a_stray_equals_sign_gets_the_operator_meant(text, hint):
    with pytest.raises(ExpressionSyntaxError) as info:
        parse_expression(text)
    assert info.value.hint == hint
