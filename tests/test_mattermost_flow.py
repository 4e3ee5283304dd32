"""Rituals end to end on Mattermost: scheduled posts, buttons, dialogs, thread replies, over HTTP."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from bot.registry import discover
from bot.simulation import advance
from bot.store import Consent, Store
from tests.test_mattermost_support import AMS, ANNA, BRAM, CHAN, COR, TOML, running_bot, wait_until


async def test_weekly_success_mistake_on_mattermost(store: Store) -> None:
    async with running_bot(store) as r:
        fired = await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        # last week's look-back belongs to a round that began before the bot knew the team
        assert [status for _, _, status in fired] == ["before team", "done", "done"]
        [prompt] = r.bot_posts(CHAN)
        assert "weeksucces" in prompt["message"].lower()
        assert len(prompt["props"]["attachments"][0]["actions"]) == 2

        clicked = await r.click(BRAM, prompt, "Deel je succes")
        assert clicked.status == 200
        [opened] = r.mm.dialogs
        assert opened["user_id"] == BRAM and opened["url"] == r.base + "/mattermost/dialogs"
        assert r.mm.dialog_warnings == []

        missing = await r.submit(BRAM, opened, {"success": "Goed gesprek", "mistake": None, "lesson": None,
                                                "share_as": "named"})
        assert missing.status == 200 and set(missing.json["errors"]) == {"mistake"}
        assert len(r.bot_posts(CHAN)) == 1  # nothing posted for a refused submission

        answer = {"success": "Goed gesprek met @channel en @here", "mistake": "@all vergeten, sorry @cor",
                  "lesson": "Eerder bellen", "share_as": "named"}
        accepted = await r.submit(BRAM, opened, answer)
        assert accepted.status == 200 and not (accepted.json or {}).get("errors")
        [reply] = [p for p in r.bot_posts(CHAN) if p["root_id"]]
        assert reply["root_id"] == prompt["id"]
        assert reply["message"].startswith("@bram deelt:")
        for word in ("channel", "here", "all", "cor"):
            assert f"@{word}" not in reply["message"] and f"@\u200b{word}" in reply["message"]

        # the thanks (with the consent offer) cannot be an ephemeral post for a bot: it is a DM
        def thanked() -> list[dict]:  # type: ignore[type-arg]
            return [p for p in r.bot_posts(r.dm(BRAM)) if "Dank je wel" in p["message"]]

        await wait_until(thanked)
        [thanks] = thanked()
        assert thanks["props"]["attachments"] and r.mm.ephemeral_posts == []
        assert await r.store.responses("noord") == []

        # a button in bram's DM is bram's: cor cannot press it, bram can
        refused = await r.click(COR, thanks, "Ja")
        assert refused.status == 403 and await r.store.consent("noord", COR) is Consent.UNKNOWN
        pressed = await r.click(BRAM, thanks, "Ja")
        assert pressed.status == 200 and pressed.json.get("ephemeral_text")
        assert await r.store.consent("noord", BRAM) is Consent.IN


async def test_a_dialog_cannot_be_submitted_by_someone_else_or_with_a_forged_state(store: Store) -> None:
    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        await r.click(BRAM, prompt, "Deel je succes")
        [opened] = r.mm.dialogs
        values = {"success": "a", "mistake": "b", "lesson": None, "share_as": "named"}
        other = await r.submit(COR, opened, values)
        assert other.status == 403 and "not made by ritualbot for you" in other.json["error"]
        payload, _, _ = opened["dialog"]["state"].rpartition(".")
        forged = await r.submit(BRAM, opened, values, state=payload + ".AAAA")
        assert forged.status == 403
        assert [p for p in r.bot_posts(CHAN) if p["root_id"]] == []
        assert await r.store.get_state("noord", "weekly_success_mistake", "count:2026-12-04T14:00") is None


async def test_forged_button_context_changes_nothing(store: Store) -> None:
    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        context = dict(prompt["props"]["attachments"][0]["actions"][0]["integration"]["context"])
        for forged in ({**context, "a": "core:forget_confirm"}, {**context, "s": "x"}, {"a": "core:optin"}, None):
            response = await r.click(BRAM, prompt, "Deel je succes", context=forged or {"nothing": "here"})
            assert response.status == 403
        assert r.mm.dialogs == [] and await r.store.audit_log("noord") == []


async def test_a_refused_callback_answers_only_that_in_the_persons_language(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Which check failed is for the log; the caller reads one translated sentence, nothing internal."""
    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        context = dict(prompt["props"]["attachments"][0]["actions"][0]["integration"]["context"])
        with caplog.at_level(logging.WARNING, logger="ritualbot.mattermost"):
            clicked = await r.click(BRAM, prompt, "Deel je succes", context={**context, "s": "x"})
            await r.click(BRAM, prompt, "Deel je succes")
            [opened] = r.mm.dialogs
            payload, _, _ = opened["dialog"]["state"].rpartition(".")
            values = {"success": "a", "mistake": "b", "lesson": None, "share_as": "named"}
            submitted = await r.submit(BRAM, opened, values, state=payload + ".AAAA")
        for refused in (clicked, submitted):
            assert refused.status == 403
            assert refused.json == {"error": "Dit verzoek kwam niet van ritualbot voor jou; er is niets veranderd."}
        logged = [record.getMessage() for record in caplog.records]
        assert "button callback refused: button context signature does not match" in logged
        assert "dialog submission refused: dialog state signature does not match" in logged


