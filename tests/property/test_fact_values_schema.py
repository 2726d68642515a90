"""The dispute JSON Schema, the engine's fact checker and the expression binder agree (issue 13:
one definition, :mod:`policyengine.core.fact_types`).

Hypothesis draws declarations (every fact type, enums, bounds, ``max_length``/``max_items``,
maps and lists of them) and values (valid ones, values just over each bound, wrong types,
``3.0`` and ``1e20`` for an int, ``true`` for a number, integers beyond int64 and beyond what a
double holds, lone surrogates, texts and lists over their bounds, ``null``, undeclared keys).
For each, the engine's checker (:func:`policyengine.model.values.fields_checker`) and
the generated schema (``jsonschema``, draft 2020-12) give the same answer, except where JSON
Schema cannot say what the engine checks, which the schema's description states:

* an integral double (``3.0``) for an int fact: JSON Schema counts it an integer, so the
  schema is compared with the engine's answer for the same value written as an int;
* an integer for a double fact that a double cannot hold exactly: the engine compares it after
  rounding, JSON Schema exactly (such values are not drawn against bounds).

The expression binder (:func:`policyengine.expr.bindings.binding_checker`, what
``compile_expression(...).evaluate`` runs first) checks the types an expression needs: it agrees
with the engine's checker on the same declaration without its bounds and defaults, except for
what no dispute's fact but a CEL value may be (NaN, the infinities, a lone surrogate:
``FACT_ONLY``) and a map's undeclared keys, which the binder does not read.
"""

from __future__ import annotations

import math
from typing import Any

import jsonschema
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policyengine.core.errors import ExpressionEvalError
from policyengine.core.fact_types import FACT_ONLY
from policyengine.core.limits import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH, INT64_MAX, INT64_MIN
from policyengine.expr import Environment
from policyengine.expr.bindings import binding_checker
from policyengine.model.nodes import FactDecl
from policyengine.model.values import (DOUBLE_OVERFLOW, INT_NOTE, checker_for,
                                       default_problem, fields_checker, object_schema)

NAMES = st.sampled_from(["kind", "amount", "tier", "n", "x y", "q\"uote"])


@st.composite
def decl(draw: Any, depth: int = 0, name: str = "f") -> FactDecl:
    kinds = ["string", "int", "double", "bool"] + (["map", "list"] if depth < 2 else [])
    t = draw(st.sampled_from(kinds))
    if t == "map":
        names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
        fields = tuple(draw(decl(depth + 1, n)) for n in names)
        return FactDecl(name, name, "map", fields=fields)
    if t == "list":
        return FactDecl(name, name, "list", items=draw(decl(depth + 1, "item")),
                        max_items=draw(st.none() | st.integers(0, 3)))
    enum = lo = hi = max_length = None
    if t == "string":
        max_length = draw(st.none() | st.integers(0, 4))
        if draw(st.booleans()):
            enum = tuple(draw(st.lists(st.sampled_from(["a", "bb", "ccccc", "\ud800", "é"]),
                                       min_size=1, max_size=3, unique=True)))
    if t == "int":
        if draw(st.booleans()):
            enum = tuple(draw(st.lists(st.integers(-3, 3), min_size=1, max_size=3,
                                       unique=True)))
        lo = draw(st.none() | st.integers(-5, 5) | st.just(INT64_MIN))
        hi = draw(st.none() | st.integers(5, 10) | st.just(INT64_MAX))
    if t == "double":
        lo = draw(st.none() | st.floats(-5, 5) | st.integers(-5, 5))
        hi = draw(st.none() | st.floats(5, 10))
    has_default = draw(st.booleans())
    default = None
    if has_default:
        default = {"string": enum[0] if enum else "d", "int": enum[0] if enum else 5,
                   "double": 5.0, "bool": False}[t]
    return FactDecl(name, name, t, enum=enum, min=lo, max=hi, has_default=has_default,
                    default=default, max_length=max_length)


