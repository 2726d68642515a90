"""The ledger's tables (SQLAlchemy Core). The migrations in ``migrations/versions`` create
exactly these; ``tests/ledger/test_migrations.py`` checks that they agree.

Dates are ISO ``YYYY-MM-DD`` text and timestamps ISO text in UTC with microseconds
(``2026-11-27T09:30:00.000000+00:00``), JSON is canonical text: both sort and compare alike on
SQLite and PostgreSQL, and the hash chain hashes exactly what is stored.
"""

from __future__ import annotations

from sqlalchemy import (Column, Float, ForeignKey, Index, Integer, MetaData, String,
                        Table, Text, UniqueConstraint)

metadata = MetaData()

policy_versions = Table(
    "ledger_policy_versions", metadata,
    Column("digest", String(80), primary_key=True),
    Column("policy_id", String(64), nullable=False),
    Column("version", String(64), nullable=False),
    Column("effective", String(10), nullable=False),
    Column("expires", String(10), nullable=True),
    Column("source_name", Text, nullable=False),
    Column("source_text", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Index("ix_ledger_policy_versions_policy", "policy_id", "effective"),
)

# The current state of each dispute: a projection of its events, written in the same
# transaction as each event, so that `due` and `metrics` need not replay histories.
# `verify` recomputes it from the events and reports any difference.
disputes = Table(
    "ledger_disputes", metadata,
    Column("id", String(200), primary_key=True),
    Column("policy_id", String(64), nullable=False),
    Column("digest", String(80), ForeignKey("ledger_policy_versions.digest"), nullable=False),
    Column("version", String(64), nullable=False),
    Column("pinned_on", String(10), nullable=False),
    Column("opened_on", String(10), nullable=False),
    Column("status", String(16), nullable=False),
    Column("state", Text, nullable=False),  # the full projection as canonical JSON
    Column("opened_facts", Text, nullable=True),  # the facts at opening (derived counts)
    Column("category", String(64), nullable=True),
    Column("level", String(64), nullable=True),
    Column("opened_level", String(64), nullable=True),
    Column("respond_by", String(10), nullable=True),
    Column("decide_by", String(10), nullable=True),
    Column("remedy_due_on", String(10), nullable=True),
    Column("resolved_on", String(10), nullable=True),
    Column("last_on", String(10), nullable=False),
    # for metrics without reading each state (migration 0003)
    Column("escalations", Integer, nullable=True),
    Column("breaches", Integer, nullable=True),
    Column("reopened", Integer, nullable=True),
    Column("recurring", Integer, nullable=True),
    Column("resolution_days", Text, nullable=True),  # days of each resolution: "3,12"
    Column("last_n", Integer, nullable=False),
    Column("last_hash", String(80), nullable=False),
    Column("opened_at", String(32), nullable=False),
    Index("ix_ledger_disputes_policy_opened", "policy_id", "opened_on"),
    Index("ix_ledger_disputes_status_decide", "status", "decide_by"),
    Index("ix_ledger_disputes_status_respond", "status", "respond_by"),
    Index("ix_ledger_disputes_status_remedy", "status", "remedy_due_on"),
)

events = Table(
    "ledger_events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("dispute_id", String(200), ForeignKey("ledger_disputes.id"), nullable=False),
    Column("n", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("on_date", String(10), nullable=False),
    Column("at", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(80), nullable=True),
    Column("hash", String(80), nullable=False),
    UniqueConstraint("dispute_id", "n", name="uq_ledger_events_dispute_n"),
)

decision_log = Table(
    "ledger_decision_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("decision_id", String(64), nullable=False, unique=True),
    Column("at", String(32), nullable=False),
    Column("policy_id", String(64), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("policy_digest", String(80), nullable=False),
    Column("actor", Text, nullable=True),
    Column("source", String(32), nullable=False),
    Column("dispute", Text, nullable=False),
    Column("decision", Text, nullable=True),
    Column("refusal", Text, nullable=True),
    Column("latency_ms", Float, nullable=False),
    Column("dispute_id", String(200), nullable=True),
    Index("ix_ledger_decision_log_at", "at"),
    Index("ix_ledger_decision_log_policy", "policy_id", "at"),
)

__all__ = ["metadata", "policy_versions", "disputes", "events", "decision_log"]
