"""APScheduler 3.11 owns wall time in production; the engine owns exactly-once.

Plans of one shape (`Planned.shape`: schedule, step offset, timezone, working time,
holidays) fire at the same moments, so they share one job: 10,000 teams with the same
weekly ritual are a handful of jobs, not 20,000 (start-up time). A job does not trust
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

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.engine import SLICE, Engine, Planned, firings_of
from bot.job_trouble import JobTrouble
from bot.takeover import Takeover
from bot.timing import StepFiring

log = logging.getLogger("ritualbot.scheduler")

SWEEP = timedelta(minutes=5)
COLLECT = 0.05  # seconds the jobs of one moment have to join one batch
RETRY = 5  # seconds before firing again what failed because the database was away


class PlanTrigger(BaseTrigger):
    """Wakes a job when its step fires: the schedule, DST-proof, moved into working time.
    Every plan of the same shape fires at the same moments, so any of them stands for all."""

    def __init__(self, plan: Planned) -> None:
        self.plan = plan

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        start = now if previous_fire_time is None else max(now, previous_fire_time + timedelta(seconds=1))
        firing = self.plan.next_firing(start)
        return None if firing is None else firing.at

    def __str__(self) -> str:
        return f"{self.plan.trigger()}"


class RitualScheduler:
    """`refresh` brings the engine's plans up to date with admin changes made on any
    replica (True when it changed something); `takeover` keeps this process's leases alive
    and takes over those of a replica that died. `settings_every` is how often (seconds)
    settings are checked besides just before each firing; `config_check`, if given, runs
    on that interval too."""

    def __init__(self, engine: Engine, extra_jobs: dict[str, tuple[Callable[[], Awaitable[object]], object]] | None = None,
                 *, refresh: Callable[[], Awaitable[bool]] | None = None, takeover: Takeover | None = None,
                 settings_every: int = 10, config_check: Callable[[], Awaitable[None]] | None = None) -> None:
        self.engine = engine
        self.config_check = config_check  # whether every replica runs the same config.toml (bot/config_watch.py)
        self.extra_jobs = extra_jobs or {}
        self.refresh = refresh
        self.takeover = takeover
        self.settings_every = settings_every
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.trouble = JobTrouble(engine.store.ping)  # a failing job (a database outage) is said once
        self._swept_until = engine.clock.now()
        self._due: list[Planned] = []
        self._collector: asyncio.Task[None] | None = None
        self._batches: set[asyncio.Task[None]] = set()
        self._shapes: dict[tuple[object, ...], list[Planned]] = {}  # shape -> its plans
        self._shape_jobs: dict[tuple[object, ...], str] = {}  # shape -> its APScheduler job id
        self._job_of: dict[str, str] = {}  # a plan's job_id -> the job that wakes it
        self._next_job = 0

    async def start(self) -> None:
        counts = await self.engine.run_due()
        if counts:
            log.info("catch-up after start: %s", counts)
        self.sync_jobs()
        self._add(self._sweep, IntervalTrigger(seconds=int(SWEEP.total_seconds())), "sweep")
        for job_id, (func, trigger) in self.extra_jobs.items():
            self._add(self._guarded(f"run the {job_id} job", func), trigger, job_id)
        if self.refresh is not None:
            self._add(self._check_settings, IntervalTrigger(seconds=self.settings_every), "settings")
        if self.takeover is not None:
            lease = self.engine.lease.total_seconds()
            self._add(self._renew, IntervalTrigger(seconds=max(1.0, lease / 3)), "lease-renewal")
            self._add(self._take_over, IntervalTrigger(seconds=max(1.0, lease / 2)), "takeover")
        self.scheduler.start()

    def _add(self, func: Callable[[], Awaitable[object]], trigger: object, job_id: str) -> None:
        self.scheduler.add_job(func, trigger=trigger, id=job_id, coalesce=True, max_instances=1)

    def _guarded(self, job: str, func: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[bool]]:
        """`func` as a job whose failure is said once (bot/job_trouble.py), not by APScheduler each time."""
        async def run() -> bool:
            return await self.trouble.run(job, func)

        return run

    def sync_jobs(self) -> None:
        """(Re)plan one job per shape of the planned steps; called at start and after an
        admin's change. A shape that stays keeps its job; only its plans are updated."""
        grace = int(self.engine.grace.total_seconds()) or 1
        shapes: dict[tuple[object, ...], list[Planned]] = {}
        for plan in self.engine.plans:
            shapes.setdefault(plan.shape, []).append(plan)
        for shape in [s for s in self._shape_jobs if s not in shapes]:
            job = self.scheduler.get_job(self._shape_jobs.pop(shape))
            if job is not None:
                job.remove()
        self._shapes = shapes
        # One moment for all jobs (APScheduler would take its own per job).
        now = datetime.now(UTC)
        for shape, plans in shapes.items():
            name = plans[0].job_id + (f" and {len(plans) - 1} more like it" if len(plans) > 1 else "")
            job_id = self._shape_jobs.get(shape)
            if job_id is not None and (job := self.scheduler.get_job(job_id)) is not None:
                if job.name != name:
                    job.modify(name=name)
                continue
            self._next_job += 1
            job_id = self._shape_jobs[shape] = f"plans/{self._next_job}"
            trigger = PlanTrigger(plans[0])
            self.scheduler.add_job(self._fire_shape, trigger=trigger, args=[shape], id=job_id, name=name,
                                   misfire_grace_time=grace, coalesce=True, max_instances=1,
                                   replace_existing=True, next_run_time=trigger.get_next_fire_time(None, now))
        self._job_of = {plan.job_id: self._shape_jobs[shape] for shape, plans in shapes.items() for plan in plans}

    def job_for(self, plan_id: str) -> Job | None:
        """The APScheduler job that wakes the plan `team/ritual/step` (None when not planned)."""
        job_id = self._job_of.get(plan_id)
        return None if job_id is None else self.scheduler.get_job(job_id)

    async def _fire_shape(self, shape: tuple[object, ...]) -> None:
        """A shape's job came due: queue every plan of that shape."""
        for plan in self._shapes.get(shape, []):
            await self._fire_plan(plan)

    async def _check_settings(self) -> None:
        await self._refresh()
        if self.config_check is not None:
            await self.trouble.run("compare config.toml with the other replicas'", self.config_check)

    async def _refresh(self) -> None:
        """Bring the plans up to date; when the database cannot say, go on with what we have."""
        if self.refresh is not None:
            await self.trouble.run("check for admin changes", self.refresh, meanwhile=": using the plans as they are")

    async def _renew(self) -> None:
        if self.takeover is not None:
            await self.trouble.run("renew this process's leases", self.takeover.renew)

    async def _take_over(self) -> None:
        if self.takeover is None:
            return
        counts: dict[str, int] = {}

        async def take_over() -> None:
            assert self.takeover is not None
            counts.update(await self.takeover.take_over_expired())

        if await self.trouble.run("look for firings to take over", take_over) and counts:
            log.warning("took over firings of a replica that stopped: %s", counts)

    async def _fire_plan(self, plan: Planned) -> None:
        """A job came due: queue its plan; the plans due at the same moment are fired together."""
        self._due.append(plan)
        if self._collector is None or self._collector.done():
            self._collector = asyncio.create_task(self._fire_due(), name="fire-due")

    async def settle(self) -> None:
        """Wait until every queued plan has been fired (tests, and a clean stop)."""
        while (self._collector is not None and not self._collector.done()) or self._batches:
            await asyncio.gather(*([self._collector] if self._collector else []), *self._batches)

    async def _fire_due(self) -> None:
        """Fire the queued plans as the plans stand now (another replica may have changed them),
        in batches, so one statement claims many firings."""
        while True:
            await asyncio.sleep(COLLECT)  # the other jobs of this moment join the batch
            if not self._due:
                return
            queued, self._due = self._due, []
            await self._refresh()
            current = {p.job_id: p for p in self.engine.plans}
            now = self.engine.clock.now()
            plans = [plan for job_id in dict.fromkeys(p.job_id for p in queued)
                     if (plan := current.get(job_id)) is not None]
            # Working out thousands of schedules is CPU work: off the event loop.
            dues = await asyncio.to_thread(firings_of, [(plan, now - self.engine.grace) for plan in plans], now)
            items = [(plan, due) for plan, found in zip(plans, dues, strict=True) for due in found]
            task = asyncio.create_task(self._fire_batch(items))
            self._batches.add(task)
            task.add_done_callback(self._batches.discard)

    async def _fire_batch(self, items: list[tuple[Planned, StepFiring]]) -> None:
        try:
            outcomes = await self.engine.fire_many(items)
        except Exception as exc:
            # Typically the database is unreachable: try again shortly, while the grace window lasts.
            self.trouble.failed("fire due steps", exc, f": trying again every {RETRY} s")
            await asyncio.sleep(RETRY)
            for plan in {plan.job_id: plan for plan, _ in items}.values():
                await self._fire_plan(plan)
            return
        await self.trouble.worked("fire due steps")
        for i, ((plan, due), outcome) in enumerate(zip(items, outcomes, strict=True)):
            if i % SLICE == SLICE - 1:
                await asyncio.sleep(0)  # 10,000 lines held the loop half a second: people are answered in between
            log.info("%s due %s: %s", plan.job_id, due.at.isoformat(), outcome.status)

    async def _sweep(self) -> None:
        """Anything due since the last sweep that no job fired (a suspended process, a clock jump)."""
        await self._refresh()
        now = self.engine.clock.now()
        since = min(self._swept_until, now - SWEEP) - self.engine.grace
        if await self.trouble.run("sweep for steps no job fired", lambda: self.engine.run_due(since=since)):
            self._swept_until = now

    def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
