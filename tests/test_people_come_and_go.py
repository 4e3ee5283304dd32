"""People come and go, and done means delivered (issue 12).

When someone leaves the platform or the channel, they leave walk plans and groups at
once, and a leader with a walk planned with them is told gently. A leader whose
timezone changes after their proposal moment still gets the proposal, late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import AMS, team_walks

MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=AMS)
WALKS = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = ["anna", "bram", "cor", "dewi"]
[teams.rituals.walk_and_listen]
schedule = "mon 09:00"
"""
DELIBERATION = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = "channel"
[teams.rituals.moral_deliberation]
schedule = "first tue 14:00"
"""


async def test_a_leaders_timezone_change_before_their_0900_still_brings_the_proposal(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(WALKS, start=MONDAY - timedelta(hours=4), timezones={"anna": "Europe/Amsterdam"})
    await h.advance_to(MONDAY - timedelta(minutes=30))  # the early steps ran: not anna's moment yet
    assert h.local.entries("dm") == []
    h.local.timezones["anna"] = "Asia/Tokyo"  # she flew out on Monday morning: her 09:00 has passed
    fired = await h.advance_to(MONDAY + timedelta(hours=4))
    proposals = [e for e in h.local.entries("dm", user="anna") if "wandel je met" in e.text]
    assert len(proposals) == 1
    assert [w.status for w in await team_walks(h.store, "noord", "anna")] == ["proposed"]
    assert {status for p, _, status in fired if p.step.name.startswith("propose")} == {"done"}


async def test_a_member_who_leaves_drops_out_of_a_planned_walk_and_the_leader_is_told(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(WALKS, start=MONDAY - timedelta(hours=1))
    await h.advance_to(MONDAY + timedelta(minutes=1))
    await h.bot.roster.check()  # the first look after a start
    proposal = h.local.last("dm", user="anna")
    await h.local.click("anna", proposal, "planned")
    (walk,) = await team_walks(h.store, "noord", "anna")
    assert walk.status == "planned"
    h.local.deactivate(walk.member_id)  # their contract ended
    h.clock.set(MONDAY + timedelta(hours=2))
    left = await h.bot.roster.check()
    assert left == {"noord": {walk.member_id}}
    (after,) = await team_walks(h.store, "noord", "anna")
    assert after.status == "skipped"
    told = h.local.last("dm", user="anna")
    assert "niet meer bij het team" in told.text and "gaat niet door" in told.text
    out = await h.local.click("anna", told, "other")  # she chooses to walk with someone else
    (again,) = await team_walks(h.store, "noord", "anna")
    assert again.status == "proposed" and again.member_id not in (walk.member_id, "anna")
    assert out and "wandel je met" in out[-1].text
    assert await h.bot.roster.check() == {}  # nothing new: nobody is told twice


async def test_someone_who_leaves_the_channel_leaves_this_months_group(make_harness) -> None:  # type: ignore[no-untyped-def]
    people = ["anna", "bram", "cor", "dewi", "eva", "fleur"]
    h = await make_harness(DELIBERATION, start=datetime(2026, 11, 23, 9, 0, tzinfo=AMS), channels={"C1": people})
    await h.advance_to(datetime(2026, 11, 30, 15, 0, tzinfo=AMS))  # groups are set a day before
    await h.bot.roster.check()
    ((_, plan),) = await h.store.state_items("noord", "moral_deliberation", "plan:")
    assert "eva" in plan["groups"][0]["members"]
    h.local.leave("C1", "eva")
    h.clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=AMS))
    assert await h.bot.roster.check() == {"noord": {"eva"}}
    ((_, plan),) = await h.store.state_items("noord", "moral_deliberation", "plan:")
    assert all("eva" not in g["members"] and g["facilitator"] != "eva" for g in plan["groups"])
    await h.advance_to(datetime(2026, 12, 1, 14, 5, tzinfo=AMS))
    session = [e.text for e in h.local.entries("channel", "C1")][-1]
    assert "eva" not in session


async def test_the_roster_watch_and_held_dms_are_jobs_the_scheduler_awaits(make_harness) -> None:  # type: ignore[no-untyped-def]
    import inspect

    from bot.runner import maintenance_jobs

    h = await make_harness(WALKS)
    jobs = maintenance_jobs(h.bot)
    assert {"roster", "outbox"} <= set(jobs)
    assert all(inspect.iscoroutinefunction(func) for func, _ in jobs.values())  # else APScheduler never awaits them
