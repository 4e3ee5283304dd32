"""The slash command over HTTP, and direct messages to the bot over the websocket (plain and TLS)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.config import ConfigError
from bot.platforms.mattermost import connector_from_env
from bot.store import Store
from tests.conftest import make_config
from tests.test_mattermost_support import ANNA, BRAM, CHAN, COR, TOML, running_bot, wait_until


async def test_help_is_answered_privately_in_the_users_language(store: Store) -> None:
    async with running_bot(store) as r:
        response = await r.command(COR, "help")
        assert response.status == 200 and response.json["response_type"] == "ephemeral"
        assert "/ritual" in response.json["text"] and "status" in response.json["text"]
        [shown] = r.mm.ephemeral_posts
        assert shown["to_user_id"] == COR and shown["message"] == response.json["text"]
        assert r.bot_posts(CHAN) == []
        dutch = await r.command(BRAM, "optin")
        assert dutch.json["attachments"][0]["actions"][0]["name"] == "Ja, bewaar wat ik deel"


@pytest.mark.parametrize("token", ["wrong-token", ""])
async def test_a_wrong_or_missing_command_token_is_refused(store: Store, token: str) -> None:
    async with running_bot(store) as r:
        response = await r.command(ANNA, "pause weekly_success_mistake", token=token)
        assert response.status == 401
        assert (await r.store.ritual_state("noord", "weekly_success_mistake")).paused is False
        assert r.mm.ephemeral_posts == [] and await r.store.audit_log("noord") == []


@pytest.mark.parametrize("body", [b"\xff\xfetoken=x", b"token=x\xff"])
async def test_a_command_body_that_is_no_utf8_form_gets_400_not_500(
        store: Store, caplog: pytest.LogCaptureFixture, body: bytes) -> None:
    """Before any token is checked, so anyone could get a 500 and an error in the log (found by trying it)."""
    import aiohttp

    caplog.set_level(logging.INFO)
    async with running_bot(store) as r, aiohttp.ClientSession() as http:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        async with http.post(r.base + "/mattermost/command", data=body, headers=headers) as response:
            assert response.status == 400
            assert "geen formulier" in (await response.json())["error"]
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


async def test_admin_commands_are_refused_for_members_and_work_for_admins(store: Store) -> None:
    async with running_bot(store) as r:
        refused = await r.command(BRAM, "pause weekly_success_mistake")
        assert refused.status == 200 and "@anna" in refused.json["text"]  # the admin by name, not by id
        assert (await r.store.ritual_state("noord", "weekly_success_mistake")).paused is False
        assert [a.action for a in await r.store.audit_log("noord")] == ["refused"]
        done = await r.command(ANNA, "pause weekly_success_mistake")
        assert done.status == 200
        assert (await r.store.ritual_state("noord", "weekly_success_mistake")).paused is True


async def test_a_consent_button_in_a_command_reply_works_for_its_user_only(store: Store) -> None:
    async with running_bot(store) as r:
        response = await r.command(BRAM, "optin")
        action = response.json["attachments"][0]["actions"][0]
        post = {"id": "ephemeral1", "channel_id": CHAN, "message": "", "props": {"attachments": [{"actions": [action]}]}}
        assert (await r.click(COR, post, "Ja")).status == 403
        assert (await r.store.consent("noord", BRAM)).value == "unknown"
        assert (await r.click(BRAM, post, "Ja")).status == 200
        assert (await r.store.consent("noord", BRAM)).value == "in"


async def test_environment_is_checked_at_startup(store: Store) -> None:
    config = make_config(TOML)
    assert await connector_from_env({}, config, store) is None
    with pytest.raises(ConfigError) as err:
        await connector_from_env({"MATTERMOST_URL": "https://chat.example.org", "MATTERMOST_TOKEN": "t"}, config, store)
    assert any("BOT_PUBLIC_URL" in p for p in err.value.problems)
    assert any("MATTERMOST_COMMAND_TOKEN" in p for p in err.value.problems)
    connector = await connector_from_env({"MATTERMOST_URL": "https://chat.example.org", "MATTERMOST_TOKEN": "t",
                                    "MATTERMOST_COMMAND_TOKEN": "c", "BOT_PUBLIC_URL": "https://bot.example.org/"},
                                   config, store)
    assert connector is not None
    assert connector.platform.action_url == "https://bot.example.org/mattermost/actions"
    assert {r.path for r in connector.routes()} == {  # type: ignore[attr-defined]
        "/mattermost/command", "/mattermost/actions", "/mattermost/dialogs"}


@pytest.mark.parametrize("tls", [False, True], ids=["ws", "wss"])
async def test_dm_help_is_answered_once_across_reconnects(store: Store, tls: bool) -> None:
    async with running_bot(store, tls=tls, ws_backoff_base=0.6) as r:
        await r.mm.wait_for_ws_clients(1)
        dm = r.dm(BRAM)
        await r.mm.ws_emit_posted(dm, {"user_id": BRAM, "message": "help"})
        await wait_until(lambda: len(r.bot_posts(dm)) == 1)
        assert "/ritual" in r.bot_posts(dm)[0]["message"]

        # the connection drops; a DM sent while it is down is answered after the reconnect
        await r.mm.drop_websockets()
        await r.mm.ws_emit_posted(dm, {"user_id": BRAM, "message": "status"})
        assert r.mm.hub.authenticated() == []
        await r.mm.wait_for_ws_clients(1)
        await wait_until(lambda: len(r.bot_posts(dm)) == 2)
        assert "noord" in r.bot_posts(dm)[1]["message"]  # the status answer

        await r.mm.drop_websockets()
        await r.mm.wait_for_ws_clients(1)
        await asyncio.sleep(0.3)
        assert len(r.bot_posts(dm)) == 2  # neither DM was answered twice
        assert r.mm.hub.auth_count == 3


async def test_own_posts_and_channel_posts_are_not_commands(store: Store) -> None:
    async with running_bot(store) as r:
        await r.mm.wait_for_ws_clients(1)
        await r.mm.ws_emit_posted(r.dm(COR), {"user_id": r.mm.bot_user_id, "message": "help"})
        await r.mm.ws_emit_posted(CHAN, {"user_id": COR, "message": "help"})
        await asyncio.sleep(0.3)
        assert r.bot_posts(r.dm(COR)) == [r.mm.posts(r.dm(COR))[0]] and len(r.mm.posts(CHAN)) == 1


async def test_stop_ends_the_listener_without_reconnecting(store: Store) -> None:
    async with running_bot(store) as r:
        await r.mm.wait_for_ws_clients(1)
        await r.connector.stop()
        assert r.connector._listener is not None and r.connector._listener.done()
        await asyncio.sleep(0.3)
        assert r.mm.hub.authenticated() == [] and r.mm.hub.auth_count == 1


async def test_a_long_answer_is_split_over_posts_never_cut(store: Store) -> None:
    from bot.messages import Button, text
    from bot.platforms.mattermost.render import POST_LIMIT

    async with running_bot(store) as r:
        lines = [f"regel {i}: " + "x" * 80 for i in range(400)]  # about 36,000 characters
        ref = await r.connector.platform.post(CHAN, text("\n".join(lines), buttons=(Button("a:b", "Klik", "t|v"),)))
        posts = r.bot_posts(CHAN)
        assert len(posts) >= 3 and all(len(p["message"]) <= POST_LIMIT for p in posts)
        assert "\n".join(p["message"] for p in posts).split("\n") == lines
        assert posts[-1]["id"] == ref.id and posts[-1]["props"]["attachments"]  # buttons on the last part
        response = await r.command(COR, "help")
        assert response.status == 200


async def test_an_admin_names_people_by_their_mattermost_username(store: Store) -> None:
    async with running_bot(store) as r:
        r.mm.add_user("dewi0000000000000000000000", "dewi", locale="nl")
        response = await r.command(ANNA, "members add @dewi")
        assert response.status == 200
        assert "dewi0000000000000000000000" in (r.bot.teams["noord"].configured_members or ())
        unknown = await r.command(ANNA, "leaders add @nobody")
        assert unknown.status == 200 and "nobody" in unknown.json["text"]
        assert not r.bot.teams["noord"].is_leader("nobody")
