"""The one visitor (policyengine/expr/visitor.py): every walker handles every node kind, and
deep trees go through every walker without Python recursion."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import policyengine
from policyengine.analysis.domain import BOTTOM, Domains
from policyengine.expr import ast
from policyengine.expr.check import _Checker
from policyengine.expr.compile import _Generator
from policyengine.expr.cost import estimate
from policyengine.expr.environment import Environment
from policyengine.expr.interpret import interpret
from policyengine.expr.printer import print_expression
from policyengine.expr.types import BOOL
from policyengine.expr.visitor import KINDS, Fold, Interpreter, method_name, missing_methods
from policyengine.render.plain_words import Vocabulary, _Words, condition_words

DEEP = 10_000

#: walkers that must exist (so the coverage test below cannot pass by finding none)
EXPECTED = {
    "policyengine.expr.check._Checker",
    "policyengine.expr.compile._Generator",
    "policyengine.expr.printer._Printer",
    "policyengine.expr.cost._Estimator",
    "policyengine.expr.cost._Sizes",
    "policyengine.expr.interpret._Interpreter",
    "policyengine.analysis.domain._Regions",
    "policyengine.render.plain_words._Words",
}


def _all_walkers() -> list[type]:
    root = Path(policyengine.__file__).parent
    for path in sorted(root.rglob("*.py")):  # every module that builds on the visitor base
        if "visitor import" in path.read_text("utf-8"):
            parts = path.relative_to(root.parent).with_suffix("").parts
            importlib.import_module(".".join(parts))
    found: list[type] = []
    stack: list[type] = [Fold, Interpreter]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("policyengine."):
                found.append(sub)
    return found


def test_kinds_name_every_node_class_of_the_ast():
    classes = {obj for obj in vars(ast).values()
               if isinstance(obj, type) and obj.__module__ == ast.__name__}
    assert classes == set(ast.NODE_TYPES) == set(KINDS)
    assert len(set(KINDS.values())) == len(KINDS)
    for cls in ast.NODE_TYPES:  # both bases declare one method per kind
        assert callable(getattr(Fold, method_name(cls)))
        assert callable(getattr(Interpreter, method_name(cls)))


def test_every_walker_handles_every_node_kind():
    walkers = _all_walkers()
    names = {f"{w.__module__}.{w.__qualname__}" for w in walkers}
    assert EXPECTED <= names, EXPECTED - names
    lacking = {f"{w.__module__}.{w.__qualname__}": missing_methods(w) for w in walkers}
    assert {name: m for name, m in lacking.items() if m} == {}


def test_a_walker_lacking_a_kind_is_named():
    class Partial(Fold[None, int]):
        def visit_literal(self, node: ast.Literal, kids: tuple[int, ...], scope: None) -> int:
            return 1

    assert "visit_name" in missing_methods(Partial)
    assert "visit_literal" not in missing_methods(Partial)
    with pytest.raises(NotImplementedError, match="Partial has no visit_name"):
        Partial().fold(ast.Name("x"), None)


def test_fold_binds_the_comprehension_scope_after_the_target():
    seen: list[Any] = []

    class Depth(Fold[int, str]):
        def bind(self, node: ast.Comprehension, target: str, scope: int) -> int:
            seen.append(target)
            return scope + 1

        def _leaf(self, node: Any, kids: tuple[str, ...], scope: int) -> str:
            return f"{type(node).__name__}@{scope}"

        visit_literal = visit_name = _leaf

        def _node(self, node: Any, kids: tuple[str, ...], scope: int) -> str:
            return f"{type(node).__name__}@{scope}({','.join(kids)})"

        visit_select = visit_index = visit_call = visit_unary = visit_binary = _node
        visit_ternary = visit_list_lit = visit_map_lit = _node

        def visit_comprehension(self, node: ast.Comprehension, kids: tuple[str, ...],
                                scope: int, inner: int) -> str:
            return f"C@{scope}/{inner}({','.join(kids)})"

    tree = ast.Comprehension("map", ast.Name("xs"), "x", ast.Name("x"), ast.Literal(True))
    assert Depth().fold(tree, 0) == "C@0/1(Name@0,Literal@1,Name@1)"
    assert seen == ["Name@0"]


# --- deep trees: built directly as AST (the parser has its own depth bound) --------------------
def _chain(op: str, leaf: ast.Node, n: int) -> ast.Node:
    node = leaf
    for _ in range(n):
        node = ast.Binary(op, leaf, node)
    return node


def _nots(leaf: ast.Node, n: int) -> ast.Node:
    node = leaf
    for _ in range(n):
        node = ast.Unary("!", node)
    return node


def _nested_all(n: int) -> ast.Node:
    """``[1].all(x, [1].all(x, ... x == 1))``: every level binds ``x`` again."""
    body: ast.Node = ast.Binary("==", ast.Name("x"), ast.Literal(1))
    for _ in range(n):
        body = ast.Comprehension("all", ast.ListLit((ast.Literal(1),)), "x", body)
    return body


ENV = Environment.from_declarations({"a": {"type": "bool"}, "xs": {"type": "list",
                                                                    "items": {"type": "int"}}})


def test_deep_trees_print():
    assert print_expression(_nots(ast.Name("a"), DEEP)) == "!" * DEEP + "a"
    text = print_expression(_chain("||", ast.Name("a"), DEEP))
    assert text == "a || (" * (DEEP - 1) + "a || a" + ")" * (DEEP - 1)
    assert print_expression(_nested_all(DEEP)).count(".all(x, ") == DEEP


def test_deep_trees_check():
    for tree in (_chain("&&", ast.Name("a"), DEEP), _nots(ast.Name("a"), DEEP),
                 _nested_all(DEEP)):
        checker = _Checker("", ENV, True)
        typed = checker.run(tree)
        assert typed.type == BOOL and checker.issues == []
    checker = _Checker("", ENV, True)
    checker.run(_chain("&&", ast.Name("a"), DEEP))
    assert checker.reads == {"a"}


def test_deep_trees_generate_code():
    gen = _Generator("_pe_test_", ENV)
    src = gen.generate(_chain("&&", ast.Name("a"), DEEP))
    assert src.count("f['a']") == DEEP + 1
    gen = _Generator("_pe_test_", ENV)
    assert gen.generate(_nested_all(DEEP)).count("lambda v") == DEEP


def test_deep_trees_interpret():
    assert interpret(_chain("&&", ast.Name("a"), DEEP), {"a": True}) is True
    assert interpret(_nots(ast.Name("a"), DEEP), {"a": True}) is True  # an even number of !
    assert interpret(_nested_all(DEEP), {}) is True


def test_deep_trees_cost():
    assert estimate(_chain("&&", ast.Name("a"), DEEP)).high == 2 * DEEP + 1
    assert estimate(_nested_all(DEEP)).high > 0
    # a deep target: its size comes from the `+` chain and the declaration under a deep select
    plus = _chain("+", ast.Name("xs"), DEEP)
    cost = estimate(ast.Comprehension("all", plus, "x", ast.Literal(True)),
                    {"xs": {"type": "list", "max_items": 3, "items": {"type": "int"}}})
    assert cost.high == 1 + (2 * DEEP + 1) + 3 * (DEEP + 1) * 1
    select: ast.Node = ast.Name("m")
    for _ in range(DEEP):
        select = ast.Select(select, "m")
    assert estimate(ast.Comprehension("all", select, "x", ast.Literal(True))).assumed


def test_deep_trees_regions():
    domains = Domains(SimpleNamespace(facts=[]))
    assert domains._walk(_nots(ast.Literal(True), DEEP)) == ({}, BOTTOM)
    assert domains._walk(_nots(ast.Literal(True), DEEP + 1)) == (BOTTOM, {})
    assert domains._walk(_chain("||", ast.Literal(False), DEEP)) == (BOTTOM, {})


def test_deep_trees_in_plain_words():
    words = _Words(Vocabulary())
    assert words.cond(_chain("&&", ast.Name("a"), DEEP)).count("a applies") == DEEP + 1
    assert words.cond(_nots(ast.Name("a"), DEEP)) == "a applies"
    assert words.cond(_nots(ast.Name("a"), DEEP + 1)) == "a does not apply"
    # the public functions quote what is too deep to read, as before
    assert condition_words(_nots(ast.Name("a"), DEEP), Vocabulary()).startswith("the condition")


def test_a_field_of_a_comprehension_variable_is_quoted_in_plain_words():
    env = Environment.from_declarations(
        {"items": {"type": "list", "items": {"type": "map", "fields": {"ok": {"type": "bool"}}}}})
    checker = _Checker("", env, True)
    tree = checker.run(ast.Comprehension("all", ast.Name("items"), "x",
                                         ast.Select(ast.Name("x"), "ok")))
    assert checker.issues == []
    assert condition_words(tree, Vocabulary()) == \
        "every item of the items is such that \u201cx.ok\u201d is true"
