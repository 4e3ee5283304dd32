"""The Slack fake's Socket Mode and signed HTTP requests, driven only through the real
slack_sdk / slack-bolt clients (the Web API half: tests/test_fake_slack_api.py)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

# The repo root is not on sys.path under the `pytest` entry point (no pythonpath setting).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes.slack_api import (  # noqa: E402
    FakeSlack,
    app_home_opened_event,
    event_callback,
    sign_request,
    slash_command_body,
    view_submission_payload,
    wait_until,
)
from tests.test_fake_slack_api import CH, MODAL, client_for  # noqa: E402


async def test_socket_mode_hello_envelope_ack_and_reconnect(slack: FakeSlack) -> None:
    web = client_for(slack, token=None)
    sm = SocketModeClient(app_token="xapp-test-token", web_client=web, ping_interval=1)
    seen: list[SocketModeRequest] = []

    async def on_request(client: SocketModeClient, req: SocketModeRequest) -> None:
        seen.append(req)
        payload = {"text": "ack body"} if req.accepts_response_payload else None
        await client.send_socket_mode_response(SocketModeResponse(req.envelope_id, payload))

    sm.socket_mode_request_listeners.append(on_request)
    hello: list[dict] = []
    sm.message_listeners.append(lambda _c, msg, _raw: _record(hello, msg))
    try:
        await sm.connect()
        await slack.socket_wait_connected()
        command = slack.slash_command_payload(text="status", user_id="U0ALICE001", channel_id=CH)
        ack = await asyncio.wait_for(await slack.socket_send_envelope("slash_commands", command), 3)
        assert ack["payload"] == {"text": "ack body"}
        assert seen[0].type == "slash_commands" and seen[0].payload["text"] == "status"
        event = event_callback(app_home_opened_event(user_id="U0ALICE001"))
        ack = await asyncio.wait_for(await slack.socket_send_envelope("events_api", event), 3)
        assert "payload" not in ack and seen[1].retry_attempt == 0
        await slack.socket_disconnect()
        await slack.socket_wait_connected(hellos=2)
        fut = await slack.socket_send_envelope("events_api", event)
        ack = await asyncio.wait_for(fut, 3)
        assert ack["envelope_id"] == slack.socket.envelopes[-1]["envelope_id"]
        assert [c.method for c in slack.calls].count("apps.connections.open") == 2
        await slack.socket_drop()  # no notice: the SDK reconnects on the CLOSE frame
        await slack.socket_wait_connected(hellos=3)
        ack = await asyncio.wait_for(await slack.socket_send_envelope("events_api", event), 3)
        assert ack["envelope_id"] == slack.socket.envelopes[-1]["envelope_id"]
        await wait_until(lambda: len(hello) >= 3, 2, "hello messages")
        assert hello[0]["connection_info"]["app_id"] == command["api_app_id"]
    finally:
        await sm.close()


async def _record(into: list[dict], msg: dict) -> None:
    if msg.get("type") == "hello":
        into.append(msg)


# ------------------------------------------------------------------ HTTP mode helpers


async def test_signature_helper_matches_slack_sdk_verifier() -> None:
    body = slash_command_body(text="optin", user_id="U0ALICE001")
    now = int(time.time())
    headers = sign_request("s3cret", body, now)
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + "&x=1", headers)
    assert parse_qs(body)["command"] == ["/ritual"]


async def test_bolt_http_mode_with_signed_slash_command(slack: FakeSlack) -> None:
    """A real bolt AsyncApp: signed request in, respond() and views.open out to the fake."""
    from slack_bolt.async_app import AsyncApp
    from slack_bolt.request.async_request import AsyncBoltRequest

    app = AsyncApp(signing_secret="s3cret", client=client_for(slack))

    @app.command("/ritual")
    async def ritual(ack, body, respond, client) -> None:  # noqa: ANN001
        await ack()
        await respond(text="Ritual started", response_type="in_channel")
        await respond(text="Only you see this")
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    payload = slack.slash_command_payload(text="run weekly", user_id="U0ALICE001", channel_id=CH)
    fields = ("text", "user_id", "channel_id", "trigger_id", "response_url")
    body = slash_command_body(**{k: payload[k] for k in fields})
    headers = sign_request("s3cret", body, int(time.time()),
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    resp = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    assert resp.status == 200
    await wait_until(lambda: len(slack.views) == 1 and len(slack.responses) == 2, 3, "listener")
    assert [m.text for m in slack.messages(CH)] == ["Ritual started"]
    assert [m.text for m in slack.ephemeral(CH, "U0ALICE001")] == ["Only you see this"]
    forged = {**headers, "X-Slack-Signature": "v0=0"}
    assert (await app.async_dispatch(AsyncBoltRequest(body=body, headers=forged))).status == 401


async def test_bolt_socket_mode_routes_the_builders_payloads(slack: FakeSlack) -> None:
    """The production path: bolt AsyncApp + AsyncSocketModeHandler against the fake."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
    from slack_bolt.async_app import AsyncApp

    app = AsyncApp(client=client_for(slack))

    @app.command("/ritual")
    async def command(ack, respond, command) -> None:  # noqa: ANN001
        await ack(f"running {command['text']}")

    @app.action("optin")
    async def optin(ack, body, respond) -> None:  # noqa: ANN001
        await ack()
        await respond(replace_original=True, text=f"{body['user']['id']} opted in")

    @app.view("ritual_answer")
    async def answer(ack, view) -> None:  # noqa: ANN001
        text = view["state"]["values"]["success"]["text"]["value"]
        if not text:
            await ack(response_action="errors", errors={"success": "Please write something"})
            return
        await ack()

    @app.event("app_home_opened")
    async def home(event, client) -> None:  # noqa: ANN001
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    handler = AsyncSocketModeHandler(app, "xapp-test-token")
    await handler.connect_async()
    try:
        await slack.socket_wait_connected()

        async def send(type_: str, payload: dict) -> dict:
            return await asyncio.wait_for(await slack.socket_send_envelope(type_, payload), 3)

        cmd = slack.slash_command_payload(text="status", user_id="U0ALICE001", channel_id=CH)
        assert (await send("slash_commands", cmd))["payload"] == {"text": "running status"}

        posted = await client_for(slack).chat_postMessage(channel=CH, text="Join this week?")
        click = slack.block_actions_payload(
            action_id="optin", value="yes", user_id="U0BOB00001", channel_id=CH,
            message=posted["message"],
        )  # fmt: skip
        assert "payload" not in await send("interactive", click)
        await wait_until(lambda: slack.messages(CH)[0].text == "U0BOB00001 opted in", 3, "respond")

        blank = {"success": {"text": ""}}
        submit = view_submission_payload(callback_id="ritual_answer", values=blank)
        ack = await send("interactive", submit)
        errors = {"success": "Please write something"}
        assert ack["payload"] == {"response_action": "errors", "errors": errors}
        filled = {"success": {"text": "Shipped"}}
        ok = view_submission_payload(callback_id="ritual_answer", values=filled)
        assert "payload" not in await send("interactive", ok)

        await send("events_api", event_callback(app_home_opened_event(user_id="U0CAROL001")))
        await wait_until(lambda: "U0CAROL001" in slack.home_views, 3, "home tab")
    finally:
        await handler.close_async()
