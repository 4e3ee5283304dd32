"""Websocket half of the fake Mattermost server (``/api/v4/websocket``).

Mirrors what the real server does on the wire, because the bot's connection layer
is tested against it: authentication by challenge (``{"status": "OK", "seq_reply": n}``
followed by a ``hello`` event with ``seq`` 0), a per-connection event ``seq`` counter,
``data.post`` carried as a JSON *string*, and an abrupt close (no close frame, like
gorilla's ``Close()``) when the challenge token is wrong.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from .mattermost_api import FakeMattermost

# Typed request-storage keys (aiohttp >= 3.12 warns about plain string keys).
_Key = getattr(web, "RequestKey", None)
RECORD: Any = _Key("record", object) if _Key else "record"
USER: Any = _Key("user_id", str) if _Key else "user_id"

SERVER_VERSION = "10.5.0.12345.fakehash.false"
RETAINED_PROPS = ("from_webhook", "override_username", "override_icon_url")


@dataclass
class IntegrationResponse:
    """What the bot's integration endpoint answered to a Mattermost-originated request."""

    status: int
    text: str
    json: Any = None


@dataclass
class WsConnection:
    """One client websocket as the server sees it."""

    ws: web.WebSocketResponse
    transport: asyncio.BaseTransport | None
    user_id: str | None = None
    seq: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


class WebsocketHub:
    """Tracks client websockets and broadcasts events the way the server does."""

    def __init__(self, server: FakeMattermost, *, hello_before_ok: bool = False) -> None:
        self._server = server
        self.hello_before_ok = hello_before_ok
        self.connections: list[WsConnection] = []
        self.auth_count = 0
        self.auth_failures = 0
        self.sent_events: list[dict[str, Any]] = []

    # -- server side -------------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = WsConnection(ws=ws, transport=request.transport)
        self.connections.append(conn)
        try:
            # The real server also accepts a normal Authorization header on the upgrade.
            header_user = self._server.user_for_auth_header(request.headers.get("Authorization"))
            if header_user is not None:
                conn.user_id = header_user
                self.auth_count += 1
                await self._send_event(conn, "hello", {"server_version": SERVER_VERSION})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                await self._on_client_message(conn, msg.data)
        finally:
            if conn in self.connections:
                self.connections.remove(conn)
        return ws

    async def _on_client_message(self, conn: WsConnection, raw: str) -> None:
        try:
            req = json.loads(raw)
        except ValueError:
            return
        conn.received.append(req)
        seq = req.get("seq", 0)
        action = req.get("action")
        if action == "authentication_challenge":
            if conn.authenticated:
                return  # the server silently ignores a second challenge
            token = (req.get("data") or {}).get("token", "")
            user_id = self._server.user_for_token(token)
            if user_id is None:
                self.auth_failures += 1
                self._abort(conn)  # no FAIL reply, no close frame: just gone
                return
            conn.user_id = user_id
            self.auth_count += 1
            ok = {"status": "OK", "seq_reply": seq}
            if self.hello_before_ok:
                await self._send_event(conn, "hello", {"server_version": SERVER_VERSION})
                await conn.ws.send_str(json.dumps(ok))
            else:
                await conn.ws.send_str(json.dumps(ok))
                await self._send_event(conn, "hello", {"server_version": SERVER_VERSION})
            return
        if not conn.authenticated:
            await conn.ws.send_str(json.dumps({
                "status": "FAIL", "seq_reply": seq,
                "error": {"id": "api.web_socket_router.not_authenticated.app_error",
                          "message": "No websocket session, please login again."},
            }))
            return
        await conn.ws.send_str(json.dumps({"status": "OK", "seq_reply": seq}))

    async def _send_event(self, conn: WsConnection, event: str, data: dict[str, Any],
                          broadcast: dict[str, Any] | None = None) -> None:
        payload = {
            "event": event,
            "data": data,
            "broadcast": {"omit_users": None, "user_id": conn.user_id if event == "hello" else "",
                          "channel_id": "", "team_id": "", "connection_id": "",
                          "omit_connection_id": "", **(broadcast or {})},
            "seq": conn.seq,
        }
        conn.seq += 1
        self.sent_events.append(payload)
        try:
            await conn.ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError):
            pass  # client already gone; the real server drops the event as well

    @staticmethod
    def _abort(conn: WsConnection) -> None:
        if conn.transport is not None:
            conn.transport.abort()

    # -- test-facing -------------------------------------------------------------
    def authenticated(self) -> list[WsConnection]:
        return [c for c in self.connections if c.authenticated and not c.ws.closed]

    async def broadcast(self, event: str, data: dict[str, Any], *, channel_id: str = "",
                        user_id: str = "", team_id: str = "") -> int:
        """Send an event to every authenticated socket allowed to see it; returns count."""
        sent = 0
        for conn in list(self.authenticated()):
            if user_id and conn.user_id != user_id:
                continue
            if channel_id and not self._server.is_member(channel_id, conn.user_id or ""):
                continue
            await self._send_event(conn, event, dict(data), {
                "channel_id": channel_id, "user_id": user_id, "team_id": team_id})
            sent += 1
        return sent

    async def drop(self, *, abrupt: bool = True) -> int:
        """Kill every client socket: TCP abort (abrupt) or a 1001 'going away' close."""
        conns = list(self.connections)
        self.connections.clear()
        for conn in conns:
            if abrupt:
                self._abort(conn)
            else:
                await conn.ws.close(code=1001, message=b"server shutting down")
        return len(conns)

    async def wait_for_clients(self, count: int = 1, timeout: float = 5.0) -> None:
        """Block until ``count`` sockets have authenticated (reconnect tests need this)."""
        deadline = time.monotonic() + timeout
        while len(self.authenticated()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(self.authenticated())} authenticated websockets, wanted {count}")
            await asyncio.sleep(0.01)


