"""``compile_analysis`` decides whether to instrument an expression with the step budget from
one walk of its tree (issue 14: load speed): without a comprehension the cost model's worst case
is one step per node. That shortcut must be the cost model's own answer."""

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
