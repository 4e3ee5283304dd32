"""A replica dies after its post went out and before its step recorded it; another takes over.

The weekly prompt is posted by replica A, whose database stops answering right after the
platform took the post (as good as killed: its lease is never renewed, its step never
writes `prompt:<week>`). Replica B takes the firing over, finds the post by its marker
(Slack: message metadata in the channel's history; Mattermost: the post's props) and lets
the ritual record what the step would have: members can still answer in the prompt's
thread, and the digest looks back on that week. On the real fakes, over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot.app import RitualBot
from bot.clock import FakeClock
from bot.config import AppConfig
from bot.platform import ChatPlatform
from bot.registry import discover
from bot.simulation import advance
from bot.store import Store
from bot.wiring import build_bot
from tests import test_mattermost_support as mm_support
from tests import test_slack_support as slack_support
from tests.conftest import make_config
from tests.test_ritual_moral_deliberation import CALL as MORAL_CALL
from tests.test_ritual_moral_deliberation import START as MORAL_START
from tests.test_ritual_moral_deliberation import TOML as MORAL_TOML
from tests.test_slack_support import AMS, BRAM, CH, until

FRIDAY_1400 = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)
AFTER_THE_LEASE = timedelta(seconds=40)  # lease 30 s; a post is judged 35 s after it started
PROMPT_ONLY = 'lease_seconds = 30\n{toml}sharer_notice_hours = 0\n'


class _DiesAfterPosting(Store):
    """Replica A's database: stops answering once the prompt is on the platform, before the
    step records it. Its firing's lease is never renewed again, as after a kill -9."""

    def __init__(self, engine: Engine, written_after_posting: str) -> None:
        super().__init__(engine)
        self.posted = asyncio.Event()
        self.written_after_posting = written_after_posting

    async def put_state(self, team_id: str, ritual_id: str, key: str, value: Any, now: datetime) -> None:  # type: ignore[override]
        if key.startswith(self.written_after_posting):
            self.posted.set()
            await asyncio.Event().wait()  # never answers
        await super().put_state(team_id, ritual_id, key, value, now)

    async def put_states(self, team_id: str, ritual_id: str, values: Mapping[str, Any], now: datetime) -> None:  # type: ignore[override]
        if any(key.startswith(self.written_after_posting) for key in values):
            self.posted.set()
            await asyncio.Event().wait()  # never answers
        await super().put_states(team_id, ritual_id, values, now)


async def _dying_replica_posts(store: Store, config: AppConfig, platform_name: str, platform: ChatPlatform,
                               clock: FakeClock, step: str, due: datetime, written_after_posting: str) -> None:
    """Replica A fires `step` and dies between the platform call and the state write."""
    dying = _DiesAfterPosting(store.engine, written_after_posting)
    a: RitualBot = await build_bot(config, discover(), {platform_name: platform}, clock, dying)
    a.engine.worker = "a:dead"
    (plan,) = [p for p in a.plans if p.step.name == step]
    clock.set(due)
    firing = asyncio.create_task(a.engine.fire(plan, due))
    await dying.posted.wait()
    firing.cancel()  # the process is gone: nothing after the post runs
    with contextlib.suppress(asyncio.CancelledError):
        await firing
    (row,) = [f for f in await store.firings("noord") if f.step == step]
    assert row.status == "running"


async def _dying_replica_posts_the_prompt(store: Store, config: AppConfig, platform_name: str,
                                          platform: ChatPlatform, clock: FakeClock) -> None:
    await _dying_replica_posts(store, config, platform_name, platform, clock, "prompt", FRIDAY_1400, "prompt:")
    assert await store.get_state("noord", "weekly_success_mistake", "open") is None


