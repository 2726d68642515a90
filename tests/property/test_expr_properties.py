"""Properties of the expression language (hypothesis):

* the printer round-trips: ``parse(print(tree)) == tree`` for generated trees;
* the compiled form and the reference interpreter agree, errors included, on generated
  expressions and bindings, with and without declarations.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyengine.core.errors import ExpressionError, ExpressionEvalError
from policyengine.expr import compile_expression, parse_expression, print_expression
from policyengine.expr.ast import (Binary, Call, Comprehension, Index, ListLit, Literal, MapLit,
                                   Name, Select, Ternary, Unary)
from policyengine.expr.to_ast import RESERVED

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
IDENT = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in RESERVED)
BINARY_OPS = ["||", "&&", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-", "*", "/", "%"]
FUNCTIONS = ["size", "int", "double", "string", "bool", "dyn", "matches", "f"]
METHODS = ["size", "contains", "startsWith", "endsWith", "matches", "m"]


def literals(floats=st.floats(allow_nan=False)):
    return st.one_of(
        INT64.map(Literal), floats.map(Literal), st.text(max_size=8).map(Literal),
        st.booleans().map(Literal), st.just(Literal(None)))


def trees(leaves):
    def extend(children):
        return st.one_of(
            st.builds(Unary, st.sampled_from(["!", "-"]), children),
            st.builds(Binary, st.sampled_from(BINARY_OPS), children, children),
            st.builds(Ternary, children, children, children),
            st.builds(ListLit, st.lists(children, max_size=3).map(tuple)),
            st.builds(MapLit, st.lists(st.tuples(children, children), max_size=2).map(tuple)),
            st.builds(Select, children, IDENT, st.booleans()),
            st.builds(Index, children, children),
            st.builds(lambda fn, args: Call(fn, tuple(args)), st.sampled_from(FUNCTIONS),
                      st.lists(children, min_size=1, max_size=2)),
            st.builds(lambda fn, target, args: Call(fn, tuple(args), target),
                      st.sampled_from(METHODS), children, st.lists(children, max_size=1)),
            st.builds(lambda macro, target, var, body, flt: Comprehension(
                macro, target, var, body, flt if macro == "map" else None),
                st.sampled_from(["all", "exists", "exists_one", "filter", "map"]), children,
                st.sampled_from(["e", "x"]), children, st.none() | children),
        )
    return st.recursive(leaves, extend, max_leaves=12)


@SETTINGS
@given(trees(st.one_of(literals(), IDENT.map(Name))))
def test_printer_round_trip(tree):
    text = print_expression(tree)
    assert parse_expression(text) == tree
    assert print_expression(parse_expression(text)) == text


# --- compiled == interpreted -------------------------------------------------------------------

def outcome(run, bindings):
    try:
        return ("value", run(bindings))
    except ExpressionEvalError as err:
        return ("error", err.message)


def same(a, b):
    """Exact equality of outcomes: types matter, NaN equals NaN, no Python 1 == True."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if type(x) is float:
            if not (x == y or (math.isnan(x) and math.isnan(y))):
                return False
        elif type(x) in (list, tuple):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif type(x) is dict:
            if len(x) != len(y) or any(type(k) is not type(k2) for k, k2 in zip(x, y)):
                return False
            if list(x) != list(y):
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif x != y:
            return False
    return True


def check_agreement(tree, declarations, bindings):
    text = print_expression(tree)
    try:
        ce = compile_expression(text, declarations, check=False)
    except ExpressionError:
        return
    interpreted = outcome(ce.interpret, bindings)
    compiled = outcome(ce.function, bindings)
    assert same(interpreted, compiled), (text, ce.python_source, interpreted, compiled)
    assert same(outcome(ce.evaluate, bindings), interpreted), text


SMALL_INTS = st.sampled_from([0, 1, -1, 2, 3, 2**62, 2**63 - 1, -(2**63)])
SMALL_FLOATS = st.sampled_from([0.0, -0.0, 1.0, 0.5, -2.5, 1e308, math.inf, -math.inf])
SMALL_TEXT = st.sampled_from(["", "a", "ab", "é", "1", "true", "(a"])
VALUES = st.recursive(
    st.one_of(SMALL_INTS, SMALL_FLOATS, SMALL_TEXT, st.booleans(), st.none(),
              st.just(math.nan)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(SMALL_TEXT, SMALL_INTS), inner, max_size=2)),
    max_leaves=6)
DYN_LEAVES = st.one_of(
    SMALL_INTS.map(Literal), SMALL_FLOATS.filter(lambda v: not math.isinf(v)).map(Literal),
    SMALL_TEXT.map(Literal), st.booleans().map(Literal), st.just(Literal(None)),
    st.sampled_from(["a", "b", "c", "missing"]).map(Name))


