"""Pacing Slack calls: two lanes of slots, and at most one post per interval per channel.

Slack's documented limit is about one post per second per channel; the lanes
(`bot.lanes`) keep a person's click from waiting for slots the schedule's posts hold.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from bot.lanes import POSTS, current_lane
from bot.metrics import Metrics

INTERACTION_SLOTS = 16  # calls at once for forms, lookups and private replies


class Pacer:
    """Two lanes of slots, and at most one post per `interval` per channel.

    The schedule's work (`bot.lanes.POSTS`: prompts, DMs a ritual sends, uploads) and a
    person's (`INTERACTIONS`: forms, lookups, private replies, posts a click causes) each
    have their own semaphore, so a click never waits for a slot a post holds. The lane is
    the running task's. Waiting for a slot is counted in `Metrics.queue_depth`.
    """

    def __init__(self, interval: float, limit: int, interaction_limit: int = INTERACTION_SLOTS,
                 metrics: Metrics | None = None) -> None:
        self.interval = interval
        self.metrics = metrics or Metrics()
        self.metrics.declare_platform("slack")
        self._posts = asyncio.Semaphore(limit)
        self._interactions = asyncio.Semaphore(interaction_limit)
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    @asynccontextmanager
    async def channel(self, channel: str) -> AsyncIterator[None]:
        """One poster at a time in `channel`, `interval` after the previous post; holds no slot."""
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            wait = self._last.get(channel, -1e9) + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                yield
            finally:
                self._last[channel] = time.monotonic()

    def call(self) -> AbstractAsyncContextManager[None]:
        """A slot in the running task's lane (`bot.lanes`): posts, or a person's interaction."""
        lane = current_lane()
        return self.metrics.waiting("slack", lane, self._posts if lane == POSTS else self._interactions)
