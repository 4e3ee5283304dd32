"""Changing a schedule mid-round (issue 12): the open round finishes as planned, the new
schedule applies from the next occurrence, no second prompt that day."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.registry import discover
from bot.wiring import build_bot
from tests.conftest import AMS, TEAM_TOML

FRIDAY = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)


def _prompts(h) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.text for e in h.local.entries("channel", "C1") if "tijd voor het weeksucces" in e.text.lower()]


async def test_moving_the_weekly_ritual_after_the_prompt_went_out(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=FRIDAY - timedelta(days=2))
    await h.advance_to(FRIDAY + timedelta(minutes=30))
    prompt = h.local.last("channel", "C1")
    assert len(_prompts(h)) == 1
    out = await h.local.command("anna", "schedule weekly_success_mistake fri 15:00", channel="C1")
    replies = " ".join(e.text for e in out)
    assert "vr 2026-12-11 15:00" in replies  # the next one is next week, not this afternoon
    assert "do 2026-12-10 14:00" in replies  # the round under way ends with its digest as planned
    await h.advance_to(FRIDAY + timedelta(hours=3))
    assert len(_prompts(h)) == 1, "a second prompt that day"
    # the open round's button still works until its digest
    await h.advance_to(FRIDAY + timedelta(days=3))
    out = await h.local.click("bram", prompt, "share")
    assert out and out[-1].kind == "form"
    await h.advance_to(FRIDAY + timedelta(days=6, hours=1))
    digest = h.local.last("channel", "C1")
    assert "terugblik" in digest.text.lower()
    out = await h.local.click("bram", prompt, "share")
    assert "afgesloten" in out[-1].text  # closed with its digest, as any round
    await h.advance_to(FRIDAY + timedelta(days=7, hours=1, minutes=5))
    assert len(_prompts(h)) == 2
    statuses = {(f.step, f.occurrence[11:], f.status) for f in await h.store.firings("noord")}
    assert ("digest", "14:00", "done") in statuses and ("prompt", "15:00", "done") in statuses


async def test_the_open_round_survives_a_restart(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=FRIDAY - timedelta(days=2))
    await h.advance_to(FRIDAY + timedelta(minutes=30))
    await h.local.command("anna", "schedule weekly_success_mistake wed 10:00", channel="C1")
    restarted = await build_bot(h.bot.file_config, discover(), {"local": h.local}, h.clock, h.store)
    steps = sorted((p.step.name, p.until or "") for p in restarted.plans)
    assert ("digest", "2026-12-04T14:00") in steps and ("prompt", "") in steps
    assert restarted.engine.next_firing("noord", "weekly_success_mistake", current_only=True) == datetime(
        2026, 12, 9, 10, 0, tzinfo=AMS)


async def test_a_change_before_the_round_began_applies_at_once(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=datetime(2026, 11, 30, 9, 0, tzinfo=AMS))
    out = await h.local.command("anna", "schedule weekly_success_mistake wed 10:00", channel="C1")
    assert "wo 2026-12-02 10:00" in out[-1].text and len(out) == 1
    await h.advance_to(datetime(2026, 12, 2, 10, 1, tzinfo=AMS))
    assert len(_prompts(h)) == 1
