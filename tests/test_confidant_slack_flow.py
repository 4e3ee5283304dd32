"""The confidant line's whole flow against the Slack fake (issue 15 point 5), over real
HTTP with slack_sdk: the sender replies, the confidant answers again, the sender asks the
status and hears of each change, reveals their name later or stays anonymous to the end,
either side closes; the one reminder and the honest word after it on the fake clock; a dump
of every table during and after holds nothing of an anonymous sender; the confidant's and
the admin's commands show nothing of them; another team's confidant receives nothing."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pytest

from bot.simulation import advance
from bot.store import Store
from tests.conftest import AMS
from tests.fakes.slack_api import Message
from tests.test_confidant_slack import CONFIDANT_TOML
from tests.test_slack_support import ANNA, BRAM, CH, COR, DEWI, PEOPLE, Running, running_bot, until
from tests.test_trust_data_rights import rows_naming

SENDER_MARKS = (BRAM, "bram", "Bram")  # id, handle, real name: none may name the sender
ZUID = "C0RITUAL002"
TWO_TEAMS = CONFIDANT_TOML + f"""
[[teams]]
id = "zuid"
platform = "slack"
channel = "{ZUID}"
admins = ["{ANNA}"]
confidant = "{COR}"
members = ["{ANNA}"]
[teams.rituals.confidant_line]
"""
CHANNELS = {CH: list(PEOPLE), ZUID: [ANNA, COR]}
ANONYMOUS = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
YES = {"type": "radio_buttons", "selected_option": {"value": "yes"}}


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RITUALBOT_SECRET", "a test secret that is not in the database")


def naming_sender(store: Store) -> list[str]:
    """Every row of every table, every column as text, that holds an id, handle or name of Bram."""
    return rows_naming(store, SENDER_MARKS)


def seen_by(r: Running, user: str) -> str:
    """All a person was shown: their DM with the bot and every private answer to them."""
    return "\n".join(str(m.to_api()) for m in r.slack.messages(user) + r.slack.ephemeral(user=user))


async def modal(r: Running, count: int) -> dict[str, Any]:
    await until(lambda: len(r.slack.calls_to("views.open")) >= count, f"modal {count}")
    return dict(r.slack.calls_to("views.open")[count - 1].response["view"])  # type: ignore[index]


async def dm_with(r: Running, user: str, words: str) -> Message:
    await until(lambda: any(words in m.text for m in r.slack.messages(user)), f"{words!r} to {user}")
    return [m for m in r.slack.messages(user) if words in m.text][-1]


async def said(r: Running, user: str, line: str) -> str:
    """The private answer to `/ritual <line>` (text and blocks)."""
    before = len(r.slack.ephemeral(user=user))
    assert (await r.command(user, line))[0] == 200
    await until(lambda: len(r.slack.ephemeral(user=user)) > before, f"the answer to {line!r}")
    return "\n".join(m.text + str(m.blocks) for m in r.slack.ephemeral(user=user)[before:])


async def answer(r: Running, user: str, line: str, words: str) -> None:
    reply = await said(r, user, line)
    assert words in reply, reply


LOOKS = ("signal status", "mydata", "status", "insights", "members", "holidays", "help")


async def looks(r: Running, user: str) -> dict[str, str]:
    """What `user` is answered to each command that shows something (admin commands included)."""
    return {line: await said(r, user, line) for line in LOOKS}


async def signal(r: Running, worry: str, views: int) -> None:
    assert (await r.command(BRAM, "signal"))[0] == 200
    status, body = await r.submit(BRAM, await modal(r, views), {"worry": worry, "answer": YES, "share_as": ANONYMOUS})
    assert status == 200 and body == {}


async def write(r: Running, user: str, message: Message, views: int, words: str) -> None:
    """`user` presses Reply on `message` and sends `words`."""
    assert await r.click(user, message, "reply") == 200
    status, body = await r.submit(user, await modal(r, views), {"message": words})
    assert status == 200 and body == {}


async def test_an_anonymous_conversation_to_its_close_leaves_no_trace_of_the_sender(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(store, TWO_TEAMS, channels=CHANNELS) as r:
        assert naming_sender(store) == []
        admin_before, confidant_before = await looks(r, ANNA), await looks(r, DEWI)
        await signal(r, "Een collega wordt buitengesloten.", 1)
        first = await dm_with(r, DEWI, "buitengesloten")
        assert naming_sender(store) == []  # during
        await answer(r, BRAM, "signal status", "ontvangen")
        await write(r, DEWI, first, 2, "Dank je. Wanneer gebeurt het?")
        await dm_with(r, BRAM, "gelezen")  # a private update when it changes
        asked = await dm_with(r, BRAM, "Wanneer gebeurt het")
        await answer(r, BRAM, "signal status", "beantwoord")
        await write(r, BRAM, asked, 3, "Meestal in de pauze.")
        back = await dm_with(r, DEWI, "pauze")
        assert naming_sender(store) == []
        await write(r, DEWI, back, 4, "Ik kijk mee in de pauze van donderdag.")
        await dm_with(r, BRAM, "donderdag")
        # the admin is answered exactly as before: nothing tells that a conversation exists
        assert await looks(r, ANNA) == admin_before
        overviews = [m.text + str(m.blocks) for m in r.slack.messages(ANNA)]  # insights come by DM
        assert len(overviews) == 2 and overviews[0] == overviews[1]
        confidant_now = await looks(r, DEWI)
  # only her own data shows it, without the sender
        assert {k: v for k, v in confidant_now.items() if k != "mydata"} == {
            k: v for k, v in confidant_before.items() if k != "mydata"}
        assert "pauze" in confidant_now["mydata"]
        assert "pauze" in seen_by(r, DEWI) and not any(mark in seen_by(r, DEWI) for mark in SENDER_MARKS)
        assert naming_sender(store) == []
        assert await r.click(DEWI, await dm_with(r, DEWI, "pauze"), "close") == 200
        await dm_with(r, BRAM, "gesloten")
        await answer(r, BRAM, "signal status", "gesloten")
        assert naming_sender(store) == []  # after
        assert await r.click(COR, first, "reply") == 200  # zuid's confidant, on a button she was never shown
        assert len(r.slack.calls_to("views.open")) == 4  # no form for her
        assert "buitengesloten" not in seen_by(r, COR) and not r.slack.messages(COR)  # zuid's confidant: nothing
        assert not any(mark in caplog.text for mark in SENDER_MARKS)  # nor do the logs name the sender


async def test_the_sender_reveals_their_name_later_and_closes_it_themselves(store: Store) -> None:
    async with running_bot(store, CONFIDANT_TOML) as r:
        await signal(r, "Er wordt geroddeld.", 1)
        await write(r, DEWI, await dm_with(r, DEWI, "geroddeld"), 2, "Vertel gerust meer.")
        told = await dm_with(r, BRAM, "Vertel gerust")
        assert BRAM not in seen_by(r, DEWI)
        assert await r.click(DEWI, told, "reveal") == 200  # not hers to press
        assert BRAM not in seen_by(r, DEWI)
        assert await r.click(BRAM, told, "reveal") == 200
        await until(lambda: BRAM in str([m.to_api() for m in r.slack.messages(DEWI)]), "the name to the confidant")
        assert await r.click(BRAM, told, "close") == 200
        closed = await dm_with(r, DEWI, "gesloten")
        assert not any(b.get("type") == "button" for block in closed.blocks or [] for b in block.get("elements", []))
        await answer(r, BRAM, "signal status", "gesloten")


async def test_one_reminder_then_the_sender_hears_honestly_of_other_routes(store: Store) -> None:
    toml = CONFIDANT_TOML.replace("[teams.rituals.confidant_line]",
                                  '[teams.rituals.confidant_line]\nreminder_days = 2\nother_routes = "HR: Petra, 020-1234567"')
    async with running_bot(store, toml) as r:
        await signal(r, "Niemand reageert.", 1)
        await dm_with(r, DEWI, "Niemand reageert")
        await advance(r.bot, r.clock, datetime(2026, 12, 2, 9, 30, tzinfo=AMS))  # Wednesday: two working days
        await dm_with(r, DEWI, "Herinnering")
        await advance(r.bot, r.clock, datetime(2026, 12, 4, 9, 30, tzinfo=AMS))  # Friday: two more
        told = await dm_with(r, BRAM, "Andere wegen")
        assert "HR: Petra" in told.text
        await advance(r.bot, r.clock, datetime(2026, 12, 9, 9, 30, tzinfo=AMS))
        assert len([m for m in r.slack.messages(DEWI) if "Herinnering" in m.text]) == 1
        assert len([m for m in r.slack.messages(BRAM) if "Andere wegen" in m.text]) == 1
        assert naming_sender(store) == [] and BRAM not in seen_by(r, DEWI)


async def test_a_late_refusal_of_an_anonymous_senders_reply_is_never_a_dm(store: Store) -> None:
    """Bram's reply in his anonymous conversation is refused after the modal closed. A DM giving it
    back would hold, in Bram's DM, the words the confidant's DM holds once he sends them again:
    whoever reads DMs on the platform could tie him to the conversation. Only he sees it, unstored."""
    import re

    toml = re.sub(r"members = \[.*\]", 'members = "channel"', CONFIDANT_TOML)  # the roster check asks Slack
    async with running_bot(store, toml, channels={CH: list(PEOPLE)}) as r:
        await signal(r, "Een collega wordt buitengesloten.", 1)
        first = await dm_with(r, DEWI, "buitengesloten")
        await write(r, DEWI, first, 2, "Dank je. Wanneer gebeurt het?")
        asked = await dm_with(r, BRAM, "Wanneer gebeurt het")
        dms_before = list(r.slack.messages(BRAM))
        assert await r.click(BRAM, asked, "reply") == 200
        view = await modal(r, 3)
        await until(lambda: view["id"] in r.connector.platform.view_channels, "the modal's channel noted")
        r.slack.delay("conversations.members", 3.2)  # the answer window passes before the refusal is known
        status, body = await r.submit(BRAM, view, {"message": "Merkteken-pauze, bel haar op 06-12345678"})
        assert status == 200 and body == {}

        def refused() -> list[Message]:
            return [m for m in r.slack.ephemeral(user=BRAM) if "niet verwerkt" in m.text or "not accepted" in m.text]

        await until(refused, "the late refusal, shown to Bram only", timeout=10)
        assert "Merkteken-pauze" in refused()[0].text
        assert r.slack.messages(BRAM) == dms_before
