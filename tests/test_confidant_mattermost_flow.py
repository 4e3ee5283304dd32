"""The confidant line's whole flow against the Mattermost fake (issue 15 point 5), over real
HTTP with mattermostdriver: the sender replies, the confidant answers again, the sender asks
the status and hears of each change, reveals their name later or stays anonymous to the end,
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
from tests.test_confidant_mattermost import CONFIDANT_TOML, VERA
from tests.test_mattermost_support import ANNA, BRAM, COR, Running, running_bot, wait_until
from tests.test_trust_data_rights import rows_naming

SENDER_MARKS = (BRAM, "bram")  # id and username (the e-mail address starts with it too)
WIM = "wim00000000000000000000000"
ZUID = "zuid000000000000000000000c"
TWO_TEAMS = CONFIDANT_TOML + f"""
[[teams]]
id = "zuid"
platform = "mattermost"
channel = "{ZUID}"
admins = ["{ANNA}"]
confidant = "{WIM}"
members = ["{COR}"]
[teams.rituals.confidant_line]
"""
LOOKS = ("signal status", "mydata", "status", "insights", "members", "holidays", "help")


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RITUALBOT_SECRET", "a test secret that is not in the database")


def naming_sender(store: Store) -> list[str]:
    """Every row of every table, every column as text, that holds Bram's id or username."""
    return rows_naming(store, SENDER_MARKS)


def seen_by(r: Running, user: str) -> str:
    """All a person was shown: their DM with the bot and every private answer to them."""
    return "\n".join([str(p) for p in r.bot_posts(r.dm(user))]
                     + [str(p) for p in r.mm.ephemeral_posts if p.get("to_user_id") == user])


async def dm_with(r: Running, user: str, words: str) -> dict[str, Any]:
    await wait_until(lambda: any(words in p["message"] for p in r.bot_posts(r.dm(user))))
    return [p for p in r.bot_posts(r.dm(user)) if words in p["message"]][-1]


async def said(r: Running, user: str, line: str) -> str:
    """The private answer to `/ritual <line>`."""
    response = await r.command(user, line)
    assert response.status == 200
    return str(response.json)


async def looks(r: Running, user: str) -> dict[str, str]:
    """What `user` is answered to each command that shows something (admin commands included)."""
    return {line: await said(r, user, line) for line in LOOKS}


async def signal(r: Running, worry: str) -> None:
    count = len(r.mm.dialogs)
    assert (await r.command(BRAM, "signal")).status == 200
    await wait_until(lambda: len(r.mm.dialogs) > count)
    accepted = await r.submit(BRAM, r.mm.dialogs[-1], {"worry": worry, "answer": "yes", "share_as": "anonymous"})
    assert accepted.status == 200 and not (accepted.json or {}).get("errors")


async def write(r: Running, user: str, post: dict[str, Any], words: str) -> None:
    """`user` presses Beantwoorden on `post` and sends `words`."""
    count = len(r.mm.dialogs)
    assert (await r.click(user, post, "Beantwoorden")).status == 200
    await wait_until(lambda: len(r.mm.dialogs) > count)
    sent = await r.submit(user, r.mm.dialogs[-1], {"message": words}, channel=post["channel_id"])
    assert sent.status == 200 and not (sent.json or {}).get("errors")


