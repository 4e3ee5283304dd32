"""Running the store's short synchronous transactions off the event loop.

Every public `Store` method is written as a plain function that opens one session and
commits it; `@off_loop` turns it into a coroutine that runs that function on the store's
own thread pool, so a slow disk, a held SQLite write lock or a PostgreSQL row lock makes
one awaiting handler wait, never the event loop (and with it every other handler, the
Socket Mode heartbeat and `/healthz`).

The pool is bounded: one thread for SQLite, which serialises writers anyway (so this
process's transactions keep the order and the locking they always had), and the
connection pool's size for PostgreSQL (so a thread never waits for a connection).

Each call takes the waits of the task that awaits it (`bot/store/waits.py`): brief while a
person's interaction has delivered nothing yet, patient otherwise.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine

from bot.store.waits import bound_waits, current_waits, run_within

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="OffLoop")

POSTGRES_THREADS = 8


class OffLoop:
    """Owns the thread pool the store's transactions run on."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        threads = 1 if engine.dialect.name == "sqlite" else POSTGRES_THREADS
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ritualbot-db")
        bound_waits(engine)

    async def _off_loop(self, call: Callable[[], R]) -> R:
        work = functools.partial(run_within, current_waits(), call)
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def close(self) -> None:
        """Stop the pool's threads (after the last awaited call) and close the connections."""
        self._executor.shutdown(wait=True)
        self.engine.dispose()


def off_loop(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Make a synchronous store method a coroutine that runs it on the store's thread pool."""

    @functools.wraps(method)
    async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._off_loop(functools.partial(method, self, *args, **kwargs))

    return run