@SETTINGS
@given(trees(DYN_LEAVES), st.fixed_dictionaries({"a": VALUES, "b": VALUES, "c": VALUES}))
def test_compiled_equals_interpreted_dynamic(tree, bindings):
    check_agreement(tree, None, bindings)


DECLARATIONS = {
    "i": {"type": "int"}, "j": {"type": "int"}, "d": {"type": "double"},
    "s": {"type": "string", "enum": ["", "a", "ab", "é"]}, "t": {"type": "string"},
    "b": {"type": "bool"}, "li": {"type": "list", "items": {"type": "int"}},
    "ls": {"type": "list", "items": {"type": "string"}},
    "m": {"type": "map", "fields": {"n": {"type": "int"}, "flag": {"type": "bool"}}},
}
TYPED_BINDINGS = st.fixed_dictionaries({
    "i": SMALL_INTS, "j": SMALL_INTS, "d": st.one_of(SMALL_FLOATS, st.just(math.nan)),
    "s": st.sampled_from(["", "a", "ab", "é"]), "t": SMALL_TEXT, "b": st.booleans(),
    "li": st.lists(SMALL_INTS, max_size=3), "ls": st.lists(SMALL_TEXT, max_size=3),
    "m": st.fixed_dictionaries({"n": SMALL_INTS, "flag": st.booleans()}),
})
TYPED_LEAVES = st.one_of(
    st.sampled_from(["i", "j", "d", "s", "t", "b", "li", "ls", "m"]).map(Name),
    st.builds(Select, st.just(Name("m")), st.sampled_from(["n", "flag"])),
    SMALL_INTS.map(Literal), st.sampled_from([0.0, 1.5, -2.0]).map(Literal),
    SMALL_TEXT.map(Literal), st.booleans().map(Literal))


@SETTINGS
@given(trees(TYPED_LEAVES), TYPED_BINDINGS)
def test_compiled_equals_interpreted_declared(tree, bindings):
    check_agreement(tree, DECLARATIONS, bindings)


@SETTINGS
@given(st.lists(st.sampled_from(["i > 1", "d >= 2", "s == 'a'", "b", "m.flag", "i / j > 0",
                                 "li.exists(x, x == i)", "t.matches('a+')", "size(ls) == 2",
                                 "i + j > 0", "'ab' in ls", "s in ['a', 'é']"]),
                min_size=1, max_size=5),
       st.lists(st.sampled_from(["&&", "||"]), min_size=4, max_size=4),
       TYPED_BINDINGS)
def test_compiled_equals_interpreted_on_trigger_shaped_conditions(parts, ops, bindings):
    text = parts[0]
    for op, part in zip(ops, parts[1:]):
        text = f"({text}) {op} {part}"
    ce = compile_expression(text, DECLARATIONS)
    assert ce.python_source is not None
    assert same(outcome(ce.function, bindings), outcome(ce.interpret, bindings)), text


# --- errors on either side of every operator: null literals, missing keys, indexes ------------
_NULLABLE = st.one_of(TYPED_LEAVES, st.just(Literal(None)))
ERROR_LEAVES = st.one_of(
    TYPED_LEAVES, st.just(Literal(None)),
    # a map literal indexed by a key it has ("a") or lacks ("b"): a value or `no such key`
    st.builds(lambda v, k: Index(MapLit(((Literal("a"), v),)), Literal(k)), _NULLABLE,
              st.sampled_from(["a", "b"])),
    # a one-item list indexed in range (0) or out of it (1, -1)
    st.builds(lambda v, i: Index(ListLit((v,)), Literal(i)), _NULLABLE,
              st.sampled_from([0, 1, -1])),
    # an index read from a fact: in range or not depending on the dispute
    st.builds(lambda v: Index(ListLit((v,)), Name("i")), _NULLABLE),
    st.just(Index(Name("li"), Name("i"))))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(BINARY_OPS + ["==", "!="] * 3), ERROR_LEAVES, ERROR_LEAVES, TYPED_BINDINGS)
def test_compiled_equals_interpreted_with_failing_operands(op, left, right, bindings):
    """`k != {"a": null}["b"]` and `amount == [null][1]` are errors, not `is None` tests."""
    check_agreement(Binary(op, left, right), DECLARATIONS, bindings)


@SETTINGS
@given(trees(ERROR_LEAVES), TYPED_BINDINGS)
def test_compiled_equals_interpreted_on_trees_with_failing_leaves(tree, bindings):
    check_agreement(tree, DECLARATIONS, bindings)


def test_a_failing_null_operand_is_an_error_in_both_forms():
    decls = {"k": {"type": "string"}, "amount": {"type": "double"}}
    for text in ('k != {"a": null}["b"]', "amount == [null][1]", '{"a": null}["b"] == k'):
        ce = compile_expression(text, decls)
        facts = {"k": "x", "amount": 1.0}
        assert outcome(ce.function, facts)[0] == "error", (text, ce.python_source)
        assert same(outcome(ce.function, facts), outcome(ce.interpret, facts)), text
