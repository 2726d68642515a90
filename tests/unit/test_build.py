"""model/build.py: references between ids, duplicate ids, facts' defaults and bounds, reserved
names; the immutable model compares by meaning, not by layout."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from policyengine.compile.pipeline import inspect_text

ROOT = Path(__file__).resolve().parents[2]
CLEAN = (ROOT / "tests" / "golden" / "clean.yaml").read_text("utf-8")
AMOUNT = "  amount: {type: double, min: 0, unit: USD}\n"


def edit(*pairs: tuple[str, str], text: str = CLEAN) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def found(text: str, code: str | None = None) -> list:
    return [d for d in inspect_text(text, "t.yaml").diagnostics if code is None or d.code == code]


def one(text: str, code: str):
    ds = found(text, code)
    assert len(ds) == 1, [d.format_line() for d in found(text)]
    return ds[0]


def underlined(text: str, d) -> str:
    return text.splitlines()[d.line - 1][d.column - 1:d.end_column - 1]


# -- references -------------------------------------------------------------------------------


def test_unknown_level_in_a_band_suggests_the_nearest():
    text = edit(("      - {otherwise: regional}\n", "      - {otherwise: regoinal}\n"))
    d = one(text, "PE202")
    assert d.message == "category `pricing`: band 2: otherwise: unknown level `regoinal`"
    assert d.hint == "did you mean `regional`?"
    assert underlined(text, d) == "regoinal"


def test_unknown_level_without_a_near_miss_lists_the_levels():
    d = one(edit(("level: frontline}", "level: board}")), "PE202")
    assert d.hint == "define it, or use `frontline` or `regional`"


def test_unknown_entry_and_override_level():
    text = edit(("ladder:\n", "ladder:\n  entry: frontlin\n")) + \
        "overrides:\n  - {id: big, when: amount > 1.0, min_level: regonal, reason: Big}\n"
    ds = found(text, "PE202")
    assert [(d.message, d.hint) for d in ds] == [
        ("ladder: entry: unknown level `frontlin`", "did you mean `frontline`?"),
        ("override `big`: min_level: unknown level `regonal`", "did you mean `regional`?")]


def test_dangling_next():
    text = edit(("      decide_within: 10bd\n", "      decide_within: 10bd\n      next: executve\n"))
    d = one(text, "PE302")
    assert d.message == "level `regional`: next: unknown level `executve`"
    assert underlined(text, d) == "executve"


def test_unknown_role_in_authority_is_a_warning_with_a_suggestion():
    text = edit(("  regional_director: {", "  regional_directr: {"))
    d = one(text, "PE203")
    assert d.severity.value == "warning"
    assert d.message == "authority: no level of the ladder has role `regional_directr`"
    assert d.hint == "did you mean `regional_director`?"
    assert underlined(text, d) == "regional_directr"


def test_unknown_action_in_authority_and_in_a_remedy():
    text = edit(("{hold_unilateral: true, price_adjustment: 5000}",
                 "{hold_unilateral: true, price_adjustmnt: 5000}"),
                ("    action: hold_unilateral\n", "    action: hold_unilaterl\n"))
    ds = found(text, "PE204")
    assert [(d.message, d.hint) for d in ds] == [
        ("role `account_manager`: price_adjustmnt: unknown action `price_adjustmnt`",
         "did you mean `price_adjustment`?"),
        ("remedy `hold`: action: unknown action `hold_unilaterl`",
         "did you mean `hold_unilateral`?")]


def test_unknown_remedy_in_a_category():
    text = edit(("    remedies: [price-realignment, hold]\n", "    remedies: [price-realign, hold]\n"))
    d = one(text, "PE205")
    assert d.message == "category `pricing`: remedy 1: unknown remedy `price-realign`"
    assert d.hint == "did you mean `price-realignment`?"
    assert one(text, "PE206").message == "no category lists remedy `price-realignment`"


# -- duplicate ids ------------------------------------------------------------------------------


@pytest.mark.parametrize("old,new,kind,ident", [
    ("    - id: regional\n", "    - id: frontline\n", "level", "frontline"),
    ("  - id: operational\n", "  - id: pricing\n", "category", "pricing"),
    ("  - id: hold\n", "  - id: price-realignment\n", "remedy", "price-realignment"),
])
def test_duplicate_ids_point_at_both(old, new, kind, ident):
    text = edit((old, new))
    d = one(text, "PE201")
    assert d.message == f"duplicate {kind} id `{ident}`"
    assert d.hint == f"give each {kind} its own id"
    assert underlined(text, d) == ident
    [(note, first)] = d.related
    assert note == "first defined here" and first.line < d.line


def test_duplicate_override_ids():
    text = CLEAN + ("overrides:\n  - {id: big, when: amount > 1.0, min_level: regional, reason: A}\n"
                    "  - {id: big, when: amount > 2.0, min_level: regional, reason: B}\n")
    assert one(text, "PE201").message == "duplicate override id `big`"


@pytest.mark.parametrize("old,new", [
    ("  hold_unilateral:  {title: Hold on unilateral actions during escalation}\n",
     "  hold_unilateral:  {title: Hold}\n  hold_unilateral:  {title: Hold again}\n"),
    ("  regional_director: {hold_unilateral: true, price_adjustment: 50000}\n",
     "  regional_director: {hold_unilateral: true, price_adjustment: 50000}\n"
     "  regional_director: {hold_unilateral: true}\n"),
    (AMOUNT, AMOUNT + AMOUNT),
])
def test_duplicate_action_role_and_fact_names_are_duplicate_keys(old, new):
    d = one(edit((old, new)), "PE006")
    assert d.related and d.related[0][0] == "first defined here"


# -- facts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("decl,message,hint", [
    ("{type: string, enum: [gold, silver], default: bronze}",
     "fact `f`: default `bronze` is not one of the fact's enum values",
     "use one of the fact's values: `gold` or `silver`"),
    ("{type: string, enum: [gold, silver], default: golld}",
     "fact `f`: default `golld` is not one of the fact's enum values", "did you mean `gold`?"),
    ("{type: int, default: 1.5}", "fact `f`: default must be a whole number, found a number",
     None),
    ("{type: int, min: 0, max: 10, default: 11}", "fact `f`: default `11` is above the fact's max (10)",
     None),
    ("{type: double, min: 0, default: -1}", "fact `f`: default `-1` is below the fact's min (0)",
     None),
    ("{type: bool, default: 1}", "fact `f`: default must be true or false, found a whole number",
     None),
    ("{type: string, default: 3}", None, None),  # plain 3 where text is meant: the text `3`
    ("{type: list, items: {type: string, enum: [x]}, default: [x, y]}",
     "fact `f`: default item 2: `y` is not one of the fact's enum values", None),
    ("{type: map, fields: {g: {type: int}}, default: {}}",
     "fact `f`: default is not allowed on a map fact: give its fields defaults instead", None),
])
def test_fact_defaults(decl, message, hint):
    text = edit((AMOUNT, AMOUNT + f"  f: {decl}\n"))
    ds = found(text, "PE110")
    if message is None:
        assert ds == []
        return
    [d] = ds
    assert d.message == message
    if hint is not None:
        assert d.hint == hint
    assert underlined(text, d)[0] == decl.split("default: ")[1][0]


def test_valid_defaults_are_applied_and_widened():
    text = edit((AMOUNT, AMOUNT + "  c: {type: double, default: 3}\n"
                 "  s: {type: string, default: 3}\n"
                 "  p:\n    type: map\n    fields:\n      tier: {type: string, enum: [gold], default: gold}\n"))
    result = inspect_text(text, "t.yaml")
    assert result.diagnostics == []
    c = result.policy.fact("c")
    assert c.default == 3.0 and isinstance(c.default, float)
    assert result.policy.fact("s").default == "3"
    assert result.policy.fact("p").field_named("tier").default == "gold"
    assert not result.policy.fact("p").required


@pytest.mark.parametrize("decl,message", [
    ("{type: double, min: 10, max: 1}", "fact `f`: `min` (10) is above `max` (1): no value is valid"),
    ("{type: string, min: 1}", "fact `f`: `min`/`max` are for int and double facts, not `string`"),
    ("{type: int, max: 2.5}", "fact `f`: `max: 2.5` is not a whole number, but the fact is an int"),
])
def test_fact_bounds(decl, message):
    d = one(edit((AMOUNT, AMOUNT + f"  f: {decl}\n")), "PE111")
    assert d.message == message


def test_equal_bounds_are_fine():
    assert found(edit((AMOUNT, AMOUNT + "  f: {type: int, min: 3, max: 3}\n"))) == []


@pytest.mark.parametrize("name", ["in", "true", "null", "and", "not", "escalation",
                                  "remedies_in_force", "as_of"])
def test_reserved_fact_names(name):
    text = edit((AMOUNT, AMOUNT + f"  {name}: {{type: int, default: 0}}\n"))
    d = one(text, "PE104")
    assert d.message == f"fact `{name}`: `{name}` is reserved and cannot name a fact"
    assert d.hint == f"rename it, e.g. `{name}_value`"
    assert underlined(text, d) == name


def test_reserved_words_are_fine_as_field_names():
    text = edit((AMOUNT, AMOUNT + "  p: {type: map, fields: {escalation: {type: int, default: 0}}}\n"))
    assert found(text, "PE104") == []


def test_enum_rules():
    text = edit((AMOUNT, AMOUNT + "  d: {type: double, enum: [1.0]}\n  i: {type: int, enum: [1, x]}\n"))
    messages = [d.message for d in found(text, "PE104")]
    assert "fact `d`: enum: `enum` is for string and int facts, not `double`" in messages
    assert any(m.startswith("fact `i`: enum") for m in messages)


# -- the model ------------------------------------------------------------------------------------


def test_model_is_immutable_and_compares_by_meaning():
    a = inspect_text(CLEAN, "a.yaml").policy
    moved = "# moved down by two lines\n\n" + CLEAN
    b = inspect_text(moved, "b.yaml").policy
    assert a == b
    assert a.category("pricing").span.line + 2 == b.category("pricing").span.line
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.meta.id = "x"
    changed = inspect_text(CLEAN.replace("sunset: 30d", "sunset: 31d"), "c.yaml").policy
    assert changed != a


def test_every_node_knows_where_it_is():
    policy = inspect_text(CLEAN, "t.yaml").policy
    lines = CLEAN.splitlines()
    assert lines[policy.category("pricing").span.line - 1].strip() == "- id: pricing"
    assert lines[policy.ladder.level("regional").span.line - 1].strip() == "- id: regional"
    assert lines[policy.remedy("hold").span.line - 1].strip() == "- id: hold"
    band = policy.category("pricing").bands[0]
    assert band.when.text == "amount < 10000.0"
    when = band.when.span
    assert lines[when.line - 1][when.column - 1:when.end_column - 1] == "amount < 10000.0"
    assert policy.fact("amount").span.line == lines.index(AMOUNT.rstrip("\n")) + 1
