"""The platform's user records, kept a while, and a locale lookup that never stops an answer.

Slack's `users.info` and Mattermost's `/users/ids` are asked for a person's locale and
timezone on every click; both change rarely, so each adapter keeps what it read for a
while (`ttl` seconds: Slack an hour, Mattermost ten minutes) in a cache bounded to
`limit` people, oldest first out, so a 10,000-member workspace cannot grow it without end.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from bot.platforms.kit.answers import log_failure

log = logging.getLogger("ritualbot.platforms")

UserRecord = dict[str, Any]
"""The platform's own record of a user (Slack `users.info`'s `user`, Mattermost's user object)."""


class UserCache:
    """User records by id, fresh for `ttl` seconds; at most `limit` kept (the least recently stored go)."""

    def __init__(self, ttl: float, *, limit: int = 20_000, now: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.limit = limit
        self._now = now
        self._records: OrderedDict[str, tuple[float, UserRecord]] = OrderedDict()

    def get(self, user_id: str, *, stale_ok: bool = False) -> UserRecord | None:
        """The record when it was stored less than `ttl` seconds ago (any age with `stale_ok`), else None."""
        cached = self._records.get(user_id)
        if cached is None or (not stale_ok and self._now() - cached[0] >= self.ttl):
            return None
        return cached[1]

    def fresh(self, user_id: str) -> bool:
        return self.get(user_id) is not None

    def put(self, user_id: str, record: UserRecord) -> None:
        """Keep `record` as read now."""
        self._records[user_id] = (self._now(), record)
        self._records.move_to_end(user_id)
        while len(self._records) > self.limit:
            self._records.popitem(last=False)

    async def fetch(self, user_id: str, load: Callable[[], Awaitable[UserRecord]]) -> UserRecord:
        """The cached record, or the one `load()` reads (and is then kept); `load`'s errors propagate."""
        record = self.get(user_id)
        if record is None:
            record = await load()
            self.put(user_id, record)
        return record


async def locale_or_none(lookup: Callable[[str], Awaitable[str | None]], user_id: str, *,
                         platform: str) -> str | None:
    """`lookup(user_id)`, or None when it fails: a locale only changes the language of an answer,
    so failing to read it must never stop the answer itself (logged as a warning)."""
    try:
        return await lookup(user_id)
    except Exception as exc:
        log_failure(log, exc, "%s: could not read the locale of a user", platform)
        return None
