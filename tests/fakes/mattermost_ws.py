"""The websocket of the Mattermost fake: what the server pushes to the bot.

``mattermost_api`` serves what the bot *calls* (REST); this module holds what the
server *sends* over the websocket, and puts together ``IntegrationPushMixin``: these
websocket events, the dialogs of ``mattermost_dialogs`` and the integration traffic of
``mattermost_integrations`` (slash-command / button / dialog-submission POSTs,
response URLs). The shared primitives of ``mattermost_kit`` stay importable from here.

The websocket mirrors what the real server does on the wire, because the connection layer
is tested against it: authentication by challenge (``{"status": "OK", "seq_reply": n}``
followed by a ``hello`` event with ``seq`` 0), a per-connection event ``seq`` counter,
``data.post`` carried as a JSON *string*, and an abrupt close (no close frame, like
gorilla's ``Close()``) when the challenge token is wrong.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .mattermost_dialogs import DATA_SOURCES as DATA_SOURCES
from .mattermost_dialogs import ELEMENT_TYPES as ELEMENT_TYPES
from .mattermost_dialogs import TEXT_SUBTYPES as TEXT_SUBTYPES
from .mattermost_dialogs import DialogsMixin
from .mattermost_dialogs import validate_dialog as validate_dialog
from .mattermost_integrations import RETAINED_PROPS as RETAINED_PROPS
from .mattermost_integrations import IntegrationCallsMixin
from .mattermost_integrations import IntegrationResponse as IntegrationResponse
from .mattermost_kit import RECORD as RECORD
from .mattermost_kit import USER as USER
from .mattermost_kit import ApiError as ApiError
from .mattermost_kit import _Key as _Key
from .mattermost_kit import bad_body as bad_body
from .mattermost_kit import forbidden as forbidden
from .mattermost_kit import json_response as json_response
from .mattermost_kit import new_id as new_id
from .mattermost_kit import now_ms as now_ms

if TYPE_CHECKING:
    from .mattermost_api import FakeMattermost

SERVER_VERSION = "10.5.0.12345.fakehash.false"


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


class WebsocketEventsMixin:
    """Websocket events tests push, and the ``posted`` event a new post makes; mixed into
    FakeMattermost, relying on its model (users, channels) and its ``hub``."""

    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    hub: WebsocketHub
    _store_post: Callable[[dict[str, Any], str], dict[str, Any]]

    async def drop_websockets(self, *, abrupt: bool = True) -> int:
        return await self.hub.drop(abrupt=abrupt)

    async def wait_for_ws_clients(self, count: int = 1, timeout: float = 5.0) -> None:
        await self.hub.wait_for_clients(count, timeout)

    async def ws_emit(self, event: str, data: dict[str, Any], **broadcast: str) -> int:
        return await self.hub.broadcast(event, data, **broadcast)

    async def ws_emit_posted(self, channel_id: str, post: dict[str, Any], *,
                             channel_type: str | None = None, sender_name: str | None = None,
                             mentions: list[str] | None = None) -> dict[str, Any]:
        """A user posts ``post`` (needs ``user_id``); stored and pushed as ``posted``."""
        if channel_id not in self.channels:
            raise KeyError(f"unknown channel {channel_id}; seed it with add_channel or "
                           "add_direct_channel")
        full = self._store_post({**post, "channel_id": channel_id}, post["user_id"])
        await self._emit_posted(full, channel_type=channel_type, sender_name=sender_name,
                                mentions=mentions)
        return full

    async def _emit_posted(self, post: dict[str, Any], *, channel_type: str | None = None,
                           sender_name: str | None = None,
                           mentions: list[str] | None = None) -> None:
        chan = dict(self.channels[post["channel_id"]])
        if channel_type:
            chan["type"] = channel_type
        sender = sender_name or "@" + self.users.get(post["user_id"], {}).get("username", "unknown")
        await self.hub.broadcast("posted", posted_event_data(post, channel=chan, sender_name=sender,
                                                             mentions=mentions),
                                 channel_id=post["channel_id"])


class IntegrationPushMixin(WebsocketEventsMixin, DialogsMixin, IntegrationCallsMixin):
    """Websocket events, trigger ids, dialogs and the integration POSTs Mattermost sends
    to the bot (slash commands, button clicks, dialog submissions, response URLs).

    Mixed into FakeMattermost; relies on its model (users, channels, posts).
    """
