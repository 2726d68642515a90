"""The generated facts check agrees with the closure checker of facts.py (issue 14).

For declarations and disputes drawn by hypothesis (valid facts, facts just outside their
bounds, texts and lists over their ``max_length``/``max_items`` or the default bounds, lone
surrogates, wrong types, missing and undeclared keys, names with quotes and newlines), the
generated function returns the same normalized facts and the same problems; and its source
holds a fact name only as a ``repr`` string literal."""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policyengine.model.facts import fields_checker
from policyengine.compile.facts_check import compile_fields_checker
from policyengine.core.limits import DEFAULT_MAX_ITEMS, DEFAULT_MAX_LENGTH
from policyengine.model.nodes import FactDecl

NAMES = st.one_of(st.sampled_from(["kind", "amount", "tier", "n", "x"]),
                  st.text(min_size=1, max_size=8))
SCALAR = st.sampled_from(["string", "int", "double", "bool"])


@st.composite
def decl(draw: Any, depth: int = 0, name: str | None = None) -> FactDecl:
    name = name if name is not None else draw(NAMES)
    kinds = ["string", "int", "double", "bool"] + (["map", "list"] if depth < 2 else [])
    t = draw(st.sampled_from(kinds))
    if t == "map":
        names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
        fields = tuple(sorted((draw(decl(depth + 1, n)) for n in names), key=lambda f: f.name))
        return FactDecl(name, name, "map", fields=fields)
    if t == "list":
        return FactDecl(name, name, "list", items=draw(decl(depth + 1, "item")),
                        max_items=draw(st.none() | st.integers(0, 3)))
    enum = lo = hi = max_length = None
    if t == "string":
        max_length = draw(st.none() | st.integers(0, 4))
    if t == "string" and draw(st.booleans()):
        enum = tuple(draw(st.lists(st.text(max_size=3), min_size=1, max_size=3, unique=True)))
    if t == "int":
        if draw(st.booleans()):
            enum = tuple(draw(st.lists(st.integers(-3, 3), min_size=1, max_size=3,
                                       unique=True)))
        lo = draw(st.none() | st.integers(-5, 5))
        hi = draw(st.none() | st.integers(5, 10))
    if t == "double":
        lo = draw(st.none() | st.floats(-5, 5))
        hi = draw(st.none() | st.floats(5, 10))
    has_default = draw(st.booleans())
    default = None
    if has_default:
        default = {"string": enum[0] if enum else "d", "int": enum[0] if enum else 5,
                   "double": 5.0, "bool": False}[t]
    return FactDecl(name, name, t, enum=enum, min=lo, max=hi, has_default=has_default,
                    default=default, max_length=max_length)


def value_for(d: FactDecl) -> st.SearchStrategy:
    wrong = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70),
                      st.floats(allow_nan=True), st.text(max_size=3), st.just([1]),
                      st.just({"k": 1}))
    if d.type == "map":
        good = st.fixed_dictionaries({}, optional={f.name: value_for(f) for f in d.fields})
        extra = st.dictionaries(NAMES, st.integers(), max_size=1)
        return st.one_of(good, st.builds(lambda a, b: {**b, **a}, good, extra), wrong)
    if d.type == "list":
        bound = d.max_items if d.max_items is not None else DEFAULT_MAX_ITEMS
        return st.one_of(st.lists(value_for(d.items), max_size=4), wrong,
                         st.just([0] * (bound + 1)),  # one item over the bound, declared or not
                         st.just([0] * bound))
    good: st.SearchStrategy = {
        "string": st.sampled_from(d.enum) if d.enum else st.one_of(
            st.text(max_size=6),  # over a declared max_length of 0..4 or within it
            st.sampled_from(["\ud800", "a\udfff", "\u00e9\ud83d"]),  # lone surrogates
            st.just("x" * (DEFAULT_MAX_LENGTH + 1)) if d.max_length is None
            else st.just("x" * (d.max_length + 1)),
            st.just("x" * (d.max_length if d.max_length is not None else DEFAULT_MAX_LENGTH))),
        "int": st.sampled_from(d.enum) if d.enum else st.integers(-12, 12),
        "double": st.one_of(st.floats(-12, 12), st.integers(-12, 12),
                            st.just(math.inf), st.just(2 ** 1100)),
        "bool": st.booleans()}[d.type]
    return st.one_of(good, good, wrong)


