"""Insights and the walks overview never show a number for a group under 5, and made-up
member ids on the roster do not get around it (issue 11)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import AMS, TEAM_TOML

FAKES = ["nep1", "nep2", "nep3", "nep4", "nep5"]
WALK_TOML = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = ["anna", "bram", "cor"]
[teams.rituals.walk_and_listen]
"""
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)


async def test_the_walks_overview_of_a_small_team_shows_no_number(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(WALK_TOML, start=MONDAY)
    await h.advance_to(MONDAY + timedelta(hours=1, minutes=1))
    await h.local.click("anna", h.local.last("dm", user="anna"), "done")
    out = await h.local.command("anna", "walks team", channel="C1")
    assert "minder dan 5" in out[0].text and not any(ch.isdigit() and ch != "5" for ch in out[0].text)
    for fake in FAKES:  # an admin pads the roster with ids of nobody
        await h.local.command("anna", f"members add @{fake}", channel="C1")
    out = await h.local.command("anna", "walks team", channel="C1")
    assert "minder dan 5" in out[0].text and "van de" not in out[0].text


async def test_insights_are_not_broken_down_for_a_roster_padded_with_made_up_ids(make_harness) -> None:  # type: ignore[no-untyped-def]
    small = TEAM_TOML.replace('members = ["anna", "bram", "cor", "dewi", "eva"]', 'members = ["anna", "bram", "cor"]')
    h = await make_harness(small, start=datetime(2027, 1, 11, 8, tzinfo=AMS), channels={"C1": ["anna", "bram", "cor"]})
    for fake in FAKES:
        await h.local.command("anna", f"members add @{fake}", channel="C1")
    await h.advance_to(datetime(2027, 1, 15, 14, 1, tzinfo=AMS))
    await h.local.click("bram", h.local.last("channel", "C1"), "share")
    await h.local.submit("bram", {"success": "x", "mistake": "y", "share_as": "named"})
    await h.advance_to(datetime(2027, 2, 8, 9, tzinfo=AMS))
    out = await h.local.command("anna", "insights", channel="C1")
    assert [e.kind for e in out] == ["dm", "reply"]  # text only: no chart, no breakdown
    assert "minder dan 5 mensen" in out[0].text and "week van" not in out[0].text
