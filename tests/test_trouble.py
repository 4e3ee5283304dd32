"""Platform trouble is told, not buried: not in the channel, channel archived or gone, a
missing scope. The firing is recorded failed with its cause, the admins get one private
message naming the cause and the fix, `/ritual status` shows it, `/ritual run` says it.
Through the real Slack and Mattermost adapters against their local fakes."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.store import Store
from tests.conftest import AMS
from tests.test_mattermost_support import ANNA as MM_ANNA
from tests.test_mattermost_support import CHAN as MM_CHAN
from tests.test_mattermost_support import running_bot as running_mattermost
from tests.test_slack_support import ANNA, CH, PEOPLE, until
from tests.test_slack_support import running_bot as running_slack

FRIDAY_1400 = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)


async def _prompt_firings(store: Store) -> list[tuple[str, str | None]]:
    return [(f.status, (await store.leased_firing(f.id)).cause)  # type: ignore[union-attr]
            for f in await store.firings("noord") if f.step == "prompt"]


async def test_slack_bot_not_in_channel_is_told_to_the_admins_and_in_status(store: Store) -> None:
    channels = {CH: list(PEOPLE)}
    async with running_slack(store, channels=channels) as r:
        r.slack.add_channel(CH, list(PEOPLE), bot_is_member=False)
        r.clock.set(FRIDAY_1400 + timedelta(seconds=30))
        assert (await r.bot.engine.run_due())["failed"] == 1
        assert await _prompt_firings(store) == [("failed", "not_in_channel")]
        dms = r.slack.messages(ANNA)
        notices = [m for m in dms if "/invite @ritualbot" in m.text]
        assert len(notices) == 1 and CH in notices[0].text  # one message, naming the cause and the fix
        await r.command(ANNA, "status")
        await until(lambda: r.slack.responses, "the status")
        status = r.slack.responses[-1].body["text"]
        assert "niet gelukt" in status and "/invite @ritualbot" in status
        await r.command(ANNA, "run weekly_success_mistake")
        await until(lambda: len(r.slack.responses) == 2, "the run's answer")
        assert "/invite @ritualbot" in r.slack.responses[-1].body["text"]
        assert [m for m in r.slack.messages(CH)] == []


async def test_slack_archived_channel_and_missing_scope_are_named(store: Store) -> None:
    async with running_slack(store) as r:
        r.slack.archive_channel(CH)
        await r.command(ANNA, "run weekly_success_mistake")
        await until(lambda: r.slack.responses, "the run's answer")
        assert "gearchiveerd" in r.slack.responses[-1].body["text"]
        assert any("gearchiveerd" in m.text for m in r.slack.messages(ANNA))
    async with running_slack(store) as r:
        r.slack.scopes.discard("chat:write")
        r.clock.set(r.clock.now() + timedelta(minutes=5))
        await r.command(ANNA, "run weekly_success_mistake")
        await until(lambda: r.slack.responses, "the run's answer")
        assert "recht (chat:write)" in r.slack.responses[-1].body["text"]
        assert [f.status for f in await store.firings("noord")][-1] == "failed"


async def test_mattermost_not_a_member_and_archived_channel_are_named(store: Store) -> None:
    async with running_mattermost(store) as r:
        r.mm.members[MM_CHAN].remove(r.mm.bot_user_id)
        answer = await r.command(MM_ANNA, "run weekly_success_mistake")
        assert "/invite @ritualbot" in answer.json["text"]
        notices = [p for p in r.bot_posts(r.dm(MM_ANNA)) if "/invite @ritualbot" in p["message"]]
        assert len(notices) == 1
        assert [f.status for f in await store.firings("noord")] == ["failed"]
        r.mm.members[MM_CHAN].append(r.mm.bot_user_id)
        r.mm.archive_channel(MM_CHAN)
        r.clock.set(r.clock.now() + timedelta(minutes=5))
        answer = await r.command(MM_ANNA, "run weekly_success_mistake")
        assert "gearchiveerd" in answer.json["text"]
        status = await r.command(MM_ANNA, "status")
        assert "niet gelukt" in status.json["text"] and "gearchiveerd" in status.json["text"]