@st.composite
def case(draw: Any) -> tuple[tuple[FactDecl, ...], dict]:
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    decls = tuple(sorted((draw(decl(0, n)) for n in names), key=lambda f: f.name))
    dispute = draw(st.fixed_dictionaries({}, optional={d.name: value_for(d) for d in decls}))
    if draw(st.integers(0, 5)) == 0:
        dispute[draw(NAMES)] = 1
    if draw(st.booleans()):
        dispute["escalation"] = {"level": "x"}  # a reserved key is not an undeclared fact
    return decls, dispute


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_generated_check_agrees_with_the_closures(c: tuple[tuple[FactDecl, ...], dict]) -> None:
    decls, dispute = c
    reserved = frozenset({"escalation", "remedies_in_force", "as_of"})
    slow = fields_checker(decls, reserved=reserved)
    fast = compile_fields_checker(decls, reserved=reserved)
    p1: list = []
    p2: list = []
    want = slow(dispute, "", p1)
    got = fast(dispute, "", p2)
    assert p2 == p1
    assert got == want
    assert list(got) == list(want)  # same key order too
    if not p1:
        assert repr(got) == repr(want)  # ints widened to doubles alike


_VOCABULARY = re.compile(r"v\d+(_out)?|_c\d+|value(_out)?|prefix|problems|_[A-Za-z0-9]+")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case())
def test_generated_source_uses_only_its_own_names_and_the_declared_keys(
        c: tuple[tuple[FactDecl, ...], dict]) -> None:
    decls, _ = c
    fast = compile_fields_checker(decls)
    tree = ast.parse(fast.python_source)  # type: ignore[attr-defined]

    def names(ds: tuple[FactDecl, ...]) -> set[str]:
        out = {d.name for d in ds}
        for d in ds:
            out |= names(d.fields)
        return out

    declared = names(decls)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert _VOCABULARY.fullmatch(node.id), node.id
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value in declared or node.value == "", node.value
        elif isinstance(node, ast.Constant):
            assert node.value is None or isinstance(node.value, int), node.value
        assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.Lambda, ast.Call)) or (
            isinstance(node, ast.Call) and (
                isinstance(node.func, ast.Name) or (
                    isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "issuperset", "isascii"))
            )), ast.dump(node)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_size_bounds_agree_with_the_closures(data: st.DataObject) -> None:
    """Otherwise valid disputes with one text or list just under, at or over its bound
    (declared, or the default one), alone or inside a map, or with a lone surrogate: the
    generated check refuses exactly what the closures refuse, with the same problems."""
    kind = data.draw(st.sampled_from(["string", "list"]))
    declared = data.draw(st.none() | st.integers(0, 4))
    if kind == "string":
        inner = FactDecl("s", "s", "string", max_length=declared)
        bound = declared if declared is not None else DEFAULT_MAX_LENGTH
    else:
        inner = FactDecl("l", "l", "list", items=FactDecl("item", "item", "int"),
                         max_items=declared)
        bound = declared if declared is not None else DEFAULT_MAX_ITEMS
    size = data.draw(st.integers(max(0, bound - 1), bound + 1))
    value: Any = [1] * size
    if kind == "string":
        value = "x" * size
        if size and data.draw(st.booleans()):
            value = value[:-1] + data.draw(st.sampled_from(["\ud800", "\udfff", "\u00e9"]))
    nested = data.draw(st.booleans())
    decls = (FactDecl("m", "m", "map", fields=(inner,)),) if nested else (inner,)
    dispute = {"m": {inner.name: value}} if nested else {inner.name: value}
    p1: list = []
    p2: list = []
    want = fields_checker(decls)(dispute, "", p1)
    got = compile_fields_checker(decls)(dispute, "", p2)
    assert p2 == p1 and got == want
