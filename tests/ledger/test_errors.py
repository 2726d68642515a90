"""Each bad request gives a clear, typed error and writes nothing (tables compared row by row
before and after); refusals by ``evaluate`` write only their decision-log entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner

from policyengine import DisputeError, PolicyengineError
from policyengine.cli.main import cli
from policyengine.ledger import Ledger, LedgerError

from .conftest import ACME, POLICY_DIR, V1, snapshot

P1 = {"kind": "pricing", "amount": 2000.0, "partner": {"id": "P-1"}}


@pytest.fixture
def busy(ledger: Ledger) -> Ledger:
    ledger.open("D-1", POLICY_DIR, P1, on="2026-11-27")
    ledger.decide("D-1", on="2026-12-07")
    ledger.grant("D-1", "hold", on="2026-12-07")
    ledger.open("D-2", POLICY_DIR, P1, on="2026-11-30")
    ledger.resolve("D-2", on="2026-12-01", outcome="withdrawn")
    return ledger


CASES: dict[str, tuple[str, Callable[[Ledger], Any]]] = {
    "open an id that exists": (
        "dispute_exists", lambda lg: lg.open("D-1", POLICY_DIR, P1, on="2026-12-08")),
    "decide an unknown id": ("unknown_dispute", lambda lg: lg.decide("D-9", on="2026-12-08")),
    "grant on an unknown id": (
        "unknown_dispute", lambda lg: lg.grant("D-9", "hold", on="2026-12-08")),
    "show an unknown id": ("unknown_dispute", lambda lg: lg.show("D-9")),
    "decide before the last event": (
        "date_before_last_event", lambda lg: lg.decide("D-1", on="2026-12-06")),
    "grant before the last event": (
        "date_before_last_event", lambda lg: lg.grant("D-1", "hold", on="2026-11-28")),
    "resolve before the last event": (
        "date_before_last_event", lambda lg: lg.resolve("D-1", on="2026-12-01", outcome="x")),
    "a remedy not in the decision": (
        "unknown_remedy", lambda lg: lg.grant("D-1", "price-realignment", on="2026-12-08")),
    "a remedy the policy lacks": (
        "unknown_remedy", lambda lg: lg.grant("D-1", "holdd", on="2026-12-08")),
    "a remedy granted twice": (
        "remedy_in_force", lambda lg: lg.grant("D-1", "hold", on="2026-12-08")),
    "review a remedy not granted": (
        "remedy_not_granted", lambda lg: lg.review("D-1", "price-realignment", on="2026-12-08")),
    "decide a resolved dispute": (
        "dispute_resolved", lambda lg: lg.decide("D-2", on="2026-12-08")),
    "reopen an open dispute": (
        "dispute_open", lambda lg: lg.reopen("D-1", on="2026-12-08", reason="x")),
    "repin to an unknown version": (
        "unknown_version", lambda lg: lg.repin("D-1", to="9.9.9", reason="x", on="2026-12-08")),
    "repin to a version not in force": (
        "version_not_in_force",
        lambda lg: lg.repin("D-1", to="1.1.0", reason="x", on="2026-12-08", policy=POLICY_DIR)),
    "a dispute that gives escalation": (
        "reserved_key", lambda lg: lg.open("D-3", V1, dict(P1, escalation={
            "level": "frontline", "since": "2026-11-01"}), on="2026-12-08")),
    "a dispute that gives a derived fact": (
        "derived_fact_given",
        lambda lg: lg.open("D-3", V1, dict(P1, recurrences_90d=0), on="2026-12-08")),
    "changes that give a derived fact": (
        "derived_fact_given",
        lambda lg: lg.decide("D-1", on="2026-12-08", facts={"recurrences_90d": 4})),
    "changes that are not an object": (
        "bad_changes", lambda lg: lg.decide("D-1", on="2026-12-08", facts=[1])),  # type: ignore
    "a date that is not a date": (
        "bad_argument", lambda lg: lg.decide("D-1", on="2026-13-01")),
    "an empty outcome": ("bad_argument", lambda lg: lg.resolve("D-1", on="2026-12-08",
                                                               outcome=" ")),
    "a policy folder of two policies": (
        "several_policies", lambda lg: lg.open("D-3", [_load(V1), _load(ACME)], P1,
                                               on="2026-12-08")),
    "a rulebook that does not exist": (
        "policy_unreadable", lambda lg: lg.open("D-3", "no/such.yaml", P1, on="2026-12-08")),
    "a negative --within": ("bad_argument", lambda lg: lg.due(on="2026-12-08", within=-1)),
}


def _load(path: Path) -> Any:
    from policyengine import load_policy

    return load_policy(path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_a_clear_error_and_writes_nothing(busy: Ledger, case: str) -> None:
    code, call = CASES[case]
    before = snapshot(busy.url)
    with pytest.raises(LedgerError) as info:
        call(busy)
    assert info.value.code == code
    assert isinstance(info.value, PolicyengineError)
    assert info.value.message and "Traceback" not in str(info.value)
    assert snapshot(busy.url) == before


def test_a_refusal_writes_only_its_log_entry(busy: Ledger) -> None:
    before = snapshot(busy.url)
    with pytest.raises(DisputeError) as info:
        busy.decide("D-1", on="2026-12-08", facts={"amount": -5.0})
    assert info.value.code == "invalid_facts"
    after = snapshot(busy.url)
    assert {k: v for k, v in after.items() if k != "ledger_decision_log"} == \
        {k: v for k, v in before.items() if k != "ledger_decision_log"}
    new = [e for e in busy.decision_log() if e.refusal is not None]
    assert len(new) == 1 and new[0].refusal["code"] == "invalid_facts"  # type: ignore[index]
    assert new[0].dispute_id == "D-1"


def test_not_initialized(tmp_path: Path) -> None:
    with Ledger(tmp_path / "none.db") as lg, pytest.raises(LedgerError) as info:
        lg.decide("D-1", on="2026-12-08")
    assert info.value.code == "not_initialized"
    assert not (tmp_path / "none.db").exists()  # nothing created where nobody asked


def test_bad_urls() -> None:
    for url, code in [("mysql://x@y/z", "bad_url"), ("postgresql+psycopg2://x@y/z", "bad_url"),
                      ("sqlite://", "bad_url"), ("", "bad_url")]:
        with pytest.raises(LedgerError) as info:
            Ledger(url)
        assert info.value.code == code, url


def test_cli_errors_exit_2_with_the_code(busy: Ledger, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["ledger", "decide", "D-1", "--on", "2026-12-01", "--db", busy.url])
    assert r.exit_code == 2
    assert "[date_before_last_event]" in r.output and "hint:" in r.output
    (tmp_path / "bad.json").write_text("{nope")
    r = runner.invoke(cli, ["ledger", "open", str(V1), str(tmp_path / "bad.json"), "--id", "X",
                            "--on", "2026-12-01", "--db", busy.url])
    assert r.exit_code == 2 and "bad.json:1:2: not valid JSON" in r.output
    (tmp_path / "neg.json").write_text(json.dumps(dict(P1, amount=-1.0)))
    r = runner.invoke(cli, ["ledger", "open", str(V1), str(tmp_path / "neg.json"), "--id", "X",
                            "--on", "2026-12-01", "--db", busy.url])
    assert r.exit_code == 1 and '"invalid_facts"' in r.output
    r = runner.invoke(cli, ["ledger", "init", "--db", str(tmp_path / "no" / "dir" / "l.db")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_unreachable_postgresql_is_a_clear_error() -> None:
    with Ledger("postgresql+psycopg://nobody@127.0.0.1:1/x?connect_timeout=2") as lg:
        with pytest.raises(LedgerError) as info:
            lg.init()
    assert info.value.code == "unavailable" and "cannot be used" in info.value.message