MORAL_TOML = TOML.replace('[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"',
                          "[teams.rituals.moral_deliberation]")


async def test_moral_deliberation_dilemma_and_vote_on_mattermost(store: Store) -> None:
    if "moral_deliberation" not in discover():
        pytest.skip("moral_deliberation is not installed")
    async with running_bot(store, toml=MORAL_TOML) as r:
        fired = await advance(r.bot, r.clock, datetime(2026, 12, 29, 14, 1, tzinfo=AMS))
        assert (fired[-1][0].step.name, fired[-1][2]) == ("call", "done")
        call = r.bot_posts(CHAN)[-1]
        await r.click(BRAM, call, "Breng een dilemma in")
        [opened] = r.mm.dialogs
        story = {"title": "Melden of niet? @here", "story": "Een cliënt vertelde me iets in vertrouwen.",
                 "share_as": "anonymous"}
        assert (await r.submit(BRAM, opened, {**story, "title": ""})).json["errors"].keys() == {"title"}
        assert (await r.submit(BRAM, opened, story)).status == 200
        [dilemma] = [p for p in r.bot_posts(CHAN) if p["root_id"] == call["id"]]
        assert "@\u200bhere" in dilemma["message"] and "@bram" not in dilemma["message"]
        voted = await r.click(COR, dilemma, "1")
        assert voted.status == 200 and voted.json["ephemeral_text"]


async def test_a_dialog_refused_by_the_client_data_guard_keeps_the_text_in_the_dialog_only(store: Store) -> None:
    # Mattermost waits for the dialog's answer, so a refusal is shown in the dialog itself
    # (the text stays there) and nothing with the flagged values is posted or sent by DM.
    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        await r.click(BRAM, prompt, "Deel je succes")
        [opened] = r.mm.dialogs
        before = {channel: len(r.bot_posts(channel)) for channel in (CHAN, r.dm(BRAM))}
        refused = await r.submit(BRAM, opened, {"success": "Moeder gebeld op 06-12345678", "lesson": None,
                                                "mistake": "BSN 123.456.782 naar school gemaild", "share_as": "named"})
        assert refused.status == 200 and set(refused.json["errors"]) == {"success", "mistake"}
        assert "telefoonnummer" in refused.json["errors"]["success"]
        assert "06-12345678" not in refused.text and "123.456.782" not in refused.text
        await asyncio.sleep(0.3)  # anything sent after the answer would have arrived by now
        assert {channel: len(r.bot_posts(channel)) for channel in (CHAN, r.dm(BRAM))} == before
        assert r.mm.ephemeral_posts == [] and await r.store.responses("noord") == []


async def test_a_body_nested_too_deep_to_read_is_refused_with_400_not_a_traceback(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """The button and dialog URLs need no token (what they carry is signed): anyone who reaches
    the port can send them a JSON body nested deeper than Python reads. That is no request
    of Mattermost's, refused like any unreadable body, not a 500 with a traceback in the log."""
    import aiohttp

    async with running_bot(store) as r, aiohttp.ClientSession() as http:
        for path in ("/mattermost/actions", "/mattermost/dialogs"):
            for body in ("[" * 200_000, '{"user_id": ' + "[" * 200_000):
                async with http.post(r.base + path, data=body, headers={"Content-Type": "application/json"}) as resp:
                    assert resp.status == 400, (path, resp.status)
    assert not [rec for rec in caplog.records if rec.exc_info]


async def test_asking_to_talk_to_someone_leaves_no_dm_where_the_bot_may_not_post_ephemerals(store: Store) -> None:
    """'Nobody sees that you did': on a default Mattermost (no ephemeral posts for bots) the answer
    with the confidant's button went to a DM, which the server keeps for its admins to read. It
    comes in the click's own answer instead, and the way to the confidant is said in words."""
    if "moral_deliberation" not in discover():
        pytest.skip("moral_deliberation is not installed")
    toml = MORAL_TOML.replace('admins = ["', f'confidant = "{ANNA}"\nadmins = ["') + "[teams.rituals.confidant_line]\n"
    async with running_bot(store, toml=toml) as r:
        await advance(r.bot, r.clock, datetime(2027, 1, 5, 17, 1, tzinfo=AMS))
        [reflection] = [p for p in r.bot_posts(CHAN) if "moreel beraad voor jou" in p["message"]]
        dms_before = r.bot_posts(r.dm(BRAM))
        answered = await r.click(BRAM, reflection, "met iemand praten")
        assert answered.status == 200 and "bedrijfsarts" in answered.json["ephemeral_text"]
        assert "/ritual signal" in answered.json["ephemeral_text"]  # the button's way, in words
        await asyncio.sleep(0.3)  # anything sent after the answer would have arrived by now
        assert r.bot_posts(r.dm(BRAM)) == dms_before  # (the server shows ephemeral_text as an unstored ephemeral)
