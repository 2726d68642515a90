"""The issue's scenario: one dispute through its life, from Python and from the CLI, on every
backend (SQLite always, PostgreSQL when a server is given)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from policyengine import evaluate, load_policy
from policyengine.cli.main import cli
from policyengine.ledger import Ledger

from .conftest import POLICY_DIR, V1

P1 = {"kind": "pricing", "amount": 2000.0, "partner": {"id": "P-1", "tier": "gold",
                                                      "contact": "ann@partner.example"}}
P2 = {"kind": "pricing", "amount": 2000.0, "partner": {"id": "P-2"}}


def test_scenario_python(ledger: Ledger) -> None:
    # opened on Friday 2026-11-27 with the version in force (1.0.0): frontline, 5bd to decide
    first = ledger.open("D-1", POLICY_DIR, P1, on="2026-11-27", actor="ann")
    assert first.decision["policy"]["version"] == "1.0.0"
    assert (first.level, first.action) == ("frontline", "escalate")
    assert first.decision["decide_by"] == "2026-12-04"
    assert first.dispute["recurrences_90d"] == 0
    # nothing due on Monday; the response is due on Tuesday (2bd), the decision on Friday (5bd)
    assert ledger.due(on="2026-11-30") == []
    assert [(d.kind, d.overdue) for d in ledger.due(on="2026-12-01")] == [("respond_by", False)]
    assert [(d.kind, d.overdue) for d in ledger.due(on="2026-12-04")] == [
        ("respond_by", True), ("decide_by", False)]
    # Monday: the window passed; deciding again escalates on its own, from the history
    again = ledger.decide("D-1", on="2026-12-07", actor="bob")
    assert (again.level, again.action) == ("regional", "escalate")
    assert again.dispute["escalation"] == {"level": "frontline", "since": "2026-11-27"}
    assert any(s["kind"] == "deadline" for s in again.decision["trace"])
    # deciding again the same day: the level holds (handle), since when stays
    same = ledger.decide("D-1", on="2026-12-07")
    assert (same.level, same.action) == ("regional", "handle")
    assert same.dispute["escalation"] == {"level": "regional", "since": "2026-12-07"}
    # a remedy is granted and comes due for review 14 days later
    granted = ledger.grant("D-1", "hold", on="2026-12-07", actor="bob")
    assert granted.payload["review_on"] == "2026-12-21"
    assert granted.payload["expires_on"] == "2027-02-05"
    due = ledger.due(on="2026-12-21")
    assert ("review", "hold", False) in [(d.kind, d.remedy, d.overdue) for d in due]
    assert ("decide_by", None, True) not in [(d.kind, d.remedy, d.overdue) for d in due]
    ledger.review("D-1", "hold", on="2026-12-21")
    assert "review" not in [d.kind for d in ledger.due(on="2026-12-21")]
    # the next decision sees the remedy in force
    seen = ledger.decide("D-1", on="2026-12-21")
    assert seen.dispute["remedies_in_force"] == [
        {"id": "hold", "granted_on": "2026-12-07", "last_reviewed": "2026-12-21"}]
    assert seen.decision["remedies_in_force"][0]["status"] == "active"
    # the policy is amended (1.1.0 from 2027-01-01): D-1 stays pinned to 1.0.0, even though
    # 1.0.0 expired; a new dispute gets 1.1.0
    pinned = ledger.decide("D-1", on="2027-01-04")
    assert pinned.decision["policy"]["version"] == "1.0.0"
    other = ledger.open("D-2", POLICY_DIR, P2, on="2027-01-05")
    assert other.decision["policy"]["version"] == "1.1.0"
    # resolved
    ledger.resolve("D-1", on="2027-01-08", outcome="prices realigned", memo="# Memo\nagreed")
    assert ledger.show("D-1").dispute.status == "resolved"
    assert "D-1" not in {d.dispute_id for d in ledger.due(on="2027-02-10", within=30)}
    # the same partner comes back: the derived recurrence raises the level
    back = ledger.open("D-3", POLICY_DIR, dict(P1, amount=1000.0), on="2027-01-15")
    assert back.dispute["recurrences_90d"] == 1
    assert back.level == "regional"
    assert any(s["kind"] == "override" for s in back.decision["trace"])
    fresh = ledger.open("D-4", POLICY_DIR, {"kind": "pricing", "amount": 1000.0,
                                            "partner": {"id": "P-9"}}, on="2027-01-15")
    assert (fresh.dispute["recurrences_90d"], fresh.level) == (0, "frontline")
    # history is intact, every decision is in the decision log
    assert ledger.verify().ok
    assert [e.kind for e in ledger.show("D-1").events] == [
        "opened", "decided", "decided", "remedy_granted", "remedy_reviewed", "decided",
        "decided", "resolved"]
    logged = {e.decision_id for e in ledger.decision_log()}
    assert {first.decision_id, again.decision_id, back.decision_id} <= logged
    # a decision in the ledger is exactly what the pure evaluate gives for the same input
    v1 = load_policy(V1)
    assert evaluate(again.dispute, v1, as_of="2026-12-07").to_dict() == again.decision


def _cli(args: list[str], db: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["ledger", *args, "--db", db], catch_exceptions=False)
    return result.exit_code, result.output


def test_scenario_cli(ledger_url: str, tmp_path: Path) -> None:
    (tmp_path / "p1.json").write_text(json.dumps(P1))
    (tmp_path / "p2.json").write_text(json.dumps(P2))
    (tmp_path / "back.json").write_text(json.dumps(dict(P1, amount=1000.0)))
    (tmp_path / "memo.md").write_text("# Resolution\nagreed\n")
    db = ledger_url
    assert _cli(["init"], db)[0] == 0
    code, out = _cli(["open", str(POLICY_DIR), str(tmp_path / "p1.json"), "--id", "D-1",
                      "--on", "2026-11-27", "--actor", "ann"], db)
    assert code == 0, out
    first = json.loads(out)
    assert (first["level"]["id"], first["policy"]["version"]) == ("frontline", "1.0.0")
    code, out = _cli(["decide", "D-1", "--on", "2026-12-07"], db)
    assert (code, json.loads(out)["level"]["id"], json.loads(out)["action"]) == \
        (0, "regional", "escalate")
    assert _cli(["grant", "D-1", "hold", "--on", "2026-12-07"], db)[0] == 0
    code, out = _cli(["due", "--on", "2026-12-21", "--format", "json"], db)
    assert {"dispute": "D-1", "kind": "review", "remedy": "hold", "date": "2026-12-21",
            "overdue": False, "level": "regional", "category": "pricing"} in json.loads(out)
    assert _cli(["review", "D-1", "hold", "--on", "2026-12-21"], db)[0] == 0
    code, out = _cli(["decide", "D-1", "--on", "2027-01-04"], db)
    assert json.loads(out)["policy"]["version"] == "1.0.0"
    code, out = _cli(["open", str(POLICY_DIR), str(tmp_path / "p2.json"), "--id", "D-2",
                      "--on", "2027-01-05"], db)
    assert json.loads(out)["policy"]["version"] == "1.1.0"
    code, out = _cli(["resolve", "D-1", "--on", "2027-01-08", "--outcome", "realigned",
                      "--memo", str(tmp_path / "memo.md")], db)
    assert code == 0, out
    code, out = _cli(["open", str(POLICY_DIR), str(tmp_path / "back.json"), "--id", "D-3",
                      "--on", "2027-01-15"], db)
    assert json.loads(out)["level"]["id"] == "regional"
    code, out = _cli(["show", "D-1"], db)
    assert code == 0 and "remedy granted" in out and "resolved" in out
    assert "ann@partner.example" not in out
    code, out = _cli(["show", "D-1", "--format", "memo"], db)
    assert code == 0 and "# Resolution memo" in out and "agreed" in out
    code, out = _cli(["show", "D-1", "--format", "json", "--reveal"], db)
    assert "ann@partner.example" in out
    code, out = _cli(["verify"], db)
    assert code == 0 and "every chain holds" in out
    code, out = _cli(["metrics", "--format", "json"], db)
    report = json.loads(out)
    assert report["total"]["disputes"] == 3 and report["total"]["resolved"] == 1
    assert report["total"]["recurring"] == 1
    code, out = _cli(["metrics", "--format", "html"], db)
    assert code == 0 and "<svg" in out
    code, out = _cli(["export"], db)
    lines = [json.loads(x) for x in out.splitlines()]
    assert len(lines) == 5 and all("as_of" in x for x in lines)
    code, out = _cli(["log", "--format", "json"], db)
    assert len(out.splitlines()) == 5
