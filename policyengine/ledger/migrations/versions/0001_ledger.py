"""The dispute ledger: policy versions, disputes, events (hash-chained), decision log.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_policy_versions",
        sa.Column("digest", sa.String(80), primary_key=True),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("effective", sa.String(10), nullable=False),
        sa.Column("expires", sa.String(10), nullable=True),
        sa.Column("source_name", sa.Text, nullable=False),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_ledger_policy_versions_policy", "ledger_policy_versions",
                    ["policy_id", "effective"])
    op.create_table(
        "ledger_disputes",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(80), sa.ForeignKey("ledger_policy_versions.digest"),
                  nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("pinned_on", sa.String(10), nullable=False),
        sa.Column("opened_on", sa.String(10), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("category", sa.String(64), nullable=True),
        sa.Column("level", sa.String(64), nullable=True),
        sa.Column("opened_level", sa.String(64), nullable=True),
        sa.Column("respond_by", sa.String(10), nullable=True),
        sa.Column("decide_by", sa.String(10), nullable=True),
        sa.Column("remedy_due_on", sa.String(10), nullable=True),
        sa.Column("resolved_on", sa.String(10), nullable=True),
        sa.Column("last_on", sa.String(10), nullable=False),
        sa.Column("last_n", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(80), nullable=False),
        sa.Column("opened_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_ledger_disputes_policy_opened", "ledger_disputes",
                    ["policy_id", "opened_on"])
    op.create_index("ix_ledger_disputes_status_decide", "ledger_disputes",
                    ["status", "decide_by"])
    op.create_index("ix_ledger_disputes_status_respond", "ledger_disputes",
                    ["status", "respond_by"])
    op.create_index("ix_ledger_disputes_status_remedy", "ledger_disputes",
                    ["status", "remedy_due_on"])
    op.create_table(
        "ledger_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dispute_id", sa.String(200), sa.ForeignKey("ledger_disputes.id"),
                  nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("on_date", sa.String(10), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(80), nullable=True),
        sa.Column("hash", sa.String(80), nullable=False),
        sa.UniqueConstraint("dispute_id", "n", name="uq_ledger_events_dispute_n"),
    )
    op.create_table(
        "ledger_decision_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.String(64), nullable=False, unique=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("policy_digest", sa.String(80), nullable=False),
        sa.Column("actor", sa.Text, nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("dispute", sa.Text, nullable=False),
        sa.Column("decision", sa.Text, nullable=True),
        sa.Column("refusal", sa.Text, nullable=True),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("dispute_id", sa.String(200), nullable=True),
    )
    op.create_index("ix_ledger_decision_log_at", "ledger_decision_log", ["at"])
    op.create_index("ix_ledger_decision_log_policy", "ledger_decision_log", ["policy_id", "at"])


def downgrade() -> None:
    op.drop_table("ledger_decision_log")
    op.drop_table("ledger_events")
    op.drop_table("ledger_disputes")
    op.drop_table("ledger_policy_versions")
