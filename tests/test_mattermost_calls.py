"""Calls per firing on Mattermost (issue 9): a fan-out costs one REST call per post, not two.

Whether a channel is a DM decides how its buttons are bound; the adapter used to ask
`GET /channels/{id}` for every team's channel before its first post. It now learns the kinds
of all the bot's channels with one `GET /users/{bot}/channels` and asks per channel only
for one the listing did not show.
"""

from __future__ import annotations

import asyncio
import re

from bot.store import Store
from tests.test_mattermost_support import BRAM, COR, running_bot

CHANNELS = [f"chan{i:020d}xx" for i in range(12)]  # 26 characters, as Mattermost ids are
ONE_CHANNEL = re.compile(r"^/api/v4/channels/[a-z0-9]{26}$")
TOML = 'language = "nl"\n' + "".join(f"""
[[teams]]
id = "t{i}"
platform = "mattermost"
channel = "{c}"
members = ["{BRAM}", "{COR}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
sharer_notice_hours = 0
""" for i, c in enumerate(CHANNELS))


def channel_lookups(r: object) -> list[str]:
    return [q.path for q in r.mm.requests if q.method == "GET" and ONE_CHANNEL.match(q.path)]  # type: ignore[attr-defined]


async def test_a_fan_out_posts_without_looking_up_each_channel(store: Store) -> None:
    async with running_bot(store, toml=TOML, channels=CHANNELS) as r:
        fired = await asyncio.gather(*(r.bot.run_now(f"t{i}", "weekly_success_mistake") for i in range(12)))
        assert fired == ["done"] * 12
        assert all(len(r.bot_posts(c)) == 1 for c in CHANNELS)
        assert channel_lookups(r) == []
        assert len(r.mm.calls_to("GET", f"/api/v4/users/{r.mm.bot_user_id}/channels")) == 1
        assert len(r.mm.calls_to("POST", "/api/v4/posts")) == 12


async def test_a_channel_the_bot_joined_later_is_looked_up_once(store: Store) -> None:
    late = CHANNELS[0]
    async with running_bot(store, toml=TOML, channels=CHANNELS[1:]) as r:
        await r.connector.platform.direct.learn()
        r.mm.add_channel(late, "team", members=[r.mm.bot_user_id, BRAM, COR])
        assert await r.bot.run_now("t0", "weekly_success_mistake") == "done"
        assert await r.bot.run_now("t1", "weekly_success_mistake") == "done"
        assert channel_lookups(r) == [f"/api/v4/channels/{late}"]
        assert len(r.bot_posts(late)) == 1


async def test_a_dm_from_the_listing_still_binds_its_buttons_to_the_person(store: Store) -> None:
    async with running_bot(store, toml=TOML, channels=CHANNELS) as r:
        dm = r.dm(BRAM)
        await r.connector.platform.direct.learn()
        assert await r.connector.platform.dm_user(dm) == BRAM
        assert await r.connector.platform.dm_user(CHANNELS[0]) is None
