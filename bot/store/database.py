"""Opening the database: URL normalisation, a private SQLite file, migrations on start."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, event, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import create_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept the usual `postgresql://` form and use psycopg 3 for it."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL points to, whatever its form; None for in-memory databases.

    `sqlite:///x.db?timeout=10` is the file `x.db`, `sqlite:////abs/x.db` an absolute path,
    `sqlite:///file:x.db?mode=rwc&uri=true` a SQLite URI naming `x.db`.
    """
    parsed = make_url(url)
    database = parsed.database or ""
    if database.startswith("file:"):
        database = unquote(urlsplit(database).path)
    if not database or database == ":memory:" or parsed.query.get("mode") == "memory":
        return None
    return Path(database)


def _prepare_sqlite_file(url: str) -> None:
    """Create the SQLite file readable by its owner only, and make an existing one so.

    SQLite creates its files with the umask (often 0644): the file holds what people shared.
    """
    file = sqlite_path(url)
    if file is None:
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    if not file.exists():
        fd = os.open(file, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(file, 0o600)


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
            # Write-ahead log: readers never wait for the writer, and a commit is an append
            # without an fsync (synchronous=NORMAL), so a fan-out's thousands of short
            # transactions are not one disk flush each. A killed process loses nothing; only
            # a power cut or OS crash can lose the last moments' commits (never corrupt the file).
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Erased text is overwritten with zeros, not left in free pages of the file.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    # alembic is imported here, not at the top: what only reads the config (check-config,
    # schedule) then loads no migration machinery and logs none of its plugin set-up with -v.
    from alembic.config import Config

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
    from alembic import command

    command.upgrade(cfg, "heads")
    return applied


def open_database(url: str, *, migrate: bool = True) -> Engine:
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    return engine
