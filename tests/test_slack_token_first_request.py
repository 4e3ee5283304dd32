"""The bot token stops working before anyone used a command (revoked, the app reinstalled
since the bot started). Before: slack-bolt's own check of the token for the first request
answered the person in English ("We apologize, but for some unknown reason, your
installation with this app is no longer available ..."), in a Dutch team too. Now the person
gets what every other failure gets, in the team's language, over HTTP and Socket Mode;
/healthz says `token refused`, the log says it once, and a working token makes all well.
Also: every start logged one content-free slack-bolt warning ("the client library reported
a warning"): slack-bolt read SLACK_BOT_TOKEN from the environment beside the client it was
given and said it would not use it. That one is gone; the logger still passes all others.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.config import AppConfig
from bot.platforms.kit.texts import say
from bot.platforms.slack import connector_from_env
from bot.store import Store
from tests.conftest import make_config
from tests.fakes.slack_api import interactive_body
from tests.test_slack_support import ANNA, BRAM, CH, TOML, running_bot, until

BOLT_WORDS = "installation with this app is no longer available"
VIEW = {"id": "V0TOKEN001", "type": "modal", "callback_id": "weekly_success_mistake:share", "private_metadata": "",
        "blocks": [{"type": "input", "block_id": "success", "element": {"type": "plain_text_input"}}]}


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "refused the bot token" in r.getMessage()]


async def test_a_refused_token_met_first_by_a_person_gets_our_words_in_the_team_language(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(store) as r:
        good = r.slack.bot_token
        r.slack.bot_token = "xoxb-the-new-one"
        status, body, _ = await r.command(ANNA, "help")
        assert status == 200 and BOLT_WORDS not in body
        assert json.loads(body) == {"response_type": "ephemeral", "text": say("error.generic", "nl")}

        click = r.slack.block_actions_payload(action_id="core:optin", value="noord", user_id=BRAM, channel_id=CH,
                                              message={"ts": "1700000000.000100", "text": "x"})
        status, body, _ = await r.send(interactive_body(click))
        assert status == 200 and BOLT_WORDS not in body
        await until(lambda: r.slack.responses, "the click answered through its response_url")
        assert [a.body["text"] for a in r.slack.responses] == [say("error.generic", "nl")]

        status, answer = await r.submit(ANNA, VIEW, {"success": "een goed gesprek"})
        assert status == 200 and answer == {"response_action": "errors",
                                            "errors": {"success": say("form.failed", "nl")}}
        assert await r.connector.health() == "token refused"
        [line] = refusals(caplog)  # once, for three people's requests
        assert "SLACK_BOT_TOKEN" in line and "invalid_auth" in line
        assert not [rec for rec in caplog.records if rec.name.startswith("slack_bolt")]

        r.slack.bot_token = good  # a working token again: answered as always, and well again
        r.slack.responses.clear()
        assert (await r.command(ANNA, "help"))[0] == 200
        await until(lambda: r.slack.responses, "the help")
        assert "/ritual" in r.slack.responses[0].body["text"]
        assert await r.connector.health() == "listening"
        assert any("Slack takes the bot token again" in rec.getMessage() for rec in caplog.records)


async def test_over_socket_mode_the_refused_token_gets_our_words_too(store: Store) -> None:
    async with running_bot(store, socket_mode=True) as r:
        r.slack.bot_token = "xoxb-the-new-one"
        payload = r.slack.slash_command_payload(text="help", user_id=ANNA, channel_id=CH)
        ack = await asyncio.wait_for(await r.slack.socket_send_envelope("slash_commands", payload), timeout=5)
        assert ack["payload"] == {"response_type": "ephemeral", "text": say("error.generic", "nl")}


async def test_starting_slack_logs_no_warning_about_the_token_it_was_meant_to_use(
        store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-0000-fake")  # as `ritualbot run` has it: bolt reads it too
    caplog.set_level(logging.DEBUG)
    config: AppConfig = make_config(TOML)
    connector = await connector_from_env({"SLACK_BOT_TOKEN": "xoxb-0000-fake", "SLACK_SIGNING_SECRET": "s" * 32},
                                         config, store)
    assert connector is not None
    assert not [rec for rec in caplog.records if rec.name.startswith("slack_bolt") and rec.levelno >= logging.WARNING]
    connector.app.logger.warning("a warning slack-bolt has for us")  # any other still reaches the log
    assert [rec.getMessage() for rec in caplog.records if rec.name.startswith("slack_bolt")] == [
        "a warning slack-bolt has for us"]
    await connector.platform.close()
