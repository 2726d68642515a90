"""The type checker: every PE6xx code, its span, its hint; types and reads."""

from __future__ import annotations

import pytest

from policyengine.core.errors import ExpressionSyntaxError, ExpressionTypeError
from policyengine.expr import Environment, analyze, compile_expression
from policyengine.expr.types import (BOOL, DOUBLE, DYN, INT, STRING, EnumType, ListType, MapType,
                                     parse_cel_type)

from .conftest import FACTS

ENV = Environment.from_declarations(FACTS)


def only_issue(text, expect=None):
    analysis = analyze(text, ENV, expect)
    assert len(analysis.issues) == 1, analysis.issues
    assert not analysis.ok
    return analysis.issues[0]


@pytest.mark.parametrize("text, code, where, message, hint", [
    ("amout > 1.0", "PE602", "amout", "unknown name `amout`", "did you mean `amount`?"),
    ("partner.exclusiv", "PE603", "partner.exclusiv", "`partner` has no field `exclusiv`",
     "did you mean `exclusive`?"),
    ('region == "EMAE"', "PE604", '"EMAE"', "`EMAE` is not a value of `region`",
     "did you mean `EMEA`?"),
    ('"EMAE" != region', "PE604", '"EMAE"', "`EMAE` is not a value of `region`",
     "did you mean `EMEA`?"),
    ('region in ["EMEA", "APACC"]', "PE604", '"APACC"', "`APACC` is not a value of `region`",
     "did you mean `APAC`?"),
    ('partner.tier == "gld"', "PE604", '"gld"', "`gld` is not a value of `partner.tier`",
     "did you mean `gold`?"),
    ("priority == 7", "PE604", "7", "`7` is not a value of `priority`", None),
    ('recurrences_90d >= "3"', "PE605", 'recurrences_90d >= "3"',
     "operator `>=` cannot compare `int` with `string`", None),
    ("amount + 1 > 2.0", "PE605", "amount + 1", "operator `+` cannot combine `double` with `int`",
     "write `1.0`: CEL never mixes `int` and `double` in arithmetic"),
    ("sise(tags) > 1", "PE608", "sise(tags)", "unknown function `sise`", "did you mean `size`?"),
    ("note.startswith('a')", "PE608", "note.startswith('a')", "unknown method `startswith`",
     "did you mean `startsWith`?"),
    ("size(tags, 1) > 1", "PE608", "size(tags, 1)", "function `size` takes 1 argument, got 2", None),
    ("note.matches('(a')", "PE609", "'(a'", "invalid regular expression `(a`", None),
    ("note.matches('(?<=a)b')", "PE609", "'(?<=a)b'", "invalid regular expression", None),
])
def test_issue_codes_spans_and_hints(text, code, where, message, hint):
    issue = only_issue(text)
    assert issue.code == code
    assert text[issue.start:issue.end] == where
    assert issue.message.startswith(message)
    if hint is not None:
        assert issue.hint == hint
    assert issue.severity == "error"
    assert "\n" not in issue.message and not issue.message.endswith(".")


def test_expect_bool_and_number():
    issue = only_issue("amount * 0.1", expect="bool")
    assert issue.code == "PE606" and "`double`" in issue.message
    issue = only_issue("kind", expect="number")
    assert issue.code == "PE607" and "`string`" in issue.message
    assert analyze("amount * 0.1", ENV, "number").ok
    assert analyze("recurrences_90d * 2", ENV, "number").ok
    assert analyze("dyn(note)", ENV, "number").ok
    assert analyze("compliance_flag", ENV, "bool").ok


def test_syntax_error_is_an_issue_not_an_exception():
    analysis = analyze("amount >", ENV)
    assert analysis.ast is None and not analysis.ok
    assert analysis.issues[0].code == "PE601"
    assert analysis.issues[0].start == 8


def test_mixed_numeric_comparison_is_allowed_arithmetic_is_not():
    assert analyze("amount >= 100000", ENV).ok
    assert analyze("recurrences_90d < 2.5", ENV).ok
    assert analyze("amount == 1", ENV).ok
    assert not analyze("amount * 2", ENV).ok
    assert not analyze("recurrences_90d % 2.0 == 0", ENV).ok


@pytest.mark.parametrize("text, expected", [
    ("amount", DOUBLE), ("recurrences_90d + 1", INT), ("partner.exclusive", BOOL),
    ("tags", ListType(STRING)), ("partner.tier", EnumType(STRING, ("platinum", "gold", "silver", "registered"))),
    ("[1, 2]", ListType(INT)), ("[1, 'a']", ListType(DYN)), ("{'a': 1.0}", MapType(STRING, DOUBLE)),
    ("tags.map(t, size(t))", ListType(INT)), ("tags.filter(t, t != '')", ListType(STRING)),
    ("tags.all(t, t != '')", BOOL), ("int('3')", INT), ("string(1)", STRING), ("dyn(1)", DYN),
    ("true ? 1 : null", DYN), ("scores[0]", DOUBLE), ("size(note)", INT),
])
def test_types(text, expected):
    analysis = analyze(text, ENV)
    assert analysis.ok, analysis.issues
    assert analysis.type == expected


def test_reads_are_sorted_dotted_fact_paths():
    analysis = analyze("(amount > 5.0 && partner.tier == 'gold') || has(partner.exclusive) "
                       "|| tags.exists(t, t == kind)", ENV)
    assert analysis.reads == ("amount", "kind", "partner.exclusive", "partner.tier", "tags")
    assert analyze("partner == {}", ENV).reads == ("partner",)


def test_comprehension_variables_shadow_and_stay_local():
    analysis = analyze("tags.exists(amount, amount == 'x')", ENV)
    assert analysis.ok and analysis.reads == ("tags",)
    issue = only_issue("tags.exists(t, t == 'x') && t == 'y'")
    assert issue.code == "PE602"


def test_dynamic_environment_accepts_free_names():
    analysis = analyze("x.y > 1 && z", Environment.dynamic())
    assert analysis.ok and analysis.reads == ("x.y", "z")


def test_check_false_defers_type_errors_to_run_time():
    assert not analyze("'a' && false", Environment.dynamic()).ok
    assert analyze("'a' && false", Environment.dynamic(), check=False).ok
    ce = compile_expression("'a' && false", check=False)
    assert ce.evaluate({}) is False


def test_several_issues_are_all_reported_in_order():
    analysis = analyze("amout > 1.0 && region == 'EMAE' && partner.tierr == 'gold'", ENV)
    assert [i.code for i in analysis.issues] == ["PE602", "PE604", "PE603"]


def test_compile_expression_raises_the_first_issue_with_all_attached():
    with pytest.raises(ExpressionTypeError) as info:
        compile_expression("amout > 1.0 && region == 'EMAE'", FACTS)
    assert info.value.code == "PE602" and "(and 1 more)" in info.value.message
    assert len(info.value.issues) == 2
    with pytest.raises(ExpressionSyntaxError):
        compile_expression("amount >", FACTS)
    with pytest.raises(ExpressionTypeError):
        compile_expression("x", {"x": {"type": "decimal"}})


@pytest.mark.parametrize("text, t", [
    ("int", INT), ("list(int)", ListType(INT)), ("map(string, list(double))",
                                                MapType(STRING, ListType(DOUBLE))),
    ("dyn", DYN),
])
def test_parse_cel_type(text, t):
    assert parse_cel_type(text) == t
