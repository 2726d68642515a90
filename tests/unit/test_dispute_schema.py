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
