"""APScheduler wiring: every planned step has a job that wakes it, re-planned after an admin's change;
steps of many teams that fire at the same moments share one job."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.engine import Outcome, Planned
from bot.scheduler import RitualScheduler
from bot.timing import StepFiring
from tests.conftest import TEAM_TOML


async def test_jobs_follow_the_plans_and_an_admins_change(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    scheduler = RitualScheduler(h.bot.engine)
    h.bot.on_reload.append(scheduler.sync_jobs)
    await scheduler.start()
    try:
        steps = {"noord/weekly_success_mistake/sharer", "noord/weekly_success_mistake/prompt",
                 "noord/weekly_success_mistake/digest"}
        assert {p.job_id for p in h.bot.plans} == steps
        jobs = {step: scheduler.job_for(step) for step in steps}
        assert None not in jobs.values() and len({j.id for j in jobs.values() if j}) == 3  # three moments
        prompt = jobs["noord/weekly_success_mistake/prompt"]
        # APScheduler and the engine agree on the next firing (both use the same trigger)
        nxt = prompt.trigger.get_next_fire_time(None, h.clock.now())
        assert nxt == h.bot.engine.next_firing("noord", "weekly_success_mistake")
        await h.local.command("anna", "schedule weekly_success_mistake wed 10:00", channel="C1")
        prompt = scheduler.job_for("noord/weekly_success_mistake/prompt")
        assert prompt.trigger.get_next_fire_time(None, h.clock.now()).strftime("%a %H:%M") == "Wed 10:00"
        await h.local.command("anna", "language en", channel="C1")
        assert len([j for j in scheduler.scheduler.get_jobs() if "/" in j.id]) == 3
    finally:
        scheduler.stop()


async def test_a_job_fires_what_is_due_and_nothing_twice(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML + "sharer_notice_hours = 0\n")
    scheduler = RitualScheduler(h.bot.engine)
    (plan,) = [p for p in h.bot.plans if p.step.name == "prompt"]
    h.clock.set(h.bot.engine.next_firing("noord", "weekly_success_mistake") + timedelta(seconds=2))
    await scheduler._fire_plan(plan)
    await scheduler._fire_plan(plan)  # a duplicate wake-up at the same moment
    await scheduler.settle()
    await scheduler._fire_plan(plan)  # a late one
    await scheduler.settle()
    assert len(h.local.entries("channel", "C1")) == 1


async def test_the_sweep_fires_what_a_sleeping_process_missed(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML + "sharer_notice_hours = 0\n")
    scheduler = RitualScheduler(h.bot.engine)
    due = h.bot.engine.next_firing("noord", "weekly_success_mistake")
    h.clock.set(due + timedelta(minutes=20))  # the job never ran: the process was suspended
    await scheduler._sweep()
    await scheduler._sweep()
    assert len(h.local.entries("channel", "C1")) == 1
    h.clock.set(due + timedelta(days=7, hours=2))  # a week later, slept past the grace window
    await scheduler._sweep()
    assert len(h.local.entries("channel", "C1")) == 1
    assert [f.status for f in await h.store.firings("noord") if f.step == "prompt"] == ["done", "missed"]


def _teams(schedules: list[str]) -> str:
    return "sharer_notice_hours = 0\n".join(
        TEAM_TOML.replace('"noord"', f'"t{i}"').replace('"C1"', f'"C{i}"').replace('"fri 14:00"', f'"{schedule}"')
        .replace('language = "nl"\n', "") for i, schedule in enumerate(schedules)) + "sharer_notice_hours = 0\n"


async def test_teams_whose_steps_fire_together_share_one_job(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Many teams with the same schedule are a few jobs, not one per team and step (start-up time)."""
    h = await make_harness(_teams(["fri 14:00"] * 5 + ["wed 10:00"]))
    scheduler = RitualScheduler(h.bot.engine)
    h.bot.on_reload.append(scheduler.sync_jobs)
    await scheduler.start()
    try:
        fridays = {scheduler.job_for(f"t{i}/weekly_success_mistake/prompt").id for i in range(5)}  # type: ignore[union-attr]
        wednesday = scheduler.job_for("t5/weekly_success_mistake/prompt")
        assert len(fridays) == 1 and wednesday is not None and wednesday.id not in fridays
        assert len([j for j in scheduler.scheduler.get_jobs() if "/" in j.id]) == 4  # prompt and digest, 2 moments
        await h.local.command("anna", "schedule weekly_success_mistake wed 10:00", channel="C0")
        moved = scheduler.job_for("t0/weekly_success_mistake/prompt")
        assert moved is not None and moved.id not in fridays  # t0 left the Friday job (its history differs from t5)
        assert moved.trigger.get_next_fire_time(None, h.clock.now()).strftime("%a %H:%M") == "Wed 10:00"
        assert scheduler.job_for("t1/weekly_success_mistake/prompt").id in fridays  # type: ignore[union-attr]
    finally:
        scheduler.stop()


async def test_a_shared_job_fires_every_team_of_its_moment_once(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(_teams(["fri 14:00"] * 4 + ["wed 10:00"]))
    scheduler = RitualScheduler(h.bot.engine)
    scheduler.sync_jobs()
    job = scheduler.job_for("t0/weekly_success_mistake/prompt")
    assert job is not None
    h.clock.set(h.bot.engine.next_firing("t0", "weekly_success_mistake") + timedelta(seconds=2))
    await job.func(*job.args)  # what APScheduler runs when the job comes due
    await job.func(*job.args)  # a duplicate wake-up
    await scheduler.settle()
    assert [len(h.local.entries("channel", f"C{i}")) for i in range(5)] == [1, 1, 1, 1, 0]


async def test_logging_a_big_batchs_outcomes_gives_the_loop_turns_in_between(make_harness) -> None:  # type: ignore[no-untyped-def]
    """10,000 teams at one minute: their 10,000 log lines are written in slices, so a person's
    command is answered in between (one go held the loop 0.5 s in `bench/command_acks.py`)."""
    h = await make_harness(TEAM_TOML)
    engine = h.bot.engine
    (plan,) = [p for p in h.bot.plans if p.step.name == "prompt"]
    moment = h.clock.now()
    items = [(plan, StepFiring(moment, moment, f"2026-12-{1 + i // 1000:02d}T14:{i % 60:02d}:00")) for i in range(1200)]

    async def all_done(batch: Sequence[tuple[Planned, Any]]) -> list[Outcome]:
        return [Outcome("done")] * len(batch)

    engine.fire_many = all_done  # the outcomes, at once: this test is about what the scheduler does with them
    turns = 0
    seen: list[int] = []

    async def ticking() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    class Seen(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage().endswith(": done"):
                seen.append(turns)

    handler = Seen()
    logger = logging.getLogger("ritualbot.scheduler")
    logger.addHandler(handler)
    previous = logger.level
    logger.setLevel(logging.INFO)
    ticker = asyncio.create_task(ticking())
    try:
        await asyncio.sleep(0)
        await RitualScheduler(engine)._fire_batch(items)
    finally:
        ticker.cancel()
        logger.removeHandler(handler)
        logger.setLevel(previous)
    assert len(seen) == 1200
    assert seen[-1] > seen[0]  # the loop ran other tasks while the lines were written
