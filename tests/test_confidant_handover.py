"""When a team's confidant changes while a conversation is open (issue 15 point 5: a
confidant who is not configured for a team receives nothing of it). The former confidant
gets nothing more of it, not the sender's replies and not their name; the new one is not
handed a conversation the sender never chose to have with them; the sender is told plainly
and can raise it again."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import AMS
from tests.test_confidant_line import CHANNELS, SENDER, START, TOML, naming, secret, signal

__all__ = ["secret"]  # the fixture, used by name
NEW = TOML.format(extra="").replace('confidant = "vera"', 'confidant = "xena"')


async def _answered(make_harness):  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Er wordt in het team gelachen om een collega.", "anonymous")
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "reply")
    await h.local.submit("vera", {"message": "Dank je. Wanneer gebeurt het?"})
    return h, h.local.last("dm", f"dm:{SENDER}")


def _nothing_to_either_confidant(h2) -> None:  # type: ignore[no-untyped-def]
    assert h2.local.entries("dm", "dm:vera") == [] and h2.local.entries("dm", "dm:xena") == []
    told = " ".join(e.text for e in h2.local.seen_by(SENDER))
    assert "andere vertrouwenspersoon" in told and "/ritual signal" in told


async def test_a_reply_written_across_the_change_goes_to_neither_confidant(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h, answer = await _answered(make_harness)
    await h.local.click(SENDER, answer, "reply")  # the sender is writing when the bot restarts with xena
    h2 = await make_harness(NEW, start=START, channels=CHANNELS)
    h2.local.open_forms[SENDER] = h.local.open_forms[SENDER]  # the form stays open on the platform
    result, _ = await h2.local.submit(SENDER, {"message": "Meestal in de pauze."})
    assert result.ok
    _nothing_to_either_confidant(h2)
    out = await h2.local.click(SENDER, answer, "reply")  # closed now: no form to write in vain
    assert all(e.form is None for e in out) and SENDER not in h2.local.open_forms
    assert "gesloten" in (await h2.local.command(SENDER, "signal status", channel="C1"))[-1].text
    assert naming(h2, SENDER) == []


async def test_the_former_confidant_never_learns_the_name_revealed_after_the_change(  # type: ignore[no-untyped-def]
        make_harness, secret) -> None:
    _, answer = await _answered(make_harness)
    h2 = await make_harness(NEW, start=START, channels=CHANNELS)
    await h2.local.click(SENDER, answer, "reveal")
    _nothing_to_either_confidant(h2)
    assert naming(h2, SENDER) == []
    await h2.local.click(SENDER, answer, "close")
    assert h2.local.entries("dm", "dm:vera") == [] and h2.local.entries("dm", "dm:xena") == []


async def test_a_conversation_left_with_a_former_confidant_is_closed_and_the_sender_told(  # type: ignore[no-untyped-def]
        make_harness, secret) -> None:
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Niemand reageert.", "anonymous")
    h2 = await make_harness(NEW, start=START, channels=CHANNELS)
    await h2.advance_to(datetime(2026, 12, 1, 9, 30, tzinfo=AMS))  # the next daily look
    told = [e for e in h2.local.entries("dm", f"dm:{SENDER}") if "andere vertrouwenspersoon" in e.text]
    assert len(told) == 1
    await h2.advance_to(datetime(2026, 12, 3, 9, 30, tzinfo=AMS))
    assert len([e for e in h2.local.entries("dm", f"dm:{SENDER}") if "andere vertrouwenspersoon" in e.text]) == 1
    assert h2.local.entries("dm", "dm:vera") == [] and h2.local.entries("dm", "dm:xena") == []
    assert "gesloten" in (await h2.local.command(SENDER, "signal status", channel="C1"))[-1].text