def value_for(d: FactDecl) -> st.SearchStrategy[Any]:
    wrong = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                      st.floats(allow_nan=False, allow_infinity=False),
                      st.sampled_from([3.0, -0.0, 1e20, 2.5, 2 ** 1100, DOUBLE_OVERFLOW - 1,
                                       DOUBLE_OVERFLOW, INT64_MAX + 1, INT64_MIN - 1]),
                      st.text(max_size=3), st.just([1]), st.just({"k": 1}))
    if d.type == "map":
        good = st.fixed_dictionaries({}, optional={f.name: value_for(f) for f in d.fields})
        extra = st.dictionaries(NAMES, st.integers(), max_size=1)
        return st.one_of(good, st.builds(lambda a, b: {**b, **a}, good, extra), wrong)
    if d.type == "list":
        assert d.items is not None
        bound = d.max_items if d.max_items is not None else DEFAULT_MAX_ITEMS
        return st.one_of(st.lists(value_for(d.items), max_size=4), wrong,
                         st.just([value_for_default(d.items)] * (bound + 1)),
                         st.just([value_for_default(d.items)] * bound))
    bound = d.max_length if d.max_length is not None else DEFAULT_MAX_LENGTH
    good: st.SearchStrategy[Any] = {
        "string": st.one_of(st.sampled_from(d.enum or ("a",)), st.text(max_size=6),
                            st.sampled_from(["\ud800", "a\udfff", "\u00e9\ud83d", "😀"]),
                            st.just("x" * (bound + 1)), st.just("x" * bound)),
        "int": st.one_of(st.sampled_from(d.enum or (0,)), st.integers(-12, 12),
                         st.integers(-12, 12).map(float)),
        "double": st.one_of(st.floats(-12, 12), st.integers(-12, 12)),
        "bool": st.booleans()}[d.type]
    return st.one_of(good, good, wrong)


def value_for_default(d: FactDecl) -> Any:
    return {"string": "a", "int": 0, "double": 0.0, "bool": True, "map": {},
            "list": []}[d.type]


def json_schema_view(d: FactDecl, value: Any) -> Any:
    """``value`` as JSON Schema reads it: an integral double at an int fact is an integer."""
    if d.type == "int" and type(value) is float and math.isfinite(value) and value.is_integer():
        return int(value)
    if d.type == "list" and d.items is not None and type(value) is list:
        return [json_schema_view(d.items, v) for v in value]
    if d.type == "map" and type(value) is dict:
        by_name = {f.name: f for f in d.fields}
        return {k: json_schema_view(by_name[k], v) if k in by_name else v
                for k, v in value.items()}
    return value


def exact_for_doubles(d: FactDecl, value: Any) -> bool:
    """False when an int given for a bounded double fact is not exactly a double."""
    if d.type == "double" and type(value) is int and (d.min is not None or d.max is not None):
        return value < DOUBLE_OVERFLOW and float(value) == value
    if d.type == "list" and d.items is not None and type(value) is list:
        return all(exact_for_doubles(d.items, v) for v in value)
    if d.type == "map" and type(value) is dict:
        by_name = {f.name: f for f in d.fields}
        return all(exact_for_doubles(by_name[k], v) for k, v in value.items() if k in by_name)
    return True


def holds_map(d: FactDecl) -> bool:
    while d.type == "list" and d.items is not None:
        d = d.items
    return d.type == "map"


def engine_accepts(d: FactDecl, value: Any) -> bool:
    problems: list[Any] = []
    fields_checker((d,))({d.name: value}, "", problems)
    return not problems


