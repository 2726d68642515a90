"""The decision log contract (the decision service writes to it too)."""

from __future__ import annotations

import datetime as _dt

import pytest
from click.testing import CliRunner

from policyengine.cli.main import cli
from policyengine.ledger import DecisionLogEntry, Ledger, LedgerError

UTC = _dt.timezone.utc


def _entry(i: int, at: _dt.datetime, policy: str = "p") -> DecisionLogEntry:
    return DecisionLogEntry(f"id-{i}", at, policy, "1.0.0", "sha256:x", "svc-token", "service",
                            {"kind": "pricing", "amount": 1.5}, {"action": "escalate"}
                            if i % 2 == 0 else None,
                            None if i % 2 == 0 else {"code": "invalid_facts", "problems": []},
                            0.25 * i)


def test_entries_round_trip_and_filter(ledger: Ledger) -> None:
    base = _dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for i in range(5):
        ledger.log_decision(_entry(i, base + _dt.timedelta(minutes=i), "p" if i < 4 else "q"))
    got = ledger.decision_log()
    assert [e.decision_id for e in got] == [f"id-{i}" for i in range(5)]
    assert got[1] == _entry(1, base + _dt.timedelta(minutes=1))
    assert got[0].at.tzinfo is not None and got[0].at == base
    since = ledger.decision_log(since=base + _dt.timedelta(minutes=3))
    assert [e.decision_id for e in since] == ["id-3", "id-4"]
    assert [e.decision_id for e in ledger.decision_log(policy_id="q")] == ["id-4"]
    assert len(ledger.decision_log(limit=2)) == 2
    # a naive datetime is read as UTC
    naive = ledger.decision_log(since=_dt.datetime(2026, 12, 1, 9, 4))
    assert [e.decision_id for e in naive] == ["id-4"]


def test_a_bad_entry_is_a_clear_error(ledger: Ledger) -> None:
    bad = DecisionLogEntry("x", _dt.datetime.now(UTC), "p", "1", "d", None, "service",
                           {"not json": object()}, None, None, 1.0)
    with pytest.raises(LedgerError) as info:
        ledger.log_decision(bad)
    assert info.value.code == "cannot_write"
    ledger.log_decision(_entry(0, _dt.datetime.now(UTC)))
    with pytest.raises(LedgerError) as info:
        ledger.log_decision(_entry(0, _dt.datetime.now(UTC)))  # the same decision id twice
    assert info.value.code == "cannot_write"
    assert len(ledger.decision_log()) == 1


def test_cli_log(ledger: Ledger) -> None:
    ledger.log_decision(_entry(0, _dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)))
    ledger.log_decision(_entry(1, _dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)))
    r = CliRunner().invoke(cli, ["ledger", "log", "--since", "2026-12-02", "--db", ledger.url])
    assert r.exit_code == 0 and "refused: invalid_facts" in r.output and "id-0" not in r.output
    assert len(r.output.splitlines()) == 1
    r = CliRunner().invoke(cli, ["ledger", "log", "--since", "yesterday", "--db", ledger.url])
    assert r.exit_code == 2
