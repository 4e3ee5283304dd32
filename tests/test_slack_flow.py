"""The weekly success-and-mistake ritual end to end on the fake Slack, in HTTP mode:
prompt as blocks, button -> modal -> an error shown in the modal -> accepted -> thread
reply; consent from the ephemeral notice; the slash command acked within 3 seconds.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from urllib.parse import urlencode

from bot.simulation import advance
from bot.store import Consent, Store
from tests.fakes.slack_api import sign_request
from tests.test_slack_support import ANNA, BRAM, CH, COR, SECRET, TOML, find_button, running_bot, until

SHARE = "weekly_success_mistake:share"


async def test_a_member_shares_through_a_modal_and_the_thread(store: Store) -> None:
    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))  # Friday 14:01
        [prompt] = r.slack.messages(CH)
        kinds = [b["type"] for b in prompt.blocks or []]
        assert kinds[0] == "section" and kinds[-1] == "actions"
        assert prompt.blocks[0]["text"]["text"].startswith("*Tijd voor het weeksucces")
        assert "weeksucces" in prompt.text  # the notification fallback
        share = find_button(prompt, "share")
        assert share["action_id"] == SHARE and share["value"] == "noord|2026-12-04T14:00"
        sharer_dms = [(u, m) for u in (ANNA, BRAM, COR) for m in r.slack.messages(u)]
        assert len(sharer_dms) == 1  # in the person's own language (Cor's Slack speaks English)
        [(sharer, dm)] = sharer_dms
        assert ("your turn" if sharer == COR else "aan de beurt") in dm.text

        assert await r.click(BRAM, prompt, "share") == 200
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        [opened] = r.slack.calls_to("views.open")
        assert opened.ok
        view = opened.response["view"]
        assert view["callback_id"] == "weekly_success_mistake:answer"
        # the team, the core's rules for the fields (checked on submission), the ritual's state
        assert view["private_metadata"].startswith('noord|{"r":') and view["private_metadata"].endswith("}2026-12-04T14:00")
        inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        assert inputs[:4] == ["success", "mistake", "lesson", "share_as"]

        named = {"type": "radio_buttons", "selected_option": {"value": "named"}}
        status, answer = await r.submit(BRAM, view, {"success": "Goed gesprek <!channel> @here", "mistake": " ",
                                                     "share_as": named})
        assert status == 200 and answer["response_action"] == "errors"
        assert list(answer["errors"]) == ["mistake"] and "Vul dit in" in answer["errors"]["mistake"]
        assert r.slack.thread(CH, prompt.ts) == []

        status, answer = await r.submit(BRAM, view, {"success": "Goed gesprek <!channel> @here",
                                                     "mistake": "Te laat gebeld", "lesson": "", "share_as": named})
        assert status == 200 and answer == {}
        [reply] = r.slack.thread(CH, prompt.ts)
        body = "\n".join(b["text"]["text"] for b in reply.blocks or [])
        assert f"<@{BRAM}>" in body and "@\u200bhere" in body and "Te laat gebeld" in body
        # what bram wrote is shown as written (plain_text: no mrkdwn, so <!channel> pings nobody)
        for block in reply.blocks or []:
            if "<!channel>" in block["text"]["text"]:
                assert block["text"]["type"] == "plain_text"
        assert "<!channel>" not in reply.text and "&lt;!channel&gt;" in reply.text  # nor in the notification
        # bram never opted in: his answer was relayed, not kept, and he is asked privately
        assert await store.responses("noord") == []
        notice = r.slack.ephemeral(CH, BRAM)[-1]
        assert "Dank je wel" in notice.text

        # the consent notice's button answers on the notice itself: nothing left to click twice
        assert await r.click(BRAM, notice, "core:optin", ephemeral=True) == 200
        async def opted_in() -> bool:
            return await store.consent("noord", BRAM) is Consent.IN

        await until(opted_in, "consent")
        await until(lambda: notice.edits, "the notice replaced")
        assert not any(b["type"] == "actions" for b in notice.blocks or [])
        assert len(r.slack.messages(CH, include_replies=True)) == 2  # the prompt and one answer: nothing doubled


async def test_slash_command_is_acked_at_once_and_answered_privately_in_the_users_language(store: Store) -> None:
    async with running_bot(store) as r:
        r.slack.delay("users.info", 0.5)  # a slow lookup must not hold up the ack
        status, body, took = await r.command(COR, "status")
        assert status == 200 and body == "" and took < 0.4
        await until(lambda: r.slack.responses, "the command's answer")
        [answer] = r.slack.responses
        assert answer.body["response_type"] == "ephemeral"
        assert "Rituals of team noord" in answer.body["text"]  # cor's Slack locale is en-GB
        assert r.slack.messages(CH) == []


async def test_a_non_admin_is_refused_politely_and_nothing_changes(store: Store) -> None:
    async with running_bot(store) as r:
        status, _, _ = await r.command(BRAM, "pause weekly_success_mistake")
        assert status == 200
        await until(lambda: r.slack.responses, "the refusal")
        assert "alleen een beheerder" in r.slack.responses[-1].body["text"]
        assert not (await store.ritual_state("noord", "weekly_success_mistake")).paused

        await r.command(ANNA, "pause weekly_success_mistake")
        await until(lambda: len(r.slack.responses) == 2, "the admin's answer")
        assert (await store.ritual_state("noord", "weekly_success_mistake")).paused


async def test_forged_and_stale_requests_get_401_and_change_nothing(store: Store) -> None:
    async with running_bot(store) as r:
        status, _, _ = await r.command(ANNA, "pause weekly_success_mistake", secret="not-the-secret")
        assert status == 401
        status, _, _ = await r.command(ANNA, "pause weekly_success_mistake", timestamp=int(time.time()) - 6 * 60)
        assert status == 401
        body = urlencode(r.slack.slash_command_payload(text="help", user_id=ANNA, channel_id=CH))
        headers = sign_request(SECRET, body, None, "application/x-www-form-urlencoded")
        tampered = body.replace("text=help", "text=pause+weekly_success_mistake")
        async with r.http.post(r.base + "/slack/events", data=tampered.encode(), headers=headers) as resp:
            assert resp.status == 401  # a signed body altered on the way
        assert await r.open_home(ANNA, secret="not-the-secret") == 401
        await asyncio.sleep(0.2)
        assert not (await store.ritual_state("noord", "weekly_success_mistake")).paused
        assert r.slack.responses == [] and r.slack.calls_to("chat.postMessage") == []
        assert r.slack.calls_to("users.info") == [] and r.slack.home_views == {}
        assert await store.consent("noord", BRAM) is Consent.UNKNOWN


async def test_a_slow_submission_closes_the_modal_in_time_and_still_lands_once(store: Store) -> None:
    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        await r.click(COR, prompt, "share")
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        view = r.slack.calls_to("views.open")[0].response["view"]
        r.slack.delay("chat.postMessage", 3.2)  # Slack is slow: the core cannot answer within 3 seconds
        start = asyncio.get_running_loop().time()
        status, answer = await r.submit(COR, view, {"success": "Goed", "mistake": "Fout"})
        assert status == 200 and answer == {}
        assert asyncio.get_running_loop().time() - start < 3.0  # Slack would have shown an error otherwise
        await until(lambda: r.slack.thread(CH, prompt.ts), "the answer in the thread", timeout=6)
        await asyncio.sleep(0.3)
        assert len(r.slack.thread(CH, prompt.ts)) == 1


async def test_a_late_refusal_dm_names_flagged_fields_and_never_echoes_what_was_flagged(store: Store) -> None:
    # No sharer DM this week: choosing the sharer would look cor up (and cache the answer) before the click.
    toml = TOML + "sharer_notice_hours = 0\n"
    async with running_bot(store, toml) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        earlier_dms = len(r.slack.messages(COR))
        calls = len(r.slack.calls_to("users.info"))
        r.slack.fail_next("users.info", status=200, error="user_not_found")  # cor's locale not yet known at the click
        await r.click(COR, prompt, "share")
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        assert len(r.slack.calls_to("users.info")) == calls + 1  # the one lookup failed, so nothing is cached
        view = r.slack.calls_to("views.open")[0].response["view"]
        labels = {b["block_id"]: b["label"]["text"] for b in view["blocks"] if b["type"] == "input"}

        r.slack.delay("users.info", 3.2)  # Slack is slow: the core refuses after the modal closed
        flagged_success = "Moeder gebeld op 06-12345678 over de aanvraag"
        flagged_mistake = "De brief met BSN 123.456.782 ging naar 1234 AB 12"
        status, answer = await r.submit(COR, view, {"success": flagged_success, "mistake": flagged_mistake,
                                                    "lesson": "Eerst het adres nakijken"})
        assert status == 200 and answer == {}
        await until(lambda: len(r.slack.messages(COR)) > earlier_dms, "the refusal by DM", timeout=8)
        [dm] = r.slack.messages(COR)[earlier_dms:]
        shown = dm.text + "".join(b.get("text", {}).get("text", "") for b in dm.blocks or [])
        for flagged in ("06-12345678", "123.456.782", "123456782", "1234 AB 12"):
            assert flagged not in shown
        # cor reads English (en-GB): what was found is named in English, next to each field's label
        assert "Your form was not accepted" in shown
        assert f"{labels['success']} (this held a phone number; I am not repeating that" in shown
        assert f"{labels['mistake']} (this held a citizen service number (BSN) and a postcode or address;" in shown
        assert "Moeder gebeld op [phone number] over de aanvraag" in shown  # the rest of the text is kept
        assert f"{labels['lesson']}: Eerst het adres nakijken" in shown  # an unflagged field comes back whole
        assert r.slack.thread(CH, prompt.ts) == []  # refused: nothing posted
        assert await store.responses("noord") == []
