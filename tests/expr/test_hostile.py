"""Hostile input: every case ends in the right value or an ExpressionError, never a crash.

No timings are asserted here (see the closing note of issue 3 for measurements); these tests pin
the behaviour: no RecursionError, MemoryError, TypeError or re2 error escapes.
"""

from __future__ import annotations

import pytest

from policyengine.core.errors import ExpressionError, ExpressionEvalError, ExpressionSyntaxError
from policyengine.expr import analyze, compile_expression, parse_expression, print_expression

DEEP = 5000


def outcome(text, bindings=None, declarations=None):
    """('value', v, v) from both forms, or ('error', code)."""
    try:
        ce = compile_expression(text, declarations)
        return ("value", ce.evaluate(bindings or {}), ce.interpret(bindings or {}))
    except ExpressionError as err:
        return ("error", err.code)


@pytest.mark.parametrize("text, expected", [
    ("(" * DEEP + "1" + ")" * DEEP, 1),
    ("!" * DEEP + "true", True),
    ("not " * DEEP + "false", False),
    ("-" * DEEP + "7", 7),
    ("-(" * DEEP + "7" + ")" * DEEP, 7),
    ("x?1:" * DEEP + "0", 1),
    ("y?0:" * DEEP + "1", 1),
    ("size(" + "[" * DEEP + "]" * DEEP + ")", 1),
    ("[1].all(x, " * 1000 + "true" + ")" * 1000, True),
    ("{'a': " * 2000 + "1" + "}" * 2000 + " != {}", True),
])
def test_deep_nesting_gives_the_right_value(text, expected):
    result = outcome(text, {"x": True, "y": False}, None)
    assert result == ("value", expected, expected)


def test_deep_nesting_of_a_spaced_ternary_is_a_value_or_pe610():
    result = outcome("true ? " * DEEP + "1" + " : 0" * DEEP)
    assert result in (("value", 1, 1), ("error", "PE610"))


def test_deep_values_compare_and_print():
    nested = "[" * 2500 + "]" * 2500
    assert outcome(f"{nested} == {nested}") == ("value", True, True)
    tree = parse_expression(nested)
    assert parse_expression(print_expression(tree)) is not None


def test_a_deep_list_value_in_the_bindings_is_an_error_or_value():
    value: list = []
    for _ in range(100_000):
        value = [value]
    ce = compile_expression("x == x")
    for run in (ce.evaluate, ce.interpret):
        assert run({"x": value}) is True


@pytest.mark.parametrize("text", [
    " + ".join(["1"] * 50_000),
    "+".join(["1"] * 50_000),
    "[" + ", ".join(["1"] * 100_000) + "]",
    "[" + ",".join(["1"] * 100_000) + "]",
    "x" * 1_000_000,
])
def test_huge_input_is_refused_with_pe610(text):
    with pytest.raises(ExpressionSyntaxError) as info:
        compile_expression(text)
    assert info.value.code == "PE610"
    analysis = analyze(text)
    assert not analysis.ok and analysis.issues[0].code == "PE610"


def test_the_largest_accepted_sum_evaluates():
    text = "+".join(["1"] * 10_000)
    assert outcome(text) == ("value", 10_000, 10_000)


def test_catastrophic_regex_is_linear_with_re2():
    ce = compile_expression("s.matches('(a+)+$') || s.matches(p)", {"s": {"type": "string"},
                                                                    "p": {"type": "string"}})
    bindings = {"s": "a" * 200_000 + "!", "p": "(x+x+)+y"}
    assert ce.evaluate(bindings) is False
    assert ce.interpret(bindings) is False


def test_bad_run_time_pattern_is_an_evaluation_error():
    ce = compile_expression("s.matches(p)", {"s": {"type": "string"}, "p": {"type": "string"}})
    for run in (ce.evaluate, ce.interpret):
        with pytest.raises(ExpressionEvalError, match="invalid regular expression"):
            run({"s": "a", "p": "(?P<x>a)(?P=x)"})


@pytest.mark.parametrize("text, bindings", [
    ("9223372036854775807 + 1", {}),
    ("x * x * x", {"x": 3037000500}),
    ("-x - 2", {"x": 9223372036854775807}),
    ("x * -1", {"x": -9223372036854775808}),
    ("[x].map(y, y + y)", {"x": 9223372036854775807}),
])
def test_int64_overflow_is_an_error(text, bindings):
    ce = compile_expression(text)
    for run in (ce.evaluate, ce.interpret):
        with pytest.raises(ExpressionEvalError, match="integer overflow"):
            run(bindings)


@pytest.mark.parametrize("bindings", [None, 42, "x", [1], {"x": object()}, {"x": {1.5: 2}}])
def test_odd_bindings_never_escape_as_python_errors(bindings):
    ce = compile_expression("x.y + 1 > 0 || size(x) > 0")
    for run in (ce.evaluate, ce.interpret, ce.function):
        try:
            run(bindings)
        except ExpressionError:
            pass


@pytest.mark.parametrize("text", ["\x00", "'\x00'", "a\u2028b", "😀", "x.`", "[" * 30_000,
                                  "'" * 3, "\\", "1" * 5000, "0x" + "f" * 100, "1e99999"])
def test_garbage_is_a_syntax_error_or_a_value(text):
    try:
        compile_expression(text, check=False).evaluate({})
    except ExpressionError:
        pass
