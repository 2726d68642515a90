"""Ledger tests run on SQLite always, and on PostgreSQL when ``POLICYENGINE_TEST_PG_URL`` names
a server where the user may create databases (``.ci/run`` starts a throwaway one). Each test
gets a fresh database."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

PG_ENV = "POLICYENGINE_TEST_PG_URL"
DATA = Path(__file__).parent / "data"
POLICY_DIR = DATA / "partner-conflict"
V1 = POLICY_DIR / "partner-conflict-1.0.yaml"
V2 = POLICY_DIR / "partner-conflict-1.1.yaml"
ACME = Path(__file__).resolve().parents[2] / "policies" / "acme-channel-conflict.yaml"

BACKENDS = ["sqlite", "postgresql"]


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return url or None


@pytest.fixture(params=BACKENDS)
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
        return
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL ledger tests need a server: set {PG_ENV} to "
                    "postgresql+psycopg://USER@HOST:PORT/DB (.ci/run starts one)")
    yield from _pg_database(admin)


def _pg_database(admin: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "pe_test_" + uuid.uuid4().hex[:12]
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture
def ledger(ledger_url: str) -> Iterator["object"]:
    from policyengine.ledger import Ledger

    with Ledger(ledger_url) as lg:
        lg.init()
        yield lg


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every ledger table (to prove that a failed command wrote nothing)."""
    from sqlalchemy import select

    from policyengine.ledger import engine as eng
    from policyengine.ledger.tables import metadata

    engine = eng.create(eng.resolve_url(url))
    try:
        with engine.begin() as conn:
            return {t.name: sorted(tuple(r) for r in conn.execute(select(t)))
                    for t in metadata.sorted_tables}
    finally:
        engine.dispose()
