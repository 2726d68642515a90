"""The rulebook schema with its references inlined (``schema.inline_refs``, issue 14: load
speed) validates exactly as the schema as written: the same errors, at the same places, for
every rulebook of the repository and for damaged copies of them."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from policyengine.load.schema import inline_refs, load_schema

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("policies/*.yaml"), *ROOT.glob("tests/golden/**/*.yaml")])
#: PyYAML's C loader where it is built (the same data as SafeLoader, several times faster)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=None)
def _documents() -> list[Any]:
    """The rulebooks of the repository, read once (the tests below only read them)."""
    docs = []
    for path in FILES:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
        except (yaml.YAMLError, UnicodeDecodeError, ValueError):
            continue
        if isinstance(data, dict) and "policy" in data:
            docs.append(data)
    return docs


def _damaged(doc: dict[str, Any]) -> list[Any]:
    """Copies with a wrong value in each kind of place a reference leads to."""
    out = []
    for key, bad in (("policy", {"id": "Not An Id", "title": 3, "version": [],
                                 "effective": "someday"}),
                     ("categories", [{"id": "x y", "title": "", "when": 5,
                                      "thresholds": [{"when": [], "level": "?"}]}]),
                     ("ladder", {"levels": [{"id": "a", "title": "A", "role": "r",
                                             "decide_within": "soon", "extra": 1}]}),
                     ("facts", {"amount": {"type": "money", "min": "0"}}),
                     ("remedies", [{"id": "r", "action": 3, "sunset": "1y"}])):
        changed = copy.deepcopy(doc)
        changed[key] = bad
        out.append(changed)
    return out


def _errors(validator: Any, doc: Any) -> list[tuple[Any, ...]]:
    return sorted((tuple(map(str, e.absolute_path)), str(e.validator), e.message)
                  for e in validator.iter_errors(doc))


def test_the_repository_has_rulebooks_to_compare() -> None:
    assert len(_documents()) >= 10


@pytest.mark.parametrize("name", ["policy"])
def test_inlined_schema_validates_as_the_schema_as_written(name: str) -> None:
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    written, inlined = cls(schema), cls(inline_refs(schema))
    docs = _documents()
    small = sorted(docs, key=lambda d: len(str(d)))[:8]  # the damaged copies: a few small ones
    for doc in docs:
        for candidate in [doc, *(_damaged(doc) if any(doc is s for s in small) else [])]:
            assert _errors(inlined, candidate) == _errors(written, candidate)


def test_only_references_to_themselves_remain() -> None:
    import json

    schema = load_schema("policy")
    body = {k: v for k, v in inline_refs(schema).items() if k != "$defs"}
    assert json.dumps(body).count('"$ref"') <= 2  # a fact's `fields` are facts
