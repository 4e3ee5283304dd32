"""Which Mattermost channel is a direct message with whom, asked once and kept.

Buttons in a DM are bound to the one person in it, so a post needs to know whether its
channel is a DM before it is rendered. Asking the server per channel (`GET
/channels/{id}`) doubled the calls of a fan-out: one lookup and one post per team.
A channel's kind never changes (open and private channels may swap, a DM stays a DM with
the same two people), so `DirectChannels` learns the kinds of all the bot's channels
with one `GET /users/{bot}/channels` (server 6.1+) and keeps every answer for the life of
the process. Only the channels that listing shows are *not* DMs are taken from it: a DM
there would name a person the bot may never write to again, so DMs are still looked up
one at a time when used (bot/store/personal.py keeps the one map of stored person ids;
this cache is memory only). A channel the listing did not have (the bot joined it later,
or the server is older than 6.1) is looked up on its own, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from mattermostdriver import Driver
from mattermostdriver.exceptions import InvalidOrMissingParameters, NotEnoughPermissions, ResourceNotFound

from bot.platform import Unreachable

log = logging.getLogger("ritualbot.mattermost")
Call = Callable[[Callable[[Driver], Any]], Awaitable[Any]]


class DirectChannels:
    """DM channel by person and person by DM channel, for the bot `bot_user_id()`, through `call`
    (one REST call, bounded by the caller's lane)."""

    def __init__(self, call: Call, bot_user_id: Callable[[], str]) -> None:
        self._call = call
        self._bot = bot_user_id
        self._by_user: dict[str, str] = {}  # user id -> DM channel id
        self._person_in: dict[str, str | None] = {}  # channel id -> the human in a DM with us, or None
        self._listing: asyncio.Future[None] | None = None

    def known(self, channel: str) -> str | None:
        """The person in `channel` if it is a DM already looked up (None otherwise); no call."""
        return self._person_in.get(channel)

    def remember(self, channel: str, user_id: str) -> None:
        """`channel` is the DM with `user_id` (seen on the websocket)."""
        self._person_in[channel] = user_id
        self._by_user.setdefault(user_id, channel)

    async def channel_with(self, user_id: str) -> str:
        """The DM channel with `user_id`, created if needed (`POST /channels/direct`, idempotent).

        Raises `Unreachable` when the server says there is no such person to write to.
        """
        if user_id not in self._by_user:
            try:
                channel = await self._call(lambda d: d.channels.create_direct_message_channel([self._bot(), user_id]))
            except (InvalidOrMissingParameters, NotEnoughPermissions, ResourceNotFound) as exc:
                # 400 "invalid user" / 403 / 404: there is no such person to write to
                raise Unreachable(user_id, f"{type(exc).__name__}: {exc}") from exc
            self.remember(channel["id"], user_id)
            self._by_user[user_id] = channel["id"]
        return self._by_user[user_id]

    async def person_in(self, channel: str) -> str | None:
        """The other person in a DM channel with the bot (buttons there are theirs only), else None.

        The first unknown channel waits for the listing of all the bot's channels (once per
        process); a channel still unknown after it costs one `GET /channels/{id}`. Errors of
        that lookup are the driver's (403, 404, 401) for the caller to diagnose.
        """
        if channel not in self._person_in:
            await self.learn()
        if channel not in self._person_in:
            found = await self._call(lambda d: d.channels.get_channel(channel))
            others = [u for u in str(found.get("name", "")).split("__") if u != self._bot()]
            self._person_in[channel] = others[0] if found.get("type") == "D" and len(others) == 1 else None
        return self._person_in[channel]

    async def learn(self) -> None:
        """List the bot's channels once and note which are not DMs; every caller waits for the
        same listing. A failed listing is logged and not repeated: lookups go one by one."""
        if self._listing is None:
            self._listing = asyncio.ensure_future(self._list())
        await asyncio.shield(self._listing)

    async def _list(self) -> None:
        bot = self._bot()
        try:
            found = await self._call(lambda d: d.client.get(f"/users/{bot}/channels"))
        except Exception:
            log.warning("could not list the bot's channels; each channel is looked up when first used", exc_info=True)
            return
        for channel in found if isinstance(found, list) else []:
            if isinstance(channel, dict) and channel.get("type") in ("O", "P", "G") and channel.get("id"):
                self._person_in.setdefault(str(channel["id"]), None)
