"""The store's threads, shared by two lanes: a person's interaction goes first.

The store's transactions run on a few threads of their own (`bot/store/offloop.py`). A
fan-out queues thousands of short transactions there; a slash command or a click that
queued behind them would wait seconds, past Slack's 3 s. So the queue has two lanes
(`bot/lanes.py`): a waiting interaction is always taken before any waiting post work, and
`reserved` threads only ever run interactions, so posting can never occupy them all.
With one thread (SQLite, which serialises writers anyway) nothing runs in parallel: an
interaction waits at most for the one transaction in progress.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from bot.lanes import INTERACTIONS, POSTS

R = TypeVar("R")


class LaneThreads:
    """`threads` worker threads; at most `threads - reserved` of them run post work at once."""

    def __init__(self, threads: int, reserved: int = 0, name: str = "ritualbot-db") -> None:
        if threads < 1 or not 0 <= reserved < threads:
            raise ValueError("store threads: at least one thread, and fewer reserved than threads")
        self._posts_limit = threads - reserved
        self._posts_busy = 0
        self._queues: dict[str, deque[tuple[Callable[[], Any], Future[Any]]]] = {
            INTERACTIONS: deque(), POSTS: deque()}
        self._changed = threading.Condition()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(threads)]
        for thread in self._threads:
            thread.start()

    @property
    def posts_limit(self) -> int:
        """How many threads post work may occupy at once."""
        return self._posts_limit

    def submit(self, lane: str, call: Callable[[], R]) -> Future[R]:
        """Run `call` on a thread, in `lane` (anything but INTERACTIONS counts as posts)."""
        future: Future[R] = Future()
        with self._changed:
            if self._closed:
                raise RuntimeError("the store's threads are stopped")
            self._queues[INTERACTIONS if lane == INTERACTIONS else POSTS].append((call, future))
            self._changed.notify()
        return future

    def _next(self) -> tuple[str, tuple[Callable[[], Any], Future[Any]]] | None:
        """The next job a free thread may take (caller holds the lock)."""
        if self._queues[INTERACTIONS]:
            return INTERACTIONS, self._queues[INTERACTIONS].popleft()
        if self._queues[POSTS] and self._posts_busy < self._posts_limit:
            self._posts_busy += 1
            return POSTS, self._queues[POSTS].popleft()
        return None

    def _work(self) -> None:
        while True:
            with self._changed:
                job = self._next()
                while job is None:
                    if self._closed and not any(self._queues.values()):
                        return
                    self._changed.wait()
                    job = self._next()
            lane, (call, future) = job
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(call())
                    except BaseException as exc:  # the awaiting caller gets it
                        future.set_exception(exc)
            finally:
                # This thread takes the next job itself when it loops, a post job the limit
                # held back included: waking every idle thread after each job (as it did) cost
                # a futex wake-up per thread, holding the interpreter lock (issue 9). Only a
                # stop wakes them all, so each one sees there is nothing left and ends.
                if lane == POSTS or self._closed:
                    with self._changed:
                        if lane == POSTS:
                            self._posts_busy -= 1
                        if self._closed:
                            self._changed.notify_all()

    def shutdown(self) -> None:
        """Run what is queued, then stop the threads (waits for them)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join()
