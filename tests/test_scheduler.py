"""APScheduler wiring: one job per team, ritual and step, re-planned after an admin's change."""

from __future__ import annotations

from datetime import timedelta

from bot.scheduler import RitualScheduler
from tests.conftest import TEAM_TOML


async def test_jobs_follow_the_plans_and_an_admins_change(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    scheduler = RitualScheduler(h.bot.engine)
    h.bot.on_reload.append(scheduler.sync_jobs)
    await scheduler.start()
    try:
        jobs = {j.id: j for j in scheduler.scheduler.get_jobs() if "/" in j.id}
        assert set(jobs) == {"noord/weekly_success_mistake/sharer", "noord/weekly_success_mistake/prompt",
                             "noord/weekly_success_mistake/digest"}
        prompt = jobs["noord/weekly_success_mistake/prompt"]
        # APScheduler and the engine agree on the next firing (both use the same trigger)
        nxt = prompt.trigger.get_next_fire_time(None, h.clock.now())
        assert nxt == h.bot.engine.next_firing("noord", "weekly_success_mistake")
        await h.local.command("anna", "schedule weekly_success_mistake wed 10:00", channel="C1")
        prompt = scheduler.scheduler.get_job("noord/weekly_success_mistake/prompt")
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
    await scheduler._fire_plan(plan)  # a late duplicate wake-up
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