async def test_slack_a_prompt_posted_by_a_replica_that_died_still_takes_answers_and_gets_its_digest(
        store: Store) -> None:
    toml = PROMPT_ONLY.format(toml=slack_support.TOML)
    async with slack_support.running_bot(store, toml) as r:
        r.slack.clock = lambda: r.clock.now().timestamp()  # Slack's clock and ours agree
        await _dying_replica_posts_the_prompt(store, make_config(toml), "slack", r.connector.platform, r.clock)
        [prompt] = r.slack.messages(CH, include_replies=False)

        r.clock.set(FRIDAY_1400 + AFTER_THE_LEASE)
        assert await r.bot.takeover.take_over_expired() == {"done": 1}
        assert len(r.slack.messages(CH, include_replies=False)) == 1  # found, not posted again
        (row,) = [f for f in await store.firings("noord") if f.step == "prompt"]
        assert row.status == "done"

        assert await r.click(BRAM, prompt, "share") == 200
        await until(lambda: r.slack.calls_to("views.open"), "the modal")  # not "this round has closed"
        view = r.slack.calls_to("views.open")[0].response["view"]
        named = {"type": "radio_buttons", "selected_option": {"value": "named"}}
        status, answer = await r.submit(BRAM, view, {"success": "Goed gesprek", "mistake": "Te laat gebeld",
                                                     "lesson": "Eerder bellen", "share_as": named})
        assert status == 200 and answer == {}
        [reply] = r.slack.thread(CH, prompt.ts)
        assert "Te laat gebeld" in "".join(b["text"]["text"] for b in reply.blocks or [])

        await advance(r.bot, r.clock, FRIDAY_1400 + timedelta(days=6, minutes=1))
        digest = r.slack.messages(CH, include_replies=False)[-1]
        assert "één persoon" in digest.text or "één persoon" in str(digest.blocks)
        assert await store.get_state("noord", "weekly_success_mistake", "prompt:2026-12-04T14:00") is None


async def test_mattermost_a_prompt_posted_by_a_replica_that_died_still_takes_answers_and_gets_its_digest(
        store: Store) -> None:
    toml = PROMPT_ONLY.format(toml=mm_support.TOML)
    async with mm_support.running_bot(store, toml=toml) as r:
        r.mm.clock_ms = lambda: int(r.clock.now().timestamp() * 1000)  # the server's clock and ours agree
        await _dying_replica_posts_the_prompt(store, make_config(toml), "mattermost", r.connector.platform, r.clock)
        [prompt] = r.bot_posts(mm_support.CHAN)

        r.clock.set(FRIDAY_1400 + AFTER_THE_LEASE)
        assert await r.bot.takeover.take_over_expired() == {"done": 1}
        assert len(r.bot_posts(mm_support.CHAN)) == 1

        assert (await r.click(mm_support.BRAM, prompt, "Deel je succes")).status == 200
        [opened] = r.mm.dialogs  # the form opens: the round is open
        answer = {"success": "Goed gesprek", "mistake": "Te laat gebeld", "lesson": None, "share_as": "named"}
        accepted = await r.submit(mm_support.BRAM, opened, answer)
        assert accepted.status == 200 and not (accepted.json or {}).get("errors")
        [reply] = [p for p in r.bot_posts(mm_support.CHAN) if p["root_id"]]
        assert reply["root_id"] == prompt["id"] and "Te laat gebeld" in reply["message"]

        await advance(r.bot, r.clock, FRIDAY_1400 + timedelta(days=6, minutes=1))
        digest = [p for p in r.bot_posts(mm_support.CHAN) if not p["root_id"]][-1]
        assert "één persoon" in digest["message"]


async def test_a_moral_deliberation_call_posted_by_a_replica_that_died_still_takes_dilemmas(
        make_harness: Any) -> None:
    toml = "lease_seconds = 30\n" + MORAL_TOML.format(extra="")
    h = await make_harness(toml, start=MORAL_START)
    await _dying_replica_posts(h.store, make_config(toml), "local", h.local, h.clock, "call", MORAL_CALL, "call:")
    h.clock.set(MORAL_CALL + AFTER_THE_LEASE)
    assert await h.bot.takeover.take_over_expired() == {"done": 1}
    [call] = h.local.entries("channel", "C1")
    await h.local.click("bram", call, "bring")
    result, _ = await h.local.submit("bram", {"title": "Huisbezoek", "story": "Wat er speelde", "share_as": "named"})
    assert result.ok, result.errors  # the round is open: the call's post was recorded
    assert call.ref is not None
    assert [value for _, value in await h.store.state_items("noord", "moral_deliberation", "call:")] == [
        {"channel": "C1", "id": call.ref.id}]
