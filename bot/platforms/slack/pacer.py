"""Pacing Slack calls: two lanes of slots, and at most one post per interval per channel.

Slack's documented limit is about one post per second per channel; the lanes
(`bot.lanes`) keep a person's click from waiting for slots the schedule's posts hold.
"""

from __future__ import annotations

import asyncio
import time
from types import TracebackType

from bot.lanes import INTERACTIONS, POSTS, current_lane
from bot.metrics import Metrics

INTERACTION_SLOTS = 16  # calls at once for forms, lookups and private replies


class Pacer:
    """Two lanes of slots, and at most one post per `interval` per channel.

    The schedule's work (`bot.lanes.POSTS`: prompts, DMs a ritual sends, uploads) and a
    person's (`INTERACTIONS`: forms, lookups, private replies, posts a click causes) each
    have their own semaphore, so a click never waits for a slot a post holds. The lane is
    the running task's. Waiting for a slot is counted in `Metrics.queue_depth`.

    Every post of a fan-out goes through `channel` and `call`: they are small classes, not
    generator-based context managers, which cost several frames a post (issue 9).
    """

    def __init__(self, interval: float, limit: int, interaction_limit: int = INTERACTION_SLOTS,
                 metrics: Metrics | None = None) -> None:
        self.interval = interval
        self.metrics = metrics or Metrics()
        self.metrics.declare_platform("slack")
        self._posts = _Slot(asyncio.Semaphore(limit), self.metrics, POSTS)
        self._interactions = _Slot(asyncio.Semaphore(interaction_limit), self.metrics, INTERACTIONS)
        self._locks: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    def channel(self, channel: str) -> _ChannelTurn:
        """One poster at a time in `channel`, `interval` after the previous post; holds no slot."""
        return _ChannelTurn(self, channel)

    def call(self) -> _Slot:
        """A slot in the running task's lane (`bot.lanes`): posts, or a person's interaction."""
        return self._posts if current_lane() == POSTS else self._interactions


class _Slot:
    """`async with`: hold one of a lane's slots, counted in `queue_depth` while waiting for it.
    Shared by every caller of the lane (it keeps no state of its own between enter and exit)."""

    __slots__ = ("_slots", "_depth")

    def __init__(self, slots: asyncio.Semaphore, metrics: Metrics, lane: str) -> None:
        self._slots = slots
        self._depth = metrics.queue_depth.labels(platform="slack", lane=lane)

    async def __aenter__(self) -> None:
        self._depth.inc()
        try:
            await self._slots.acquire()
        finally:
            self._depth.dec()

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._slots.release()


class _ChannelTurn:
    """`async with`: the channel's turn (its lock), `interval` after its previous post."""

    __slots__ = ("_pacer", "_channel", "_lock")

    def __init__(self, pacer: Pacer, channel: str) -> None:
        self._pacer, self._channel = pacer, channel
        self._lock = pacer._locks.setdefault(channel, asyncio.Lock())

    async def __aenter__(self) -> None:
        await self._lock.acquire()
        try:
            wait = self._pacer._last.get(self._channel, -1e9) + self._pacer.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        except BaseException:
            self._lock.release()
            raise

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._pacer._last[self._channel] = time.monotonic()
        self._lock.release()
