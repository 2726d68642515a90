"""The sooner constructors of the model's most numerous nodes (``model.nodes.new_expression``,
``new_band``, ``new_category``; issue 14: load speed) build what the frozen dataclasses' own
constructors build: the same class, every field (spans and paths included), equality, hash,
repr, and refusal of assignment."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any, Callable

import pytest

from policyengine.core.diagnostics import Span
from policyengine.model import nodes

SPAN = Span("r.yaml", 3, 5, 3, 20)
WHEN = nodes.Expression("amount > 1.0", "amount > 1.0", "when", "categories.c", SPAN,
                        range(7, 20), None)
BAND = nodes.Band(0, "frontline", WHEN, SPAN, ("categories", 0, "thresholds", 0))

CASES: list[tuple[Callable[..., Any], type, tuple[Any, ...]]] = [
    (nodes.new_expression, nodes.Expression,
     ("amount > 1.0", "amount > 1.0", "when", "categories.c", SPAN, range(7, 20), "analysis")),
    (nodes.new_expression, nodes.Expression, ("a", "a", "amount", "remedies.r", None, None, None)),
    (nodes.new_band, nodes.Band, (0, "frontline", WHEN, SPAN, ("categories", 0))),
    (nodes.new_band, nodes.Band, (2, "executive", None, None, None)),
    (nodes.new_category, nodes.Category,
     ("c", "Category", "commercial", "internal", WHEN, (BAND,), ("hold",), "text", True, SPAN,
      ("categories", 0))),
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
        made.span = None
    assert pickle.loads(pickle.dumps(made)) == reference


@pytest.mark.parametrize("make, cls", [(nodes.new_expression, nodes.Expression),
                                       (nodes.new_band, nodes.Band),
                                       (nodes.new_category, nodes.Category)])
def test_the_defaults_are_the_constructors(make: Callable[..., Any], cls: type) -> None:
    required = [f for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    args = [f"v{i}" for i in range(len(required))]
    made, reference = make(*args), cls(*args)
    for f in dataclasses.fields(cls):
        assert getattr(made, f.name) == getattr(reference, f.name), f.name
