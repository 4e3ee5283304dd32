"""Who is active and refused DMs through the real client libraries against the fakes.

Slack: users.info says `deleted` or `is_bot`; conversations.open refuses a deactivated
account with `user_disabled`, chat.postMessage a bot's DM with `cannot_dm_bot`.
Mattermost: `POST /users/ids` gives `delete_at` and `is_bot`; the server refuses posts in
a DM with a deactivated account (403) and a DM channel with an unknown id.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.messages import text
from bot.platform import Unreachable
from bot.simulation import advance
from bot.store import Store
from tests import test_mattermost_support as mm_support
from tests import test_slack_support as slack_support

HELPER_BOT = "U0HELPBOT1"


async def test_slack_knows_who_is_active_and_refuses_dms_by_reason(store: Store) -> None:
    async with slack_support.running_bot(store) as r:
        r.slack.add_user(HELPER_BOT, "helper", is_bot=True)
        r.slack.deactivate_user(slack_support.BRAM)
        platform = r.connector.platform
        asked = [slack_support.ANNA, slack_support.BRAM, HELPER_BOT, "U0NOBODY01"]
        assert await platform.active_humans(asked) == {slack_support.ANNA}
        for user, reason in [(slack_support.BRAM, "user_disabled"), (HELPER_BOT, "cannot_dm_bot"),
                             ("U0NOBODY01", "user_not_found")]:
            with pytest.raises(Unreachable) as refused:
                await platform.send_dm(user, text("hoi"))
            assert refused.value.reason == reason and refused.value.user_id == user


async def test_slack_sharer_rotation_skips_a_deactivated_colleague(store: Store) -> None:
    start = datetime(2026, 12, 2, 9, 0, tzinfo=slack_support.AMS)
    async with slack_support.running_bot(store, start=start) as r:
        r.slack.deactivate_user(slack_support.BRAM)
        r.slack.deactivate_user(slack_support.COR)
        r.slack.deactivate_user(slack_support.DEWI)
        fired = await advance(r.bot, r.clock, start + timedelta(days=2, hours=6))
        assert [status for p, _, status in fired if p.step.name == "sharer"] == ["done"]
        dm = r.slack.dm_channel_id(slack_support.ANNA)
        assert any("aan de beurt" in m.text for m in r.slack.messages(dm))
        for gone in (slack_support.BRAM, slack_support.COR, slack_support.DEWI):
            assert r.slack.messages(r.slack.dm_channel_id(gone)) == []


async def test_mattermost_knows_who_is_active_and_refuses_dms_by_reason(store: Store) -> None:
    async with mm_support.running_bot(store) as r:
        r.mm.add_user("helperbot0000000000000000b", "helper", is_bot=True)
        platform = r.connector.platform
        await platform.send_dm(mm_support.BRAM, text("hoi"))  # the DM channel exists from before
        r.mm.deactivate_user(mm_support.BRAM)
        asked = [mm_support.ANNA, mm_support.BRAM, "helperbot0000000000000000b", "nobody00000000000000000000"]
        assert await platform.active_humans(asked) == {mm_support.ANNA}
        with pytest.raises(Unreachable) as refused:
            await platform.send_dm(mm_support.BRAM, text("nog een keer"))
        assert "NotEnoughPermissions" in refused.value.reason
        with pytest.raises(Unreachable):
            await platform.send_dm("nobody00000000000000000000", text("hoi"))


async def test_mattermost_sharer_rotation_skips_deactivated_colleagues(store: Store) -> None:
    async with mm_support.running_bot(store) as r:
        r.mm.deactivate_user(mm_support.BRAM)
        r.mm.deactivate_user(mm_support.COR)
        fired = await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=7))
        assert [status for p, _, status in fired if p.step.name == "sharer"] == ["done"]
        assert any("aan de beurt" in p["message"] for p in r.bot_posts(r.dm(mm_support.ANNA)))
