"""The database: one SQLAlchemy engine for SQLite (WAL, in the data directory) or PostgreSQL, and the
Alembic upgrade to the current schema. SQLite transactions begin IMMEDIATE, so exactly one writer at
a time (the claim of a batch is a single-writer transaction); PostgreSQL claims with
FOR UPDATE SKIP LOCKED (skillscan/serve/store.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from skillscan.capabilities.urls import with_scheme

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(data: Path, database: str | None) -> str:
    """`--database` as given (postgresql://… is driven by psycopg 3), else SQLite in the data directory."""
    if not database:
        return f"sqlite:///{(data / 'skillscan.db').resolve()}"
    if database.startswith(("postgresql://", "postgres://")):
        return with_scheme(database, "postgresql+psycopg")
    return database


def is_sqlite(engine: sa.engine.Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, readonly: bool = False) -> sa.engine.Engine:
    """`readonly`: an engine for reads only; on SQLite its transactions begin DEFERRED, so readers
    never wait for the write lock (WAL lets them read beside the one writer)."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False},
                                  poolclass=sa.pool.QueuePool, pool_size=8, max_overflow=8)

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.engine.Connection) -> None:
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)


def migrate(engine: sa.engine.Engine) -> None:
    """Upgrade the database to the newest migration (idempotent; concurrent starts on PostgreSQL are
    serialised by an advisory lock)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7215021)")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
