"""The "Mattermost pushes to the bot" half of the fake server, plus shared primitives.

``mattermost_api`` serves what the bot *calls* (REST); this module holds what the
server *sends*: websocket events and the integration traffic around them (trigger
ids, dialogs, slash-command / button / dialog-submission POSTs, response URLs).

The websocket mirrors what the real server does on the wire, because the connection layer
is tested against it: authentication by challenge (``{"status": "OK", "seq_reply": n}``
followed by a ``hello`` event with ``seq`` 0), a per-connection event ``seq`` counter,
``data.post`` carried as a JSON *string*, and an abrupt close (no close frame, like
gorilla's ``Close()``) when the challenge token is wrong.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
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

ELEMENT_TYPES = {"text", "textarea", "select", "bool", "radio", "date", "datetime"}
TEXT_SUBTYPES = {"", "text", "email", "number", "tel", "url", "password"}
DATA_SOURCES = {None, "", "users", "channels", "dynamic"}


def new_id(seed: str | None = None) -> str:
    """A 26-char Mattermost-style id; deterministic when ``seed`` is given."""
    raw = hashlib.sha256(seed.encode()).digest()[:16] if seed else uuid.uuid4().bytes
    return base64.b32encode(raw).decode().lower().rstrip("=")


def now_ms() -> int:
    return int(time.time() * 1000)


class ApiError(Exception):
    """Raised inside handlers; rendered as Mattermost's AppError JSON body."""

    def __init__(self, status: int, err_id: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.status, self.err_id, self.message, self.detail = status, err_id, message, detail

    def body(self) -> dict[str, Any]:
        return {"id": self.err_id, "message": self.message, "detailed_error": self.detail,
                "request_id": new_id(), "status_code": self.status}


def bad_body(name: str) -> ApiError:
    return ApiError(400, "api.context.invalid_body_param.app_error",
                    f"Invalid or missing {name} in request body.")


def forbidden(perm: str) -> ApiError:
    return ApiError(403, "api.context.permissions.app_error",
                    "You do not have the appropriate permissions.", f"missing permission {perm}")


def json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": mattermostdriver's Client.get compares it verbatim.
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})


