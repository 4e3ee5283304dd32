"""Opening the database: URL normalisation, a private SQLite file, migrations on start."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept the usual `postgresql://` form and use psycopg 3 for it."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _prepare_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only before SQLite creates it 0644."""
    path = url.removeprefix("sqlite:///")
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if not file.exists():
        fd = os.open(file, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> list[tuple[str, str]]:
    """Apply every migration (all branch heads) to the database; the ones applied now, in
    order, as (revision id, its one-line description). Empty when it was up to date."""
    cfg = alembic_config(engine)
    applied: list[tuple[str, str]] = []
    cfg.attributes["applied"] = applied
    command.upgrade(cfg, "heads")
    return applied


def open_database(url: str, *, migrate: bool = True) -> Engine:
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return engine
