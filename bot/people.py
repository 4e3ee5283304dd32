"""Who can be chosen: active human accounts that are in the team (issue 12, "People").

A deactivated or deleted account, a member who left the team's channel and a bot are
never the week's sharer, a walk, a group member or a facilitator. The platform says who
is active (`ChatPlatform.active_humans`, one batch); the answers are cached for `TTL`
so a roster is not looked up on every click, and a DM the platform refused marks the
person inactive at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.platform import ChatPlatform, Unreachable

log = logging.getLogger("ritualbot.people")

TTL = timedelta(minutes=10)


class People:
    """A cache of "is this account an active human?" per platform and user."""

    def __init__(self, clock: Clock, ttl: timedelta = TTL) -> None:
        self.clock = clock
        self.ttl = ttl
        self._known: dict[tuple[str, str], tuple[bool, datetime]] = {}

    async def active(self, platform: ChatPlatform, user_ids: Sequence[str]) -> set[str]:
        """The ones among `user_ids` the platform has as active humans (fresh within `ttl`)."""
        now = self.clock.now()
        stale = [u for u in dict.fromkeys(user_ids) if not self._fresh(platform.name, u, now)]
        if stale:
            found = await platform.active_humans(stale)
            for user in stale:
                self._known[(platform.name, user)] = (user in found, now)
        return {u for u in user_ids if self._known[(platform.name, u)][0]}

    def unreachable(self, platform: ChatPlatform, refusal: Unreachable) -> None:
        """The platform refused a DM to this person: not chosen again until the cache renews."""
        # No user id in the log: the person may be an anonymous sender (issue 11, logs).
        log.warning("%s refused a DM (%s): that person is not chosen for now", platform.name, refusal.reason)
        self._known[(platform.name, refusal.user_id)] = (False, self.clock.now())

    def _fresh(self, platform: str, user_id: str, now: datetime) -> bool:
        known = self._known.get((platform, user_id))
        return known is not None and now - known[1] < self.ttl
