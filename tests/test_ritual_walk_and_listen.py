"""Wandelen en luisteren on the local platform: weeks of walks, fair rotation, privacy."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.i18n import missing_translations
from bot.messages import parse_user_ref as parse_user
from rituals.walk_and_listen import WalkAndListen, iso_week
from rituals.walk_turns import Walk, queue
from tests.conftest import AMS, team_walks

TOML = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = ["anna", "bram", "cor", "dewi", "eva", "fenna"]
[teams.rituals.walk_and_listen]
{extra}
"""
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)


def _proposed(dm) -> str:  # type: ignore[no-untyped-def]
    return dm.text.split("wandel je met @")[1].split(".")[0]


async def test_eight_weeks_every_member_before_anyone_twice(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=MONDAY)
    out = await h.local.command("eva", "walks optout", channel="C1")
    assert [(e.kind, e.user) for e in out] == [("reply", "eva")] and "niet meer voorgesteld" in out[0].text
    await h.store.set_away("noord", "fenna", True)
    walked = []
    for week in range(8):
        await h.advance_to(MONDAY + timedelta(weeks=week, hours=1, minutes=1))
        dm = h.local.last("dm", user="anna")
        assert "Geen agenda, geen actiepunten" in dm.text
        walked.append(_proposed(dm))
        await h.local.click("anna", dm, "done")
    eligible = {"bram", "cor", "dewi"}
    assert set(walked[:3]) == eligible  # everyone once before anyone twice
    assert all(a != b for a, b in zip(walked, walked[1:], strict=False))
    assert Counter(walked) == Counter({walked[0]: 3, walked[1]: 3, walked[2]: 2})  # round after round, same order
    assert "anna" not in walked and "eva" not in walked and "fenna" not in walked
    rows = await team_walks(h.store, "noord", "anna")
    assert [r.status for r in rows] == ["done"] * 8 and {r.member_id for r in rows} == eligible
    # only facts are kept: leader, member, week, status
    assert set(rows[0].model_dump()) <= {"id", "team_id", "leader_id", "week", "member_id", "status", "updated_at"}


async def test_buttons_invitation_and_one_gentle_follow_up(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=MONDAY)
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))
    dm = h.local.last("dm", user="anna")
    first = _proposed(dm)
    out = await h.local.click("anna", dm, "other")
    assert out[0].kind == "update"
    second = _proposed(out[0])
    assert second != first
    out = await h.local.click("anna", dm, "other")
    third = _proposed(out[0])
    assert third not in (first, second)

    out = await h.local.click("anna", dm, "planned")
    invitation = [e for e in out if e.kind == "dm"]
    assert [e.user for e in invitation] == [third] and "@anna" in invitation[0].text
    assert "Geen agenda" in invitation[0].text
    out = await h.local.click("anna", dm, "planned")
    assert not [e for e in out if e.kind == "dm"]  # invited once
    out = await h.local.click(third, dm, "done")
    assert [(e.kind, e.user) for e in out] == [("reply", third)]  # only the leader records a walk
    assert (await team_walks(h.store, "noord", "anna"))[0].status == "planned"

    await h.advance_to(MONDAY + timedelta(days=4, hours=7, minutes=1))  # Friday 15:01
    follow = h.local.last("dm", user="anna")
    assert "Is het deze week gelukt" in follow.text and f"@{third}" in follow.text
    await h.local.click("anna", follow, "done")
    assert (await team_walks(h.store, "noord", "anna"))[0].status == "done"
    await h.advance_to(MONDAY + timedelta(days=6))
    assert len([e for e in h.local.entries("dm", user="anna") if "gelukt" in e.text]) == 1

    # the next week: done, so no follow-up; skipped, so also none
    await h.advance_to(MONDAY + timedelta(weeks=1, hours=1, minutes=1))
    await h.local.click("anna", h.local.last("dm", user="anna"), "skip")
    await h.advance_to(MONDAY + timedelta(weeks=1, days=6))
    assert len([e for e in h.local.entries("dm", user="anna") if "gelukt" in e.text]) == 1


