"""Disputes keep the numbers `metrics` reads (escalations, deadline breaches, reopenings,
recurrence, the days of each resolution) in columns, so that metrics over many disputes read
no state; existing rows are filled from their state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = [("escalations", sa.Integer), ("breaches", sa.Integer), ("reopened", sa.Integer),
            ("recurring", sa.Integer), ("resolution_days", sa.Text)]


def upgrade() -> None:
    from policyengine.ledger.state import columns

    for name, type_ in _COLUMNS:
        op.add_column("ledger_disputes", sa.Column(name, type_, nullable=True))
    conn = op.get_bind()
    table = sa.table("ledger_disputes", sa.column("id", sa.String), sa.column("state", sa.Text),
                     *(sa.column(name, type_) for name, type_ in _COLUMNS))
    for row in conn.execute(sa.select(table.c.id, table.c.state)).all():
        cols = columns(json.loads(row.state))
        conn.execute(table.update().where(table.c.id == row.id).values(
            **{name: cols[name] for name, _ in _COLUMNS}))


def downgrade() -> None:
    for name, _ in reversed(_COLUMNS):
        op.drop_column("ledger_disputes", name)
