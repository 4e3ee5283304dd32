"""`ritualbot db upgrade` run by several processes at once on an empty database: replicas
started together migrate on start, and an operator may run the step while a replica starts.
One process applies the migrations, the others wait and find nothing to apply; none fails.

On PostgreSQL the test uses a database of its own (the test database's name with
`_upgrade`), made empty for it and dropped after, since the session's database is migrated
once for all tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from sqlalchemy import text

from bot.store.database import make_engine
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parent.parent


def _admin(sql: str) -> None:
    parts = urlsplit(PG_URL)
    engine = make_engine(urlunsplit((parts.scheme, parts.netloc, "/postgres", "", "")))
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database, never migrated."""
    if not PG_URL.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    parts = urlsplit(PG_URL)
    name = parts.path.lstrip("/") + "_upgrade"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_again(url: str) -> None:
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        return
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.mark.timeout(120)
def test_four_upgrades_at_once_on_an_empty_database_all_succeed_and_apply_once(empty_database: str) -> None:
    env = dict(os.environ, DATABASE_URL=empty_database)
    command = [sys.executable, "-m", "bot", "db", "upgrade", "--config", str(ROOT / "config.toml")]
    for _ in range(3):  # a race: three rounds, so one that happens to run them one after another proves little
        _empty_again(empty_database)
        procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for _ in range(4)]
        results = [(p.wait(timeout=100), *p.communicate()) for p in procs]
        for code, out, err in results:
            assert code == 0, err[-2000:]
            assert "database is up to date" in out
        applied = [line for _, out, _ in results for line in out.splitlines() if line.startswith("applied ")]
        assert len(applied) == len(set(applied)) and any("0001_foundation" in line for line in applied), applied
