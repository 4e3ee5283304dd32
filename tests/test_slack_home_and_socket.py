"""App Home, event retries handled once, and Socket Mode: the same bot over a websocket."""

from __future__ import annotations

import asyncio

from bot.store import Consent, Store
from tests.fakes.slack_api import app_home_opened_event, event_callback, interactive_body
from tests.test_slack_support import ANNA, BRAM, CH, COR, Running, running_bot, until


def _home_text(r: Running, user: str) -> str:
    blocks = r.slack.home_views[user]["blocks"]
    return "\n".join(b["text"]["text"] for b in blocks if b.get("text")
                     ) + "\n".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])


def _home_buttons(r: Running, user: str) -> list[str]:
    blocks = r.slack.home_views[user]["blocks"]
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def test_app_home_shows_consent_per_team_and_admins_see_schedules(store: Store) -> None:
    async with running_bot(store) as r:
        assert await r.open_home(ANNA) == 200
        await until(lambda: ANNA in r.slack.home_views, "anna's home")
        home = _home_text(r, ANNA)
        assert "Team noord" in home and "nog niet gekozen" in home
        assert "Weeksucces en weekfout: fri 14:00; volgende keer vr 2026-12-04 14:00 (Europe/Amsterdam)" in home
        assert _home_buttons(r, ANNA) == ["home:optin", "home:optout", "home:mydata", "home:forget"]

        await r.open_home(COR)
        await until(lambda: COR in r.slack.home_views, "cor's home")
        home = _home_text(r, COR)
        assert "Team noord" in home and "You have not chosen yet" in home  # cor's Slack is in English
        assert "fri 14:00" not in home  # not an admin


async def test_home_buttons_run_the_core_commands_and_answer_by_dm(store: Store) -> None:
    async with running_bot(store) as r:
        await r.open_home(BRAM)
        await until(lambda: BRAM in r.slack.home_views, "bram's home")
        payload = r.slack.block_actions_payload(action_id="home:optout", value="noord", user_id=BRAM,
                                                view=r.slack.home_views[BRAM])
        status, _, _ = await r.send(interactive_body(payload))
        assert status == 200
        async def opted_out() -> bool:
            return await store.consent("noord", BRAM) is Consent.OUT

        await until(opted_out, "opted out")
        await until(lambda: "Ik bewaar niets" in _home_text(r, BRAM), "the home shows the new state")
        [dm] = r.slack.messages(BRAM)
        assert "Vanaf nu bewaar ik niets meer" in dm.text
        assert r.slack.messages(CH) == [] and r.slack.ephemeral(CH) == []  # nothing in the team channel


async def test_an_event_delivered_again_is_handled_once(store: Store) -> None:
    async with running_bot(store) as r:
        assert await r.open_home(ANNA, event_id="Ev0HOME0001") == 200
        assert await r.open_home(ANNA, event_id="Ev0HOME0001", retry=1) == 200
        assert await r.open_home(ANNA, event_id="Ev0HOME0001", retry=2) == 200
        await until(lambda: r.slack.calls_to("views.publish"), "a publish")
        await asyncio.sleep(0.3)
        assert len(r.slack.calls_to("views.publish")) == 1


async def test_socket_mode_acks_a_command_at_once_and_answers_through_respond(store: Store) -> None:
    async with running_bot(store, socket_mode=True) as r:
        assert r.connector.routes() == []
        r.slack.delay("users.info", 0.5)
        payload = r.slack.slash_command_payload(text="help", user_id=BRAM, channel_id=CH)
        ack = await asyncio.wait_for(await r.slack.socket_send_envelope("slash_commands", payload), timeout=0.45)
        assert "payload" not in ack or not ack["payload"]  # an empty ack; the answer follows
        await until(lambda: r.slack.responses, "the help text")
        assert "Dit kun je aan mij vragen met /ritual" in r.slack.responses[0].body["text"]
        assert r.slack.responses[0].body["response_type"] == "ephemeral"


async def test_socket_mode_event_retries_are_handled_once(store: Store) -> None:
    async with running_bot(store, socket_mode=True) as r:
        event = event_callback(app_home_opened_event(user_id=ANNA), event_id="Ev0SOCK0001")
        first = await r.slack.socket_send_envelope("events_api", event)
        again = await r.slack.socket_send_envelope("events_api", event, retry_attempt=1, retry_reason="timeout")
        await asyncio.wait_for(asyncio.gather(first, again), timeout=3)
        await until(lambda: r.slack.calls_to("views.publish"), "a publish")
        await asyncio.sleep(0.3)
        assert len(r.slack.calls_to("views.publish")) == 1


async def test_socket_mode_modal_errors_come_back_in_the_ack(store: Store) -> None:
    from datetime import timedelta

    from bot.simulation import advance

    async with running_bot(store, socket_mode=True) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        share = next(e for b in prompt.blocks or [] if b["type"] == "actions" for e in b["elements"]
                     if e["action_id"].endswith(":share"))
        click = r.slack.block_actions_payload(action_id=share["action_id"], value=share["value"], user_id=COR,
                                              channel_id=CH, message=prompt.to_api())
        await asyncio.wait_for(await r.slack.socket_send_envelope("interactive", click), timeout=3)
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        view = r.slack.calls_to("views.open")[0].response["view"]
        submission = {"type": "view_submission", "user": {"id": COR}, "team": {"id": "T0FAKE0001"},
                      "view": {**view, "state": {"values": {"success": {"value": {"type": "plain_text_input",
                                                                                   "value": ""}}}}}}
        ack = await asyncio.wait_for(await r.slack.socket_send_envelope("interactive", submission), timeout=3)
        assert ack["payload"]["response_action"] == "errors"
        assert set(ack["payload"]["errors"]) == {"success", "mistake"}
        assert "Please fill this in" in ack["payload"]["errors"]["success"]  # cor's locale is English
        assert r.slack.thread(CH, prompt.ts) == []
