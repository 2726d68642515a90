"""``compile_analysis`` decides whether to instrument an expression with the step budget from
one walk of its tree (issue 14: load speed): without a comprehension the cost model's worst case
is one step per node. That shortcut must be the cost model's own answer; likewise the checker's
quick typed copies must be ``ast.rebuild``'s."""

from __future__ import annotations

from hypothesis import given, settings

from policyengine.expr import analyze
from policyengine.expr.cost import estimate
from policyengine.expr import ast

from .test_fast_parser import EXPRESSIONS


@settings(max_examples=300)
@given(EXPRESSIONS)
def test_without_a_comprehension_the_worst_case_is_the_number_of_nodes(text: str) -> None:
    analysis = analyze(text, check=False)
    if analysis.ast is None:
        return
    height, nodes, loops = ast.shape(analysis.ast)
    assert height == ast.depth(analysis.ast)
    assert nodes == sum(1 for _ in ast.walk(analysis.ast))
    assert loops == any(type(n) is ast.Comprehension for n in ast.walk(analysis.ast))
    if not loops:
        assert estimate(analysis.ast).high == nodes


def test_a_comprehension_is_seen() -> None:
    analysis = analyze("[1, 2].exists(x, x > 1) && true", check=False)
    assert ast.shape(analysis.ast) == (4, 9, True)


@settings(max_examples=200)
@given(EXPRESSIONS)
def test_the_typed_copy_is_rebuild_s(text: str) -> None:
    """``ast.retyped`` (the checker's typed copies, issue 14) is ``ast.rebuild(type=...)``."""
    analysis = analyze(text, check=False)
    if analysis.ast is None:
        return
    for node in ast.walk(analysis.ast):
        kids = ast.children(node)
        a, b = ast.retyped(node, kids, "T"), ast.rebuild(node, kids, type="T")
        assert type(a) is type(b) and a == b and a.span == b.span and a.type == b.type == "T"
