"""Disputes keep their opening facts in a column of their own, so that derived counts read
them without parsing each dispute's whole state; existing rows are filled from the state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ledger_disputes", sa.Column("opened_facts", sa.Text, nullable=True))
    conn = op.get_bind()
    table = sa.table("ledger_disputes", sa.column("id", sa.String), sa.column("state", sa.Text),
                     sa.column("opened_facts", sa.Text))
    rows = conn.execute(sa.select(table.c.id, table.c.state)).all()
    for row in rows:
        facts = json.loads(row.state)["opened_facts"]
        conn.execute(table.update().where(table.c.id == row.id).values(
            opened_facts=json.dumps(facts, sort_keys=True, ensure_ascii=False,
                                    separators=(",", ":"))))


def downgrade() -> None:
    op.drop_column("ledger_disputes", "opened_facts")  # SQLite 3.35 or newer
