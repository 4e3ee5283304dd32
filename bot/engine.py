"""Firing rituals exactly once.

Each (team, ritual, step, occurrence) is first claimed by inserting a row under a unique
key, and only the process whose insert succeeded posts. That, not APScheduler, is what
makes two bot processes on one PostgreSQL safe, and the same rows tell a restarted bot
what it missed: due within the grace window -> posted late once; older -> recorded as
missed. The key is the local wall time, so APScheduler's double autumn firing is one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import ResolvedRitual
from bot.context import Occurrence, RitualContext
from bot.platform import NotDelivered
from bot.ritual import Ritual, Step
from bot.schedule import RitualTrigger, wall_key
from bot.store import Store
from bot.teams import TeamView
from bot.timing import StepFiring, step_firings

log = logging.getLogger("ritualbot.engine")

LOOKBACK = timedelta(days=35)


@dataclass(frozen=True)
class Planned:
    """One step of one ritual for one team: what the scheduler turns into a job."""

    team: TeamView
    ritual: Ritual
    resolved: ResolvedRitual
    step: Step
    since: str | None = None  # first occurrence this schedule serves (after an admin's change)
    until: str | None = None  # last occurrence it serves (a schedule replaced mid-round)

    @property
    def job_id(self) -> str:
        suffix = f"@{self.until}" if self.until else ""
        return f"{self.team.id}/{self.ritual.id}/{self.step.name}{suffix}"

    def trigger(self) -> RitualTrigger:
        return self.resolved.schedule.trigger(self.team.tz, self.step.offset)

    def firings(self, start: datetime, end: datetime) -> list[StepFiring]:
        """This step's firings in `[start, end)`, moved into the team's working time."""
        return step_firings(self.trigger(), self.team, start, end, since=self.since, until=self.until)

    def next_firing(self, now: datetime) -> StepFiring | None:
        """The first firing at or after `now` (looking up to 400 days ahead, nearest first)."""
        start = now
        for days in (8, 40, 400):
            found = self.firings(start, now + timedelta(days=days))
            if found:
                return found[0]
            start = now + timedelta(days=days)
        return None

    def occurrence_key(self, due: datetime) -> str:
        """The occurrence a step firing belongs to: its due time minus the step's offset."""
        scheduled = (due.astimezone(self.team.tz).replace(tzinfo=None) - self.step.offset)
        return wall_key(scheduled)


ContextFactory = Callable[[Planned, datetime], RitualContext]


