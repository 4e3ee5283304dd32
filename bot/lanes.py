"""Who is waiting for a platform call: the schedule (`posts`) or a person (`interactions`).

Adapters keep a separate set of slots per lane, so a click, the locale lookup before a
form, or a private reply never queues behind the channel posts of a fan-out. The lane
travels with the asyncio task (a `ContextVar`, copied into every task the work spawns):
the adapters' inbound handlers run their work `in_lane(INTERACTIONS)`; everything else,
the engine's firings included, is in `POSTS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

POSTS = "posts"
INTERACTIONS = "interactions"

_lane: ContextVar[str] = ContextVar("ritualbot_lane", default=POSTS)


def current_lane() -> str:
    """The lane of the running task: `POSTS` unless an inbound handler said otherwise."""
    return _lane.get()


@contextmanager
def in_lane(lane: str) -> Iterator[None]:
    """Run the block (and the tasks it starts) in `lane`."""
    token = _lane.set(lane)
    try:
        yield
    finally:
        _lane.reset(token)
