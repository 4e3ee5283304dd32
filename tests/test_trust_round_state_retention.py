"""Round state about people is kept only as long as a ritual needs it (issue 11): "for
members who never opted in, keep only what a ritual needs to work (a vote, a turn in a
rotation) and only as long as it needs it". When the step that closes a round never runs
(the ritual was paused before the look-back), the retention job still ages the state out."""

from __future__ import annotations

from datetime import datetime

from bot.store import Store
from tests.conftest import AMS

TOML = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = ["anna", "bram", "cor", "dewi", "eva"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
[teams.rituals.moral_deliberation]
[teams.rituals.walk_and_listen]
"""
WEEKLY = "weekly_success_mistake"
OCC = "2026-12-04T14:00"


async def _keys(store: Store, ritual: str) -> set[str]:
    return {key for key, _ in await store.state_items("noord", ritual, "")}


async def test_turns_passes_and_fingerprints_of_a_round_that_never_closed_are_aged_out(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=datetime(2026, 11, 30, 8, 0, tzinfo=AMS))
    local = h.local
    await h.advance_to(datetime(2026, 12, 3, 14, 1, tzinfo=AMS))  # the sharer's DM, a day before
    first = [e for e in local.entries("dm") if "aan de beurt" in e.text][-1]
    await local.click(first.user, first, "pass")  # nobody opted in: a turn and a pass, nothing else
    await h.advance_to(datetime(2026, 12, 4, 14, 1, tzinfo=AMS))
    prompt = [e for e in local.entries("channel", "C1") if "weeksucces" in e.text.lower()][-1]
    await local.click("eva", prompt, "share")
    await local.submit("eva", {"success": "Goed", "mistake": "Mis", "lesson": "", "share_as": "anonymous"})
    await local.command("anna", f"pause {WEEKLY}", channel="C1")  # the look-back will not run

    # votes and a round's tables of a deliberation whose session never ran, a walk pass
    await h.store.put_state("noord", "moral_deliberation", "votes:2026-12-01T14:00", {"bram": 2}, h.clock.now())
    await h.store.put_state("noord", "moral_deliberation", "volunteers:2026-12-01T14:00", ["cor"], h.clock.now())
    await h.store.put_state("noord", "walk_and_listen", "passed:anna:2026-W49", ["dewi"], h.clock.now())

    weekly = {f"sharer:{OCC}", f"passed:{OCC}", f"people:{OCC}"}
    assert weekly <= await _keys(h.store, WEEKLY)
    await h.advance_to(datetime(2026, 12, 11, 15, 0, tzinfo=AMS))
    await h.bot.purge_expired()
    assert weekly <= await _keys(h.store, WEEKLY), "a week's state is needed up to its look-back"
    assert {"passed:anna:2026-W49"} <= await _keys(h.store, "walk_and_listen")
    assert not await _keys(h.store, "moral_deliberation") & {"votes:2026-12-01T14:00", "volunteers:2026-12-01T14:00"}

    await h.advance_to(datetime(2026, 12, 13, 9, 0, tzinfo=AMS))
    await h.bot.purge_expired()
    left = await _keys(h.store, WEEKLY)
    assert not left & weekly, left
    await h.advance_to(datetime(2026, 12, 30, 9, 0, tzinfo=AMS))
    await h.bot.purge_expired()
    assert "passed:anna:2026-W49" not in await _keys(h.store, "walk_and_listen")


async def test_choices_that_are_not_round_state_are_kept(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=datetime(2026, 11, 30, 8, 0, tzinfo=AMS))
    await h.local.command("bram", "sharer optout", channel="C1")
    await h.advance_to(datetime(2027, 3, 1, 9, 0, tzinfo=AMS))
    await h.bot.purge_expired()
    assert await h.store.get_state("noord", WEEKLY, "no_turns") == ["bram"]  # a choice, kept until changed
