"""Walk and listen over months on the fake clock: two leaders share a team, nobody is
nagged when a leader does not respond, and a member can say "rather not" (issues 14, 16)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bot.simulation import advance
from rituals.walk_and_listen import iso_week
from tests.conftest import AMS, team_walks

MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)


def _toml(leaders: list[str], members: list[str], extra: str = "") -> str:
    return f"""
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["adm"]
leaders = {leaders!r}
members = {leaders + members!r}
[teams.rituals.walk_and_listen]
leader_timezone_window_hours = 0
{extra}
""".replace("'", '"')


async def _weeks(h: Any, weeks: int, on_proposed: Any) -> list[dict[str, str]]:
    """Per week that ran, leader -> member suggested (as first proposed that Monday)."""
    sequence: list[dict[str, str]] = []

    async def fired(plan: Any, due: datetime, status: str) -> None:
        if plan.step.name == "propose" and status == "done":
            week = iso_week(due.date())
            sequence.append({w.leader_id: w.member_id for w in await team_walks(h.store, "noord") if w.week == week})
            await on_proposed(week)

    await advance(h.bot, h.clock, MONDAY + timedelta(weeks=weeks), fired)
    return sequence


async def test_two_leaders_share_the_members(make_harness) -> None:  # type: ignore[no-untyped-def]
    members = [f"m{i:02d}" for i in range(12)]
    h = await make_harness(_toml(["lies", "omar"], members), start=MONDAY)

    async def both_walk(week: str) -> None:
        for leader in ("lies", "omar"):
            await h.local.click(leader, h.local.last("dm", user=leader), "done")

    sequence = await _weeks(h, 26, both_walk)
    assert len(sequence) == 24  # 26 Mondays, Easter Monday and Whit Monday skipped
    for week in sequence:
        assert set(week) == {"lies", "omar"} and week["lies"] != week["omar"]  # never the same member to both
    for earlier, later in zip(sequence, sequence[1:], strict=False):
        assert not set(earlier.values()) & set(later.values())  # nobody in consecutive weeks
    for block in range(4):  # every six weeks each of the twelve is walked with exactly once
        six = [m for week in sequence[block * 6:(block + 1) * 6] for m in week.values()]
        assert sorted(six) == members
    assert Counter(m for week in sequence for m in week.values()) == Counter(dict.fromkeys(members, 4))


async def test_no_nagging_when_a_leader_does_not_respond(make_harness) -> None:  # type: ignore[no-untyped-def]
    members = ["bram", "cor", "dewi", "eva", "fenna"]
    h = await make_harness(_toml(["anna"], members), start=MONDAY)

    async def silent(week: str) -> None:
        return None

    sequence = [w["anna"] for w in await _weeks(h, 12, silent)]
    assert len(sequence) == 12
    assert all(a != b for a, b in zip(sequence, sequence[1:], strict=False))  # never twice in a row
    assert sorted(sequence[:5]) == members  # everyone once before anyone again...
    assert sequence[5:10] == sequence[:5] and sequence[10:] == sequence[:2]  # ...round after round
    followups = [e for e in h.local.entries("dm", user="anna") if "gelukt" in e.text]
    assert len(followups) == 12  # one gentle question a week, never more


async def test_a_member_can_say_rather_not(make_harness) -> None:  # type: ignore[no-untyped-def]
    members = ["bram", "cor", "dewi", "eva"]
    h = await make_harness(_toml(["anna"], members), start=MONDAY)
    declined: list[str] = []

    async def plan_and_maybe_decline(week: str) -> None:
        dm = h.local.last("dm", user="anna")
        out = await h.local.click("anna", dm, "planned")
        invite = next(e for e in out if e.kind == "dm")
        if len(declined) < 2:
            member = invite.user
            assert invite.button("decline").label == "Liever niet"
            out = await h.local.click(member, invite, "decline")
            reply = next(e for e in out if e.kind == "reply")
            told = next(e for e in out if e.kind == "dm")
            assert reply.user == member and "@anna" in reply.text and "zonder reden" in reply.text
            assert told.user == "anna" and f"@{member}" in told.text and "liever niet" in told.text
            assert "geen reden" in told.text and [b.label for b in told.message.buttons] == ["Iemand anders"]
            assert not [e for e in out if e.kind in ("channel", "thread")]  # nobody else hears it
            out = await h.local.click(member, invite, "decline")
            assert "niet meer" in out[-1].text  # a second click changes nothing
            declined.append(member)
            out = await h.local.click("anna", told, "other")
            assert out[0].kind == "update"
        else:
            await h.local.click("anna", dm, "done")

    sequence = [w["anna"] for w in await _weeks(h, 8, plan_and_maybe_decline)]
    rows = {w.week: w for w in await team_walks(h.store, "noord", "anna")}
    first_week = iso_week(MONDAY.date())
    assert sequence[0] == declined[0] and rows[first_week].member_id != declined[0]  # someone else that week
    assert sequence[1] != declined[0]  # the one who said rather not is not asked again straight away
    walked = Counter(w.member_id for w in rows.values() if w.status == "done")
    assert sum(walked.values()) == 6 and all(w.status != "declined" for w in rows.values() if w.status == "done")


async def test_texts_do_not_sound_like_a_teacher(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(_toml(["anna"], ["bram", "cor"]), start=MONDAY)
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))
    out = await h.local.click("anna", h.local.last("dm", user="anna"), "skip")
    assert "nieuwe kans" not in out[-1].text and "Deze week niet" in out[-1].text
