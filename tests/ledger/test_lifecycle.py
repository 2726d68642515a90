"""Repin, reopen, due and metrics over a small recorded history."""

from __future__ import annotations

import pytest

from policyengine.ledger import Ledger, LedgerError

from .conftest import POLICY_DIR, V1, V2

P = {"kind": "pricing", "amount": 7000.0, "partner": {"id": "P-1"}}


def test_repin_moves_a_dispute_to_another_version(ledger: Ledger) -> None:
    ledger.open("D-1", V1, P, on="2026-12-01")
    # 7000 is frontline under 1.0.0 and regional under 1.1.0 (its band ends at 5000)
    assert ledger.decide("D-1", on="2026-12-02").level == "frontline"
    with pytest.raises(LedgerError) as info:
        ledger.repin("D-1", to="1.1.0", reason="renewal", on="2027-01-04")
    assert info.value.code == "unknown_version" and "--policy" in (info.value.hint or "")
    event = ledger.repin("D-1", to="1.1.0", reason="renewal", on="2027-01-04", policy=V2)
    assert event.payload["from"]["version"] == "1.0.0"
    assert event.payload["to"]["version"] == "1.1.0"
    after = ledger.decide("D-1", on="2027-01-04")
    assert after.decision["policy"]["version"] == "1.1.0"
    assert ledger.show("D-1").dispute.pinned_on == "2027-01-04"
    assert [v.version for v in ledger.policies("partner-conflict")] == ["1.0.0", "1.1.0"]
    assert ledger.verify().ok


def test_reopen_decides_again_at_the_level_it_stood(ledger: Ledger) -> None:
    ledger.open("D-1", POLICY_DIR, P, on="2026-11-27")
    ledger.decide("D-1", on="2026-12-07")  # the window passed: regional
    ledger.resolve("D-1", on="2026-12-10", outcome="settled")
    again = ledger.reopen("D-1", on="2026-12-20", reason="the partner disputes the settlement")
    assert again.dispute["escalation"] == {"level": "regional", "since": "2026-12-20"}
    assert again.level == "regional" and again.action == "handle"
    state = ledger.state("D-1")
    assert (state["status"], state["reopened"], state["resolved_on"]) == ("open", 1, None)
    ledger.resolve("D-1", on="2026-12-30", outcome="settled again")
    assert ledger.state("D-1")["resolutions"] == [
        {"opened_on": "2026-11-27", "resolved_on": "2026-12-10"},
        {"opened_on": "2026-12-20", "resolved_on": "2026-12-30"}]


def test_due_lists_deadlines_reviews_and_sunsets(ledger: Ledger) -> None:
    ledger.open("D-1", V1, P, on="2026-11-27")  # respond 2026-12-01, decide 2026-12-04
    ledger.grant("D-1", "hold", on="2026-11-27")  # review 12-11, lapses 2027-01-26
    ledger.open("D-2", V1, dict(P, partner={"id": "P-2"}), on="2026-12-03")
    ledger.open("D-3", V1, dict(P, partner={"id": "P-3"}), on="2026-11-27")
    ledger.resolve("D-3", on="2026-11-28", outcome="withdrawn")
    items = ledger.due(on="2026-12-04", within=7)
    # by date, then dispute
    assert [(i.dispute_id, i.kind, i.date, i.overdue) for i in items] == [
        ("D-1", "decide_by", "2026-12-04", False),
        ("D-2", "respond_by", "2026-12-07", False),
        ("D-2", "decide_by", "2026-12-10", False),
        ("D-1", "review", "2026-12-11", False),
    ]
    # granting counted as acting at the level: D-1's respond_by is not listed
    assert "respond_by" not in {i.kind for i in items if i.dispute_id == "D-1"}
    late = ledger.due(on="2027-01-27")
    assert ("D-1", "sunset", "2027-01-26", True) in [
        (i.dispute_id, i.kind, i.date, i.overdue) for i in late]


def test_metrics_time_to_resolution_escalation_and_recurrence(ledger: Ledger) -> None:
    ledger.open("A", V1, P, on="2026-11-02")
    ledger.resolve("A", on="2026-11-05", outcome="ok")          # 3 days
    ledger.open("B", V1, P, on="2026-11-06")                     # recurring (A)
    ledger.decide("B", on="2026-11-30")                          # windows passed
    ledger.resolve("B", on="2026-12-06", outcome="ok")          # 30 days
    ledger.open("C", V1, dict(P, kind="territory", partner={"id": "P-9"}), on="2026-11-10")
    report = ledger.metrics(by="level")
    total = report["total"]
    assert (total["disputes"], total["open"], total["resolved"]) == (3, 1, 2)
    assert total["time_to_resolution_days"] == {"count": 2, "median": 16.5, "p90": 30.0}
    assert total["escalated"] == 1 and total["escalation_rate"] == round(1 / 3, 4)
    assert total["recurring"] == 1 and total["deadline_breaches"] >= 1
    assert sum(g["disputes"] for g in report["groups"]) == 3
    window = ledger.metrics(from_="2026-11-06", to="2026-11-30", by="category")
    assert window["total"]["disputes"] == 2
    assert {g["key"]: g["disputes"] for g in window["groups"]} == {"pricing": 1, "operational": 1}
    by_fact = ledger.metrics(by="partner.id")
    assert {g["key"]: g["disputes"] for g in by_fact["groups"]} == {"P-1": 2, "P-9": 1}
    with pytest.raises(LedgerError) as info:
        ledger.metrics(by="partner.idd")
    assert info.value.code == "bad_argument" and "partner.id" in (info.value.hint or "")
