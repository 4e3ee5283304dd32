"""Interactions never queue behind posting (issue 9, point 5).

A member clicks Share while 200 teams' prompts are being posted, every Slack call takes
250 ms, and Slack refuses the posts with 429 for as long as the burst is on: the click
still reaches `views.open` (before a single prompt of the burst has landed), and when
Slack lets the posts through, every team gets its prompt exactly once. Ordering and
counts only; no clock is read.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.store import Store
from tests.test_slack_support import AMS, ANNA, BRAM, COR, DEWI, running_bot, until

BURST = 200
LATENCY = 0.25
EARLY = "C0EARLY0001"


def burst_toml() -> str:
    members = f'["{ANNA}", "{BRAM}", "{COR}", "{DEWI}"]'
    early = f"""
[[teams]]
id = "early"
platform = "slack"
channel = "{EARLY}"
members = {members}
[teams.rituals.weekly_success_mistake]
schedule = "fri 13:00"
sharer_notice_hours = 0
"""
    return 'language = "nl"\n' + early + "".join(f"""
[[teams]]
id = "t{i:03d}"
platform = "slack"
channel = "C0BURST{i:04d}"
members = {members}
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
sharer_notice_hours = 0
""" for i in range(BURST))


async def test_a_click_during_a_refused_posting_burst_opens_its_form_before_any_post_lands(store: Store) -> None:
    channels = {EARLY: [ANNA, BRAM, COR, DEWI]} | {f"C0BURST{i:04d}": [ANNA, BRAM, COR, DEWI] for i in range(BURST)}
    friday = datetime(2026, 12, 4, 13, 0, 30, tzinfo=AMS)
    async with running_bot(store, burst_toml(), channels=channels, post_interval=1.0,
                           start=friday - timedelta(minutes=5)) as r:
        r.slack.trigger_ttl = 600.0  # ordering is what this test checks, not the machine's speed
        r.clock.set(friday)
        assert await r.bot.engine.run_due() == {"done": 1}
        [prompt] = r.slack.messages(EARLY)

        for method in ("chat.postMessage", "users.info", "views.open", "conversations.open", "chat.postEphemeral"):
            r.slack.delay(method, LATENCY)
        r.slack.fail_next("chat.postMessage", status=429, retry_after=1, times=1_000_000)
        r.clock.set(friday + timedelta(hours=1))
        burst = asyncio.ensure_future(r.bot.engine.run_due())

        def refused() -> int:
            return sum(c.status == 429 for c in r.slack.calls_to("chat.postMessage"))

        await until(lambda: refused() >= 32, "the burst refused by Slack", timeout=30)
        assert await r.click(BRAM, prompt, "share") == 200
        await until(lambda: any(c.status for c in r.slack.calls_to("views.open")), "the form opened", timeout=30)
        [opened] = r.slack.calls_to("views.open")
        assert opened.ok
        landed = [c for c in r.slack.calls_to("chat.postMessage") if c.ok]
        assert len(landed) == 1 and landed[0].args["channel"] == EARLY  # no prompt of the burst went before it

        r.slack.clear_faults()  # Slack lets the posts through again
        counts = await asyncio.wait_for(burst, timeout=120)
        assert counts == {"done": BURST}
        for i in range(BURST):
            assert len(r.slack.messages(f"C0BURST{i:04d}")) == 1  # nothing lost, nothing doubled


def mattermost_toml(teams: int) -> str:
    from tests.test_mattermost_support import ANNA as MM_ANNA
    from tests.test_mattermost_support import BRAM as MM_BRAM
    from tests.test_mattermost_support import CHAN as MM_CHAN
    members = f'["{MM_ANNA}", "{MM_BRAM}"]'
    early = f"""
[[teams]]
id = "early"
platform = "mattermost"
channel = "{MM_CHAN}"
members = {members}
[teams.rituals.weekly_success_mistake]
schedule = "fri 13:00"
sharer_notice_hours = 0
"""
    return 'language = "nl"\n' + early + "".join(f"""
[[teams]]
id = "m{i:03d}"
platform = "mattermost"
channel = "burst{i:021d}"
members = {members}
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
sharer_notice_hours = 0
""" for i in range(teams))


async def test_on_mattermost_a_click_during_a_refused_burst_opens_its_dialog_before_any_post_lands(
        store: Store) -> None:
    from tests.test_mattermost_support import ANNA as MM_ANNA
    from tests.test_mattermost_support import BRAM as MM_BRAM
    from tests.test_mattermost_support import CHAN as MM_CHAN
    from tests.test_mattermost_support import TEAM
    from tests.test_mattermost_support import running_bot as running_mattermost

    teams = 40
    friday = datetime(2026, 12, 4, 13, 0, 30, tzinfo=AMS)
    async with running_mattermost(store, toml=mattermost_toml(teams), trigger_ttl=600.0) as r:
        for i in range(teams):
            r.mm.add_channel(f"burst{i:021d}", TEAM, members=[r.mm.bot_user_id, MM_ANNA, MM_BRAM])
        r.clock.set(friday)
        assert (await r.bot.engine.run_due())["done"] == 1
        [prompt] = r.bot_posts(MM_CHAN)

        r.mm.fail_next("POST", "/api/v4/posts", status=429, times=1_000_000, retry_after=1)
        r.clock.set(friday + timedelta(hours=1))
        burst = asyncio.ensure_future(r.bot.engine.run_due())

        def refused() -> int:
            return sum(c.status == 429 for c in r.mm.calls_to("POST", "/api/v4/posts"))

        await until(lambda: refused() >= 16, "the burst refused by Mattermost", timeout=30)
        clicked = await r.click(MM_BRAM, prompt, "Deel je succes")
        assert clicked.status == 200
        await until(lambda: r.mm.dialogs, "the dialog opened", timeout=30)
        assert sum(c.status == 201 for c in r.mm.calls_to("POST", "/api/v4/posts")) == 1  # only the early prompt

        r.mm.clear_faults()
        counts = await asyncio.wait_for(burst, timeout=120)
        assert counts.get("done") == teams
        for i in range(teams):
            assert len(r.bot_posts(f"burst{i:021d}")) == 1  # nothing lost, nothing doubled
