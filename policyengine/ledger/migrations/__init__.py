"""Alembic migrations of the dispute ledger, shipped inside the package (``Ledger.init()`` runs
``upgrade head``)."""
