"""Delivery under load and faults: a 429 storm while 30 teams fire at once, per-channel
pacing, and no second post when Slack may already have taken the first.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import aiohttp
import pytest

from bot.messages import UserText, text
from bot.store import Store
from tests.test_slack_support import AMS, ANNA, BRAM, COR, DEWI, running_bot

FRIDAY_1400 = datetime(2026, 12, 4, 14, 0, 30, tzinfo=AMS)
TEAMS = 30


def many_teams_toml(n: int) -> str:
    teams = "".join(f"""
[[teams]]
id = "team{i:02d}"
platform = "slack"
channel = "C0TEAM{i:04d}"
admins = ["{ANNA}"]
members = ["{ANNA}", "{BRAM}", "{COR}", "{DEWI}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
sharer_notice_hours = 0
""" for i in range(n))
    return 'language = "nl"\n' + teams


async def test_a_429_storm_while_30_teams_fire_at_once_loses_nothing_and_doubles_nothing(store: Store) -> None:
    channels = {f"C0TEAM{i:04d}": [ANNA, BRAM, COR, DEWI] for i in range(TEAMS)}
    async with running_bot(store, many_teams_toml(TEAMS), channels=channels, post_interval=1.0,
                           start=FRIDAY_1400 - timedelta(minutes=5)) as r:
        r.slack.rate_limit("chat.postMessage", per_channel_per_second=1)
        r.slack.fail_next("chat.postMessage", status=429, retry_after=1, times=25)
        r.clock.set(FRIDAY_1400)
        counts = await r.bot.engine.run_due()
        assert counts == {"done": TEAMS}
        for channel in channels:
            [prompt] = r.slack.messages(channel)
            assert prompt.blocks and prompt.blocks[-1]["type"] == "actions"
        calls = r.slack.calls_to("chat.postMessage")
        assert sum(c.status == 429 for c in calls) == 25
        assert sum(c.ok for c in calls) == TEAMS


async def test_posts_to_one_channel_are_paced_to_one_a_second_in_order(store: Store) -> None:
    async with running_bot(store, post_interval=1.0) as r:
        r.slack.rate_limit("chat.postMessage", per_channel_per_second=1)
        await asyncio.gather(*(r.connector.platform.post("C0RITUAL001", text(f"bericht {i}")) for i in range(3)))
        calls = r.slack.calls_to("chat.postMessage")
        assert [c.status for c in calls] == [200, 200, 200]  # paced: Slack never had to refuse one
        assert [m.text for m in r.slack.messages("C0RITUAL001")] == ["bericht 0", "bericht 1", "bericht 2"]
        assert calls[2].time - calls[0].time >= 1.9


async def test_a_post_that_may_have_landed_is_not_retried(store: Store) -> None:
    async with running_bot(store) as r:
        platform = r.connector.platform
        r.slack.fail_next("chat.postMessage", status=503)  # not taken: retried, lands once
        await platform.post("C0RITUAL001", text("een"))
        r.slack.fail_next("chat.postMessage", status=502)  # may have landed: surfaces, never posted twice
        try:
            await platform.post("C0RITUAL001", text("half"))
            raise AssertionError("a 502 on a post must surface")
        except Exception as exc:
            assert "service_unavailable" in str(exc)
        await platform.close()  # its kept-alive session has the 30 s timeout: one that gives up after 1 s
        platform.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1))
        r.slack.delay("chat.postMessage", 1.5)  # the client gives up; Slack still posts it
        try:
            await platform.post("C0RITUAL001", text("twee"))
            raise AssertionError("a timeout on a post must surface")
        except TimeoutError:
            pass
        await asyncio.sleep(0.7)
        assert len(r.slack.calls_to("chat.postMessage")) == 4
        assert [m.text for m in r.slack.messages("C0RITUAL001")] == ["een", "twee"]  # once each, never twice

        r.slack.fail_next("users.info", status=503)  # an idempotent read is simply retried
        assert await platform.user_locale(COR) == "en-GB"


async def test_a_firing_whose_post_failed_is_marked_failed_not_posted_twice(store: Store) -> None:
    """A 500 on the post may or may not have left it in the channel: never posted again by
    the bot. It is unconfirmed (it was 'failed' and nobody was told) and the admins are asked."""
    async with running_bot(store, start=FRIDAY_1400 - timedelta(days=1, minutes=5)) as r:  # before the round began
        r.slack.fail_next("chat.postMessage", status=500)
        r.clock.set(FRIDAY_1400)
        counts = await r.bot.engine.run_due()
        assert counts.get("unconfirmed") == 1
        to_channel = [c for c in r.slack.calls_to("chat.postMessage") if c.args.get("channel") == "C0RITUAL001"]
        assert len(to_channel) == 1
        assert await r.bot.engine.run_due() == {}  # claimed: a restart does not post it again


async def test_long_text_is_split_across_messages_in_slack(store: Store) -> None:
    async with running_bot(store) as r:
        story = " ".join(f"zin{i}" for i in range(9000))  # ~ 60,000 characters
        ref = await r.connector.platform.post("C0RITUAL001", text(("", UserText(story))))
        posted = r.slack.messages("C0RITUAL001")
        assert len(posted) >= 5 and posted[0].ts == ref.id
        assert all(c.ok for c in r.slack.calls_to("chat.postMessage"))
        words = " ".join(b["text"]["text"] for m in posted for b in m.blocks or []).split()
        assert words == story.split()


async def test_slack_sdk_writes_no_post_down_for_its_debug_log(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """slack_sdk formats every request and response (the message people wrote) for its debug
    log unless its logger's own level is above debug; ritualbot never shows those lines, and
    formatting them cost about 4 % of the bot's CPU in a 10,000-team fan-out (issue 9)."""
    caplog.set_level(logging.DEBUG)  # as with -v, or a test run: the root logger at debug
    async with running_bot(store) as r:
        await r.connector.platform.post("C0RITUAL001", text((UserText("wat goed ging deze week"),)))
        assert [m.text for m in r.slack.messages("C0RITUAL001")] == ["wat goed ging deze week"]
    written = [rec.getMessage() for rec in caplog.records if rec.name.startswith("slack_sdk")]
    assert not [line for line in written if "wat goed ging" in line]
