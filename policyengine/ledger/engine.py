"""Where the ledger lives: URL resolution, engines (SQLite in WAL mode with a busy timeout, or
PostgreSQL through psycopg 3) and the Alembic migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import LedgerError

#: the ledger file used when neither a URL nor ``POLICYENGINE_DB`` is given
DEFAULT_PATH = "policyengine-ledger.db"
ENV_VAR = "POLICYENGINE_DB"
#: how long a writer waits for another writer's lock (SQLite)
BUSY_TIMEOUT_S = 60.0
MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "ledger_schema_version"


def resolve_url(url: str | os.PathLike[str] | None) -> str:
    """A SQLAlchemy URL from a URL, a file path, ``POLICYENGINE_DB`` or the default file."""
    if url is None:
        url = os.environ.get(ENV_VAR) or DEFAULT_PATH
    text = os.fspath(url)
    if not text.strip():
        raise LedgerError("bad_url", "the database URL is empty",
                          hint=f"give --db PATH or a URL, or set {ENV_VAR}")
    if "://" not in text:
        return "sqlite+pysqlite:///" + os.path.abspath(text)
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            text = "postgresql+psycopg://" + text[len(prefix):]
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise LedgerError("bad_url", f"`{_safe(text)}` is not a database URL",
                          hint="use a file path, sqlite:///PATH or "
                          "postgresql+psycopg://USER@HOST:PORT/DB") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise LedgerError("bad_url", f"the ledger runs on SQLite or PostgreSQL, not `{backend}`",
                          hint="use a file path, or postgresql+psycopg://USER@HOST:PORT/DB")
    if backend == "postgresql" and parsed.get_driver_name() != "psycopg":
        raise LedgerError("bad_url", f"PostgreSQL is reached through psycopg 3, not "
                          f"`{parsed.get_driver_name()}`", hint="write postgresql+psycopg://...")
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise LedgerError("bad_url", "an in-memory SQLite ledger would be lost at once",
                          hint="give a file path")
    return text


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


def display_url(url: str) -> str:
    return _safe(url)


def sqlite_path(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return parsed.database


def create(url: str) -> Engine:
    """An engine; SQLite gets WAL, a busy timeout, foreign keys and ``BEGIN IMMEDIATE`` (so
    that a writer takes the lock when its transaction starts, never half-way through)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_connection.cursor()
            cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine) -> str:
    """Create or migrate the schema to the newest revision (one transaction); returns it."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    return head_revision()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        row = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").first()
        conn.rollback()
        return None if row is None else str(row[0])
