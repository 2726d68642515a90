"""docs/rulebook.md cannot drift from schemas/policy.schema.json: every key the schema defines,
and every value of its enumerations, is named in the reference (as `code`); and every snippet
of the reference is YAML that parses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from policyengine.load.schema import load_schema

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = (ROOT / "docs" / "rulebook.md").read_text("utf-8")


def _walk(node, found: dict[str, set]) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for name in item.get("properties", {}):
                found["keys"].add(name)
            if isinstance(item.get("enum"), list):
                found["values"].update(str(v) for v in item["enum"])
            stack.extend(v for k, v in item.items() if k != "examples")  # not schema
        elif isinstance(item, list):
            stack.extend(item)


def _schema_names() -> dict[str, set]:
    found: dict[str, set] = {"keys": set(), "values": set()}
    _walk(load_schema("policy"), found)
    return found


def _code_spans(text: str) -> set[str]:
    return set(re.findall(r"`([^`\n]+)`", text))


def test_every_schema_key_is_documented():
    names = _schema_names()["keys"]
    assert len(names) > 30
    spans = _code_spans(REFERENCE)
    missing = sorted(n for n in names if n not in spans
                     and not any(re.search(rf"\b{re.escape(n)}\b", s) for s in spans))
    assert not missing, f"keys of the schema not described in docs/rulebook.md: {missing}"


def test_every_enumerated_value_is_documented():
    spans = _code_spans(REFERENCE)
    missing = sorted(v for v in _schema_names()["values"] if v not in spans)
    assert not missing, f"enum values of the schema not named in docs/rulebook.md: {missing}"


def test_every_top_level_section_has_its_own_heading():
    headings = re.findall(r"^## `([a-z_]+)`", REFERENCE, re.M)
    assert headings == list(load_schema("policy")["properties"])


def test_description_keys_are_where_the_reference_says():
    schema = load_schema("policy")["$defs"]
    for name in ("metadata", "fact", "level", "action", "category", "remedy"):
        assert "description" in schema[name]["properties"], name


def test_yaml_snippets_parse():
    for snippet in re.findall(r"```yaml\n(.*?)```", REFERENCE, re.S):
        yaml.safe_load(snippet)
