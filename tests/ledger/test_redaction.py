"""Redaction: sensitive facts and restricted categories are masked in what the ledger shows
and logs; the ledger itself keeps everything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policyengine import load_policy
from policyengine.ledger import MASK, Ledger, LedgerError, redact_decision, redact_facts

from .conftest import ACME, V1

SECRET = "ann@partner.example"
P1: dict[str, Any] = {"kind": "pricing", "amount": 2000.0, "partner": {"id": "P-1", "contact": SECRET}}
PRICING = {"kind": "pricing", "amount": 120000.0, "region": "EMEA",
           "partner": {"tier": "gold"}}


def test_redact_facts_masks_sensitive_paths_only() -> None:
    policy = load_policy(V1)
    out = redact_facts(policy, dict(P1, escalation={"level": "frontline",
                                                    "since": "2026-01-01"}))
    assert out["partner"] == {"id": "P-1", "contact": MASK}
    assert out["amount"] == 2000.0 and out["escalation"]["level"] == "frontline"
    assert redact_facts(policy, P1, reveal=True) == P1
    assert P1["partner"]["contact"] == SECRET  # the input is not changed


def test_a_restricted_category_masks_every_fact() -> None:
    policy = load_policy(ACME)
    out = redact_facts(policy, dict(PRICING, as_of="2026-11-22"), category="pricing")
    assert out == {"kind": MASK, "amount": MASK, "region": MASK, "partner": MASK,
                   "as_of": "2026-11-22"}
    decision = policy.evaluate(PRICING, as_of=__import__("datetime").date(2026, 11, 22))
    red = redact_decision(policy, decision.to_dict())
    assert all(v == MASK for step in red["trace"] for v in step["values"].values())
    assert [r["amount"] for r in red["remedies"]] == [MASK, None]
    assert "120000" not in json.dumps(red) and "12000.0" not in json.dumps(red)
    assert redact_decision(policy, decision.to_dict(), reveal=True) == decision.to_dict()


def test_the_decision_object_of_a_restricted_category_is_masked_alike() -> None:
    """What a memo renders: the Decision object, masked as its dictionary is."""
    from policyengine.ledger.redact import redact_decision_object

    policy = load_policy(ACME)
    decision = policy.evaluate(PRICING, as_of=__import__("datetime").date(2026, 11, 22))
    red = redact_decision_object(policy, decision)
    assert red.to_dict() == redact_decision(policy, decision.to_dict())
    assert "120000" not in red.to_json().decode() and "12000.0" not in red.to_json().decode()
    assert redact_decision_object(policy, decision, reveal=True) is decision


def test_the_ledger_keeps_everything_and_shows_it_masked(ledger: Ledger) -> None:
    ledger.open("D-1", V1, P1, on="2026-11-27")
    ledger.open("R-1", ACME, PRICING, on="2026-11-27")
    assert SECRET not in json.dumps(ledger.show("D-1").to_dict())
    assert SECRET in json.dumps(ledger.show("D-1", reveal=True).to_dict())
    assert ledger.state("D-1")["facts"]["partner"]["contact"] == SECRET
    exported = list(ledger.export())
    assert SECRET not in json.dumps(exported) and "120000" not in json.dumps(exported)
    assert SECRET in json.dumps(list(ledger.export(reveal=True)))
    logged = json.dumps([e.to_dict() for e in ledger.decision_log()])
    assert SECRET not in logged and "120000" not in logged
    restricted = ledger.show("R-1").to_dict()
    assert "120000" not in json.dumps(restricted)
    by_category = ledger.metrics(by="category")
    assert MASK in {g["key"] for g in by_category["groups"]}
    assert "pricing" in {g["key"] for g in ledger.metrics(by="category", reveal=True)["groups"]}
    with pytest.raises(LedgerError) as info:
        ledger.metrics(by="partner.contact", policy_id="partner-conflict")
    assert info.value.code == "bad_argument" and "sensitive" in info.value.message
    groups = ledger.metrics(by="partner.contact", policy_id="partner-conflict", reveal=True)
    assert [g["key"] for g in groups["groups"]] == [SECRET]
