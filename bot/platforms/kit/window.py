"""Answer within the platform's window, then finish in the background.

Slack drops an interaction that is not answered within 3 seconds; Mattermost waits a
little longer for an integration's HTTP response. The core may take longer (a busy
database, a slow roster lookup), so the adapter starts the work as a background task,
waits at most the window for it (or for its first reply), answers the platform with what
it has, and lets the work finish. `Background` keeps those tasks, logs their failures
and lets `stop()` wait a moment for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("ritualbot.platforms")

T = TypeVar("T")

SLACK_WINDOW = 2.5  # seconds: Slack's 3 s, less the time the answer needs to travel back
MATTERMOST_WINDOW = 2.5  # seconds before a Mattermost slash command or click gets its HTTP answer


class Background:
    """Tasks that may outlive the request that started them."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` as a task kept until it ends; a failure is logged, never lost silently."""
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: an interaction failed", self.name, exc_info=task.exception())

    async def drain(self, seconds: float) -> None:
        """Wait up to `seconds` for the running tasks, then cancel the ones still running."""
        pending = list(self.tasks)
        if not pending:
            return
        _, late = await asyncio.wait(pending, timeout=seconds)
        for task in late:
            task.cancel()


async def within(seconds: float, task: asyncio.Future[Any], *, answered: asyncio.Event | None = None) -> bool:
    """Wait at most `seconds` for `task` (or, sooner, for `answered`); True when the task is done.

    The task is not cancelled when the window passes: it finishes in the background.
    """
    waiters: set[asyncio.Future[Any]] = {task}
    waiter = None if answered is None else asyncio.ensure_future(answered.wait())
    if waiter is not None:
        waiters.add(waiter)
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if waiter is not None:
            waiter.cancel()
    return task.done()


async def in_window(background: Background, seconds: float, work: Coroutine[Any, Any, T],
                    late: Callable[[asyncio.Task[T]], Awaitable[None]]) -> asyncio.Task[T] | None:
    """Run `work`; the finished task when it ends within `seconds`, else None, and `late(task)`
    runs in the background once it ends (to tell the person what came too late for the window)."""
    task = background.spawn(work)
    if await within(seconds, task):
        return task

    async def afterwards() -> None:
        await asyncio.wait({task})
        await late(task)

    background.spawn(afterwards())
    return None
