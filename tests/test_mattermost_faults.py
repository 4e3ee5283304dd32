"""Server trouble while posting (nothing lost, nothing doubled), and every installed ritual on Mattermost."""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta
from typing import Any

import pytest

from bot.platforms.kit.texts import TEXTS as KIT_TEXTS
from bot.registry import discover
from bot.simulation import advance
from bot.store import Store
from tests.test_mattermost_support import ANNA, BRAM, CHAN, COR, running_bot

FRIDAY = timedelta(days=4, hours=6, minutes=1)


@pytest.mark.parametrize("status, after_processing", [(429, False), (503, False), (500, False), (500, True),
                                                      (502, True)])
async def test_a_failing_post_arrives_exactly_once(store: Store, status: int, after_processing: bool) -> None:
    async with running_bot(store) as r:
        r.mm.fail_next("POST", "/api/v4/posts", status, times=1, retry_after=0, after_processing=after_processing)
        fired = await advance(r.bot, r.clock, r.clock.now() + FRIDAY)
        assert [s for _, _, s in fired] == ["before team", "done", "done"]  # last week's look-back: before the team
        prompts = r.bot_posts(CHAN)
        assert len(prompts) == 1 and prompts[0]["props"]["attachments"]
        posted = [p for p in r.mm.all_posts.values() if p["user_id"] == r.mm.bot_user_id]
        assert len(posted) == 2  # the sharer's DM and the prompt, each once
        # with `after_processing` the failed request did create the post: it must not be re-sent
        assert len(r.mm.calls_to("POST", "/api/v4/posts")) == (2 if after_processing else 3)


async def test_a_post_that_keeps_failing_is_reported_not_doubled(store: Store) -> None:
    async with running_bot(store) as r:
        r.mm.fail_next("POST", "/api/v4/posts", 500, times=20, after_processing=True)
        await advance(r.bot, r.clock, r.clock.now() + FRIDAY)
        assert len(r.bot_posts(CHAN)) == 1  # created once; found again instead of re-sent


async def test_many_teams_at_once_stay_within_the_concurrency_bound(store: Store) -> None:
    channels = [f"chan{i:020d}xx" for i in range(12)]  # 26 characters, as Mattermost ids are
    toml = 'language = "nl"\n' + "".join(f"""
[[teams]]
id = "t{i}"
platform = "mattermost"
channel = "{c}"
members = ["{BRAM}", "{COR}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
sharer_notice_hours = 0
""" for i, c in enumerate(channels))
    async with running_bot(store, toml=toml) as r:
        for c in channels:
            r.mm.add_channel(c, "team", members=[r.mm.bot_user_id, BRAM, COR])
        r.mm.delay("POST", "/api/v4/posts", 0.05, times=100)
        busy = peak = 0
        call = r.connector.connection.call

        async def counting(fn: Any) -> Any:
            nonlocal busy, peak
            busy += 1
            peak = max(peak, busy)
            try:
                return await call(fn)
            finally:
                busy -= 1

        r.connector.connection.call = counting  # type: ignore[method-assign]
        fired = await asyncio.gather(*(r.bot.run_now(f"t{i}", "weekly_success_mistake") for i in range(12)))
        assert fired == ["done"] * 12
        assert all(len(r.bot_posts(c)) == 1 for c in channels)
        assert 1 < peak <= r.connector.settings.max_concurrency


def all_rituals_toml() -> str:
    rituals = "".join(f"[teams.rituals.{rid}]\n" for rid in discover())
    return f"""
language = "nl"
[[teams]]
id = "noord"
platform = "mattermost"
channel = "{CHAN}"
admins = ["{ANNA}"]
leaders = ["{ANNA}"]
members = ["{ANNA}", "{BRAM}", "{COR}"]
{rituals}"""


async def test_every_installed_ritual_renders_valid_posts_and_dialogs(store: Store) -> None:
    """Nearly six weeks of every ritual; then every button on every post is pressed and every dialog submitted."""
    async with running_bot(store, toml=all_rituals_toml()) as r:
        fired = await advance(r.bot, r.clock, r.clock.now() + timedelta(days=40))
        assert fired and "failed" not in {s for _, _, s in fired}
        seen: set[str] = set()
        for channel in [CHAN] + [r.dm(u) for u in (ANNA, BRAM, COR)]:
            for post in copy.deepcopy(r.bot_posts(channel)):  # as shown before any click updated it
                for att in post["props"].get("attachments", []):
                    for action in att["actions"]:
                        seen.add(action["name"])
                        user = r.connector.platform.direct.known(channel) or BRAM
                        response = await r.click(user, post, action["name"])
                        assert response.status == 200, (action["name"], response.text)
                        assert (response.json or {}).get("ephemeral_text") not in KIT_TEXTS["error.generic"].values()
        assert r.mm.dialog_warnings == [] and r.mm.dialogs
        for opened in r.mm.dialogs:
            empty = {e["name"]: None for e in opened["dialog"]["elements"]}
            response = await r.submit(opened["user_id"], opened, empty)
            assert response.status == 200, response.text
        assert seen, "no buttons were rendered"
