"""CEL semantics, checked through the reference interpreter AND the compiled form."""

from __future__ import annotations

import math

import pytest

from policyengine.core.errors import ExpressionEvalError
from policyengine.expr import compile_expression

from .conftest import BINDINGS, FACTS


def both(text, bindings=None, declarations=None, check=True):
    """(interpreted, compiled) results, an error shown as ('error', message)."""
    ce = compile_expression(text, declarations, check=check)
    out = []
    for run in (ce.interpret, ce.evaluate):
        try:
            out.append(run(bindings or {}))
        except ExpressionEvalError as err:
            out.append(("error", err.message))
    return out


def same_value(a, b):
    if type(a) is not type(b):
        return False
    if type(a) is float and math.isnan(a):
        return math.isnan(b)
    return a == b


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", 7), ("7 / 2", 3), ("-7 / 2", -3), ("-7 % 3", -1), ("7 % -3", 1),
    ("1.0 / 0.0", math.inf), ("-1.0 / 0.0", -math.inf), ("0.0 / 0.0", math.nan),
    ("'a' + 'b'", "ab"), ("[1] + [2]", [1, 2]), ("size('ma\u00f1ana')", 6),
    ("1 == 1.0", True), ("[1] == [1.0]", True), ("{'a': 1} == {'a': 1.0}", True),
    ("1 == true", False), ("[true] == [1]", False), ("null == null", True),
    ("0.0/0.0 == 0.0/0.0", False), ("1 < 1.5", True), ("'a' < '\u00e1'", True),
    ("false < true", True), ("2 in [1, 2.0]", True), ("true in [1]", False),
    ("1 in {true: 1}", False), ("true in {true: 1}", True), ("'k' in {'k': 1}", True),
    ("{1: 'a', true: 'b'}[1]", ("error", None)), ("[1, 2, 3][1]", 2), ("[7, 8][dyn(1.0)]", 8),
    ("{'a': {'b': 2}}.a.b", 2), ("has({'a': 1}.a)", True), ("has({'a': 1}.b)", False),
    ("true ? 1 : 2", 1), ("false ? 1 : 'x'", "x"), ("!true", False),
    ("false && 1/0 == 1", False), ("1/0 == 1 && false", False), ("true || 1/0 == 1", True),
    ("1/0 == 1 || true", True), ("'a' && false", False), ("'a' || true", True),
    ("x || true", True), ("f(1) || true", True), ("[1, 2, 3].all(e, 6 / (2 - e) == 6)", False),
    ("[1, 2, 3].exists(e, 6 / (2 - e) == -6)", True), ("[0, 1].exists_one(e, e > 0)", True),
    ("[1, 2, 3].filter(e, e > 1)", [2, 3]), ("[1, 2].map(e, e * 10)", [10, 20]),
    ("[1, 2, 3].map(e, e > 1, e * 10)", [20, 30]), ("{'a': 1, 'b': 2}.map(k, k)", ["a", "b"]),
    ("[[1], [2]].all(l, l.all(e, e > 0))", True), ("'hello'.contains('ell')", True),
    ("'hello'.startsWith('he') && 'hello'.endsWith('lo')", True),
    ("'ma\u00f1ana'.matches('a+\u00f1')", True), ("matches('abc', '^b')", False),
    ("int('-12') + int(3.9) + int(-3.9)", -12), ("double('1e3')", 1000.0), ("double(3)", 3.0),
    ("string(1.5) + string(-2) + string(true)", "1.5-2true"), ("string(1e7)", "1e+07"),
    ("string(0.0001)", "0.0001"), ("string(0.00001)", "1e-05"), ("bool('True')", True),
    ("dyn('x')", "x"), ("-9223372036854775808", -(2**63)),
])
def test_values(text, expected):
    interpreted, compiled = both(text, check=False)
    if isinstance(expected, tuple):
        assert interpreted[0] == "error" and compiled == interpreted
    else:
        assert same_value(interpreted, expected), interpreted
        assert same_value(compiled, expected), compiled


@pytest.mark.parametrize("text, message", [
    ("9223372036854775807 + 1", "integer overflow"), ("-9223372036854775808 - 1", "integer overflow"),
    ("-(-9223372036854775808)", "integer overflow"), ("5000000000 * 5000000000", "integer overflow"),
    ("-9223372036854775808 / -1", "integer overflow"), ("-9223372036854775808 % -1", "integer overflow"),
    ("1 / 0", "division by zero"), ("1 % 0", "modulus by zero"), ("[1][1]", "index out of range: 1"),
    ("{'a': 1}['b']", "no such key: 'b'"), ("{'a': 1}.b", "no such key: 'b'"),
    ("{'a': 1, 'a': 2}", "repeated key 'a' in a map literal"), ("{1.5: 1}", "unsupported key type"),
    ("1.0 % 2.0", "no matching overload for `%` applied to `(double, double)`"),
    ("1 + 1.0", "no matching overload for `+` applied to `(int, double)`"),
    ("'a' < 1", "no matching overload"), ("[1] < [2]", "no matching overload"),
    ("-'a'", "no matching overload"), ("!1", "no matching overload"),
    ("int(9223372036854775807.0)", "out of the int range"), ("int(1e99)", "out of the int range"),
    ("int('1.5')", "cannot convert string '1.5' to int"), ("double('x')", "cannot convert"),
    ("bool('yes')", "cannot convert"), ("double('1e400')", "out of the double range"),
    ("x", "no value for `x`"), ("f(1)", "no function `f` taking 1 argument"),
    ("1.foo()", "no method `foo` taking 0 arguments"), ("'a'.matches('(')", "invalid regular expression"),
    ("true && 1 / 0 == 1", "division by zero"), ("1 / 0 == 1 && true", "division by zero"),
    ("'a' && 'b'", "no matching overload for `&&`"), ("[1, 2].all(e, e / 0 == 1)", "division by zero"),
    ("[0, 1].exists_one(e, 1 / e == 1)", "division by zero"), ("[1].filter(e, e)", "no matching overload"),
    ("1 ? 2 : 3", "no matching overload for `?:`"), ("(1).all(x, true)", "needs a list or a map"),
    ("1.a", "does not support field selection"), ("[1]['a']", "invalid list index"),
])
def test_errors_are_the_same_in_both_forms(text, message):
    interpreted, compiled = both(text, check=False)
    assert interpreted[0] == "error", interpreted
    assert message in interpreted[1]
    assert compiled == interpreted


def test_declared_facts(facts=FACTS):
    cases = {
        'kind == "pricing" && region in ["EMEA", "APAC"]': True,
        "amount >= 100000": True,
        "recurrences_90d >= 3 && partner.tier == 'gold'": True,
        "tags.exists(t, t == 'vip') && size(tags) == 2": True,
        "scores.map(s, s * 2.0)": [1.0, 4.0],
        "has(partner.exclusive) && !partner.exclusive": True,
        "priority in [1, 2]": True,
        "note.matches('^ma.ana$')": True,
        "amount * 0.1": 12000.0,
    }
    for text, expected in cases.items():
        assert both(text, BINDINGS, facts) == [expected, expected], text


def test_int_given_for_a_double_is_widened_by_evaluate():
    ce = compile_expression("amount / 0.0", {"amount": {"type": "double"}})
    assert ce.evaluate({"amount": 5}) == math.inf
    assert ce.evaluate({"amount": 5.0}) == math.inf