class Engine:
    """Claims and runs firings; knows nothing of APScheduler."""

    def __init__(self, store: Store, clock: Clock, plans: list[Planned], make_context: ContextFactory,
                 *, grace: timedelta, max_concurrent: int, worker: str | None = None) -> None:
        self.store = store
        self.clock = clock
        self.plans = plans
        self.make_context = make_context
        self.grace = grace
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self._limit = asyncio.Semaphore(max_concurrent)
        self._first_seen: dict[str, datetime] = {}

    async def fire(self, plan: Planned, due: datetime | StepFiring) -> str:
        """Claim one firing and run it; returns the recorded status (or 'taken').

        `due` is a planned firing, or a bare moment (an admin's `run`, a test) whose
        occurrence is read back from it.
        """
        now = self.clock.now()
        if isinstance(due, datetime):
            due_local = due.astimezone(plan.team.tz)
            firing = StepFiring(due_local, due_local, plan.occurrence_key(due_local))
        else:
            firing = due
            due_local = firing.planned.astimezone(plan.team.tz)
        occ_key = firing.occurrence
        if firing.planned < await self.team_since(plan.team):
            log.info("%s %s came due before the team was first seen: not posted", plan.job_id, occ_key)
            return "before team"
        status = await self._gate(plan, occ_key) or firing.blocked
        claim = await self.store.claim_firing(plan.team.id, plan.ritual.id, plan.step.name, occ_key, due_local,
                                        status or "running", self.worker, now)
        if claim is None:
            return "taken"
        if status is not None:
            log.info("%s %s at %s: %s", plan.job_id, occ_key, due_local.isoformat(), status)
            return status
        handler = plan.ritual.handler("step", plan.step.name)
        if handler is None:
            await self.store.set_firing_status(claim.id, "failed")
            log.error("%s has no handler for step %r", plan.ritual.id, plan.step.name)
            return "failed"
        scheduled = datetime.fromisoformat(occ_key).replace(tzinfo=plan.team.tz)
        occ = Occurrence(key=occ_key, step=plan.step.name, scheduled=scheduled, due=due_local, firing_id=claim.id)
        ctx = self.make_context(plan, now)
        async with self._limit:
            try:
                await handler(ctx, occ)
            except NotDelivered as exc:
                if ctx.delivered:
                    log.error("%s %s stopped halfway (%s): marked failed, not tried again", plan.job_id, occ_key, exc)
                    await self.store.set_firing_status(claim.id, "failed")
                    return "failed"
                # The platform refused before acting: nothing went out, so the claim is given
                # back and the next sweep (or a restart) tries again within the grace window.
                log.warning("%s %s not delivered (%s): will try again", plan.job_id, occ_key, exc)
                await self.store.release_firing(claim.id)
                return "deferred"
            except Exception:
                # Claimed and failed: never retried blindly, since a post may have gone out.
                log.exception("%s %s failed", plan.job_id, occ_key)
                await self.store.set_firing_status(claim.id, "failed")
                return "failed"
        await self.store.set_firing_status(claim.id, "done")
        return "done"

    async def _gate(self, plan: Planned, occ_key: str) -> str | None:
        """Why this firing must not run (paused, skipped, holiday), or None to run it."""
        state = await self.store.ritual_state(plan.team.id, plan.ritual.id)
        if state.paused:
            return "paused"
        if state.skip_occurrence == occ_key:
            return "skipped"
        if plan.team.is_holiday(datetime.fromisoformat(occ_key).date()):
            return "holiday"
        return None

    def due_between(self, start: datetime, end: datetime) -> list[tuple[Planned, StepFiring]]:
        """Every step firing in `[start, end)`, in time order."""
        found: list[tuple[Planned, StepFiring]] = []
        for plan in self.plans:
            for firing in plan.firings(start, end):
                found.append((plan, firing))
        # At one moment, steps of the earlier occurrence go first (last week's digest before this week's DM).
        found.sort(key=lambda item: (item[1].at, item[1].occurrence, -item[0].step.offset))
        return found

    async def run_due(self, since: datetime | None = None) -> dict[str, int]:
        """Fire everything due up to now that nobody claimed yet.

        Used at start-up (catch-up after downtime) and by the fake-clock demo and tests.
        Firings older than the grace window are recorded as missed, never posted.
        """
        now = self.clock.now()
        counts: dict[str, int] = {}
        late: list[Awaitable[str]] = []
        for plan in self.plans:
            start = max(since, await self.team_since(plan.team)) if since else await self._lookback_start(plan, now)
            dues = plan.firings(start, now + timedelta(seconds=1))
            if not dues:
                continue
            known = await self.store.firing_keys(plan.team.id, plan.ritual.id, start - timedelta(days=1))
            for due in dues:
                key = (plan.step.name, due.occurrence)
                if key in known or due.planned < await self.team_since(plan.team):
                    continue
                if now - due.at > self.grace:
                    claim = await self.store.claim_firing(plan.team.id, plan.ritual.id, plan.step.name, key[1],
                                                    due.planned, "missed", self.worker, now)
                    if claim is not None:
                        log.warning("%s %s came due at %s while the bot was down: missed", plan.job_id, key[1], due.at)
                        counts["missed"] = counts.get("missed", 0) + 1
                else:
                    late.append(self.fire(plan, due))
        for status in await asyncio.gather(*late):
            counts[status] = counts.get(status, 0) + 1
        return counts

    async def _lookback_start(self, plan: Planned, now: datetime) -> datetime:
        """From the later of: the last firing we know, when the team was first seen, 35 days ago."""
        floor = now - LOOKBACK
        last = await self.store.last_firing_due(plan.team.id, plan.ritual.id, plan.step.name)
        candidates = [floor, await self.team_since(plan.team)] + ([last + timedelta(seconds=1)] if last else [])
        return max(candidates)

    async def team_since(self, team: TeamView) -> datetime:
        """When the bot first saw this team: nothing planned before it is ever posted."""
        if team.id not in self._first_seen:
            self._first_seen[team.id] = await self.store.ensure_team(team.id, team.platform, team.channel, self.clock.now())
        return self._first_seen[team.id]

    def open_round_end(self, team_id: str, ritual_id: str) -> datetime | None:
        """The last step still to come of a round begun on a schedule since replaced, if any."""
        now = self.clock.now()
        times = [f.at for f in (p.next_firing(now) for p in self.plans
                                if p.team.id == team_id and p.ritual.id == ritual_id and p.until) if f is not None]
        return max(times) if times else None

    def next_firing(self, team_id: str, ritual_id: str, step: str | None = None, *,
                    current_only: bool = False) -> datetime | None:
        """When a step fires next; without `step`, the ritual's main moment (its zero-offset step).
        `current_only` leaves out what remains of a round begun on a replaced schedule."""
        now = self.clock.now()
        plans = [p for p in self.plans if p.team.id == team_id and p.ritual.id == ritual_id
                 and (step is None or p.step.name == step) and not (current_only and p.until)]
        if step is None and any(not p.step.offset for p in plans):
            plans = [p for p in plans if not p.step.offset]
        times = [f.at for f in (p.next_firing(now) for p in plans) if f is not None]
        return min(times) if times else None

    def next_occurrence_key(self, team_id: str, ritual_id: str) -> str | None:
        """The occurrence a `skip` applies to: the next scheduled moment of the ritual."""
        now = self.clock.now()
        for plan in self.plans:
            if plan.team.id == team_id and plan.ritual.id == ritual_id and plan.until is None:
                nxt = plan.resolved.schedule.trigger(plan.team.tz).firings(now, now + timedelta(days=400))
                return next((f.occurrence for f in nxt if plan.since is None or f.occurrence >= plan.since), None)
        return None

