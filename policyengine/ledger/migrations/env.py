"""Alembic environment: runs on the connection ``Ledger.init()`` hands over."""

from __future__ import annotations

from alembic import context

from policyengine.ledger.tables import metadata

VERSION_TABLE = "ledger_schema_version"

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
