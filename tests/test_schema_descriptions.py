"""schemas/policy.schema.json's descriptions are written from docs/rulebook.md by
scripts/schema_descriptions.py: regenerating them changes nothing, every node an editor shows
has a description (plain and Markdown), every key and definition an example; the draft-07 copy
for editors accepts and refuses what the schema does."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import schema_descriptions  # noqa: E402

SCHEMA = json.loads((ROOT / "schemas" / "policy.schema.json").read_text("utf-8"))
DRAFT7 = json.loads((ROOT / "schemas" / "policy.draft-07.schema.json").read_text("utf-8"))


def nodes(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(where, node, is a key or a definition): the root, every definition, every property,
    and the subschemas of items, map values and map keys. The branches of oneOf/allOf/if
    only constrain; editors do not show them."""
    stack: list[tuple[str, Any, bool]] = [("", schema, False)]
    for name, sub in schema.get("$defs", {}).items():
        stack.append((f"$defs.{name}", sub, True))
    while stack:
        where, node, keyed = stack.pop()
        if not isinstance(node, dict):
            continue
        yield where or "(root)", node, keyed
        for key, sub in (node.get("properties") or {}).items():
            stack.append((f"{where}.{key}", sub, True))
        for kw in ("items", "additionalProperties", "propertyNames"):
            if isinstance(node.get(kw), dict):
                stack.append((f"{where}[{kw}]", node[kw], False))


def test_regenerating_the_descriptions_changes_nothing():
    main_text, draft_text = schema_descriptions.generate()
    assert main_text == (ROOT / "schemas" / "policy.schema.json").read_text("utf-8"), \
        "run python scripts/schema_descriptions.py"
    assert draft_text == (ROOT / "schemas" / "policy.draft-07.schema.json").read_text("utf-8")


def test_every_node_has_a_description_and_every_key_an_example():
    seen = list(nodes(SCHEMA))
    assert len(seen) > 90
    missing = [w for w, n, _ in seen
               if not n.get("description") or not n.get("markdownDescription")]
    assert not missing, f"nodes without a description: {missing}"
    no_example = [w for w, n, keyed in seen if keyed and not n.get("examples")
                  and w not in NO_EXAMPLE]
    assert not no_example, f"keys and definitions without an example: {no_example}"


# keys no snippet of docs/rulebook.md and no bundled example sets (free text, an optional
# entry level): an example would be invented, not quoted
NO_EXAMPLE = {".actions", ".authority", ".overrides", "$defs.metadata.description",
              "$defs.ladder.entry", "$defs.level.description", "$defs.action.description",
              "$defs.category.description", "$defs.remedy.description",
              "$defs.fact.items", "$defs.fact.max", "$defs.fact.fields",
              # merged from the calendar and ledger work: no snippet of the reference sets
              # them yet (a region's keys repeat the calendar's, which have examples)
              "$defs.fact.sensitive", ".calendar"} | {
    f"$defs.calendar.regions[additionalProperties].{k}"
    for k in ("roll", "weekend", "closed", "holidays", "timezone")}


def test_examples_are_valid_where_they_stand():
    defs = SCHEMA["$defs"]
    validator = jsonschema.Draft202012Validator
    for name, node in defs.items():
        for example in node.get("examples", []):
            validator({**node, "$defs": defs}).validate(example)


def test_the_draft_07_copy_decides_like_the_schema():
    jsonschema.Draft7Validator.check_schema(DRAFT7)
    assert "$defs" not in json.dumps(DRAFT7)
    new = jsonschema.Draft202012Validator(SCHEMA)
    old = jsonschema.Draft7Validator(DRAFT7)
    docs = [yaml.safe_load(p.read_text("utf-8")) for p in sorted((ROOT / "policies").glob("*.yaml"))
            if not p.name.endswith(".test.yaml")]
    broken = [dict(docs[0], extra=1), dict(docs[0], ladder={"levels": []}),
              dict(docs[0], policy=dict(docs[0]["policy"], version="three"))]
    for doc in docs + broken:
        doc = json.loads(json.dumps(doc, default=str))
        assert new.is_valid(doc) == old.is_valid(doc)
    assert all(new.is_valid(json.loads(json.dumps(d, default=str))) for d in docs)
    assert not any(new.is_valid(json.loads(json.dumps(d, default=str))) for d in broken)
