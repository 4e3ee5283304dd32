"""The fake Mattermost server's websocket and the integration requests it sends the bot
(its REST half: tests/test_fake_mattermost_api.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import websockets
from aiohttp import web

# The repo root is not on sys.path under the `pytest` entry point (no pythonpath setting).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.mattermost_api import FakeMattermost  # noqa: E402
from tests.test_fake_mattermost_api import ALICE, CHAN, TEAM, make_driver, run  # noqa: E402


async def test_websocket_challenge_hello_and_posted_event(mm: FakeMattermost) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{mm.port}/api/v4/websocket") as ws:
        await ws.send(
            json.dumps(
                {"seq": 1, "action": "authentication_challenge", "data": {"token": mm.bot_token}}
            )
        )
        assert json.loads(await ws.recv()) == {"status": "OK", "seq_reply": 1}
        hello = json.loads(await ws.recv())
        assert hello["event"] == "hello" and hello["seq"] == 0
        assert hello["broadcast"]["user_id"] == mm.bot_user_id and hello["data"]["server_version"]
        dm = mm.add_direct_channel(ALICE, mm.bot_user_id)
        post = await mm.ws_emit_posted(dm["id"], {"user_id": ALICE, "message": "hi bot"})
        event = json.loads(await ws.recv())
        assert event["event"] == "posted" and event["seq"] == 1
        assert event["data"]["channel_type"] == "D" and event["data"]["sender_name"] == "@alice"
        assert isinstance(event["data"]["post"], str)
        assert json.loads(event["data"]["post"]) == post and mm.posts(dm["id"]) == [post]
        await ws.send(json.dumps({"seq": 2, "action": "user_typing", "data": {}}))
        assert json.loads(await ws.recv()) == {"status": "OK", "seq_reply": 2}


async def test_websocket_wrong_token_is_dropped(mm: FakeMattermost) -> None:
    async with websockets.connect(f"ws://127.0.0.1:{mm.port}/api/v4/websocket") as ws:
        await ws.send(
            json.dumps({"seq": 1, "action": "authentication_challenge", "data": {"token": "nope"}})
        )
        with pytest.raises(websockets.ConnectionClosedError):
            await ws.recv()
    assert mm.hub.auth_failures == 1 and mm.hub.auth_count == 0


async def test_rest_posts_are_echoed_to_the_bots_own_websocket(mm: FakeMattermost) -> None:
    async with websockets.connect(
        f"ws://127.0.0.1:{mm.port}/api/v4/websocket",
        additional_headers={"Authorization": f"Bearer {mm.bot_token}"},
    ) as ws:
        assert json.loads(await ws.recv())["event"] == "hello"
        await run(
            make_driver(mm), lambda d: d.posts.create_post({"channel_id": CHAN, "message": "x"})
        )
        event = json.loads(await ws.recv())
        assert event["event"] == "posted"
        assert json.loads(event["data"]["post"])["user_id"] == mm.bot_user_id


async def test_integration_requests_reach_the_bot_as_mattermost_sends_them(
    mm: FakeMattermost,
) -> None:
    got: list[tuple[str, Any, Any]] = []

    async def command(request: web.Request) -> web.Response:
        got.append(("command", dict(await request.post()), request.headers.get("Authorization")))
        return web.json_response({"response_type": "in_channel", "text": "Ritual started"})

    async def action(request: web.Request) -> web.Response:
        got.append(("action", await request.json(), None))
        return web.json_response({"update": {"message": "Thanks!"}, "ephemeral_text": "noted"})

    async def dialog(request: web.Request) -> web.Response:
        got.append(("dialog", await request.json(), None))
        return web.json_response({"errors": {"success": "too short"}})

    app = web.Application()
    app.router.add_post("/command", command)
    app.router.add_post("/action", action)
    app.router.add_post("/dialog", dialog)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    bot = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        form = mm.slash_command_form(
            "cmdtoken", text="start retro", user_id=ALICE, channel_id=CHAN, team_id=TEAM
        )
        resp = await mm.send_slash_command(f"{bot}/command", form)
        assert resp.status == 200
        kind, sent, auth = got[0]
        assert auth == "Token cmdtoken" and sent["command"] == "/ritual"
        assert sent["user_name"] == "alice" and sent["text"] == "start retro"
        assert sent["response_url"].startswith(mm.url) and sent["trigger_id"]
        assert mm.posts(CHAN)[-1]["message"] == "Ritual started"

        post = await mm.ws_emit_posted(CHAN, {"user_id": ALICE, "message": "click me"})
        body = mm.action_callback_body(
            user_id=ALICE,
            channel_id=CHAN,
            post_id=post["id"],
            team_id=TEAM,
            context={"ritual": "retro"},
        )
        await mm.send_action(f"{bot}/action", body)
        assert got[1][1]["context"] == {"ritual": "retro"} and got[1][1]["user_name"] == "alice"
        assert mm.posts(CHAN)[-1]["message"] == "Thanks!"
        assert mm.ephemeral_posts[-1]["message"] == "noted"

        sub = mm.dialog_submission_body(
            callback_id="retro",
            state="s1",
            user_id=ALICE,
            channel_id=CHAN,
            team_id=TEAM,
            submission={"success": "x"},
        )
        resp = await mm.send_dialog_submission(f"{bot}/dialog", sub)
        assert resp.json == {"errors": {"success": "too short"}}
        assert got[2][1]["type"] == "dialog_submission" and got[2][1]["submission"] == {
            "success": "x"
        }
        cancel = mm.dialog_submission_body(
            callback_id="retro",
            state="s1",
            user_id=ALICE,
            channel_id=CHAN,
            team_id=TEAM,
            submission={},
            cancelled=True,
        )
        assert cancel["cancelled"] is True and cancel["submission"] is None

        async with aiohttp.ClientSession() as s:  # a delayed answer on the response_url
            async with s.post(
                sent["response_url"], json={"text": "later", "response_type": "in_channel"}
            ) as r:
                assert r.status == 200
        assert mm.posts(CHAN)[-1]["message"] == "later"
    finally:
        await runner.cleanup()
