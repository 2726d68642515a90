"""Decision records: plain JSON types, schema-valid, canonical bytes."""

from __future__ import annotations

import dataclasses
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


# -- the records built fast (issue 14): the same frozen dataclasses -----------------------------
def test_the_drafts_have_the_slots_of_the_frozen_records() -> None:
    from policyengine.core import decision as d

    for draft, frozen in ((d._StepDraft, d.TraceStep), (d._DecisionDraft, d.Decision),
                          (d._OutcomeDraft, d.RemedyOutcome)):
        assert draft.__slots__ == frozen.__slots__
        assert list(draft.__slots__) == [f.name for f in dataclasses.fields(frozen)]


def test_a_record_built_fast_is_the_frozen_dataclass(policy) -> None:
    import copy
    import pickle

    from policyengine.core.decision import Decision, RemedyOutcome, TraceStep

    decision = policy.evaluate(DISPUTES[0], as_of="2026-11-02")
    for record in (decision, decision.trace[0], *decision.remedies):
        assert dataclasses.is_dataclass(record)
        fields = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
        slow = object.__new__(type(record))  # the fields set as a frozen dataclass sets them
        for name, value in fields.items():
            object.__setattr__(slow, name, value)
        assert record == slow and type(record) is type(slow)
        assert repr(record) == repr(slow)
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.deepcopy(record) == record
        assert dataclasses.replace(record) == record
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, next(iter(fields)), None)
    assert type(decision) is Decision and type(decision.trace[0]) is TraceStep
    assert all(type(r) is RemedyOutcome for r in decision.remedies)
    assert hash(decision.trace[0]) == hash(dataclasses.replace(decision.trace[0]))

    class Step(TraceStep):  # a subclass is filled the ordinary way
        __slots__ = ()

    step = decision.trace[0]
    sub = Step(step.site, step.result, step.values, step.words)
    assert type(sub) is Step and sub.detail == step.detail


def test_to_json_takes_the_stdlib_spelling_of_every_number() -> None:
    from policyengine.core.decision import _maybe_other_number, _plain

    # where _plain says orjson spells a value as the stdlib does, it does
    import orjson

    for value in (0.0, -0.0, 1e-4, 9.999999999999998e15, 123.25, 1, 2 ** 63 - 1, "1e-7",
                  [0.5, {"a": 1e15}], None, True):
        assert _plain(value)
        assert orjson.dumps(value) == json.dumps(value, ensure_ascii=False,
                                                 separators=(",", ":")).encode()
    for value in (1e16, 1.5e-7, 1e-5, 9.99e-5, -1e22, [1e-7], {"a": [2e16]}, float("nan")):
        assert not _plain(value)
    # the output check finds a number where it is one, not inside a text
    assert not _maybe_other_number(b'{"digest":"sha256:3e45e-9","w":"0.00001 1e-7"}')
    for raw in (b'{"n":1e-7}', b"[1,2e16]", b"1.5e-7", b'{"a":[0.00001]}', b'{"a":-0.00002}'):
        assert _maybe_other_number(raw)
