"""The dispute schema agrees with the engine where JSON Schema can, and says where it cannot."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest

from policyengine import DisputeError, loads_policy
from policyengine.model.dispute_schema import dispute_schema

from conftest import POLICIES

POLICY = loads_policy((POLICIES / "acme-channel-conflict.yaml").read_text("utf-8"))
BASE = {"kind": "pricing", "amount": 1000.0, "region": "NA", "partner": {"tier": "gold"}}
DAY = dt.date(2026, 11, 23)


def engine_accepts(dispute: dict) -> bool:
    try:
        POLICY.evaluate(dispute, as_of=DAY)
    except DisputeError as exc:
        return exc.code != "invalid_facts"
    return True


def schema_accepts(dispute: dict) -> bool:
    return jsonschema.Draft202012Validator(dispute_schema(POLICY)).is_valid(dispute)


@pytest.mark.parametrize("change", [
    {}, {"amount": 5}, {"recurrences_90d": 3}, {"recurrences_90d": -1}, {"amount": True},
    {"kind": "nope"}, {"extra": 1}, {"partner": {"tier": "gold", "x": 1}},
    {"escalation": {"level": "regional", "since": "2026-11-01"}},
    {"escalation": {"level": "regional", "since": "2026-13-01"}},
    {"escalation": {"level": "regional", "since": "2026-11-1"}},
    {"escalation": {"level": "nope", "since": "2026-11-01"}},
    {"remedies_in_force": [{"id": "hold", "granted_on": "2026-11-00"}]},
    {"remedies_in_force": [{"id": "hold", "granted_on": "2026-11-02"}]},
    {"escalation": None}, {"remedies_in_force": None}, {"as_of": None},  # null: as if absent
    {"kind": "x" * 100_001}, {"partner": {"tier": "gold\ud800"}}, {"amount": 2 ** 1100},
])
def test_the_schema_agrees_with_the_engine(change):
    dispute = dict(BASE, **change)
    assert schema_accepts(dispute) == engine_accepts(dispute), change


def test_where_json_schema_cannot_agree_the_schema_says_so():
    schema = dispute_schema(POLICY)
    dispute = dict(BASE, recurrences_90d=3.0)
    assert schema_accepts(dispute) and not engine_accepts(dispute)  # JSON Schema's integer
    assert "3.0" in schema["properties"]["recurrences_90d"]["description"]
    assert "3.0" in schema["description"] and "2026-02-30" in schema["description"]
    late = dict(BASE, escalation={"level": "regional", "since": "2026-12-01"})  # after as_of
    assert schema_accepts(late) and not engine_accepts(late)


# --- the reserved keys: one description (model/reserved.py), two consumers ------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from policyengine.model.dispute_schema import LIMITS  # noqa: E402
from policyengine.model.reserved import RESERVED  # noqa: E402

DATES = st.one_of(st.dates(dt.date(2026, 1, 1), dt.date(2027, 6, 30)).map(str),
                  st.sampled_from(["2026-11-1", "26-11-01", "x", "", 5, None, True, [],
                                   {"y": 1}, "2026-11-01T00:00"]))
IDS = st.sampled_from(["regional", "frontline", "executive", "mediation", "hold",
                       "price-realignment", "nope", "Regional", 3, None, True, ["hold"]])


def _record(fields: dict) -> st.SearchStrategy:
    """A mapping of some of ``fields`` (each with its strategy) and maybe an unknown key."""
    return st.fixed_dictionaries({}, optional={**fields, "levl": st.just(1),
                                               "extra": st.just("x")})


RESERVED_VALUES = st.fixed_dictionaries({}, optional={
    "escalation": st.one_of(_record({"level": IDS, "since": DATES}), st.none(),
                            st.sampled_from([5, "regional", []])),
    "remedies_in_force": st.one_of(
        st.lists(st.one_of(_record({"id": IDS, "granted_on": DATES, "last_reviewed": DATES}),
                           st.sampled_from([5, "hold", None])), max_size=3),
        st.none(), st.sampled_from([5, "hold", {"id": "hold"}])),
})


def engine_problems(dispute: dict) -> list:
    try:
        POLICY.evaluate(dispute, as_of=DAY)
    except DisputeError as exc:
        return [p for p in exc.problems if p.code == "invalid_facts"]
    return []


@settings(max_examples=200, deadline=None)
@given(RESERVED_VALUES)
def test_the_reserved_keys_schema_and_check_agree(change: dict) -> None:
    """Every value the engine accepts the schema accepts, and the other way round, except
    for the order of dates (`since` after `as_of`, ...), which the schema's description says
    it cannot check."""
    dispute = dict(BASE, **change)
    problems = engine_problems(dispute)
    if problems and all(p.detail == "order" for p in problems):
        assert schema_accepts(dispute), (change, problems)
    else:
        assert schema_accepts(dispute) == (not problems), (change, problems)


def test_what_the_schema_cannot_check_of_the_reserved_keys_is_said():
    for key in RESERVED:
        for f in key.fields:
            if f.not_after_as_of or f.not_before is not None:
                assert f"`{f.name}`" in LIMITS or f"`{key.name}.{f.name}`" in LIMITS, f.name
            if f.not_before is not None:
                assert f"`{f.not_before}`" in LIMITS
    schema = dispute_schema(POLICY)["properties"]
    assert [k.name for k in RESERVED] == [k for k in schema if k in
                                          ("escalation", "remedies_in_force", "as_of")]