def validate_dialog(dialog: Any) -> list[str]:
    """Problems the server's ``Dialog.IsValid`` would report (model/integration_action.go)."""
    if not isinstance(dialog, dict):
        return ["dialog must be an object"]
    errs: list[str] = []
    title = dialog.get("title") or ""
    if not title or len(title) > 24:
        errs.append(f"invalid dialog title {title!r} (1..24 chars)")
    elements = dialog.get("elements") or []
    if not isinstance(elements, list):
        return errs + ["elements must be a list"]
    seen: set[str] = set()
    for el in elements:
        if not isinstance(el, dict):
            errs.append("element must be an object")
            continue
        name, typ = el.get("name") or "", el.get("type")
        if name in seen:
            errs.append(f"duplicate dialog element {name!r}")
        seen.add(name)
        for key, limit in (("display_name", 24), ("name", 300), ("help_text", 150)):
            val = el.get(key) or ""
            if key != "help_text" and not val:
                errs.append(f"{name!r}: {key} cannot be empty")
            if len(val) > limit:
                errs.append(f"{name!r}: {key} longer than {limit}")
        if typ not in ELEMENT_TYPES:
            errs.append(f"{name!r}: invalid element type {typ!r}")
        if typ in ("text", "textarea") and el.get("subtype", "") not in TEXT_SUBTYPES:
            errs.append(f"{name!r}: invalid subtype {el.get('subtype')!r}")
        limit = {"text": 150, "textarea": 3000, "select": 3000}.get(typ or "")
        if limit and len(el.get("default") or "") > limit:
            errs.append(f"{name!r}: default longer than {limit}")
        min_len, max_len = el.get("min_length") or 0, el.get("max_length") or 0
        if min_len < 0 or min_len > max_len:
            errs.append(f"{name!r}: min_length must be 0..max_length")
        values = {o.get("value") for o in el.get("options") or [] if isinstance(o, dict)}
        if typ == "select" and el.get("data_source") not in DATA_SOURCES:
            errs.append(f"{name!r}: invalid data source {el.get('data_source')!r}")
        if typ in ("select", "radio") and not el.get("data_source") and el.get("default") \
                and el["default"] not in values:
            errs.append(f"{name!r}: default {el['default']!r} not in options")
        if typ == "bool" and el.get("default") not in (None, "", "true", "false"):
            errs.append(f"{name!r}: invalid default of bool")
    return errs

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
    """Websocket events, trigger ids, dialogs and the integration POSTs Mattermost sends
    to the bot (slash commands, button clicks, dialog submissions, response URLs).

    Mixed into FakeMattermost; relies on its model (users, channels, posts).
    """

    url: str
    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    all_posts: dict[str, dict[str, Any]]
    ephemeral_posts: list[dict[str, Any]]
    _response_urls: dict[str, tuple[str, str]]
    _store_post: Callable[[dict[str, Any], str], dict[str, Any]]
    _edited: Callable[[dict[str, Any], dict[str, Any]], Awaitable[dict[str, Any]]]
    hub: WebsocketHub
    trigger_ttl: float
    strict_dialogs: bool
    max_dialog_elements: int | None
    dialogs: list[dict[str, Any]]
    dialog_warnings: list[str]
    _triggers: dict[str, tuple[str, float]]
    _body: Callable[[web.Request, type, str], Any]

    def new_trigger_id(self, user_id: str) -> str:
        """Mint a trigger id, as the server does when a user runs a command or clicks."""
        data = f"{new_id()}:{user_id}:{now_ms()}:"
        sig = base64.b64encode(hashlib.sha256(data.encode()).digest()).decode()
        trigger = base64.b64encode((data + sig).encode()).decode()
        self._triggers[trigger] = (user_id, time.monotonic())
        return trigger

    # -- websocket events --------------------------------------------------------
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

    async def _open_dialog(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "dialog")
        if not data.get("url"):
            raise bad_body("url")
        trigger = data.get("trigger_id") or ""
        issued = self._triggers.pop(trigger, None)
        if issued is None:
            raise ApiError(400, "interactive_message.decode_trigger_id.verify_signature_failed",
                           "Unable to verify signature for trigger ID (unknown or already used).")
        user_id, minted = issued
        if time.monotonic() - minted > self.trigger_ttl:
            raise ApiError(400, "interactive_message.decode_trigger_id.expired",
                           f"Trigger ID for interactive dialog is expired. Maximum time for "
                           f"Trigger ID is {self.trigger_ttl}s.")
        problems = validate_dialog(data.get("dialog"))
        elements = (data.get("dialog") or {}).get("elements") or []
        if self.max_dialog_elements is not None and len(elements) > self.max_dialog_elements:
            problems.append(f"more than {self.max_dialog_elements} elements")
        if problems:
            self.dialog_warnings.extend(problems)
            if self.strict_dialogs:
                raise ApiError(400, "model.dialog.is_valid.app_error",
                               "Interactive dialog is invalid: " + "; ".join(problems))
        self.dialogs.append({"user_id": user_id, "url": data["url"], "dialog": data["dialog"]})
        await self.hub.broadcast("open_dialog", {"dialog": json.dumps(data)}, user_id=user_id)
        return json_response({"status": "OK"})


    async def _command_response_url(self, request: web.Request) -> web.Response:
        target = self._response_urls.get(request.match_info["hook_id"])
        body = request[RECORD].body
        if target is None or not isinstance(body, dict):
            raise ApiError(400, "web.command_webhook.invalid.app_error", "Invalid webhook.")
        await self._apply_command_response(body, *target)
        return web.Response(text="ok", headers={"Content-Type": "text/plain"})

    async def _apply_command_response(self, body: dict[str, Any], channel_id: str,
                                      user_id: str) -> None:
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
            hook = new_id()
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
            "user_id": user_id,
            "user_name": user_name or self.users.get(user_id, {}).get("username", ""),
            "channel_id": channel_id,
            "channel_name": self.channels.get(channel_id, {}).get("name", ""),
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
