"""Posting slots: how many firings one process works on at once.

The engine takes slots *before* it claims, so a process never holds a claim it is not
working on (a claim waiting for a slot would be a firing nobody posts if the process
died). `acquire` hands out as many free slots as are wanted, at least one, so one
database statement can claim a whole batch.

On SIGTERM the runner closes the slots (`close`): nothing new is claimed, since a task
waiting for a slot holds no claim, and it waits (`idle`) until the firings under way have
finished, so a deploy does not cut a post or a DM in half.
"""

from __future__ import annotations

import asyncio


class PostingSlots:
    """A counting semaphore that can hand out several permits at once."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("posting slots: the limit must be at least 1")
        self.limit = limit
        self._free = limit
        self._closed = False
        self._changed = asyncio.Event()

    @property
    def free(self) -> int:
        return self._free

    async def acquire(self, wanted: int = 1) -> int:
        """Wait until a slot is free; take up to `wanted` free slots and return how many."""
        while self._free == 0 or self._closed:
            self._changed.clear()
            await self._changed.wait()
        taken = max(1, min(wanted, self._free))
        self._free -= taken
        return taken

    def release(self, count: int = 1) -> None:
        self._free = min(self.limit, self._free + count)
        self._changed.set()

    def close(self) -> None:
        """No slot is handed out any more (the process is stopping); one waiting for a slot
        holds no claim, so it may wait until the process ends."""
        self._closed = True

    async def idle(self) -> None:
        """Wait until every slot is back: no firing is being worked on."""
        while self._free < self.limit:
            self._changed.clear()
            await self._changed.wait()
