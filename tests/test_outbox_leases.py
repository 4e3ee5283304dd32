"""A DM held for someone's working time is sent under a lease, like a ritual's step.

Replica A starts sending a held DM and dies (its lease is never renewed); replica B takes
the DM's firing over: sent once if it had not gone out, left alone if it is found in the
DM channel, and, where nobody can look, not sent again and the admins told without the
person's name; never the admins for a discreet ritual (the leader's checklist).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from bot import outbox
from bot.app import RitualBot
from bot.messages import Message, MessageRef, text
from bot.platform import Marked
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.store import Store
from bot.store.leases import RUNNING
from bot.wiring import build_bot
from tests.conftest import AMS, TEAM_TOML, make_config

TOML = "lease_seconds = 30\n" + TEAM_TOML
DUE = datetime(2026, 12, 4, 8, 0, tzinfo=AMS)
AFTER_THE_LEASE = timedelta(seconds=40)  # lease 30 s; a DM is judged 35 s after it started


class _Server(LocalPlatform):
    """The chat server both replicas talk to. While `stall` is set, a DM hangs (`before`:
    before it lands; else after it landed) and the replica sending it is as good as dead."""

    stall: str | None = None
    blind = False  # True: DMs cannot be read back (Slack without im:history)
    stalled = asyncio.Event()

    async def send_dm(self, user_id: str, message: Message) -> MessageRef:
        if self.stall == "before":
            self.stalled.set()
            await asyncio.Event().wait()
        ref = await super().send_dm(user_id, message)
        if self.stall == "after":
            self.stalled.set()
            await asyncio.Event().wait()
        return ref

    async def find_marked(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None) -> Marked:
        return None if self.blind else await super().find_marked(marker, since, channel=channel, user=user)


async def _replicas(make_harness: Any, *, blind: bool = False) -> tuple[Any, RitualBot, _Server]:
    """B (the harness's bot) and A (a second bot on the same database and chat server)."""
    h = await make_harness(TOML, start=DUE - timedelta(days=1))
    server = _Server({"C1": ["anna", "bram", "cor", "dewi", "eva"]})
    server.stalled = asyncio.Event()
    server.blind = blind
    b = await build_bot(make_config(TOML), discover(), {"local": server}, h.clock, h.store)
    b.engine.worker = "b:2"
    await server.start(b)
    a = await build_bot(make_config(TOML), discover(), {"local": server}, h.clock, h.store)
    a.engine.worker = "a:1"
    h.bot, h.local = b, server
    return h, a, server


async def _a_dies_sending(h: Any, a: RitualBot, server: _Server, ritual: str, stall: str) -> None:
    await outbox.hold(h.store, "noord", ritual, "bram", text("Jouw beurt deze week"), DUE, h.clock.now())
    h.clock.set(DUE)
    server.stall = stall
    sending = asyncio.create_task(outbox.deliver_due(a))
    await server.stalled.wait()
    sending.cancel()  # killed: nothing after the platform call runs
    with contextlib.suppress(asyncio.CancelledError):
        await sending
    server.stall = None
    (row,) = [f for f in await h.store.firings("noord") if f.step == "outbox"]
    assert row.status == RUNNING
    assert await outbox.deliver_due(h.bot) == 0  # B leaves a firing another replica holds alone
    h.clock.set(DUE + AFTER_THE_LEASE)


def _dms(server: _Server, user: str) -> list[str]:
    return [e.text for e in server.entries("dm") if e.user == user]


async def test_a_held_dm_whose_sender_died_before_it_landed_is_sent_once_by_another(make_harness: Any) -> None:
    h, a, server = await _replicas(make_harness)
    await _a_dies_sending(h, a, server, "weekly_success_mistake", "before")
    assert _dms(server, "bram") == []
    assert await h.bot.takeover.take_over_expired() == {"done": 1}
    assert _dms(server, "bram") == ["Jouw beurt deze week"]
    assert await h.bot.takeover.take_over_expired() == {}
    assert await outbox.deliver_due(h.bot) == 0
    assert _dms(server, "bram") == ["Jouw beurt deze week"]
    assert await h.store.state_items("noord", "core", "outbox:") == []


async def test_a_held_dm_found_in_the_dm_channel_is_not_sent_again(make_harness: Any) -> None:
    h, a, server = await _replicas(make_harness)
    await _a_dies_sending(h, a, server, "weekly_success_mistake", "after")
    assert await h.bot.takeover.take_over_expired() == {"done": 1}
    assert await outbox.deliver_due(h.bot) == 0
    assert _dms(server, "bram") == ["Jouw beurt deze week"]
    (row,) = [f for f in await h.store.firings("noord") if f.step == "outbox"]
    leased = await h.store.leased_firing(row.id)
    assert leased is not None and (leased.status, leased.cause) == ("done", "confirmed_after_takeover")
    assert await h.store.state_items("noord", "core", "outbox:") == []


async def test_when_nobody_can_know_a_held_dm_is_not_resent_and_the_admins_are_told_without_a_name(
        make_harness: Any) -> None:
    h, a, server = await _replicas(make_harness, blind=True)
    await _a_dies_sending(h, a, server, "weekly_success_mistake", "after")
    assert await h.bot.takeover.take_over_expired() == {"unconfirmed": 1}
    assert await outbox.deliver_due(h.bot) == 0
    assert _dms(server, "bram") == ["Jouw beurt deze week"]  # never twice on a guess
    (notice,) = _dms(server, "anna")
    assert "misschien" in notice and "weekly_success_mistake" in notice and "bram" not in notice
    assert await h.store.state_items("noord", "core", "outbox:") == []


async def test_a_discreet_rituals_held_dm_is_never_told_to_the_admins(make_harness: Any) -> None:
    h, a, server = await _replicas(make_harness, blind=True)
    assert h.bot.rituals["leader_checklist"].in_insights is False
    await _a_dies_sending(h, a, server, "leader_checklist", "after")
    assert await h.bot.takeover.take_over_expired() == {"unconfirmed": 1}
    assert _dms(server, "bram") == ["Jouw beurt deze week"]
    assert _dms(server, "anna") == []  # the admins learn nothing of it
    assert await h.store.state_items("noord", "core", "outbox:") == []


class _DiesAfterHolding(Store):
    """Replica A's database: stops answering right after a step held a DM, before the step
    (and its firing) finished, as after a kill -9."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.held = asyncio.Event()

    async def put_state(self, team_id: str, ritual_id: str, key: str, value: Any, now: datetime) -> None:  # type: ignore[override]
        await super().put_state(team_id, ritual_id, key, value, now)
        if key.startswith(outbox.PREFIX):
            self.held.set()
            await asyncio.Event().wait()  # never answers


async def test_a_step_that_held_a_dm_and_was_taken_over_holds_it_once(make_harness: Any) -> None:
    """Found by trying it: the week's sharer lives in Tokyo, so the sharer step holds the DM
    for their morning; the replica dies before the step finished; the replica taking it over
    runs the step again (nothing had gone out) and held the DM a second time: two DMs."""
    sharer_due = datetime(2026, 12, 3, 14, 0, tzinfo=AMS)  # a day before Friday's prompt
    tokyo = {user: "Asia/Tokyo" for user in ("anna", "bram", "cor", "dewi", "eva")}
    h = await make_harness(TOML, start=sharer_due - timedelta(days=1), timezones=tokyo)
    dying = _DiesAfterHolding(h.store.engine)
    a = await build_bot(make_config(TOML), discover(), {"local": h.local}, h.clock, dying)
    a.engine.worker = "a:1"
    (plan,) = [p for p in a.plans if p.step.name == "sharer"]
    h.clock.set(sharer_due)
    firing = asyncio.create_task(a.engine.fire(plan, sharer_due))
    await dying.held.wait()
    firing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await firing

    h.clock.set(sharer_due + AFTER_THE_LEASE)
    assert await h.bot.takeover.take_over_expired() == {"done": 1}
    assert len(await h.store.state_items("noord", outbox.CORE, outbox.PREFIX)) == 1
    h.clock.set(sharer_due + timedelta(hours=20))  # the sharer's working morning in Tokyo
    assert await outbox.deliver_due(h.bot) == 1
    [dm] = h.local.entries("dm")
    assert "aan de beurt" in dm.text
