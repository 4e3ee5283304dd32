"""Another connection holding the database, the way a second process or a long admin job does.

`holding(url)` starts a thread with its own connection that takes SQLite's write lock
(`BEGIN IMMEDIATE`) or, on PostgreSQL, an ACCESS EXCLUSIVE lock on the tables given
(what a long `ALTER TABLE` or `VACUUM FULL` holds), until the block ends or `at_most`
seconds have passed, whichever comes first.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from bot.store.database import sqlite_path


@contextmanager
def holding(url: str, *, tables: tuple[str, ...] = ("ritual_data",), at_most: float = 30.0) -> Iterator[threading.Event]:
    """Hold the lock while the block runs; yields an event that is set once it is released."""
    held, release, released = threading.Event(), threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def hold() -> None:
        try:
            if url.startswith("sqlite"):
                path = sqlite_path(url)
                conn: sqlite3.Connection | psycopg.Connection = sqlite3.connect(str(path), isolation_level=None)
                conn.execute("BEGIN IMMEDIATE")
            else:
                conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
                conn.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            failed.append(exc)
            held.set()
            return
        held.set()
        release.wait(at_most)
        conn.rollback()
        conn.close()
        released.set()

    thread = threading.Thread(target=hold, name="lock-holder", daemon=True)
    thread.start()
    held.wait()
    if failed:
        raise failed[0]
    try:
        yield released
    finally:
        release.set()
        thread.join()
