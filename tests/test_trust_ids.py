"""Every user-supplied identifier is checked against the platform's id syntax before it
reaches an API path (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.platforms.ids import BadId, valid_channel_id, valid_user_id
from bot.simulation import advance
from bot.store import Store

SNEAKY = ["me/tokens", "../../system/ping", "anna000000000000000000000a/sessions", "x?y=1", "", "U0ANNA0001 "]


def test_the_syntax_of_each_platform() -> None:
    assert valid_user_id("slack", "U0ANNA0001") and valid_user_id("slack", "W012ABC")
    assert valid_user_id("mattermost", "anna000000000000000000000a")
    assert valid_channel_id("slack", "C0RITUAL001") and not valid_channel_id("slack", "U0ANNA0001")
    for bad in SNEAKY:
        assert not valid_user_id("slack", bad) and not valid_user_id("mattermost", bad)
    assert not valid_user_id("mattermost", "ANNA000000000000000000000A")


async def test_mattermost_callbacks_with_ids_that_are_not_ids_reach_no_api(store: Store) -> None:
    from tests.test_mattermost_support import BRAM, CHAN, running_bot

    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        before = len(r.mm.requests)
        for sneaky in SNEAKY[:4]:
            response = await r.click(sneaky, prompt, "Deel je succes")
            assert response.status == 400
            response = await r.command(sneaky, "status")
            assert response.status in (400, 401)
        sent = [q.path for q in r.mm.requests[before:]]
        assert not any("tokens" in p or "system" in p or "sessions" in p for p in sent), sent
        assert r.mm.dialogs == []
        # a mention that is not a username is never looked up
        before = len(r.mm.requests)
        await r.command(BRAM, "status @../../users/me")
        assert not [q.path for q in r.mm.requests[before:] if "username" in q.path]
        with pytest.raises(BadId):
            await r.connector.platform.dm_channel("../users/me")


async def test_an_admin_cannot_put_a_non_id_on_the_roster(store: Store) -> None:
    from tests.test_slack_support import ANNA, running_bot, until

    async with running_bot(store) as r:
        before = r.bot.teams["noord"].configured_members
        for raw in ("<@..|evil>", "@niemand", "<@U0ANNA0001/x|a>"):  # @bram would be found: a real person
            status, _, _ = await r.command(ANNA, f"members add {raw}")
            assert status == 200
        await until(lambda: len(r.slack.responses) == 3, "three answers")
        answers = [p.body.get("text", "") for p in r.slack.responses]
        assert all("niets veranderd" in a or a.startswith("Gebruik") for a in answers), answers
        assert r.bot.teams["noord"].configured_members == before
        assert await store.team_settings("noord") == {}
