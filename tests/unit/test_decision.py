"""Decision records: plain JSON types, schema-valid, canonical bytes."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest

import policyengine
from policyengine.load.schema import load_schema
from unit.evaluator_policy import SEMANTICS_POLICY


@pytest.fixture(scope="module")
def policy():
    return policyengine.loads_policy(SEMANTICS_POLICY, "semantics.yaml")


@pytest.fixture(scope="module")
def validator():
    return jsonschema.Draft202012Validator(load_schema("decision"))


DISPUTES = [
    {"kind": "pricing", "amount": 20000.0, "count": 4},
    {"kind": "territory", "amount": 1.0},
    {"kind": "lead", "amount": 1.0, "escalation": {"level": "l1", "since": "2026-10-01"}},
    {"kind": "pricing", "amount": 500.0,
     "remedies_in_force": [{"id": "hold", "granted_on": "2026-11-01", "last_reviewed": None}]},
]


@pytest.mark.parametrize("dispute", DISPUTES)
def test_to_dict_is_plain_json_and_valid(policy, validator, dispute):
    data = policy.evaluate(dispute, as_of=dt.date(2026, 11, 22)).to_dict()
    validator.validate(data)
    assert json.loads(json.dumps(data)) == data


def test_to_json_is_compact_utf8_in_a_fixed_key_order(policy):
    d = policy.evaluate(DISPUTES[0], as_of=dt.date(2026, 11, 22))
    raw = d.to_json()
    assert raw.startswith(b'{"policy":{"id":"semantics"')
    assert b" " not in raw.split(b'"trace"')[0].replace(b"Pricing conflict", b"")
    assert list(json.loads(raw)) == ["policy", "as_of", "category", "level", "action",
                                     "respond_by", "decide_by", "remedies", "remedies_in_force",
                                     "trace", "warnings"]
    assert json.loads(d.to_json(indent=2)) == json.loads(raw)


def test_decisions_are_immutable(policy):
    d = policy.evaluate(DISPUTES[0], as_of=dt.date(2026, 11, 22))
    with pytest.raises(AttributeError):
        d.action = "handle"  # type: ignore[misc]


def test_the_rulebook_worked_example(repo_root=None):
    from conftest import POLICIES

    p = policyengine.load_policy(POLICIES / "acme-channel-conflict.yaml")
    d = p.evaluate({"kind": "pricing", "amount": 120000.0, "region": "EMEA",
                    "partner": {"tier": "gold"}}, as_of=dt.date(2026, 11, 22)).to_dict()
    assert d["as_of"] == "2026-11-22"
    assert d["category"] == {"id": "pricing", "title": "Pricing parity conflict",
                             "class": "commercial", "confidentiality": "restricted"}
    assert d["level"] == {"id": "regional", "role": "regional_director",
                          "title": "Regional director"}
    assert d["action"] == "escalate"
    assert (d["respond_by"], d["decide_by"]) == ("2026-11-25", "2026-12-04")
    assert d["remedies"] == [
        {"id": "price-realignment", "action": "price_adjustment", "amount": 12000.0,
         "authorized_by": "regional_director", "expires_on": "2027-02-20",
         "review_on": "2026-12-22"},
        {"id": "hold", "action": "hold_unilateral", "amount": None,
         "authorized_by": "regional_director", "expires_on": "2026-12-22", "review_on": None}]
    assert d["remedies_in_force"] == [] and d["warnings"] == []
    band = d["trace"][1]
    assert band["rule"] == "categories.pricing.thresholds[1]"
    assert band["expression"] == "amount < 250000.0" and band["result"] is True
    assert d["policy"]["digest"].startswith("sha256:")
