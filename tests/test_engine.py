"""Firing exactly once: claims, two processes, catch-up, pause, skip, holidays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.config import parse_config
from bot.context import Occurrence, RitualContext
from bot.messages import text
from bot.platform import NotDelivered
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.ritual import Ritual, step
from bot.store import Store
from bot.wiring import build_bot
from tests.conftest import AMS, TEAM_TOML, make_config

FRIDAY_1400 = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)
PROMPT_ONLY = TEAM_TOML + "sharer_notice_hours = 0\n"


def _channel_posts(h) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in h.local.transcript if e.kind == "channel"]


async def test_firing_is_claimed_once_even_when_asked_twice(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(PROMPT_ONLY, start=FRIDAY_1400 - timedelta(hours=1))
    await h.advance_to(FRIDAY_1400 + timedelta(minutes=1))
    assert await h.bot.engine.run_due() == {}
    (plan,) = [p for p in h.bot.plans if p.step.name == "prompt"]
    assert await h.bot.engine.fire(plan, FRIDAY_1400) == "taken"
    assert len(_channel_posts(h)) == 1


async def test_catch_up_inside_grace_posts_once_late(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(PROMPT_ONLY, start=FRIDAY_1400 - timedelta(hours=2))
    # the bot was down over 14:00 and comes back at 14:40 (grace is 60 minutes)
    h.clock.set(FRIDAY_1400 + timedelta(minutes=40))
    counts = await h.bot.engine.run_due()
    assert counts == {"done": 1}
    assert len(_channel_posts(h)) == 1
    assert await h.bot.engine.run_due() == {}  # a second restart posts nothing again


async def test_catch_up_outside_grace_is_recorded_as_missed(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(PROMPT_ONLY, start=FRIDAY_1400 - timedelta(hours=2))
    h.clock.set(FRIDAY_1400 + timedelta(hours=3))
    counts = await h.bot.engine.run_due()
    assert counts == {"missed": 1}
    assert _channel_posts(h) == []
    statuses = [(f.step, f.status) for f in await h.store.firings("noord")]
    assert statuses == [("prompt", "missed")]


async def test_grace_window_is_configurable(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness("grace_minutes = 240\n" + PROMPT_ONLY, start=FRIDAY_1400 - timedelta(hours=2))
    h.clock.set(FRIDAY_1400 + timedelta(hours=3))
    assert await h.bot.engine.run_due() == {"done": 1}


async def test_pause_resume_and_skip(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(PROMPT_ONLY, start=FRIDAY_1400 - timedelta(days=1))
    out = await h.local.command("anna", "pause weekly_success_mistake", channel="C1")
    assert "gepauzeerd" in out[-1].text
    await h.advance_to(FRIDAY_1400 + timedelta(minutes=5))
    assert _channel_posts(h) == []
    await h.local.command("anna", "resume weekly_success_mistake", channel="C1")
    out = await h.local.command("anna", "skip weekly_success_mistake", channel="C1")
    assert "2026-12-11 14:00" in out[-1].text
    await h.advance(timedelta(days=7))
    assert _channel_posts(h) == []
    await h.advance(timedelta(days=7))
    assert len(_channel_posts(h)) == 1
    statuses = [f.status for f in await h.store.firings("noord", "weekly_success_mistake") if f.step == "prompt"]
    assert statuses == ["paused", "skipped", "done"]
    actions = [(a.actor_id, a.action) for a in await h.store.audit_log("noord")]
    assert actions == [("anna", "pause"), ("anna", "resume"), ("anna", "skip")]


async def test_non_admin_is_refused_and_nothing_changes(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(PROMPT_ONLY)
    out = await h.local.command("bram", "pause weekly_success_mistake", channel="C1")
    assert [e.kind for e in out] == ["reply"] and "beheerder" in out[0].text
    assert (await h.store.ritual_state("noord", "weekly_success_mistake")).paused is False
    assert [(a.actor_id, a.action) for a in await h.store.audit_log("noord")] == [("bram", "refused")]


async def test_public_holidays_and_own_dates_do_not_fire(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = PROMPT_ONLY.replace('channel = "C1"', 'channel = "C1"\nholidays = ["2026-12-11"]').replace(
        'schedule = "fri 14:00"', 'schedule = "daily 10:00"')
    h = await make_harness(toml, start=datetime(2026, 12, 24, 9, tzinfo=AMS))
    await h.advance(timedelta(days=3))  # 24th (a normal day), 25th and 26th (Christmas in NL)
    statuses = [(f.occurrence[:10], f.status) for f in await h.store.firings("noord") if f.step == "prompt"]
    assert statuses == [("2026-12-24", "done"), ("2026-12-25", "holiday"), ("2026-12-26", "holiday")]
    h2 = await make_harness(toml.replace('id = "noord"', 'id = "zuid"'), start=datetime(2026, 12, 11, 9, tzinfo=AMS))
    await h2.advance(timedelta(hours=2))
    assert [f.status for f in await h2.store.firings("zuid") if f.step == "prompt"] == ["holiday"]


async def test_run_now_by_admin_posts_once(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(PROMPT_ONLY)
    out = await h.local.command("anna", "run weekly_success_mistake", channel="C1")
    assert "gestart" in out[-1].text
    out = await h.local.command("anna", "run weekly_success_mistake", channel="C1")
    assert "niet" in out[-1].text  # the same minute: claimed already, nothing posted twice
    assert len(_channel_posts(h)) == 1


async def test_two_processes_post_exactly_once(tmp_path: Path, database_url: str, store: Store) -> None:
    """Two bot processes on one database, released at the same instant, fire 12 teams' prompts."""
    teams = "".join(
        f'\n[[teams]]\nid = "t{i}"\nplatform = "local"\nchannel = "C{i}"\nmembers = ["a{i}", "b{i}"]\n'
        f'[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"\nsharer_notice_hours = 0\n'
        for i in range(12))
    config_file = tmp_path / "config.toml"
    config_file.write_text(teams)
    config = make_config(teams)
    for team in config.teams:
        await store.ensure_team(team.id, "local", team.channel, FRIDAY_1400 - timedelta(days=1))
    go = tmp_path / "go"
    now = (FRIDAY_1400 + timedelta(minutes=2)).isoformat()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent))
    procs = [subprocess.Popen([sys.executable, "-m", "tests.workers.fire_due", database_url, str(config_file), now,
                               str(go), str(tmp_path / f"out{i}.jsonl")], env=env) for i in range(2)]
    import time

    time.sleep(1.5)  # both processes are built and waiting on the go-file
    go.write_text("go")
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    posts = []
    for i in range(2):
        lines = [json.loads(line) for line in (tmp_path / f"out{i}.jsonl").read_text().splitlines()]
        posts += [line["where"] for line in lines if line.get("kind") == "channel"]
    assert sorted(posts) == sorted(f"C{i}" for i in range(12))
    firings = [f for t in range(12) for f in await store.firings(f"t{t}") if f.step == "prompt"]
    assert len(firings) == 12 and {f.status for f in firings} == {"done"}


