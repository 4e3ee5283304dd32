"""The weekly success-and-mistake ritual end to end on the local platform."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import TEAM_TOML


async def test_a_week_from_sharer_dm_to_digest(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    fired = await h.advance(timedelta(days=4, hours=6, minutes=1))  # to Friday 14:01
    assert [f[0].step.name for f in fired] == ["digest", "sharer", "prompt"]
    # the digest of a week that had no prompt posts nothing
    assert [e.kind for e in h.local.transcript] == ["dm", "channel"]
    dm = h.local.last("dm")
    assert "aan de beurt" in dm.text
    prompt = h.local.last("channel", "C1")
    assert "weeksucces" in prompt.text.lower()

    await h.local.click("bram", prompt, "share")
    result, out = await h.local.submit("bram", {"success": "Goed gesprek met @here ouders", "mistake": "Te laat gebeld",
                                                "lesson": "Eerder bellen", "share_as": "named"})
    assert result.ok
    thread = [e for e in out if e.kind == "thread"][0]
    assert thread.ref is not None and thread.ref.thread_id == prompt.ref.id
    assert "@\u200bhere" in thread.text and "@here" not in thread.text
    # bram never opted in: relayed and forgotten
    assert await h.store.responses("noord") == []

    fired = await h.advance(timedelta(days=6))
    assert [f[0].step.name for f in fired] == ["digest", "sharer"]
    digest = h.local.last("channel", "C1")
    assert "1" in digest.text or "één" in digest.text
    assert "bram" not in digest.text and "cor" not in digest.text
