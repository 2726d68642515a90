"""The compiled form: the shape of the generated code, its globals, the fallback, evaluate()."""

from __future__ import annotations

import pytest

from policyengine.core.errors import ExpressionEvalError
from policyengine.expr import (Environment, analyze, compile_analysis, compile_expression)
from policyengine.expr.compile import MAX_COMPILED_DEPTH

from .conftest import BINDINGS, FACTS

TRIGGERS = {
    "amount >= 100000.0": "(f['amount'] >= 100000.0)",
    "amount >= 100000": "(f['amount'] >= 100000.0)",
    'partner.tier == "gold"': "(f['partner']['tier'] == 'gold')",
    "(amount > 50000.0 && partner.tier == 'gold') || compliance_flag":
        "(((f['amount'] > 50000.0) and (f['partner']['tier'] == 'gold')) or f['compliance_flag'])",
    "not compliance_flag": "(not f['compliance_flag'])",
    "partner.exclusive ? 1.0 : amount": "(1.0 if f['partner']['exclusive'] else f['amount'])",
    "note.startsWith('m')": "f['note'].startswith('m')",
    "'vip' in tags": "('vip' in f['tags'])",
    "size(tags) > 1": None,
}


@pytest.mark.parametrize("text, source", TRIGGERS.items())
def test_declared_types_compile_to_plain_python(text, source):
    ce = compile_expression(text, FACTS)
    if source is not None:
        assert ce.python_source == source
    assert "dyn" not in (ce.python_source or "")
    assert ce.function(BINDINGS) == ce.interpret(BINDINGS)


def test_membership_in_a_literal_list_is_a_frozenset():
    ce = compile_expression('region in ["EMEA", "APAC"]', FACTS)
    (name, value), = ce.python_globals.items()
    assert ce.python_source == f"(f['region'] in {name})"
    assert value == frozenset({"EMEA", "APAC"})


def test_only_operations_that_may_fail_get_guards():
    ce = compile_expression("recurrences_90d + 1 > 3 && compliance_flag", FACTS)
    assert "i64" in ce.python_source
    assert "lambda" not in ce.python_source  # the safe operand goes first, plain `and`
    assert ce.python_source.startswith("(f['compliance_flag'] and")
    ce = compile_expression("1 / recurrences_90d > 0 && 2 / recurrences_90d > 0", FACTS)
    assert "lambda" in ce.python_source  # both may fail: the absorbing form


def test_globals_are_prefixed_unique_and_self_contained():
    a = compile_expression("x / 2 > 1 && y.matches('a+')", check=False)
    b = compile_expression("x / 2 > 1 && y.matches('a+')", check=False)
    for ce in (a, b):
        assert ce.python_globals and all(k.startswith("_pe_") for k in ce.python_globals)
    prefixes = {k.split("_")[2] for k in a.python_globals} | {k.split("_")[2] for k in b.python_globals}
    assert len(prefixes) == 2  # one per expression: namespaces can be merged
    merged = {**a.python_globals, **b.python_globals, "__builtins__": {}}
    source = f"lambda f: ({a.python_source}, {b.python_source})"
    fn = eval(compile(source, "<merged>", "eval"), merged)  # noqa: S307 - generated code
    assert fn({"x": 4, "y": "aa"}) == (True, True)


def test_literals_enter_by_repr_never_as_code():
    ce = compile_expression("x == 'a\\') or __import__(\\'os\\') or (\\''", check=False)
    assert ce.evaluate({"x": "a') or __import__('os') or ('"}) is True
    ce = compile_expression("x['__class__'] == 1", check=False)
    assert "__class__" in ce.python_source and ce.evaluate({"x": {"__class__": 1}}) is True


def test_too_deep_for_python_falls_back_to_the_interpreter():
    text = "!" * (MAX_COMPILED_DEPTH + 10) + "true"
    ce = compile_expression(text)
    assert ce.python_source is None and ce.python_globals == {}
    assert ce.evaluate({}) is ((MAX_COMPILED_DEPTH + 10) % 2 == 0)


def test_evaluate_checks_bindings_and_names_the_path():
    ce = compile_expression("partner.tier == 'gold' && amount > 1.0", FACTS)
    assert ce.evaluate(BINDINGS) is True
    cases = [
        ({**BINDINGS, "amount": "1"}, "`amount`: expected `double`, got `string`"),
        ({**BINDINGS, "amount": True}, "`amount`: expected `double`, got `bool`"),
        ({k: v for k, v in BINDINGS.items() if k != "amount"}, "`amount`: no value given"),
        ({**BINDINGS, "partner": {"exclusive": True}}, "`partner.tier`: no value given"),
        ({**BINDINGS, "partner": {"tier": "bronze", "exclusive": True}},
         "`partner.tier`: 'bronze' is not one of"),
        ({**BINDINGS, "partner": {"tier": 1, "exclusive": True}},
         "`partner.tier`: expected `string`, got `int`"),
    ]
    for bindings, message in cases:
        with pytest.raises(ExpressionEvalError) as info:
            ce.evaluate(bindings)
        assert info.value.message.startswith(message), info.value.message


def test_evaluate_checks_only_what_the_expression_reads():
    ce = compile_expression("amount > 1.0", FACTS)
    assert ce.evaluate({"amount": 2.0}) is True


def test_function_is_unchecked_but_still_raises_expression_errors():
    ce = compile_expression("amount > 1.0", FACTS)
    with pytest.raises(ExpressionEvalError):
        ce.function({})
    with pytest.raises(ExpressionEvalError):
        ce.function({"amount": "x"})


def test_compile_analysis_refuses_an_analysis_with_errors():
    analysis = analyze("amout > 1", Environment.from_declarations(FACTS))
    with pytest.raises(ValueError):
        compile_analysis(analysis)
    ce = compile_analysis(analyze("amount > 1", Environment.from_declarations(FACTS)))
    assert ce.text == "amount > 1" and ce.reads == ("amount",) and str(ce.type) == "bool"


def test_results_are_plain_python_values():
    ce = compile_expression("{'a': [1, 2.5, 'x', null, true]}")
    assert ce.evaluate({}) == {"a": [1, 2.5, "x", None, True]}
