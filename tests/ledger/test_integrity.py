"""The hash chain and the projection: ``verify`` finds every kind of tampering, and the schema
the migrations create is the schema the code declares."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select, update

from policyengine.ledger import Ledger
from policyengine.ledger import engine as eng
from policyengine.ledger.tables import disputes, events, metadata

from .conftest import POLICY_DIR

P1 = {"kind": "pricing", "amount": 2000.0, "partner": {"id": "P-1"}}


@pytest.fixture
def history(ledger: Ledger) -> Ledger:
    ledger.open("D-1", POLICY_DIR, P1, on="2026-11-27")
    ledger.decide("D-1", on="2026-12-07", facts={"amount": 3000.0})
    ledger.grant("D-1", "hold", on="2026-12-07")
    ledger.open("D-2", POLICY_DIR, P1, on="2026-11-30")
    return ledger


def _tamper(lg: Ledger, stmt: object) -> None:
    engine = eng.create(lg.url)
    with engine.begin() as conn:
        conn.execute(stmt)  # type: ignore[call-overload]
    engine.dispose()


def test_a_sound_ledger_verifies(history: Ledger) -> None:
    report = history.verify()
    assert report.ok and (report.disputes, report.events) == (2, 5)


def test_a_changed_payload_breaks_its_hash(history: Ledger) -> None:
    row = [e for e in history.show("D-1", reveal=True).events if e.kind == "facts_amended"][0]
    payload = dict(row.payload, changes={"amount": 1.0})
    _tamper(history, update(events).where(events.c.dispute_id == "D-1", events.c.n == row.n)
            .values(payload=json.dumps(payload, sort_keys=True, separators=(",", ":"))))
    problems = history.verify().problems
    assert any("D-1" in p and "event 2" in p and "changed after it was recorded" in p
               for p in problems)


def test_a_changed_actor_or_date_breaks_its_hash(history: Ledger) -> None:
    _tamper(history, update(events).where(events.c.dispute_id == "D-2")
            .values(actor="mallory"))
    assert any("D-2" in p and "changed after" in p for p in history.verify().problems)


def test_a_deleted_event_is_found(history: Ledger) -> None:
    _tamper(history, delete(events).where(events.c.dispute_id == "D-1", events.c.n == 2))
    problems = history.verify().problems
    assert any("event is missing" in p for p in problems)
    assert any("does not link" in p for p in problems)


def test_a_deleted_last_event_is_found(history: Ledger) -> None:
    _tamper(history, delete(events).where(events.c.dispute_id == "D-1", events.c.n == 4))
    assert any("history ends at event 3" in p for p in history.verify().problems)


def test_a_changed_state_is_found(history: Ledger) -> None:
    engine = eng.create(history.url)
    with engine.begin() as conn:
        st = json.loads(conn.execute(select(disputes.c.state).where(disputes.c.id == "D-1"))
                        .scalar_one())
        st["level"] = "frontline"
        conn.execute(update(disputes).where(disputes.c.id == "D-1")
                     .values(state=json.dumps(st), level="frontline"))
    engine.dispose()
    problems = history.verify().problems
    assert any("D-1" in p and "differs from its history in level" in p for p in problems)


def test_a_changed_index_column_is_found(history: Ledger) -> None:
    _tamper(history, update(disputes).where(disputes.c.id == "D-2")
            .values(decide_by="2099-01-01"))
    assert any("indexed columns differ" in p and "decide_by" in p
               for p in history.verify().problems)


def test_init_is_idempotent(history: Ledger) -> None:
    assert history.init() == eng.head_revision()
    assert history.verify().ok


def test_the_migrations_create_the_declared_schema(ledger: Ledger) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = eng.create(ledger.url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": eng.VERSION_TABLE})
        diff = compare_metadata(ctx, metadata)
    engine.dispose()
    assert diff == []


def test_migration_0002_fills_the_opening_facts(ledger_url: str) -> None:
    from alembic import command

    from policyengine.ledger.records import canonical_json

    engine = eng.create(eng.resolve_url(ledger_url))
    with engine.begin() as conn:
        command.upgrade(eng._alembic_config(conn), "0001")
    engine.dispose()
    # a dispute recorded, then the schema taken back to 0001 (the column dropped) and upgraded
    with Ledger(ledger_url) as lg:
        lg.init()  # to head
        lg.open("D-1", POLICY_DIR, P1, on="2026-11-27")
    engine = eng.create(eng.resolve_url(ledger_url))
    with engine.begin() as conn:
        command.downgrade(eng._alembic_config(conn), "0001")
        command.upgrade(eng._alembic_config(conn), "head")
        stored = conn.execute(select(disputes.c.opened_facts)).scalar_one()
    engine.dispose()
    assert stored == canonical_json(P1)
    with Ledger(ledger_url) as lg:
        assert lg.verify().ok