def posted_event_data(post: dict[str, Any], *, channel: dict[str, Any], sender_name: str,
                      mentions: list[str] | None = None) -> dict[str, Any]:
    """The ``data`` of a ``posted`` event; ``post`` is JSON-encoded as the server does."""
    data: dict[str, Any] = {
        "channel_display_name": channel.get("display_name", ""),
        "channel_name": channel.get("name", ""),
        "channel_type": channel.get("type", "O"),
        "post": json.dumps(post),
        "sender_name": sender_name,
        "set_online": True,
        "team_id": channel.get("team_id", ""),
    }
    if mentions:
        data["mentions"] = json.dumps(mentions)
    return data


class IntegrationPushMixin:
    """What Mattermost sends *to* the bot over HTTP: slash commands, button clicks,
    dialog submissions, plus the ``response_url`` the bot may answer on later.

    Mixed into FakeMattermost; relies on its model (users, channels, posts).
    """

    url: str
    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    all_posts: dict[str, dict[str, Any]]
    ephemeral_posts: list[dict[str, Any]]
    _response_urls: dict[str, tuple[str, str]]
    new_trigger_id: Callable[[str], str]
    _store_post: Callable[[dict[str, Any], str], dict[str, Any]]
    _emit_posted: Callable[..., Awaitable[None]]
    _edited: Callable[[dict[str, Any], dict[str, Any]], Awaitable[dict[str, Any]]]

    async def _command_response_url(self, request: web.Request) -> web.Response:
        target = self._response_urls.get(request.match_info["hook_id"])
        body = request[RECORD].body
        if target is None or not isinstance(body, dict):
            return web.Response(status=400, headers={"Content-Type": "application/json"}, text=json.dumps(
                {"id": "web.command_webhook.invalid.app_error", "message": "Invalid webhook.",
                 "detailed_error": "", "request_id": "", "status_code": 400}))
        await self._apply_command_response(body, *target)
        return web.Response(text="ok", headers={"Content-Type": "text/plain"})

    async def _apply_command_response(self, body: dict[str, Any], channel_id: str, user_id: str) -> None:
        props = dict(body.get("props") or {})
        if body.get("attachments"):
            props["attachments"] = body["attachments"]
        if not body.get("text") and not props:
            return
        if body.get("response_type") == "in_channel":
            post = self._store_post({"channel_id": channel_id, "message": body.get("text", ""),
                                     "props": {**props, "from_webhook": "true"}}, user_id)
            await self._emit_posted(post)
        else:  # Mattermost's default response_type is ephemeral
            self.ephemeral_posts.append({"channel_id": channel_id, "to_user_id": user_id,
                                         "message": body.get("text", ""), "props": props,
                                         "type": "system_ephemeral"})

    # -- requests Mattermost sends to integrations ----------------------------------
    def slash_command_form(self, token: str, *, command: str = "/ritual", text: str = "",
                           user_id: str, user_name: str | None = None, channel_id: str,
                           team_id: str = "", trigger_id: str | None = None,
                           response_url: str | None = None, channel_name: str | None = None,
                           team_domain: str = "team") -> dict[str, str]:
        """Form fields of the outgoing slash-command POST (app/command.go)."""
        if response_url is None:
            hook = uuid.uuid4().hex[:26]
            self._response_urls[hook] = (channel_id, user_id)
            response_url = f"{self.url}/hooks/commands/{hook}"
        return {"channel_id": channel_id,
                "channel_name": channel_name or self.channels.get(channel_id, {}).get("name", ""),
                "command": command, "response_url": response_url, "team_domain": team_domain,
                "team_id": team_id, "text": text, "token": token,
                "trigger_id": trigger_id or self.new_trigger_id(user_id), "user_id": user_id,
                "user_name": user_name or self.users.get(user_id, {}).get("username", "")}

    def action_callback_body(self, *, user_id: str, user_name: str | None = None, channel_id: str,
                             post_id: str, team_id: str = "", trigger_id: str | None = None,
                             context: dict[str, Any] | None = None, action_type: str = "",
                             team_domain: str = "team") -> dict[str, Any]:
        """JSON the server POSTs to a button's integration URL (PostActionIntegrationRequest)."""
        body: dict[str, Any] = {
            "user_id": user_id, "user_name": user_name or self.users.get(user_id, {}).get("username", ""),
            "channel_id": channel_id, "channel_name": self.channels.get(channel_id, {}).get("name", ""),
            "team_id": team_id, "team_domain": team_domain, "post_id": post_id,
            "trigger_id": trigger_id or self.new_trigger_id(user_id), "type": action_type,
            "data_source": ""}
        if context:
            body["context"] = context
        return body

    def dialog_submission_body(self, *, callback_id: str, state: str, user_id: str, channel_id: str,
                               team_id: str, submission: dict[str, Any] | None,
                               cancelled: bool = False) -> dict[str, Any]:
        """JSON the server POSTs to a dialog's url (SubmitDialogRequest; url stripped)."""
        return {"type": "dialog_submission", "callback_id": callback_id, "state": state,
                "user_id": user_id, "channel_id": channel_id, "team_id": team_id,
                "submission": None if cancelled else submission, "cancelled": cancelled}

    async def send_slash_command(self, url: str, form: dict[str, str], *,
                                 apply_response: bool = True) -> IntegrationResponse:
        headers = {"Accept": "application/json", "Authorization": f"Token {form['token']}"}
        resp = await self._outbound(url, data=form, headers=headers)
        if apply_response and resp.status == 200 and isinstance(resp.json, dict):
            await self._apply_command_response(resp.json, form["channel_id"], form["user_id"])
        return resp

    async def send_action(self, url: str, body: dict[str, Any], *,
                          apply_response: bool = True) -> IntegrationResponse:
        """POST a button click; like the server, apply ``update`` / ``ephemeral_text``."""
        resp = await self._outbound(url, json_body=body)
        if apply_response and resp.status == 200 and isinstance(resp.json, dict):
            update, post = resp.json.get("update"), self.all_posts.get(body["post_id"])
            if isinstance(update, dict) and post is not None:
                kept = {k: v for k, v in post["props"].items() if k in RETAINED_PROPS}
                await self._edited(post, {"message": update.get("message", ""),
                                          "props": {**(update.get("props") or {}), **kept}})
            if resp.json.get("ephemeral_text"):
                self.ephemeral_posts.append({"channel_id": body["channel_id"],
                                             "to_user_id": body["user_id"],
                                             "message": resp.json["ephemeral_text"],
                                             "type": "system_ephemeral", "props": {}})
        return resp

    async def send_dialog_submission(self, url: str, body: dict[str, Any]) -> IntegrationResponse:
        return await self._outbound(url, json_body=body)

    async def _outbound(self, url: str, *, data: dict[str, str] | None = None,
                        json_body: Any = None, headers: dict[str, str] | None = None
                        ) -> IntegrationResponse:
        timeout = aiohttp.ClientTimeout(total=30)  # OutgoingIntegrationRequestsTimeout default
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(url, data=data, json=json_body, headers=headers) as resp:
                text = await resp.text()
                try:
                    parsed = json.loads(text) if text else None
                except ValueError:
                    parsed = None
                return IntegrationResponse(resp.status, text, parsed)
