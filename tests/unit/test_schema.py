"""schema.py: every JSON Schema error becomes a coded diagnostic at the YAML node, in words a
policy author reads, with a suggestion where one helps."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from policyengine.compile.pipeline import inspect_text
from policyengine.load.schema import describe_path, json_type, load_schema, schema_path

ROOT = Path(__file__).resolve().parents[2]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
REGIONAL_DECIDE = "      decide_within: 10bd\n"


def edit(*pairs: tuple[str, str]) -> str:
    text = CLEAN
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def diagnostics(text: str):
    return inspect_text(text, "t.yaml").diagnostics


def only(text: str, code: str):
    found = [d for d in diagnostics(text) if d.code == code]
    assert len(found) == 1, [d.format_line() for d in diagnostics(text)]
    return found[0]


def at(text: str, d) -> str:
    """The source text a diagnostic underlines (on its first line)."""
    line = text.splitlines()[d.line - 1]
    end = d.end_column if d.end_line == d.line else len(line) + 1
    return line[d.column - 1:end - 1]


def test_the_schema_is_valid_draft_2020_12():
    schema = load_schema("policy")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.loads(schema_path("policy").read_text("utf-8")) == schema


def test_bundled_policies_are_schema_valid():
    paths = [p for p in sorted((ROOT / "policies").glob("*.yaml"))
             if not p.name.endswith(".test.yaml")]
    assert len(paths) >= 3
    for path in paths:
        result = inspect_text(path.read_text("utf-8"), path.name)
        assert result.policy is not None and result.diagnostics == [], path.name
    validator = jsonschema.Draft202012Validator(load_schema("policy"))
    assert validator.is_valid({"policy": {}}) is False


def test_unknown_top_level_key_suggests_the_nearest():
    text = edit(("categories:\n", "categoreis:\n"))
    d = only(text, "PE101")
    assert d.message == "unknown key `categoreis`"
    assert d.hint == "did you mean `categories`?"
    assert at(text, d) == "categoreis"
    missing = only(text, "PE102")
    assert missing.message == "missing key `categories`"
    assert missing.hint == f"is `categoreis` (line {d.line}) meant to be `categories`?"


def test_unknown_nested_key_names_its_context():
    text = edit((REGIONAL_DECIDE, REGIONAL_DECIDE + "      advisroy: true\n"))
    d = only(text, "PE101")
    assert d.message == "level `regional`: unknown key `advisroy`"
    assert d.hint == "did you mean `advisory`?"
    assert at(text, d) == "advisroy"


def test_unknown_key_without_a_near_miss_lists_the_allowed_keys():
    text = edit(("  owners: [legal@acme.example]\n",
                 "  owners: [legal@acme.example]\n  zzz: 1\n"))
    d = only(text, "PE101")
    assert d.hint.startswith("allowed keys here: ") and "`expires`" in d.hint


def test_missing_key_points_at_the_element():
    text = edit(("      role: regional_director\n" + REGIONAL_DECIDE,
                 "      role: regional_director\n"))
    d = only(text, "PE102")
    assert d.message == "level `regional`: missing key `decide_within`"
    assert d.hint == "every level needs a decision window, e.g. `decide_within: 10bd`"
    assert text.splitlines()[d.line - 1].strip() == "- id: regional"


@pytest.mark.parametrize("old,new,message,hint", [
    ("  owners: [legal@acme.example]\n", "  owners: legal@acme.example\n",
     "policy: owners: expected a list, found text",
     "write a list, even of one item: `[legal@acme.example]`"),
    (REGIONAL_DECIDE, REGIONAL_DECIDE + "      advisory: 'yes'\n",
     "level `regional`: advisory: expected true or false, found text",
     "write `true` or `false`, without quotes"),
    ("  regional_director: {hold_unilateral: true, price_adjustment: 50000}\n",
     "  regional_director: {hold_unilateral: true, price_adjustment: '50000'}\n",
     "role `regional_director`: price_adjustment: expected true or false or a number, found text",
     None),
    ("    remedies: [hold]\n", "    remedies: hold\n",
     "category `operational`: remedies: expected a list, found text",
     "write a list, even of one item: `[hold]`"),
])
def test_wrong_type(old, new, message, hint):
    d = only(edit((old, new)), "PE103")
    assert d.message == message
    assert d.hint == hint


def test_a_list_where_a_mapping_is_meant():
    text = edit(("authority:\n  account_manager:   {hold_unilateral: true, price_adjustment: 5000}\n"
                 "  regional_director: {hold_unilateral: true, price_adjustment: 50000}\n",
                 "authority:\n  - account_manager: {hold_unilateral: true}\n"))
    d = only(text, "PE103")
    assert d.message == "authority: expected a mapping, found a list"
    assert "not a list" in d.hint


@pytest.mark.parametrize("old,new,message,hint_part", [
    ("decide_within: 10bd", "decide_within: 10 days",
     "level `regional`: decide_within: `10 days` is not a duration", "`Nbd`"),
    ("decide_within: 10bd", "decide_within: 0d",
     "level `regional`: decide_within: `0d` is not a duration", "`5bd`"),
    ("effective: 2026-01-01", "effective: 2026-1-1",
     "policy: effective: `2026-1-1` is not an ISO date (YYYY-MM-DD)", "2026-01-01"),
    ("effective: 2026-01-01", "effective: 2026-13-01",
     "policy: effective: `2026-13-01` is not an ISO date (YYYY-MM-DD)", "YYYY-MM-DD"),
    ("effective: 2026-01-01", "effective: 2026-02-30",
     "policy: effective: `2026-02-30` is not a real date", "real calendar date"),
    ("  - id: pricing\n", "  - id: 1pricing\n",
     "category `1pricing`: id: `1pricing` is not a valid id", "start with a letter"),
    ("version: 1.0.0", "version: v1", "policy: version: `v1` is not a version number", "3.1.0"),
    ("    class: commercial\n", "    class: comercial\n",
     "category `pricing`: class: `comercial` is not one of the allowed values",
     "did you mean `commercial`?"),
    ("price_adjustment: 50000}", "price_adjustment: -1}",
     "role `regional_director`: price_adjustment: `-1` is below the minimum of 0", None),
    ("  owners: [legal@acme.example]\n", "  owners: []\n",
     "policy: owners: the list is empty", None),
])
def test_invalid_values(old, new, message, hint_part):
    d = only(edit((old, new)), "PE104")
    assert d.message == message
    if hint_part is not None:
        assert hint_part in d.hint


@pytest.mark.parametrize("band", [
    "{when: amount > 1.0, otherwise: regional}",
    "{when: amount > 1.0}",
    "{level: regional}",
    "{}",
])
def test_band_shape(band):
    text = edit(("      - {otherwise: regional}\n", f"      - {band}\n"))
    d = only(text, "PE104")
    assert d.message == "category `pricing`: band 2: a band needs `when` and `level`, or " \
                        "`otherwise` alone"
    assert "{otherwise: regional}" in d.hint
    assert at(text, d).startswith("{")


def test_fields_on_a_fact_that_is_not_a_map():
    text = edit(("  amount: {type: double, min: 0, unit: USD}\n",
                 "  amount: {type: double, min: 0, unit: USD, fields: {x: {type: int}}}\n"))
    d = only(text, "PE104")
    assert d.message == "fact `amount`: this key is not allowed for this type"
    assert "`fields` belongs to `type: map` facts" in d.hint


def test_map_fact_without_fields_and_list_without_items():
    text = edit(("  amount: {type: double, min: 0, unit: USD}\n",
                 "  amount: {type: double, min: 0, unit: USD}\n  partner: {type: map}\n"
                 "  tags: {type: list}\n"))
    found = sorted((d.message, d.hint) for d in diagnostics(text) if d.code == "PE102")
    assert found == [
        ("fact `partner`: missing key `fields`", "a `type: map` fact declares its `fields`"),
        ("fact `tags`: missing key `items`",
         "a `type: list` fact declares its `items`, e.g. `items: {type: string}`"),
    ]


def test_root_that_is_not_a_mapping():
    d = only("- policy\n", "PE103")
    assert d.message == "expected a mapping, found a list"


def test_expressions_may_be_plain_numbers_and_booleans():
    text = edit(('    when: "true"\n', "    when: true\n"),
                ("    amount: amount * 0.1\n", "    amount: 500\n"))
    result = inspect_text(text, "t.yaml")
    assert result.diagnostics == []
    assert result.policy.category("operational").when.text == "true"
    assert result.policy.remedy("price-realignment").amount.text == "500"


def test_describe_path_and_json_type():
    data = {"categories": [{"id": "pricing", "thresholds": [{"when": "x"}]}],
            "facts": {"amount": {}}, "ladder": {"levels": [{"id": "frontline"}]}}
    assert describe_path(data, ("categories", 0, "thresholds", 0, "when")) == \
        "category `pricing`: band 1: when"
    assert describe_path(data, ("facts", "amount", "min")) == "fact `amount`: min"
    assert describe_path(data, ("ladder", "levels", 0, "next")) == "level `frontline`: next"
    assert describe_path(data, ()) == ""
    assert [json_type(v) for v in (None, True, 1, 1.5, "a", [], {}, object())] == [
        "empty", "true or false", "a whole number", "a number", "text", "a list", "a mapping",
        "a value that is not JSON"]
    assert json_type(None, none="null") == "null"
    assert json_type((1, 2)) == "a list"
