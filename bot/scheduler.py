"""APScheduler 3.11 owns wall time in production; the engine owns exactly-once.

Each (team, ritual, step) is one job on a `RitualTrigger` in the team's timezone. A job
does not trust APScheduler's idea of what is due: it asks the engine to fire whatever of
that plan is due and unclaimed, so a late wake-up or a second replica changes nothing.
A slow sweep catches anything a suspended process slept through. The job store is in
memory and never shared: the database, not APScheduler, is the shared truth.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.engine import Engine, Planned

log = logging.getLogger("ritualbot.scheduler")

SWEEP = timedelta(minutes=5)


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

    async def start(self) -> None:
        counts = await self.engine.run_due()
        if counts:
            log.info("catch-up after start: %s", counts)
        self.sync_jobs()
        self.scheduler.add_job(self._sweep, IntervalTrigger(seconds=int(SWEEP.total_seconds())), id="sweep",
                               coalesce=True, max_instances=1)
        for job_id, (func, trigger) in self.extra_jobs.items():
            self.scheduler.add_job(func, trigger=trigger, id=job_id, coalesce=True, max_instances=1)
        self.scheduler.start()

    def sync_jobs(self) -> None:
        """(Re)create one job per planned step; called at start and after an admin's change."""
        grace = int(self.engine.grace.total_seconds()) or 1
        wanted = {plan.job_id for plan in self.engine.plans}
        for job in self.scheduler.get_jobs():
            if "/" in job.id and job.id not in wanted:
                job.remove()
        for plan in self.engine.plans:
            self.scheduler.add_job(self._fire_plan, trigger=PlanTrigger(plan), args=[plan], id=plan.job_id,
                                   name=plan.job_id, misfire_grace_time=grace, coalesce=True, max_instances=1,
                                   replace_existing=True)

    async def _fire_plan(self, plan: Planned) -> None:
        now = self.engine.clock.now()
        for due in plan.firings(now - self.engine.grace, now + timedelta(seconds=1)):
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
