"""Claims are leases: taken for free slots only, renewed while working, taken over when the
owner dies — posted when nothing went out, checked when something may have, and put to
the admins (with a "post it now" button) when nobody can know."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bot.app import RitualBot
from bot.clock import FakeClock
from bot.engine import firing_marker
from bot.messages import Message
from bot.platform import Marked
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.store import Store
from bot.store.leases import NewFiring
from bot.wiring import build_bot
from tests.conftest import AMS, TEAM_TOML, make_config

FRIDAY_1400 = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)
TOML = "lease_seconds = 30\n" + TEAM_TOML + "sharer_notice_hours = 0\n"
PROMPT = NewFiring("noord", "weekly_success_mistake", "prompt", "2026-12-04T14:00", FRIDAY_1400)


class _Blind(LocalPlatform):
    """A platform that cannot read history (a Slack token without channels:history)."""

    async def find_marked(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None) -> Marked:
        return None


async def _replica(store: Store, clock: FakeClock, local: LocalPlatform, name: str) -> RitualBot:
    config = make_config(TOML)
    bot = await build_bot(config, discover(), {"local": local}, clock, store)
    bot.engine.worker = name
    await store.ensure_team("noord", "local", "C1", clock.now())
    await local.start(bot)
    return bot


def _channel_posts(local: LocalPlatform) -> list[str]:
    return [e.text for e in local.transcript if e.kind == "channel"]


async def _dead_claim(store: Store, now: datetime, *, started: bool) -> int:
    """What a replica killed -9 leaves behind: a running firing whose lease nobody renews."""
    (firing,) = await store.claim_firings([PROMPT], "running", "dead:1", now, now + timedelta(seconds=30))
    if started:
        assert await store.mark_started(firing.id, "dead:1", now, "C1")
    return firing.id


async def test_a_dead_owners_firing_that_never_started_is_posted_once_by_another(store: Store) -> None:
    clock = FakeClock(FRIDAY_1400)
    local = LocalPlatform({"C1": ["anna", "bram"]})
    bot = await _replica(store, clock, local, "b:2")
    await _dead_claim(store, clock.now(), started=False)
    assert await bot.takeover.take_over_expired() == {}  # the lease still runs: nobody touches it
    clock.set(FRIDAY_1400 + timedelta(seconds=40))
    assert await bot.takeover.take_over_expired() == {"done": 1}
    assert len(_channel_posts(local)) == 1
    assert await bot.takeover.take_over_expired() == {}
    (firing,) = await store.firings("noord")
    assert firing.status == "done"


async def test_a_started_firing_found_on_the_platform_is_not_posted_again(store: Store) -> None:
    clock = FakeClock(FRIDAY_1400)
    local = LocalPlatform({"C1": ["anna", "bram"]})
    bot = await _replica(store, clock, local, "b:2")
    firing_id = await _dead_claim(store, clock.now(), started=True)
    leased = await store.leased_firing(firing_id)
    assert leased is not None
    # the dead replica's post had reached the channel before it died
    await local.post("C1", Message(paragraphs=(("the prompt",),), marker=firing_marker(leased)))
    clock.set(FRIDAY_1400 + timedelta(seconds=40))
    assert await bot.takeover.take_over_expired() == {"done": 1}
    assert len(_channel_posts(local)) == 1
    assert (await store.leased_firing(firing_id)).cause == "confirmed_after_takeover"  # type: ignore[union-attr]


async def test_a_started_firing_certainly_not_on_the_platform_is_posted(store: Store) -> None:
    clock = FakeClock(FRIDAY_1400)
    local = LocalPlatform({"C1": ["anna", "bram"]})
    bot = await _replica(store, clock, local, "b:2")
    await _dead_claim(store, clock.now(), started=True)
    clock.set(FRIDAY_1400 + timedelta(seconds=40))
    assert await bot.takeover.take_over_expired() == {"done": 1}
    assert len(_channel_posts(local)) == 1
    assert local.transcript[-1].message is not None and local.transcript[-1].message.marker == \
        "noord/weekly_success_mistake/prompt/2026-12-04T14:00"


async def test_when_nobody_can_know_the_admins_decide_and_the_button_posts_once(store: Store) -> None:
    clock = FakeClock(FRIDAY_1400)
    blind = _Blind({"C1": ["anna", "bram"]})
    bot = await _replica(store, clock, blind, "b:2")
    firing_id = await _dead_claim(store, clock.now(), started=True)
    clock.set(FRIDAY_1400 + timedelta(seconds=40))
    assert await bot.takeover.take_over_expired() == {"unconfirmed": 1}
    assert _channel_posts(blind) == []  # never posted twice on a guess
    (notice,) = [e for e in blind.transcript if e.kind == "dm"]
    assert notice.user == "anna" and "niet zeker" in notice.text and "knop" in notice.text
    out = await blind.click("anna", notice, "Nu plaatsen")
    assert "Geplaatst" in out[-1].text
    assert len(_channel_posts(blind)) == 1
    out = await blind.click("anna", notice, "Nu plaatsen")  # a second press (or a second admin)
    assert "al afgehandeld" in out[-1].text
    assert len(_channel_posts(blind)) == 1
    assert (await store.leased_firing(firing_id)).status == "done"  # type: ignore[union-attr]
    status = await blind.command("anna", "status", channel="C1")
    assert "niet gelukt" not in status[-1].text


async def test_only_an_admin_may_press_post_it_now(store: Store) -> None:
    clock = FakeClock(FRIDAY_1400)
    blind = _Blind({"C1": ["anna", "bram"]})
    bot = await _replica(store, clock, blind, "b:2")
    await _dead_claim(store, clock.now(), started=True)
    clock.set(FRIDAY_1400 + timedelta(seconds=40))
    await bot.takeover.take_over_expired()
    (notice,) = [e for e in blind.transcript if e.kind == "dm"]
    out = await blind.click("bram", notice, "Nu plaatsen")
    assert "beheerder" in out[-1].text
    assert _channel_posts(blind) == []


async def test_a_working_owner_renews_its_lease_and_is_not_taken_over(store: Store) -> None:
    clock = FakeClock(FRIDAY_1400 - timedelta(minutes=1))
    release = asyncio.Event()

    class Slow(LocalPlatform):
        async def post(self, channel: str, message: Any, *, thread: Any = None) -> Any:
            await release.wait()
            return await super().post(channel, message, thread=thread)

    slow = Slow({"C1": ["anna", "bram"]})
    owner = await _replica(store, clock, slow, "a:1")
    other_local = LocalPlatform({"C1": ["anna", "bram"]})
    other = await _replica(store, clock, other_local, "b:2")
    clock.set(FRIDAY_1400)
    (plan,) = [p for p in owner.plans if p.step.name == "prompt"]
    firing = asyncio.create_task(owner.engine.fire(plan, FRIDAY_1400))
    await asyncio.sleep(0.05)
    for _ in range(4):  # two minutes of work, renewed every 20 s
        clock.set(clock.now() + timedelta(seconds=20))
        assert await owner.takeover.renew() == 1
        assert await other.takeover.take_over_expired() == {}
    release.set()
    assert await firing == "done"
    assert len(_channel_posts(slow)) == 1 and _channel_posts(other_local) == []


async def test_a_claim_is_taken_only_for_a_free_posting_slot(store: Store) -> None:
    teams = "".join(f'\n[[teams]]\nid = "t{i}"\nplatform = "local"\nchannel = "C{i}"\nmembers = ["a{i}"]\n'
                    f'[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"\nsharer_notice_hours = 0\n'
                    for i in range(6))
    config = make_config("max_concurrent_posts = 2\n" + teams)
    gate = asyncio.Event()
    running: list[int] = []

    class Held(LocalPlatform):
        async def post(self, channel: str, message: Any, *, thread: Any = None) -> Any:
            firings = [f for t in range(6) for f in await store.firings(f"t{t}")]
            running.append(sum(1 for f in firings if f.status == "running"))
            await gate.wait()
            return await super().post(channel, message, thread=thread)

    held = Held({f"C{i}": [f"a{i}"] for i in range(6)})
    clock = FakeClock(FRIDAY_1400 - timedelta(hours=1))
    bot = await build_bot(config, discover(), {"local": held}, clock, store)
    for team in bot.teams.values():
        await store.ensure_team(team.id, "local", team.channel, clock.now())
    await held.start(bot)
    clock.set(FRIDAY_1400 + timedelta(minutes=1))
    done = asyncio.create_task(bot.engine.run_due())
    while len(running) < 2:  # both slots are now held by posts waiting at the gate
        await asyncio.sleep(0.01)
    assert running == [2, 2]  # two slots: two claims, not six
    rows = [f for t in range(6) for f in await store.firings(f"t{t}")]
    assert [f.status for f in rows] == ["running", "running"]
    gate.set()
    assert await done == {"done": 6}
    assert max(running) == 2


async def test_a_post_that_may_still_be_on_its_way_is_not_judged_yet(store: Store) -> None:
    clock = FakeClock(FRIDAY_1400)
    local = LocalPlatform({"C1": ["anna", "bram"]})
    bot = await _replica(store, clock, local, "b:2")
    await _dead_claim(store, clock.now(), started=True)
    clock.set(FRIDAY_1400 + timedelta(seconds=31))  # the lease ran out, but the post started 31 s ago
    assert await bot.takeover.take_over_expired() == {}
    assert _channel_posts(local) == []
    clock.set(FRIDAY_1400 + timedelta(seconds=36))
    assert await bot.takeover.take_over_expired() == {"done": 1}
    assert len(_channel_posts(local)) == 1


async def test_when_the_start_cannot_be_recorded_nothing_is_posted_and_it_is_tried_again(store: Store) -> None:
    class Flaky(Store):
        failures = 1

        async def mark_started(self, *args: Any) -> bool:  # type: ignore[override]
            if self.failures:
                self.failures -= 1
                raise ConnectionError("the database went away")
            return await super().mark_started(*args)

    flaky = Flaky(store.engine)
    clock = FakeClock(FRIDAY_1400 - timedelta(hours=1))
    local = LocalPlatform({"C1": ["anna", "bram"]})
    bot = await _replica(flaky, clock, local, "a:1")
    clock.set(FRIDAY_1400 + timedelta(minutes=1))
    assert await bot.engine.run_due() == {"deferred": 1}
    assert _channel_posts(local) == [] and await store.firings("noord") == []
    clock.set(FRIDAY_1400 + timedelta(minutes=6))
    assert await bot.engine.run_due() == {"done": 1}
    assert len(_channel_posts(local)) == 1
