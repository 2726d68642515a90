"""The compiled validity check (``load/schema_check.py``, issue 14: load speed) answers as
jsonschema does: valid exactly when jsonschema finds no error, for every rulebook of the
repository, for damaged copies of them and for random damage drawn by hypothesis; its equality
and uniqueness agree with jsonschema's own helpers."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import _utils

from policyengine.load import parse_document
from policyengine.load.schema import _fast_check, inline_refs, load_schema, validate
from policyengine.load.schema_check import compile_check, equal, unique

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("policies/*.yaml"), *ROOT.glob("tests/golden/**/*.yaml")])


def _documents() -> list[Any]:
    """Every rulebook-like document of the repository, as the loader composes it."""
    docs = []
    for path in FILES:
        doc = parse_document(path.read_bytes(), str(path))
        if isinstance(doc.data, dict) and "policy" in doc.data:
            docs.append(doc.data)
    return docs


DOCS = _documents()
SMALL = sorted(DOCS, key=lambda d: len(str(d)))[:6]
SCHEMA = load_schema("policy")
VALIDATOR = jsonschema.validators.validator_for(SCHEMA)(SCHEMA)  # the schema as written
CHECK = compile_check(inline_refs(SCHEMA))


def _valid(doc: Any) -> bool:
    return next(iter(VALIDATOR.iter_errors(doc)), None) is None


def test_the_rulebook_schema_compiles() -> None:
    assert CHECK is not None and _fast_check("policy") is not None
    assert len(DOCS) >= 10 and any(_valid(d) for d in DOCS) and not all(_valid(d) for d in DOCS)


def test_every_repository_rulebook_gets_jsonschemas_answer() -> None:
    assert CHECK is not None
    for doc in DOCS:
        assert CHECK(doc) == _valid(doc)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, path + (k,)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, path + (i,)))
    return out


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([0.0, 1.0, 2.5, -1.0, 1e300]),
    st.sampled_from(["", "x", "X Y", "5bd", "0d", "10w", "2026-01-01", "2026-13-01", "1.0.0",
                     "frontline", "regional", "string", "double", "int", "map", "list", "bool",
                     "commercial", "amount > 0.0", "true", "a.b", "_a", "9a", "internal"]))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(
        st.sampled_from(["id", "title", "type", "when", "level", "otherwise", "x", "enum",
                         "items", "fields", "min", "max"]), inner, max_size=3)), max_leaves=6)


@st.composite
def _damaged(draw: Any) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(SMALL)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if action == "replace":
            parent[path[-1]] = draw(_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "when", "id", "enum", "min"]))] = draw(_VALUES)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return doc


@settings(max_examples=150)
@given(_damaged())
def test_damaged_rulebooks_get_jsonschemas_answer(doc: Any) -> None:
    assert CHECK is not None
    assert CHECK(doc) == _valid(doc)


def test_each_top_level_section_damaged_gets_jsonschemas_answer() -> None:
    assert CHECK is not None
    for doc in SMALL:
        for key in doc:
            for bad in (None, 3, "x", [], {}, [{}], {"x": 1}):
                changed = copy.deepcopy(doc)
                changed[key] = bad
                assert CHECK(changed) == _valid(changed), (key, bad)


_JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2, 2),
                               st.sampled_from([0.0, 1.0, -0.0, 2.5]), st.sampled_from(["", "a"])),
                     lambda inner: st.one_of(st.lists(inner, max_size=3),
                                             st.dictionaries(st.sampled_from("ab"), inner,
                                                             max_size=2)), max_leaves=8)


@settings(max_examples=300)
@given(_JSON, _JSON)
def test_equality_is_jsonschemas(one: Any, two: Any) -> None:
    assert equal(one, two) == _utils.equal(one, two)


@settings(max_examples=300)
@given(st.lists(_JSON, max_size=5))
def test_uniqueness_is_jsonschemas(items: list[Any]) -> None:
    assert unique(items) == _utils.uniq(items)


@pytest.mark.parametrize("schema", [
    {"type": "object", "patternProperties": {"^a": {"type": "string"}}},
    {"format": "date"}, {"$dynamicRef": "#x"}, {"properties": {"a": {"$id": "other"}}},
    {"$ref": "https://example.com/schema"}, {"type": "money"},
    {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},
])
def test_what_is_not_implemented_is_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert compile_check(schema) is None


def test_validate_gives_the_same_diagnostics_on_either_path(monkeypatch: Any) -> None:
    """The schema stage's findings (the YAML 1.1 readings included) and the coerced data are
    the same whether the compiled check answers or jsonschema alone does."""
    import policyengine.load.schema as schema_module

    texts = [path.read_bytes() for path in FILES]
    texts.append(b"policy: {id: p, title: T, version: 1.0.0, effective: 2026-01-01, owner: 010}")
    fast, slow = [], []
    for raw in texts:
        doc = parse_document(raw, "r.yaml")
        if isinstance(doc.data, dict) and doc.sourcemap is not None:
            data = copy.deepcopy(doc.data)
            fast.append((validate(data, doc.sourcemap), data))
    monkeypatch.setattr(schema_module, "_fast_check", lambda name: None)
    for raw in texts:
        doc = parse_document(raw, "r.yaml")
        if isinstance(doc.data, dict) and doc.sourcemap is not None:
            data = copy.deepcopy(doc.data)
            slow.append((validate(data, doc.sourcemap), data))
    assert fast == slow and any(not d for d, _ in fast) and any(d for d, _ in fast)