def schema_accepts(d: FactDecl, value: Any) -> bool:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **object_schema((d,))}
    return jsonschema.Draft202012Validator(schema).is_valid({d.name: value})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_schema_and_the_checker_agree(data: st.DataObject) -> None:
    d = data.draw(decl())
    value = data.draw(value_for(d))
    assume(exact_for_doubles(d, value))
    seen = json_schema_view(d, value)
    assert schema_accepts(d, value) == engine_accepts(d, seen), (d, value)
    if seen != value or type(seen) is not type(value):
        # the one thing JSON Schema cannot tell: the engine refuses what the schema sees
        assert not engine_accepts(d, value)
        assert INT_NOTE in str(object_schema((d,)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_default_is_valid_exactly_when_a_dispute_could_give_it(data: st.DataObject) -> None:
    d = data.draw(decl())
    value = data.draw(value_for(d))
    if d.type == "map":
        assert default_problem(d, value) is not None  # a map's fields carry the defaults
        return
    assume(not holds_map(d))  # a map in a list has no default either
    assert (default_problem(d, value) is None) == engine_accepts(d, value), (d, value)


def test_the_edges_by_name() -> None:
    i = FactDecl("n", "n", "int", min=0)
    assert schema_accepts(i, 3) and engine_accepts(i, 3)
    assert schema_accepts(i, 3.0) and not engine_accepts(i, 3.0)  # stated in INT_NOTE
    assert not schema_accepts(i, True) and not engine_accepts(i, True)
    assert not schema_accepts(i, INT64_MAX + 1) and not engine_accepts(i, INT64_MAX + 1)
    x = FactDecl("x", "x", "double", min=0)
    assert schema_accepts(x, 3) and engine_accepts(x, 3)
    assert not schema_accepts(x, False) and not engine_accepts(x, False)
    assert not schema_accepts(x, 2 ** 1100) and not engine_accepts(x, 2 ** 1100)
    assert schema_accepts(x, DOUBLE_OVERFLOW - 1) and engine_accepts(x, DOUBLE_OVERFLOW - 1)
    assert not schema_accepts(x, DOUBLE_OVERFLOW) and not engine_accepts(x, DOUBLE_OVERFLOW)
    s = FactDecl("s", "s", "string", max_length=3)
    assert schema_accepts(s, "abc") and engine_accepts(s, "abc")
    assert schema_accepts(s, "😀") and engine_accepts(s, "😀")
    assert not schema_accepts(s, "abcd") and not engine_accepts(s, "abcd")
    assert not schema_accepts(s, "\ud800") and not engine_accepts(s, "\ud800")
    e = FactDecl("e", "e", "string", enum=("a", "\ud800"))
    assert not schema_accepts(e, "\ud800") and not engine_accepts(e, "\ud800")
    long = FactDecl("t", "t", "string")
    assert schema_accepts(long, "x" * DEFAULT_MAX_LENGTH)
    assert not schema_accepts(long, "x" * (DEFAULT_MAX_LENGTH + 1))
    assert not engine_accepts(long, "x" * (DEFAULT_MAX_LENGTH + 1))


def test_a_default_is_worded_as_before_and_refused_where_a_dispute_would_be() -> None:
    i = FactDecl("n", "n", "int", min=0)
    assert default_problem(i, -1) == "`-1` is below the fact's min (0)"
    assert default_problem(i, 2.0) == "must be a whole number, found a number"
    d = FactDecl("x", "x", "double", min=0)
    assert default_problem(d, -1) == "`-1` is below the fact's min (0)"  # as written
    assert default_problem(d, math.inf) == "must be a finite number, found `inf`"
    s = FactDecl("s", "s", "string")
    assert default_problem(s, "a\ud800") == "holds a lone surrogate (U+D800): no dispute " \
        "could give it"
    lst = FactDecl("l", "l", "list", items=FactDecl("item", "item", "int", max=3), max_items=2)
    assert default_problem(lst, [1, 5]) == "item 2: `5` is above the fact's max (3)"
    assert default_problem(lst, [1, 2, 3]) == "has more items than the fact's `max_items`"


# --- the expression binder ----------------------------------------------------------------------

def bare(d: FactDecl) -> FactDecl:
    """``d`` as the binder reads it: its type (with ``enum``, items and fields), no bounds, no
    defaults."""
    return FactDecl(d.name, d.path, d.type, enum=d.enum,
                    fields=tuple(bare(f) for f in d.fields),
                    items=bare(d.items) if d.items is not None else None,
                    max_items=2 ** 62, max_length=2 ** 62)


def engine_reasons(d: FactDecl, value: Any) -> tuple[Any, list[str]]:
    """(the normalized value, every reason the engine's checker refuses ``value`` for)."""
    found: list[Any] = []
    normalized = checker_for(d)(value, "", found)
    return normalized, [getattr(p, "reason", None) or p.detail for p in found]


def binder_outcome(d: FactDecl, value: Any) -> tuple[bool, Any]:
    """(accepted, the normalized value or the error's message)."""
    env = Environment.from_declarations({d.name: d.to_declaration()})
    check = binding_checker(env, (d.name,))
    try:
        return True, check({d.name: value})[d.name]
    except ExpressionEvalError as err:
        return False, err.message


def typed(value: Any) -> Any:
    """``value`` with each leaf's type, so that ``1`` and ``1.0`` differ."""
    if isinstance(value, (list, tuple)):
        return [typed(v) for v in value]
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    return (type(value).__name__, value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_binder_and_the_checker_agree(data: st.DataObject) -> None:
    drawn = data.draw(decl())
    d = bare(drawn)
    value = data.draw(st.one_of(value_for(drawn),
                                st.sampled_from([math.nan, math.inf, -math.inf, 3.0])))
    normalized, reasons = engine_reasons(d, value)
    accepted, result = binder_outcome(d, value)
    if not set(reasons) & (FACT_ONLY | {"unknown"}):
        # nothing the binder leaves to the facts check: the same verdict, the same value
        assert accepted == (not reasons), (d, value, reasons, result)
        if accepted:  # normalized alike (3 becomes 3.0 at a double)
            assert typed(result) == typed(normalized), (d, value)
    else:  # NaN, a lone surrogate, an undeclared key: a CEL value, no fact; the engine refuses
        assert reasons and not engine_accepts(d, value)


def test_the_binder_the_checker_and_the_schema_on_the_edges() -> None:
    i = FactDecl("n", "n", "int")
    assert binder_outcome(i, 3) == (True, 3)
    # 3.0 at an int: the binder and the checker refuse it; JSON Schema cannot (INT_NOTE says so)
    assert binder_outcome(i, 3.0) == (False, "`n`: expected `int`, got `double`")
    assert engine_reasons(i, 3.0)[1] == ["type"]
    assert schema_accepts(i, 3.0) and INT_NOTE in str(object_schema((i,)))
    assert binder_outcome(i, True) == (False, "`n`: expected `int`, got `bool`")
    assert binder_outcome(i, INT64_MAX + 1) == \
        (False, f"`n`: {INT64_MAX + 1} is out of the int range")
    assert binder_outcome(i, 10 ** 5000)[1] == \
        "`n`: an integer of about 5,001 digits is out of the int range"
    x = FactDecl("x", "x", "double")
    assert binder_outcome(x, 3) == (True, 3.0) and engine_reasons(x, 3) == (3.0, [])
    assert binder_outcome(x, 2 ** 1100) == (False, "`x`: the number is too large for a double")
    assert engine_reasons(x, 2 ** 1100)[1] == ["too_large"]
    assert binder_outcome(x, False) == (False, "`x`: expected `double`, got `bool`")
    nan_ok, nan = binder_outcome(x, math.nan)  # a CEL double, never a fact
    assert nan_ok and math.isnan(nan) and engine_reasons(x, math.nan)[1] == ["not_finite"]
    s = FactDecl("s", "s", "string", enum=("a", "b"))
    assert binder_outcome(s, "c")[1].startswith("`s`: 'c' is not one of")
    assert engine_reasons(s, "c")[1] == ["enum"]
