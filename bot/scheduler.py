"""APScheduler 3.11 owns wall time in production; the engine owns exactly-once.

Each distinct moment (`Planned.moment`: schedule, timezone, step offset, the occurrences a
schedule serves, the team's working time and holidays) is one job, firing every (team,
ritual, step) planned at it: 10,000 teams on "fri 14:00" are a few jobs, not 30,000, so
start-up and an admin's change stay fast. A job does not trust
APScheduler's idea of what is due: it asks the engine to fire whatever of its plans is
due and unclaimed, so a late wake-up or a second replica changes nothing.
A slow sweep catches anything a suspended process slept through. The job store is in
memory and never shared: the database, not APScheduler, is the shared truth.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.engine import Engine, Planned
from bot.timing import StepFiring

log = logging.getLogger("ritualbot.scheduler")

SWEEP = timedelta(minutes=5)
JOB_PREFIX = "at "


def job_id(plan: Planned) -> str:
    """A readable id of the plan's moment, stable within the process, e.g.
    `at Europe/Amsterdam fri 14:00 -1 day, 0:00:00 #5f3a09c1` (the tail tells working times apart)."""
    schedule, timezone, offset = plan.when
    limits = (f" from {plan.since}" if plan.since else "") + (f" until {plan.until}" if plan.until else "")
    return (f"{JOB_PREFIX}{timezone} {schedule.source}" + (f" {offset}" if offset else "") + limits
            + f" #{hash(plan.moment) & 0xFFFFFFFF:08x}")


class PlanTrigger(BaseTrigger):
    """Wakes a job when its step fires: the schedule, DST-proof, moved into working time."""

    def __init__(self, plan: Planned) -> None:
        self.plan = plan

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        start = now if previous_fire_time is None else max(now, previous_fire_time + timedelta(seconds=1))
        firing = self.plan.next_firing(start)
        return None if firing is None else firing.at

    def __str__(self) -> str:
        return f"{self.plan.trigger()}"


class RitualScheduler:
    def __init__(self, engine: Engine, extra_jobs: dict[str, tuple[Callable[[], Awaitable[object]], object]] | None = None) -> None:
        self.engine = engine
        self.extra_jobs = extra_jobs or {}
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._swept_until = engine.clock.now()
        self.groups: dict[str, list[Planned]] = {}  # job id -> the plans it fires

    async def start(self) -> None:
        counts = await self.engine.run_due()
        if counts:
            log.info("catch-up after start: %s", counts)
        self.sync_jobs()
        self.scheduler.add_job(self._sweep, IntervalTrigger(seconds=int(SWEEP.total_seconds())), id="sweep",
                               coalesce=True, max_instances=1)
        for name, (func, trigger) in self.extra_jobs.items():
            self.scheduler.add_job(func, trigger=trigger, id=name, coalesce=True, max_instances=1)
        self.scheduler.start()

    def sync_jobs(self) -> None:
        """(Re)create one job per distinct moment; called at start and after an admin's change."""
        grace = int(self.engine.grace.total_seconds()) or 1
        groups: dict[str, list[Planned]] = {}
        for plan in self.engine.plans:
            groups.setdefault(job_id(plan), []).append(plan)
        self.groups = groups
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in groups:
                job.remove()
        for jid, plans in groups.items():
            if self.scheduler.get_job(jid) is None:
                name = plans[0].job_id + (f" and {len(plans) - 1} more" if len(plans) > 1 else "")
                self.scheduler.add_job(self._fire_group, trigger=PlanTrigger(plans[0]), args=[jid], id=jid, name=name,
                                       misfire_grace_time=grace, coalesce=True, max_instances=1)

    def job_for(self, plan: Planned) -> str:
        """The id of the job that fires `plan`."""
        return job_id(plan)

    async def _fire_group(self, jid: str) -> None:
        """Fire what is due of every plan at this moment, all at once (the engine bounds the posting)."""
        plans = self.groups.get(jid, [])
        if plans:
            now = self.engine.clock.now()
            dues = plans[0].firings(now - self.engine.grace, now + timedelta(seconds=1))
            await asyncio.gather(*(self._fire_due(plan, due) for plan in plans for due in dues))

    async def _fire_plan(self, plan: Planned) -> None:
        now = self.engine.clock.now()
        for due in plan.firings(now - self.engine.grace, now + timedelta(seconds=1)):
            await self._fire_due(plan, due)

    async def _fire_due(self, plan: Planned, due: StepFiring) -> None:
        status = await self.engine.fire(plan, due)
        log.info("%s due %s: %s", plan.job_id, due.at.isoformat(), status)

    async def _sweep(self) -> None:
        """Anything due since the last sweep that no job fired (a suspended process, a clock jump)."""
        now = self.engine.clock.now()
        since = min(self._swept_until, now - SWEEP) - self.engine.grace
        await self.engine.run_due(since=since)
        self._swept_until = now

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