async def test_a_walk_with_someone_who_opted_out_is_refused(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra="invite_member = false"), start=MONDAY)
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))
    dm = h.local.last("dm", user="anna")
    member = _proposed(dm)
    await h.local.command(member, "walks optout", channel="C1")
    out = await h.local.click("anna", dm, "planned")
    assert [(e.kind, e.user) for e in out] == [("reply", "anna")] and "Iemand anders" in out[0].text
    assert (await team_walks(h.store, "noord", "anna"))[0].status == "proposed"
    out = await h.local.command("anna", f"walks with <@{member}>", channel="C1")
    assert "geen wandeling" in out[0].text
    assert (await team_walks(h.store, "noord", "anna"))[0].member_id == member and (await team_walks(h.store, "noord", "anna"))[0].status == "proposed"
    out = await h.local.command("anna", "walks with @anna", channel="C1")
    assert "geen wandeling" in out[0].text  # never the leader themself
    out = await h.local.click("anna", dm, "other")
    assert _proposed(out[0]) != member
    out = await h.local.command("anna", "walks with @bram", channel="C1")
    assert "deze week wandel je met @bram" in out[0].text
    assert (await team_walks(h.store, "noord", "anna"))[0].member_id == "bram"
    await h.local.command(member, "walks optin", channel="C1")
    out = await h.local.command("anna", f"walks with {member}", channel="C1")
    assert f"@{member}" in out[0].text and "Genoteerd" in out[0].text
    assert not [e for e in h.local.transcript if e.kind == "dm" and e.user != "anna"]  # invite_member = false


async def test_the_dm_comes_at_nine_in_the_leaders_own_timezone(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TOML.format(extra="").replace('leaders = ["anna"]', 'leaders = ["anna", "bram", "cor"]')
    h = await make_harness(toml, start=MONDAY, timezones={"anna": "Europe/London", "cor": "America/Curacao"})
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))  # 09:01 Amsterdam
    assert [e.user for e in h.local.entries("dm")] == ["bram"]
    await h.advance_to(MONDAY + timedelta(hours=2, minutes=1))  # 09:01 in London
    assert [e.user for e in h.local.entries("dm")] == ["bram", "anna"]
    await h.advance_to(MONDAY + timedelta(hours=4, minutes=1))  # Curaçao is 5 hours later: clamped to +3h
    # ... which is 07:01 in Curaçao: before working hours there (issue 14), so the DM waits
    assert [e.user for e in h.local.entries("dm")] == ["bram", "anna"]
    await h.advance_to(MONDAY + timedelta(hours=5, minutes=1))  # 08:01 in Curaçao
    assert [e.user for e in h.local.entries("dm")] == ["bram", "anna", "cor"]
    # three leaders, three different members this week; never a leader
    members = [r.member_id for r in await team_walks(h.store, "noord")]
    assert len(set(members)) == 3 and not set(members) & {"anna", "bram", "cor"}


