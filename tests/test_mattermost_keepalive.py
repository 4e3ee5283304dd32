"""Mattermost REST calls reuse their connections (issue 9, point 6): mattermostdriver opens
a new TCP connection per request; ours keeps a small pool per lane. The fake server
records the client end (host:port) of the connection each request came on.
"""

from __future__ import annotations

import asyncio

import pytest
from mattermostdriver.exceptions import ResourceNotFound

from bot.lanes import INTERACTIONS, in_lane
from bot.platforms.mattermost.connection import MattermostConnection, RetryPolicy
from tests.fakes.mattermost_api import FakeMattermost

ALICE, CHAN = "alice0000000000000000000aa", "chan0000000000000000000000"
REQUESTS = 200
CONNECTIONS = 4


async def test_two_hundred_requests_come_on_a_handful_of_connections() -> None:
    async with FakeMattermost() as mm:
        mm.add_user(ALICE, "alice")
        mm.add_channel(CHAN, "team", members=[mm.bot_user_id, ALICE])
        async with MattermostConnection(mm.url, mm.bot_token, connections=CONNECTIONS, interaction_connections=CONNECTIONS) as conn:
            posts = [conn.call(lambda d, i=i: d.posts.create_post({"channel_id": CHAN, "message": f"bericht {i}"}))
                     for i in range(REQUESTS // 2)]
            with in_lane(INTERACTIONS):
                lookups = [conn.call(lambda d: d.users.get_user(ALICE)) for _ in range(REQUESTS // 2)]
            await asyncio.gather(*posts, *lookups)
            with pytest.raises(ResourceNotFound):  # the driver's own errors, as before
                await conn.call(lambda d: d.users.get_user("nobody00000000000000000000"))
        rest = [r for r in mm.requests if r.path.startswith("/api/v4/") and r.path != "/api/v4/websocket"]
        assert len(rest) >= REQUESTS + 1
        assert len(mm.posts(CHAN)) == REQUESTS // 2
        assert 1 <= len(mm.connections()) <= 2 * CONNECTIONS  # at most the pools' size, not one per request


async def test_a_dropped_kept_alive_connection_is_not_a_lost_or_doubled_post() -> None:
    """A server that closes idle connections: the next request opens a new one, once."""
    async with FakeMattermost() as mm:
        mm.add_channel(CHAN, "team", members=[mm.bot_user_id])
        retry = RetryPolicy(base_delay=0.01, max_delay=0.05)
        async with MattermostConnection(mm.url, mm.bot_token, connections=1, retry=retry) as conn:
            await conn.call(lambda d: d.posts.create_post({"channel_id": CHAN, "message": "een"}))
            await mm.close_idle_connections()
            await conn.call(lambda d: d.posts.create_post({"channel_id": CHAN, "message": "twee"}))
        assert [p["message"] for p in mm.posts(CHAN)] == ["een", "twee"]