async def test_an_anonymous_conversation_to_its_close_leaves_no_trace_of_the_sender(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(store, toml=TWO_TEAMS, channels=[ZUID]) as r:
        r.mm.add_user(VERA, "vera", locale="nl")
        r.mm.add_user(WIM, "wim", locale="nl")
        assert naming_sender(store) == []
        admin_before, confidant_before = await looks(r, ANNA), await looks(r, VERA)
        await signal(r, "Een collega wordt buitengesloten.")
        first = await dm_with(r, VERA, "buitengesloten")
        assert naming_sender(store) == []  # during
        assert "ontvangen" in await said(r, BRAM, "signal status")
        await write(r, VERA, first, "Dank je. Wanneer gebeurt het?")
        await dm_with(r, BRAM, "gelezen")  # a private update when it changes
        asked = await dm_with(r, BRAM, "Wanneer gebeurt het")
        assert "beantwoord" in await said(r, BRAM, "signal status")
        await write(r, BRAM, asked, "Meestal in de pauze.")
        back = await dm_with(r, VERA, "pauze")
        assert naming_sender(store) == []
        await write(r, VERA, back, "Ik kijk mee in de pauze van donderdag.")
        await dm_with(r, BRAM, "donderdag")
        # the admin is answered exactly as before: nothing tells that a conversation exists
        assert await looks(r, ANNA) == admin_before
        overviews = r.bot_posts(r.dm(ANNA))  # insights come by DM
        assert len(overviews) == 2 and overviews[0]["message"] == overviews[1]["message"]
        # nor do the posts' markers count what the bot posted in between (they once did: a
        # per-process prefix and a counter, so the gap showed the DMs to and from the confidant)
        one, two = (int(p["props"]["ritualbot_post"], 16) for p in overviews)
        assert abs(two - one) > 2**64
        confidant_now = await looks(r, VERA)  # only her own data shows it, without the sender
        assert {k: v for k, v in confidant_now.items() if k != "mydata"} == {
            k: v for k, v in confidant_before.items() if k != "mydata"}
        assert "pauze" in confidant_now["mydata"]
        assert "pauze" in seen_by(r, VERA) and not any(mark in seen_by(r, VERA) for mark in SENDER_MARKS)
        assert naming_sender(store) == []
        assert (await r.click(VERA, await dm_with(r, VERA, "pauze"), "sluiten")).status == 200
        await dm_with(r, BRAM, "gesloten")
        assert "gesloten" in await said(r, BRAM, "signal status")
        assert naming_sender(store) == []  # after
        assert (await r.click(WIM, first, "Beantwoorden")).status == 403  # a button signed for vera only
        assert r.bot_posts(r.dm(WIM)) == [] and "buitengesloten" not in seen_by(r, WIM)  # zuid's confidant: nothing
        assert not any(mark in caplog.text for mark in SENDER_MARKS)  # nor do the logs name the sender
        assert "buitengesloten" not in seen_by(r, COR)


async def test_the_sender_reveals_their_name_later_and_closes_it_themselves(store: Store) -> None:
    async with running_bot(store, toml=CONFIDANT_TOML) as r:
        r.mm.add_user(VERA, "vera", locale="nl")
        await signal(r, "Er wordt geroddeld.")
        await write(r, VERA, await dm_with(r, VERA, "geroddeld"), "Vertel gerust meer.")
        told = await dm_with(r, BRAM, "Vertel gerust")
        assert (await r.click(VERA, told, "naam")).status != 200 or "bram" not in seen_by(r, VERA)  # not hers
        assert "bram" not in seen_by(r, VERA)
        assert (await r.click(BRAM, told, "naam")).status == 200
        await wait_until(lambda: "@bram" in seen_by(r, VERA))
        assert (await r.click(BRAM, told, "sluiten")).status == 200
        closed = await dm_with(r, VERA, "gesloten")
        assert not closed["props"].get("attachments")
        assert "gesloten" in await said(r, BRAM, "signal status")


async def test_one_reminder_then_the_sender_hears_honestly_of_other_routes(store: Store) -> None:
    toml = CONFIDANT_TOML.replace("[teams.rituals.confidant_line]",
                                  '[teams.rituals.confidant_line]\nreminder_days = 2\nother_routes = "HR: Petra, 020-1234567"')
    async with running_bot(store, toml=toml) as r:
        r.mm.add_user(VERA, "vera", locale="nl")
        await signal(r, "Niemand reageert.")
        await dm_with(r, VERA, "Niemand reageert")
        await advance(r.bot, r.clock, datetime(2026, 12, 2, 9, 30, tzinfo=AMS))  # Wednesday: two working days
        await dm_with(r, VERA, "Herinnering")
        await advance(r.bot, r.clock, datetime(2026, 12, 4, 9, 30, tzinfo=AMS))  # Friday: two more
        told = await dm_with(r, BRAM, "Andere wegen")
        assert "HR: Petra" in told["message"]
        await advance(r.bot, r.clock, datetime(2026, 12, 9, 9, 30, tzinfo=AMS))
        assert len([p for p in r.bot_posts(r.dm(VERA)) if "Herinnering" in p["message"]]) == 1
        assert len([p for p in r.bot_posts(r.dm(BRAM)) if "Andere wegen" in p["message"]]) == 1
        assert naming_sender(store) == [] and "bram" not in seen_by(r, VERA)
