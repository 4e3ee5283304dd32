"""Who can be chosen and refused DMs (issue 12, "People"), on the local platform.

A deactivated account, a member who left the channel and a bot are never chosen: not as
the week's sharer, not for a walk, not in a deliberation group or as facilitator. A DM
the platform refuses moves the rotation to the next person and is recorded with why.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import AMS, TEAM_TOML, team_walks

FRIDAY = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)
WALKS = TEAM_TOML.replace('leaders = ["anna"]', 'leaders = ["anna"]') + """
[teams.rituals.walk_and_listen]
schedule = "mon 09:00"
leader_timezone_window_hours = 0
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


def _dm_users(h) -> set[str]:  # type: ignore[no-untyped-def]
    return {e.user for e in h.local.entries("dm")}


async def test_a_deactivated_colleague_is_never_the_sharer_nor_walked_with(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(WALKS, start=datetime(2026, 11, 30, 7, 0, tzinfo=AMS))
    h.local.deactivate("bram")
    await h.advance(timedelta(weeks=8))
    sharers = [e.user for e in h.local.entries("dm") if "aan de beurt" in e.text]
    assert len(sharers) == 6 and "bram" not in sharers  # 8 weeks less Christmas and New Year's Day
    assert "bram" not in _dm_users(h)
    assert all(w.member_id != "bram" for w in await team_walks(h.store, "noord"))
    assert {w.member_id for w in await team_walks(h.store, "noord")} <= {"cor", "dewi", "eva"}


async def test_a_member_who_left_the_channel_is_not_chosen(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(WALKS, start=datetime(2026, 11, 30, 7, 0, tzinfo=AMS))
    h.local.leave("C1", "cor")
    await h.advance(timedelta(weeks=6))
    assert "cor" not in _dm_users(h)
    assert all(w.member_id != "cor" for w in await team_walks(h.store, "noord"))


async def test_bots_deactivated_and_departed_people_are_in_no_group_and_facilitate_nothing(make_harness) -> None:  # type: ignore[no-untyped-def]
    people = ["anna", "bram", "cor", "dewi", "eva", "fleur", "gijs", "hanna", "ritualbot-2"]
    h = await make_harness(DELIBERATION, start=datetime(2026, 11, 23, 9, 0, tzinfo=AMS), channels={"C1": people})
    h.local.bots.add("ritualbot-2")
    h.local.deactivate("gijs")
    h.local.leave("C1", "hanna")
    await h.advance_to(datetime(2026, 12, 1, 15, 0, tzinfo=AMS))
    (plan,) = [v for k, v in await h.store.state_items("noord", "moral_deliberation", "plan:")] or [None]
    seen_in_groups = set()
    if plan is not None:
        for group in plan["groups"]:
            seen_in_groups |= set(group["members"]) | {group["facilitator"]}
    posted = " ".join(e.text for e in h.local.entries() if e.kind in ("channel", "thread", "dm"))
    for gone in ("ritualbot-2", "gijs", "hanna"):
        assert gone not in seen_in_groups and gone not in posted
        assert gone not in _dm_users(h)


async def test_a_refused_dm_moves_the_rotation_on_and_says_why(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=FRIDAY - timedelta(days=2))
    h.bot.people.ttl = timedelta(days=365)  # the roster was checked before the accounts were switched off
    ctx = h.bot.team_context(h.bot.rituals["weekly_success_mistake"], h.bot.teams["noord"])
    assert await ctx.members() == ["anna", "bram", "cor", "dewi", "eva"]
    for gone in ("anna", "bram", "cor", "dewi"):
        h.local.deactivate(gone)
    fired = await h.advance_to(FRIDAY - timedelta(days=1, minutes=-1))
    assert [(p.step.name, status) for p, _, status in fired if p.step.name == "sharer"] == [("sharer", "done")]
    (dm,) = h.local.entries("dm")
    assert dm.user == "eva" and "aan de beurt" in dm.text
    refusals = [a for a in await h.store.audit_log("noord") if "DM refused" in a.action]
    assert refusals and all("user_disabled" in a.detail for a in refusals)
    assert all(a.actor_id is None for a in refusals)  # the why is kept, not who
    # next week the ones refused are not tried again, even with the old roster cached: only
    # those not tried yet are, so each switched-off account is refused once in all
    await h.advance(timedelta(days=7))
    assert [e.user for e in h.local.entries("dm")] == ["eva", "eva"]
    assert len([a for a in await h.store.audit_log("noord") if "DM refused" in a.action]) == 4


async def test_nobody_reachable_means_no_sharer_and_the_round_still_runs(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=FRIDAY - timedelta(days=2))
    for user in ("anna", "bram", "cor", "dewi", "eva"):
        h.local.deactivate(user)
    fired = await h.advance_to(FRIDAY + timedelta(minutes=1))
    assert [(p.step.name, status) for p, _, status in fired if p.step.name != "digest"] == [
        ("sharer", "done"), ("prompt", "done")]
    assert h.local.entries("dm") == []
