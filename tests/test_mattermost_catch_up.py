"""Mattermost outages lose nothing: a DM sent to the bot while its websocket was down is
answered after the reconnect, also in a DM channel the process never saw, and also when
nothing at all had arrived since the process started."""

from __future__ import annotations

import asyncio

from bot.store import Store
from tests.fakes.slack_api import wait_until
from tests.test_mattermost_support import ANNA, BRAM, COR, running_bot


async def test_the_first_dm_since_start_in_a_new_channel_is_answered_after_a_reconnect(store: Store) -> None:
    async with running_bot(store, ws_backoff_base=0.6) as r:
        await r.mm.wait_for_ws_clients(1)
        await r.mm.drop_websockets()  # down before anything arrived
        dm = r.dm(COR)  # a DM channel this process has never seen
        await r.mm.ws_emit_posted(dm, {"user_id": COR, "message": "help"})
        assert r.mm.hub.authenticated() == []
        await r.mm.wait_for_ws_clients(1)
        await wait_until(lambda: len(r.bot_posts(dm)) == 1, 10, "the answer after the reconnect")
        assert "/ritual" in r.bot_posts(dm)[0]["message"]
        await r.mm.drop_websockets()
        await r.mm.wait_for_ws_clients(1)
        await asyncio.sleep(0.5)
        assert len(r.bot_posts(dm)) == 1  # caught up once, not again on the next reconnect


async def test_a_dm_in_a_new_channel_during_a_later_outage_is_answered(store: Store) -> None:
    async with running_bot(store, ws_backoff_base=0.6) as r:
        await r.mm.wait_for_ws_clients(1)
        known = r.dm(BRAM)
        await r.mm.ws_emit_posted(known, {"user_id": BRAM, "message": "help"})
        await wait_until(lambda: len(r.bot_posts(known)) == 1, 10, "the first answer")
        await r.mm.drop_websockets()
        fresh = r.dm(ANNA)
        await r.mm.ws_emit_posted(fresh, {"user_id": ANNA, "message": "status"})
        await r.mm.wait_for_ws_clients(1)
        await wait_until(lambda: len(r.bot_posts(fresh)) == 1, 10, "the answer in the new DM channel")
        assert "noord" in r.bot_posts(fresh)[0]["message"]
        assert len(r.bot_posts(known)) == 1
