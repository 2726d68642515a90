"""The sooner constructors of AST nodes (``ast.new_<kind>``) and of spans
(``core.diagnostics.new_span``) build what the frozen dataclasses' own constructors build:
the same class, every field (span and type included), equality, hash, repr, and refusal of
assignment."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any, Callable

import pytest
from hypothesis import given, settings

from policyengine.core.diagnostics import Span, new_span
from policyengine.core.errors import ExpressionError
from policyengine.expr import ast
from policyengine.expr.parser import parse_expression

from .test_fast_parser import EXPRESSIONS

X, Y, Z = ast.Name("x", span=(0, 1)), ast.Literal(2, "int", span=(4, 5)), ast.Name("z")

CASES: list[tuple[Callable[..., Any], type, tuple[Any, ...]]] = [
    (ast.new_literal, ast.Literal, ("a", "string", (1, 4), "T")),
    (ast.new_literal, ast.Literal, (1.5, "double", None, None)),
    (ast.new_name, ast.Name, ("amount", (0, 6), "double")),
    (ast.new_binary, ast.Binary, ("&&", X, Y, (0, 5), "bool")),
    (ast.new_select, ast.Select, (X, "tier", True, (0, 9), None)),
    (ast.new_unary, ast.Unary, ("!", X, (0, 2), "bool")),
    (ast.new_index, ast.Index, (X, Y, (0, 6), None)),
    (ast.new_ternary, ast.Ternary, (X, Y, Z, (0, 9), "int")),
    (ast.new_list_lit, ast.ListLit, ((X, Y), (0, 8), None)),
    (ast.new_call, ast.Call, ("size", (X,), None, (0, 7), "int")),
    (ast.new_call, ast.Call, ("startsWith", (Y,), X, (0, 7), "bool")),
]


@pytest.mark.parametrize("make, cls, args", CASES)
def test_a_new_node_is_the_node_its_constructor_builds(make: Callable[..., Any], cls: type,
                                                       args: tuple[Any, ...]) -> None:
    made, reference = make(*args), cls(*args)
    assert type(made) is cls
    assert made == reference and hash(made) == hash(reference) and repr(made) == repr(reference)
    for f in dataclasses.fields(cls):
        assert getattr(made, f.name) == getattr(reference, f.name), f.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.span = (9, 9)
    assert pickle.loads(pickle.dumps(made)) == reference
    assert dataclasses.replace(made, span=(7, 8)).span == (7, 8)


def test_every_constructor_is_checked() -> None:
    assert {make.__name__ for make, _, _ in CASES} == {
        name for name in vars(ast) if name.startswith("new_")}


def test_retyped_is_rebuild_for_every_kind() -> None:
    nodes = [cls(*args) for _, cls, args in CASES] + [
        ast.MapLit(((Y, X),), span=(0, 7)), ast.Comprehension("all", X, "v", Y, None, (0, 9))]
    for node in nodes:
        kids = ast.children(node)
        made, reference = ast.retyped(node, kids, "T"), ast.rebuild(node, kids, type="T")
        assert type(made) is type(reference) and made == reference
        assert (made.span, made.type) == (reference.span, reference.type) == (node.span, "T")


def test_a_new_span_is_the_span_its_constructor_builds() -> None:
    made, reference = new_span("a.yaml", 1, 2, 3, 4), Span("a.yaml", 1, 2, 3, 4)
    assert type(made) is Span
    assert made == reference and hash(made) == hash(reference) and repr(made) == repr(reference)
    assert str(made) == "a.yaml:1:2"
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.line = 5  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(made)) == reference


@settings(max_examples=200)
@given(EXPRESSIONS)
def test_shape_is_height_size_and_loops(text: str) -> None:
    """``ast.shape`` (one walk, binary nodes without the list of children) is the tree's
    height, its number of nodes and whether it holds a comprehension."""
    try:
        tree = parse_expression(text)
    except ExpressionError:
        return
    nodes = list(ast.walk(tree))
    assert ast.shape(tree) == (ast.depth(tree), len(nodes),
                               any(type(n) is ast.Comprehension for n in nodes))
