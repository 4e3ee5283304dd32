"""Taking over the firings of a replica that died, and keeping our own leases alive.

Every replica renews the leases it holds (`renew`) and looks for leases that ran out
(`take_over_expired`). A firing whose owner stopped renewing is taken over by exactly one
replica (a compare-and-set on the row), which then decides:

- nothing went out (no `started_at`): it posts the firing, within the grace window;
- something may have gone out: it asks the platform whether the firing's first message
  (its marker) is in the channel (or DM) it went to. Found: the step is run again
  (`bot/replay.py`): every message carries the firing's marker and its number, and those
  already on the platform are not posted again but given back to the step, which records
  what its replica lost (a table's progress) and posts only what is missing (the tables it
  never reached). A step that stops while run again lets the ritual record what its first
  message needs (`Ritual.recovered`). Found after the grace window: only `recovered`, the
  rest is not posted late. Certainly not there: posted.
- it cannot know (no right to read that history, the platform did not answer): it does
  not post again; the firing is recorded 'unconfirmed' and the team's admins get a
  private message with a button to post it now (`repost`, which posts only what it
  cannot find). The same when a step run again reaches a place it cannot search.

Posting twice is worse than once too few, but losing a firing silently is worse still.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot import outbox
from bot.engine import Engine, Outcome, Planned, firing_marker
from bot.messages import MessageRef
from bot.platform import ChatPlatform, Marked
from bot.replay import Replay
from bot.store.leases import UNCONFIRMED, LeasedFiring
from bot.teams import TeamView

log = logging.getLogger("ritualbot.takeover")

HeldResume = Callable[[LeasedFiring], Awaitable[Outcome]]

LOOK_BACK = timedelta(minutes=2)  # clocks of replicas differ a little; look a bit before `started_at`
# A post sent just before its owner stopped may still be on its way (the platform answers
# within the clients' 30 s timeout): a firing started more recently is not judged yet.
IN_FLIGHT = timedelta(seconds=35)


class Takeover:
    """Lease upkeep and takeover for one engine (one process)."""

    def __init__(self, engine: Engine, platform_for: Callable[[TeamView], ChatPlatform], *,
                 held: HeldResume | None = None) -> None:
        self.engine = engine
        self.platform_for = platform_for  # the platform a team is on, to look for a firing's marker
        self.held = held  # decides a held DM's firing (`bot/outbox.py`); set by the app

    async def renew(self) -> int:
        """Extend every lease this process holds by the lease period; how many."""
        engine = self.engine
        return await engine.store.renew_leases(engine.worker, engine.clock.now() + engine.lease)

    async def take_over_expired(self) -> dict[str, int]:
        """Take over firings whose owner stopped renewing; counts of what became of them."""
        engine = self.engine
        counts: dict[str, int] = {}
        expired = await engine.store.expired_leases(engine.clock.now(), limit=engine.slots.limit * 4,
                                              settled=engine.clock.now() - IN_FLIGHT)
        tasks: list[asyncio.Task[Outcome]] = []
        try:
            for firing in expired:
                await engine.slots.acquire(1)
                now = engine.clock.now()
                won = await engine.store.take_over(firing.id, engine.worker, now, now + engine.lease, settled=now - IN_FLIGHT)
                if won is None:
                    engine.slots.release()
                    continue
                log.warning("taking over %s from %s (its lease ran out)", firing_marker(won), firing.claimed_by)
                tasks.append(asyncio.create_task(self._resume(won)))
        finally:
            for outcome in await asyncio.gather(*tasks):
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return counts

    def _plan(self, firing: LeasedFiring) -> Planned | None:
        for plan in self.engine.plans:
            if (plan.team.id, plan.ritual.id, plan.step.name) == (firing.team_id, firing.ritual_id, firing.step):
                return plan
        return None

    async def _resume(self, firing: LeasedFiring) -> Outcome:
        """Decide a taken-over firing; holds one slot, given back at the end."""
        engine = self.engine
        if (firing.ritual_id, firing.step) == (outbox.CORE, outbox.STEP) and self.held is not None:
            return await self.held(firing)  # a DM held for someone's working time; it gives the slot back
        plan = self._plan(firing)
        if plan is None:  # the ritual was switched off or the team removed meanwhile
            engine.slots.release()
            return await engine.finish(firing, "failed", "plan_gone")
        if firing.started_at is None:
            if engine.clock.now() - firing.due_at > engine.grace:
                engine.slots.release()
                return await engine.finish(firing, "missed", "owner_died")
            return await engine.run_claimed(plan, firing)
        found = await self._look(plan, firing)
        if isinstance(found, MessageRef) and engine.clock.now() - firing.due_at <= engine.grace:
            log.info("%s had (partly) gone out before its owner died: running it again, posting what is missing",
                     firing_marker(firing))
            return await engine.run_claimed(plan, firing, self._replay(plan, firing, first=found))
        if isinstance(found, MessageRef):
            engine.slots.release()
            log.info("%s had gone out before its owner died: recorded done", firing_marker(firing))
            await engine.recover(plan, firing, found)
            return await engine.finish(firing, "done", "confirmed_after_takeover")
        if found is False and engine.clock.now() - firing.due_at <= engine.grace:
            log.info("%s had not gone out: posting it now", firing_marker(firing))
            return await engine.run_claimed(plan, firing)
        engine.slots.release()
        cause = "may_have_posted" if found is None else "owner_died"
        status = UNCONFIRMED if found is None else "missed"
        outcome = await engine.finish(firing, status, cause)
        await engine.report(plan, firing, cause)
        return outcome

    def _replay(self, plan: Planned, firing: LeasedFiring, *, first: MessageRef | None = None,
                post_unknown: bool = False) -> Replay:
        since = (firing.started_at or firing.due_at) - LOOK_BACK
        return Replay(self.platform_for(plan.team), firing_marker(firing), since, first=first, post_unknown=post_unknown)

    async def _look(self, plan: Planned, firing: LeasedFiring) -> Marked:
        target = firing.target or plan.team.channel
        platform = self.platform_for(plan.team)
        since = (firing.started_at or firing.due_at) - LOOK_BACK
        try:
            if target.startswith("@"):
                return await platform.find_marked(firing_marker(firing), since, user=target[1:])
            return await platform.find_marked(firing_marker(firing), since, channel=target)
        except Exception:
            log.warning("could not check whether %s went out", firing_marker(firing), exc_info=True)
            return None

    async def repost(self, firing_id: int) -> Outcome:
        """An admin pressed "post it now" on an unconfirmed firing: run it again, once."""
        engine = self.engine
        await engine.slots.acquire(1)
        now = engine.clock.now()
        firing = await engine.store.reopen_unconfirmed(firing_id, engine.worker, now + engine.lease)
        plan = None if firing is None else self._plan(firing)
        if firing is None or plan is None:
            engine.slots.release()
            if firing is not None:
                return await engine.finish(firing, "failed", "plan_gone")
            return Outcome("taken")
        replay = None if firing.started_at is None else self._replay(plan, firing, post_unknown=True)
        return await engine.run_claimed(plan, firing, replay)
