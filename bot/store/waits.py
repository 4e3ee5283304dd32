"""Bounded waits for the database (issue 9, point 3).

A person waiting on a click or a form must not wait on a lock for half a minute: until
the interaction has delivered something, its transactions wait `BRIEF` (SQLite's busy
timeout, PostgreSQL's `lock_timeout` and `statement_timeout`) and a wait that runs out
raises `DatabaseBusy` after the transaction was rolled back. The core then answers "that
didn't work, try again in a moment" and nothing of the interaction happened.

Once something went out (a post, a reply), the rest of the interaction waits `PATIENT`,
like the schedule's own work: half of an interaction is worse than a slow one.

Which waits apply travels with the asyncio task (a `ContextVar`); the store's thread
reads it per call and sets it on the connection it checks out of the pool, only when it
differs from what that connection has.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

R = TypeVar("R")


@dataclass(frozen=True)
class Waits:
    """How long one statement may wait for a lock and run, in seconds."""

    lock: float
    statement: float


BRIEF = Waits(lock=1.5, statement=3.0)  # a person is waiting, and Slack gives up after 3 s
PATIENT = Waits(lock=30.0, statement=300.0)  # the store's calls for scheduled work, retention, start-up

# PostgreSQL: lock_not_available (lock_timeout), query_canceled (statement_timeout).
_PG_WAIT_STATES = ("55P03", "57014")

_waits: ContextVar[Waits] = ContextVar("ritualbot_db_waits", default=PATIENT)
_thread = threading.local()


class DatabaseBusy(Exception):
    """The database did not become free within the waits allowed; the transaction was rolled back."""


def current_waits() -> Waits:
    return _waits.get()


@contextmanager
def brief_waits() -> Iterator[None]:
    """Run the block (a person's interaction) with `BRIEF` waits."""
    token = _waits.set(BRIEF)
    try:
        yield
    finally:
        _waits.reset(token)


def be_patient() -> None:
    """From now on in this task (until its `brief_waits` block ends), wait `PATIENT`."""
    _waits.set(PATIENT)


def run_within(waits: Waits, call: Callable[[], R]) -> R:
    """Run `call` (on a store thread) with `waits` on the connections it checks out;
    a wait that ran out becomes `DatabaseBusy`."""
    _thread.waits = waits
    try:
        return call()
    except DBAPIError as exc:
        if is_wait_exceeded(exc.orig):
            raise DatabaseBusy(f"the database stayed busy ({type(exc.orig).__name__})") from exc
        raise
    finally:
        _thread.waits = None


def is_wait_exceeded(error: BaseException | None) -> bool:
    """True for SQLite's "database is locked" and PostgreSQL's lock and statement timeouts."""
    if isinstance(error, sqlite3.OperationalError):
        return "locked" in str(error) or "busy" in str(error)
    return getattr(error, "sqlstate", None) in _PG_WAIT_STATES


def _apply_waits(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    waits: Waits | None = getattr(_thread, "waits", None)
    if record.info.get("ritualbot_waits", None) == waits:
        return
    cursor = dbapi_connection.cursor()
    try:
        if isinstance(dbapi_connection, sqlite3.Connection):
            cursor.execute(f"PRAGMA busy_timeout = {int((waits or PATIENT).lock * 1000)}")
        else:
            # Outside the store's calls (migrations, tools) the server's own defaults apply.
            lock, statement = (f"{int(waits.lock * 1000)}", f"{int(waits.statement * 1000)}") if waits else ("DEFAULT",) * 2
            cursor.execute(f"SET lock_timeout = {lock}")
            cursor.execute(f"SET statement_timeout = {statement}")
            dbapi_connection.commit()  # a SET in a transaction rolled back later would be undone
    finally:
        cursor.close()
    record.info["ritualbot_waits"] = waits


def bound_waits(engine: Engine) -> None:
    """Make every connection `engine` hands out wait as its thread's interaction allows (once per engine)."""
    if not event.contains(engine, "checkout", _apply_waits):
        event.listen(engine, "checkout", _apply_waits)