class _Refusing(LocalPlatform):
    """A platform that refuses the first `n` posts before acting, as a rate-limited API does."""

    def __init__(self, channels: dict[str, list[str]], n: int) -> None:
        super().__init__(channels)
        self.refusals = n

    async def post(self, channel, message, *, thread=None):  # type: ignore[no-untyped-def]
        if self.refusals:
            self.refusals -= 1
            raise NotDelivered("HTTP 429")
        return await super().post(channel, message, thread=thread)


async def test_a_post_the_platform_refused_is_tried_again_and_lands_once(store) -> None:  # type: ignore[no-untyped-def]
    config = make_config(PROMPT_ONLY)
    refusing = _Refusing({"C1": ["anna", "bram"]}, n=2)
    clock = FakeClock(FRIDAY_1400 - timedelta(hours=1))
    bot = await build_bot(config, discover(), {"local": refusing}, clock, store)
    await store.ensure_team("noord", "local", "C1", clock.now())
    await refusing.start(bot)
    clock.set(FRIDAY_1400 + timedelta(minutes=1))
    assert await bot.engine.run_due() == {"deferred": 1}
    assert await store.firings("noord") == []  # the claim was given back: nothing went out
    clock.set(FRIDAY_1400 + timedelta(minutes=6))
    assert await bot.engine.run_due() == {"deferred": 1}
    clock.set(FRIDAY_1400 + timedelta(minutes=11))
    assert await bot.engine.run_due() == {"done": 1}
    assert await bot.engine.run_due() == {}
    assert len(refusing.entries("channel", "C1")) == 1


class _TwoPosts(Ritual):
    """A ritual whose step posts twice, like a session head followed by its first step."""

    id = "two_posts"
    title = {"nl": "Twee", "en": "Two"}
    default_schedule = "fri 14:00"

    @step("main")
    async def main(self, ctx: RitualContext, occ: Occurrence) -> None:
        await ctx.post(text("een"))
        await ctx.post(text("twee"))


async def test_a_refusal_after_something_went_out_is_not_retried(store) -> None:  # type: ignore[no-untyped-def]
    import tomllib

    raw = tomllib.loads('''
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
[teams.rituals.two_posts]
''')
    config = parse_config(raw, {"two_posts": _TwoPosts})

    class SecondRefused(LocalPlatform):
        async def post(self, channel, message, *, thread=None):  # type: ignore[no-untyped-def]
            if self.entries("channel"):
                raise NotDelivered("HTTP 429")
            return await super().post(channel, message, thread=thread)

    platform = SecondRefused({"C1": ["anna"]})
    clock = FakeClock(FRIDAY_1400 + timedelta(minutes=1))
    bot = await build_bot(config, {"two_posts": _TwoPosts}, {"local": platform}, clock, store)
    await store.ensure_team("noord", "local", "C1", FRIDAY_1400 - timedelta(hours=1))
    assert await bot.engine.run_due() == {"failed": 1}  # "een" went out: trying again would post it twice
    assert await bot.engine.run_due() == {}
    assert [e.text for e in platform.entries("channel")] == ["een"]
