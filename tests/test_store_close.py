"""Closing the store from a running event loop leaves the loop free: closing SQLite's last
connection checkpoints its write-ahead log (disk writes, an fsync)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import event

from bot.store import Store, open_database


async def test_aclose_closes_the_connections_off_the_event_loop(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'ritualbot.db'}")
    closed_on: list[int] = []
    event.listen(engine.pool, "close", lambda *_: closed_on.append(threading.get_ident()))
    store = Store(engine)
    await store.team_settings()  # a connection is opened and kept in the pool
    await store.aclose()
    assert closed_on and threading.get_ident() not in closed_on