async def test_coverage_for_the_leader_and_counts_only_for_admins(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = TOML.format(extra="").replace('admins = ["anna"]', 'admins = ["anna", "gert"]').replace(
        '"fenna"]', '"fenna", "gert"]')
    h = await make_harness(toml, start=MONDAY)
    for week in range(3):
        await h.advance_to(MONDAY + timedelta(weeks=week, hours=1, minutes=1))
        await h.local.click("anna", h.local.last("dm", user="anna"), "done")
    out = await h.local.command("anna", "walks", channel="C1")
    assert [(e.kind, e.user) for e in out] == [("reply", "anna")]
    assert out[0].text.count("gewandeld") == 3 and "Wacht het langst" in out[0].text
    out = await h.local.command("gert", "walks team", channel="C1")
    assert "met 3 van de 6 teamleden" in out[0].text and "(3 wandelingen)" in out[0].text
    assert "@" not in out[0].text  # never per person
    out = await h.local.command("gert", "walks", channel="C1")
    assert "leidinggevenden" in out[0].text and "gewandeld" not in out[0].text
    out = await h.local.command("bram", "walks team", channel="C1")
    assert "beheerders" in out[0].text and "van de" not in out[0].text
    out = await h.local.command("bram", "walks whatever", channel="C1")
    assert "walks optout" in out[0].text


def test_helpers() -> None:
    assert parse_user("<@U123|anna>") == "U123" and parse_user("@bram") == "bram" and parse_user("cor") == "cor"
    assert iso_week(datetime(2026, 12, 31, tzinfo=AMS).date()) == "2026-W53"
    assert queue(["a", "b"], [Walk("l", "a", "2026-W01", "done")], week="2026-W02", salt="s") == ["b", "a"]


def test_every_text_has_dutch_and_english() -> None:
    assert missing_translations(WalkAndListen.texts) == []
    ritual = WalkAndListen()
    for st in ritual.steps(WalkAndListen.Options()):
        assert ritual.step_handler(st) is not None


def test_each_proposal_hour_is_a_declared_step_run_by_the_one_propose_handler() -> None:
    """The family is data (`Step(..., runs="propose")`), checked at start-up; no `handler` override
    answers for names nobody declared."""
    ritual = WalkAndListen()
    steps = ritual.steps(WalkAndListen.Options(leader_timezone_window_hours=2))
    assert [st.name for st in steps] == ["propose", "propose-2h", "propose-1h", "propose+1h", "propose+2h", "followup"]
    assert all(ritual.step_handler(st) == ritual.propose for st in steps[:-1])
    assert ritual.handler("step", "propose+1h") is None and ritual.handler("step", "proposeXYZ") is None


async def test_the_no_walks_choice_is_in_mydata_and_goes_with_forget(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=MONDAY)
    await h.local.command("eva", "walks optout", channel="C1")
    out = await h.local.command("eva", "mydata", channel="C1")
    assert '"no_walks": true' in out[-1].text
    out = await h.local.command("eva", "forget", channel="C1")
    await h.local.click("eva", out[-1], "forget_confirm")
    assert "eva" not in (await h.store.get_state("noord", "walk_and_listen", "no_walks") or [])


async def test_after_rather_not_the_old_buttons_record_no_walk_and_invite_nobody(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Found by trying it: after the member clicked 'Liever niet', 'Gewandeld' on the leader's
    earlier proposal still recorded the walk as done, in the member's data and the overview."""
    h = await make_harness(TOML.format(extra=""), start=MONDAY)
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))
    proposal = h.local.last("dm", user="anna")
    member = _proposed(proposal)
    await h.local.click("anna", proposal, "planned")
    await h.local.click(member, h.local.last("dm", user=member), "decline")
    invites = len(h.local.entries("dm", user=member))
    out = await h.local.click("anna", proposal, "done")
    assert [(e.kind, e.user) for e in out] == [("reply", "anna")] and "geen wandeling vastleggen" in out[0].text
    assert [r.status for r in await team_walks(h.store, "noord", "anna")] == ["declined"]
    assert len(h.local.entries("dm", user=member)) == invites
    await h.local.click("anna", proposal, "skip")  # letting the week go is still fine
    assert [r.status for r in await team_walks(h.store, "noord", "anna")] == ["skipped"]


async def test_whom_you_just_walked_with_does_not_wait_longest(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Found by trying it: right after a walk with fenna, /ritual walks said "Wacht het langst: @fenna, …"."""
    h = await make_harness(TOML.format(extra=""), start=MONDAY)
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))
    proposal = h.local.last("dm", user="anna")
    await h.local.click("anna", proposal, "done")
    out = await h.local.command("anna", "walks", channel="C1")
    waiting = out[-1].text.split("Wacht het langst")[1]
    assert "@" in waiting and f"@{_proposed(proposal)}" not in waiting


async def test_a_walk_the_leader_names_invites_the_member_who_may_say_rather_not(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Found by trying it: `/ritual walks with @bram` marked the walk planned without a word
    to bram, who so could not say "Liever niet" as an invited member can."""
    h = await make_harness(TOML.format(extra=""), start=MONDAY)
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))
    member = next(m for m in ("bram", "cor", "dewi") if m != _proposed(h.local.last("dm", user="anna")))
    await h.local.command("anna", f"walks with @{member}", channel="C1")
    [invite] = h.local.entries("dm", user=member)
    assert [b.label for b in invite.message.buttons] == ["Liever niet"]  # type: ignore[union-attr]
    await h.local.click(member, invite, "decline")
    assert [(r.member_id, r.status) for r in await team_walks(h.store, "noord", "anna")] == [(member, "declined")]
    out = await h.local.command("anna", f"walks with @{member}", channel="C1")  # "rather not" stands this week
    assert "geen wandeling vastleggen" in out[0].text and len(h.local.entries("dm", user=member)) == 1
    assert [(r.member_id, r.status) for r in await team_walks(h.store, "noord", "anna")] == [(member, "declined")]
