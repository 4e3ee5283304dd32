"""A ritualbot on the fake Mattermost, driven over HTTP as Mattermost drives it; plus unit
tests of rendering and signing. The other `test_mattermost_*` suites import `running_bot`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.app import RitualBot
from bot.clock import FakeClock
from bot.http import build_http_app, serve
from bot.messages import Choice, FieldKind, Form, FormField, Mention, UserText, text
from bot.platforms.mattermost import MattermostConnector, settings_from_env
from bot.platforms.mattermost.connection import RetryPolicy
from bot.platforms.mattermost.render import dialog, escape_user_text, post_body, submission_values
from bot.platforms.mattermost.signing import Signer, signing_secret
from bot.registry import discover
from bot.store import Store
from bot.wiring import build_bot
from tests.conftest import free_port, make_config
from tests.fakes.mattermost_api import FakeMattermost, IntegrationResponse, validate_dialog
from tests.fakes.slack_socket import holds

AMS = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)
ANNA, BRAM, COR = "anna000000000000000000000a", "bram000000000000000000000b", "cor00000000000000000000000"
CHAN, TEAM = "chan0000000000000000000000", "team0000000000000000000000"
COMMAND_TOKEN = "cmdtoken-0123456789abcdef"
FAST = RetryPolicy(base_delay=0.01, max_delay=0.05)

TOML = f"""
language = "nl"
[[teams]]
id = "noord"
platform = "mattermost"
channel = "{CHAN}"
admins = ["{ANNA}"]
leaders = ["{ANNA}"]
members = ["{ANNA}", "{BRAM}", "{COR}"]
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
"""




@dataclass
class Running:
    """The fake server, the bot and its HTTP endpoints, and ways to act as a user."""

    mm: FakeMattermost
    bot: RitualBot
    connector: MattermostConnector
    clock: FakeClock
    store: Store
    base: str

    def dm(self, user: str) -> str:
        return str(self.mm.add_direct_channel(self.mm.bot_user_id, user)["id"])

    async def command(self, user: str, line: str, *, channel: str = CHAN,
                      token: str = COMMAND_TOKEN) -> IntegrationResponse:
        form = self.mm.slash_command_form(token, text=line, user_id=user, channel_id=channel, team_id=TEAM)
        return await self.mm.send_slash_command(self.base + "/mattermost/command", form)

    async def click(self, user: str, post: dict[str, Any], label: str, *,
                    context: dict[str, Any] | None = None) -> IntegrationResponse:
        action = button(post, label)
        body = self.mm.action_callback_body(user_id=user, channel_id=post["channel_id"], post_id=post["id"],
                                            team_id=TEAM, context=context or action["integration"]["context"])
        return await self.mm.send_action(action["integration"]["url"], body)

    async def submit(self, user: str, opened: dict[str, Any], values: dict[str, Any], *,
                     channel: str = CHAN, state: str | None = None) -> IntegrationResponse:
        d = opened["dialog"]
        body = self.mm.dialog_submission_body(callback_id=d["callback_id"], state=state or d["state"],
                                              user_id=user, channel_id=channel, team_id=TEAM, submission=values)
        return await self.mm.send_dialog_submission(opened["url"], body)

    def bot_posts(self, channel: str) -> list[dict[str, Any]]:
        return [p for p in self.mm.posts(channel) if p["user_id"] == self.mm.bot_user_id]


def button(post: dict[str, Any], label: str) -> dict[str, Any]:
    for att in post["props"].get("attachments", []):
        for action in att.get("actions", []):
            if label in action["name"]:
                return dict(action)
    raise LookupError(f"no button {label!r} in post {post['message'][:60]!r}")


async def wait_until(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not await holds(check):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


@asynccontextmanager
async def running_bot(store: Store, *, toml: str = TOML, tls: bool = False, ws_backoff_base: float = 0.05,
                      bot_is_admin: bool = False, channels: Sequence[str] = (), **fake: Any) -> AsyncIterator[Running]:
    """The bot on a new fake server with CHAN and `channels` (bot, Bram and Cor in each) before it starts."""
    async with FakeMattermost(tls=tls, bot_is_admin=bot_is_admin, **fake) as mm:
        for uid, name, locale in ((ANNA, "anna", "nl"), (BRAM, "bram", "nl"), (COR, "cor", "en")):
            mm.add_user(uid, name, locale=locale)
        mm.add_channel(CHAN, TEAM, members=[mm.bot_user_id, ANNA, BRAM, COR], name="team-noord")
        for extra in channels:
            mm.add_channel(extra, TEAM, members=[mm.bot_user_id, BRAM, COR])
        port = free_port()
        env = {"MATTERMOST_URL": mm.url, "MATTERMOST_TOKEN": mm.bot_token,
               "MATTERMOST_COMMAND_TOKEN": COMMAND_TOKEN, "BOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
               "MATTERMOST_CA_FILE": mm.ca_path or ""}
        config = make_config(toml)
        settings = settings_from_env(env, config)
        assert settings is not None
        connector = MattermostConnector(settings, Signer(await signing_secret(env, store)), store, retry=FAST,
                                        ws_backoff_base=ws_backoff_base)
        connector.platform.post_backoff = 0.01
        clock = FakeClock(MONDAY)
        bot = await build_bot(config, discover(), {"mattermost": connector.platform}, clock, store)
        for team in bot.teams.values():
            await store.ensure_team(team.id, team.platform, team.channel, clock.now())
        runner: web.AppRunner = await serve(build_http_app(store, connector.routes()), "127.0.0.1", port)
        await connector.start(bot)
        try:
            yield Running(mm, bot, connector, clock, store, f"http://127.0.0.1:{port}")
        finally:
            await connector.stop()
            await runner.cleanup()


# unit tests: rendering and signing -------------------------------------------------------------

SIGNER = Signer(b"0123456789abcdef0123456789abcdef")


def test_user_text_cannot_mention_or_format() -> None:
    raw = "@channel @here @all @cor **vet** [link](http://x) # kop\n- lijst"
    out = escape_user_text(raw)
    for word in ("channel", "here", "all", "cor"):
        assert f"@{word}" not in out and f"@\u200b{word}" in out
    assert "**" not in out and "\\*\\*vet" in out and "\\[link\\]" in out and "\n\\- lijst" in out


def test_post_body_mentions_by_username_and_signs_buttons() -> None:
    from bot.messages import Button

    message = text(("Hoi ", Mention(BRAM), ": ", UserText("@here")), buttons=[Button("x:go", "Go", "t|1")])
    body = post_body(message, {BRAM: "bram"}, SIGNER, "http://bot/mattermost/actions", channel=CHAN, user=None)
    assert body["message"] == "Hoi @bram: @\u200bhere"
    action = body["props"]["attachments"][0]["actions"][0]
    assert action["id"].isalnum() and action["integration"]["url"] == "http://bot/mattermost/actions"
    target = SIGNER.check_button(action["integration"]["context"], channel=CHAN, user=COR)
    assert (target.action, target.value) == ("x:go", "t|1")


def test_every_field_kind_renders_to_a_valid_dialog() -> None:
    form = Form("r:f", "A title that is longer than the limit", (
        FormField("short", "Name", FieldKind.TEXT, max_length=100, default="x"),
        FormField("long", "A label that is far too long for Mattermost", FieldKind.TEXT, hint="Say more"),
        FormField("area", "Story", FieldKind.MULTILINE, required=False, max_length=5000),
        FormField("pick", "Pick", FieldKind.CHOICE, choices=(Choice("a", "A"), Choice("b", "B")), default="b"),
        FormField("many", "Many", FieldKind.CHOICE, choices=tuple(Choice(str(i), str(i)) for i in range(8))),
        FormField("ok", "Agree", FieldKind.CHECKBOX)), "Send", state="t|s", intro="Why we ask")
    rendered = dialog(form, SIGNER, user=BRAM)
    assert validate_dialog(rendered) == []
    kinds = {e["name"]: e["type"] for e in rendered["elements"]}
    assert kinds == {"short": "text", "long": "textarea", "area": "textarea", "pick": "radio",
                     "many": "select", "ok": "bool"}
    assert "far too long" in rendered["elements"][1]["help_text"]
    assert SIGNER.check_dialog("r:f", rendered["state"], user=BRAM).state == "t|s"
    assert submission_values({"short": "x", "ok": True, "area": None, "n": 3}) == {
        "short": "x", "ok": True, "area": None, "n": "3"}


def test_signatures_refuse_tampering_and_other_users() -> None:
    import pytest

    from bot.platforms.mattermost.signing import Forged

    ctx = SIGNER.button_context("core:optin", "noord|1", channel="dm1", user=BRAM)
    with pytest.raises(Forged):
        SIGNER.check_button({**ctx, "v": "zuid|1"}, channel="dm1", user=BRAM)
    with pytest.raises(Forged):
        SIGNER.check_button(ctx, channel="dm1", user=COR)
    with pytest.raises(Forged):
        SIGNER.check_button(ctx, channel="other", user=BRAM)
    with pytest.raises(Forged):
        Signer(b"another-secret-another-secret!!").check_button(ctx, channel="dm1", user=BRAM)
    state = SIGNER.dialog_state("r:f", "noord|x", user=BRAM)
    with pytest.raises(Forged):
        SIGNER.check_dialog("r:f", state, user=COR)
    with pytest.raises(Forged):
        SIGNER.check_dialog("r:other", state, user=BRAM)


async def test_generated_secret_is_kept_in_the_database(store: Store) -> None:
    first = await signing_secret({}, store)
    assert await signing_secret({}, store) == first and len(first) >= 32
    assert await signing_secret({"RITUALBOT_SECRET": "from-the-environment"}, store) == b"from-the-environment"
