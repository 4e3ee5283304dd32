"""Holidays and working time on every step (issues 12 and 14).

Nothing the bot sends on its own lands on a holiday, in the weekend or outside working
hours: a step planned there moves to the next working moment; a round whose scheduled
moment is a holiday does not take place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from bot import outbox as bot_outbox
from bot.config import ConfigError
from bot.scheduler import RitualScheduler
from tests.conftest import AMS, TEAM_TOML, make_config


def _fired(fired: list[tuple[object, datetime, str]], status: str = "done") -> list[tuple[str, str]]:
    """(step, local time) of what fired with `status`."""
    return [(plan.step.name, at.astimezone(AMS).strftime("%a %Y-%m-%d %H:%M"))  # type: ignore[attr-defined]
            for plan, at, st in fired if st == status]


async def test_a_digest_planned_on_a_team_holiday_comes_on_the_next_working_day(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TEAM_TOML.replace('members = [', 'holidays = ["2026-12-24"]\nmembers = [')
    h = await make_harness(toml, start=datetime(2026, 12, 17, 9, 0, tzinfo=AMS))
    fired = await h.advance_to(datetime(2026, 12, 29, 9, 0, tzinfo=AMS))
    done = _fired(fired)
    assert ("prompt", "Fri 2026-12-18 14:00") in done
    # Thu 24 Dec is the team's holiday, 25 and 26 are Christmas, 27 is a Sunday
    assert ("digest", "Mon 2026-12-28 08:00") in done
    assert not [d for d in done if "12-24" in d[1] or "12-25" in d[1] or "12-26" in d[1]]
    # the round of Friday 25 December (Christmas) does not take place, its sharer DM neither
    assert {(p.step.name, st) for p, at, st in fired if at.astimezone(AMS).day in (24, 25)} == {
        ("sharer", "holiday"), ("prompt", "holiday")}


async def test_the_sharer_dm_on_ascension_day_comes_the_next_morning(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=datetime(2027, 4, 26, 9, 0, tzinfo=AMS))  # last week's round too
    fired = await h.advance_to(datetime(2027, 5, 7, 15, 0, tzinfo=AMS))
    this_round = [f for f in _fired(fired) if f[0] != "digest" and "05-0" in f[1]]
    assert this_round == [("sharer", "Fri 2027-05-07 08:00"), ("prompt", "Fri 2027-05-07 14:00")]
    # last week's digest, planned on Ascension Day too, waits for Friday morning as well
    assert ("digest", "Fri 2027-05-07 08:00") in _fired(fired)
    assert len([e for e in h.local.entries("dm") if "2027-05-07" in (e.message.marker or "")]) == 1


async def test_a_step_in_the_weekend_or_the_evening_moves_to_the_next_working_moment(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TEAM_TOML.replace('"fri 14:00"', '"mon 09:00"')  # the sharer DM is planned on Sunday 09:00
    h = await make_harness(toml, start=datetime(2026, 11, 27, 9, 0, tzinfo=AMS))  # the round before too
    fired = await h.advance_to(datetime(2026, 12, 8, 10, 0, tzinfo=AMS))
    assert [f for f in _fired(fired) if "12-07" in f[1]] == [
        ("digest", "Mon 2026-12-07 08:00"), ("sharer", "Mon 2026-12-07 08:00"), ("prompt", "Mon 2026-12-07 09:00")]
    evening = TEAM_TOML.replace('id = "noord"', 'id = "zuid"') + "sharer_notice_hours = 20\n"  # Thursday 18:00
    h = await make_harness(evening, start=datetime(2026, 12, 2, 9, 0, tzinfo=AMS))
    fired = await h.advance_to(datetime(2026, 12, 4, 15, 0, tzinfo=AMS))
    assert [f for f in _fired(fired) if f[0] != "digest"] == [("sharer", "Fri 2026-12-04 08:00"),
                                                              ("prompt", "Fri 2026-12-04 14:00")]


async def test_a_daily_step_at_night_does_not_pile_up_in_the_morning(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TEAM_TOML.replace('"fri 14:00"', '"daily 07:00"') + "sharer_notice_hours = 0\ndigest_after_hours = 2\n"
    h = await make_harness(toml, start=datetime(2026, 12, 4, 9, 0, tzinfo=AMS))  # a Friday
    fired = await h.advance_to(datetime(2026, 12, 8, 12, 0, tzinfo=AMS))
    prompts = [at for step, at in _fired(fired) if step == "prompt"]
    assert prompts == ["Mon 2026-12-07 08:00", "Tue 2026-12-08 08:00"]
    # Saturday's and Sunday's 07:00 would land on Monday 08:00 with Monday's own: dropped
    assert [(p.step.name, at.astimezone(AMS).strftime("%a")) for p, at, st in fired if st == "off-hours"] == [
        ("prompt", "Sat"), ("digest", "Sat"), ("prompt", "Sun")]
    assert len(h.local.entries("channel", "C1")) == 4  # two prompts, two digests, all on working days


async def test_working_time_is_configurable_per_team(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TEAM_TOML.replace('members = [', 'working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]\n'
                             'working_hours = "07:00-22:00"\nmembers = [')
    toml = toml.replace('"fri 14:00"', '"mon 09:00"')
    h = await make_harness(toml, start=datetime(2026, 12, 2, 9, 0, tzinfo=AMS))
    fired = await h.advance_to(datetime(2026, 12, 8, 10, 0, tzinfo=AMS))
    assert ("sharer", "Sun 2026-12-06 09:00") in _fired(fired)


@pytest.mark.parametrize(("key", "value", "why"), [
    ("working_hours", '"18:00-08:00"', "must end after they start"),
    ("working_hours", '"8-18"', "look like '08:00-18:00'"),
    ("working_days", '["ma", "zaterdagochtend"]', "unknown day 'zaterdagochtend'"),  # 'zaterdag' itself is a day (issue 14)
    ("working_days", "[]", "at least one working day"),
])
def test_bad_working_time_is_refused_with_why(key: str, value: str, why: str) -> None:
    with pytest.raises(ConfigError) as err:
        make_config(f"{key} = {value}\n" + TEAM_TOML)
    assert f"{key}: " in str(err.value) and why in str(err.value)


async def test_a_new_team_never_gets_occurrences_from_before_it_was_first_seen(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TEAM_TOML.replace('"fri 14:00"', '"daily 10:00"') + "sharer_notice_hours = 0\n"
    first_seen = datetime(2026, 12, 2, 10, 31, tzinfo=AMS)
    h = await make_harness(toml, start=first_seen)
    scheduler = RitualScheduler(h.bot.engine)
    (plan,) = [p for p in h.bot.plans if p.step.name == "prompt"]
    h.clock.set(datetime(2026, 12, 2, 10, 35, 1, tzinfo=AMS))
    await scheduler._fire_plan(plan)  # a job wakes up: its grace window reaches back an hour, to 10:00
    await scheduler.settle()
    await scheduler._sweep()
    assert await h.bot.engine.run_due() == {}
    assert h.local.entries("channel", "C1") == []
    h.clock.set(datetime(2026, 12, 3, 10, 0, 1, tzinfo=AMS))
    await scheduler._fire_plan(plan)
    await scheduler.settle()
    assert len(h.local.entries("channel", "C1")) == 1
    assert [f.occurrence for f in await h.store.firings("noord") if f.step == "prompt"] == ["2026-12-03T10:00"]
    assert await h.bot.engine.team_since(h.bot.teams["noord"]) == first_seen.astimezone(UTC)


async def test_a_dm_waits_for_the_working_time_of_a_person_in_another_timezone(make_harness) -> None:  # type: ignore[no-untyped-def]
    """The team works in Amsterdam; a colleague works from Curaçao (5 or 6 hours behind)."""
    toml = TEAM_TOML.replace('members = ["anna", "bram", "cor", "dewi", "eva"]', 'members = ["anna", "bram"]')
    toml = toml.replace('"fri 14:00"', '"fri 09:00"')  # the sharer's DM: Thursday 09:00 Amsterdam
    zones = {"anna": "America/Curacao", "bram": "America/Curacao"}
    h = await make_harness(toml, start=datetime(2026, 12, 2, 9, 0, tzinfo=AMS), timezones=zones)
    fired = await h.advance_to(datetime(2026, 12, 3, 9, 30, tzinfo=AMS))
    assert ("sharer", "Thu 2026-12-03 09:00") in _fired(fired)
    assert h.local.entries("dm") == []  # 04:00 in Curaçao: it waits
    await h.advance_to(datetime(2026, 12, 3, 12, 59, tzinfo=AMS))
    assert h.local.entries("dm") == []
    await h.advance_to(datetime(2026, 12, 3, 13, 1, tzinfo=AMS))  # 08:00 in Curaçao
    (dm,) = h.local.entries("dm")
    assert "aan de beurt" in dm.text
    assert await h.store.state_items("noord", "core", "outbox:") == []
    assert await bot_outbox.deliver_due(h.bot) == 0  # sent once, never twice


async def test_a_held_dm_is_sent_once_by_the_job(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TEAM_TOML.replace('"fri 14:00"', '"fri 09:00"')
    zones = {u: "Asia/Tokyo" for u in ("anna", "bram", "cor", "dewi", "eva")}
    h = await make_harness(toml, start=datetime(2026, 12, 3, 8, 59, tzinfo=AMS), timezones=zones)
    (plan,) = [p for p in h.bot.plans if p.step.name == "sharer"]
    h.clock.set(datetime(2026, 12, 3, 9, 0, tzinfo=AMS))  # 17:00 in Tokyo: still working time
    assert await h.bot.engine.fire(plan, datetime(2026, 12, 3, 9, 0, tzinfo=AMS)) == "done"
    assert len(h.local.entries("dm")) == 1
    h2 = await make_harness(toml, start=datetime(2026, 12, 3, 8, 59, tzinfo=AMS), timezones=zones)
    h2.clock.set(datetime(2026, 12, 3, 10, 30, tzinfo=AMS))  # 18:30 in Tokyo: after hours
    (plan,) = [p for p in h2.bot.plans if p.step.name == "sharer"]
    assert await h2.bot.engine.fire(plan, datetime(2026, 12, 3, 10, 30, tzinfo=AMS)) == "done"
    assert h2.local.entries("dm") == []
    h2.clock.set(datetime(2026, 12, 4, 0, 0, tzinfo=AMS))  # 08:00 Friday in Tokyo
    assert await bot_outbox.deliver_due(h2.bot) == 1
    assert await bot_outbox.deliver_due(h2.bot) == 0
    assert len(h2.local.entries("dm")) == 1


async def test_a_waiting_dm_is_in_mydata_and_goes_with_forget(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TEAM_TOML.replace('members = ["anna", "bram", "cor", "dewi", "eva"]', 'members = ["eva"]')
    toml = toml.replace('leaders = ["anna"]', "leaders = []").replace('"fri 14:00"', '"fri 09:00"')
    h = await make_harness(toml, start=datetime(2026, 12, 3, 8, 0, tzinfo=AMS), timezones={"eva": "Asia/Tokyo"})
    await h.advance_to(datetime(2026, 12, 3, 9, 30, tzinfo=AMS))  # 17:30 in Tokyo: in hours, sent
    assert len(h.local.entries("dm")) == 1
    h2 = await make_harness(toml.replace('"fri 09:00"', '"fri 11:00"').replace('id = "noord"', 'id = "zuid"')
                            .replace('channel = "C1"', 'channel = "C2"'),
                            start=datetime(2026, 12, 3, 8, 0, tzinfo=AMS), timezones={"eva": "Asia/Tokyo"})
    await h2.advance_to(datetime(2026, 12, 3, 11, 30, tzinfo=AMS))  # 19:30 in Tokyo: it waits
    assert h2.local.entries("dm") == []
    out = await h2.local.command("eva", "mydata", channel="C2")
    assert '"waiting_messages"' in out[-1].text and "weekly_success_mistake" in out[-1].text
    out = await h2.local.command("eva", "forget", channel="C2")
    await h2.local.click("eva", out[-1], "forget_confirm")
    assert await h2.store.state_items("zuid", "core", "outbox:") == []
    h2.clock.set(datetime(2026, 12, 4, 9, 0, tzinfo=AMS))
    assert await bot_outbox.deliver_due(h2.bot) == 0


async def test_the_minute_job_reads_the_held_dms_of_all_teams_in_one_query(make_harness) -> None:  # type: ignore[no-untyped-def]
    """`deliver_due` runs every minute: with many teams and one DM due, it reads the held DMs
    of all teams at once and only the team with a due DM again (was: one query a team,
    10,000 queries a minute, during a fan-out too; issue 9)."""
    others = "".join(TEAM_TOML.split("\n", 2)[2].replace('id = "noord"', f'id = "t{i}"')
                     .replace('channel = "C1"', f'channel = "C{i + 10}"') for i in range(12))
    toml = TEAM_TOML.replace('"fri 14:00"', '"fri 09:00"') + others
    zones = {u: "Asia/Tokyo" for u in ("anna", "bram", "cor", "dewi", "eva")}
    h = await make_harness(toml, start=datetime(2026, 12, 3, 8, 59, tzinfo=AMS), timezones=zones)
    (plan,) = [p for p in h.bot.plans if p.step.name == "sharer" and p.team.id == "noord"]
    h.clock.set(datetime(2026, 12, 3, 10, 30, tzinfo=AMS))  # 18:30 in Tokyo: the DM is held
    assert await h.bot.engine.fire(plan, datetime(2026, 12, 3, 10, 30, tzinfo=AMS)) == "done"
    reads: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "ritual_data" in statement:
            reads.append(statement)

    event.listen(h.store.engine, "before_cursor_execute", seen)
    try:
        assert await bot_outbox.deliver_due(h.bot) == 0  # not due yet: one query, whatever the number of teams
        assert len(reads) == 1
        h.clock.set(datetime(2026, 12, 4, 0, 0, tzinfo=AMS))  # 08:00 Friday in Tokyo
        reads.clear()
        assert await bot_outbox.deliver_due(h.bot) == 1
        assert len(reads) == 2  # all teams, then the team whose DM is due
    finally:
        event.remove(h.store.engine, "before_cursor_execute", seen)
    assert len(h.local.entries("dm")) == 1


async def test_monthly_insights_wait_for_the_first_working_morning(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=datetime(2026, 12, 30, 9, tzinfo=AMS))
    await h.local.command("anna", "insights monthly on", channel="C1")
    h.clock.set(datetime(2027, 1, 1, 0, 5, tzinfo=AMS))  # New Year's Day, just after midnight
    assert await h.bot.core.send_monthly_insights() == 0
    h.clock.set(datetime(2027, 1, 4, 7, 5, tzinfo=AMS))  # the first working day, before working hours
    assert await h.bot.core.send_monthly_insights() == 0
    h.clock.set(datetime(2027, 1, 4, 8, 5, tzinfo=AMS))
    assert await h.bot.core.send_monthly_insights() == 1
