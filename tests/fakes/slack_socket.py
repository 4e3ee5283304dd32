"""Payload-level half of the Slack fake: Block Kit rules, payload builders, Socket Mode.

Slack talks to an app in two ways: over a Socket Mode websocket (envelopes the app
acks by ``envelope_id``) or by signed HTTP POSTs to a Request URL. Both carry the
same payloads, so the payload builders live next to the Socket Mode hub. Views are
built by one helper for both directions (views.open answers and view_submission
payloads), and Block Kit is validated here the way the Web API does.
Shapes follow Slack's docs (Socket Mode implementation guide, slash command and
interactivity payload references, the Events API wrapper schema in /work/shared/specs).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import json
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

TEAM_ID = "T0FAKE0001"
TEAM_DOMAIN = "fake-workspace"
APP_ID = "A0FAKEAPP1"
BOT_USER_ID = "U0BOT00001"
BOT_ID = "B0BOT00001"
SOCKET_HOST = "applink-fake-1"


# ---------------------------------------------------------------- Block Kit rules


class SlackError(Exception):
    """A Slack ``{"ok": false, "error": code}`` answer (HTTP 200 unless status is set)."""

    def __init__(self, error: str, messages: list[str] | None = None, status: int = 200):
        super().__init__(error)
        self.error, self.messages, self.status = error, messages, status

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            out["response_metadata"] = {"messages": self.messages}
        return out


def _bad(error: str, msg: str, pointer: str) -> SlackError:
    return SlackError(error, [f"[ERROR] {msg} [json-pointer:{pointer}]"])


def _json_arg(v: Any, error: str) -> Any:
    """Form bodies carry blocks/views as JSON strings; JSON bodies carry them as objects."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            raise SlackError(error) from None
    return v


def validate_blocks(blocks: Any, limit: int = 50, pointer: str = "/blocks") -> list[dict]:
    """The Block Kit limits Slack enforces that a ritual bot can plausibly hit."""
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if len(blocks) > limit:
        raise _bad("invalid_blocks", f"no more than {limit} items allowed", pointer)
    seen: set[str] = set()
    for i, b in enumerate(blocks):
        where = f"{pointer}/{i}"
        if not isinstance(b, dict) or not isinstance(b.get("type"), str):
            raise _bad("invalid_blocks", "missing required field: type", where)
        bid = b.get("block_id")
        if bid is not None:
            if bid in seen or len(str(bid)) > 255:
                raise _bad("invalid_blocks", "invalid or duplicate block_id", f"{where}/block_id")
            seen.add(bid)
        text = b.get("text")
        if b["type"] == "section":
            if text is None and not b.get("fields"):
                raise _bad("invalid_blocks", "must provide text or fields", where)
            if isinstance(text, dict) and len(text.get("text", "")) > 3000:
                raise _bad("invalid_blocks", "must be less than 3001 characters", f"{where}/text")
            if len(b.get("fields") or []) > 10:
                raise _bad("invalid_blocks", "no more than 10 items allowed", f"{where}/fields")
        if b["type"] == "header" and len((text or {}).get("text", "")) > 150:
            raise _bad("invalid_blocks", "must be less than 151 characters", f"{where}/text")
    return blocks


def validate_view(view: Any, kinds: tuple[str, ...]) -> dict[str, Any]:
    """views.open/update/publish checks; failures are ``invalid_arguments`` with messages."""
    bad = "invalid_arguments"
    if not isinstance(view, dict):
        raise _bad(bad, "missing required field: view", "/view")
    if view.get("type") not in kinds:
        raise _bad(bad, f"must be one of {list(kinds)}", "/view/type")
    blocks = view.get("blocks")
    if blocks is None:
        raise _bad(bad, "missing required field: blocks", "/view")
    try:
        validate_blocks(blocks, limit=100, pointer="/view/blocks")
    except SlackError as e:
        raise SlackError(bad, e.messages) from None
    if view["type"] == "modal":
        title = view.get("title")
        if not isinstance(title, dict) or title.get("type") != "plain_text":
            raise _bad(bad, "missing required field: title", "/view")
        if len(title.get("text", "")) > 24:
            raise _bad(bad, "must be less than 25 characters", "/view/title/text")
        if any(b["type"] == "input" for b in blocks) and "submit" not in view:
            raise _bad(bad, "missing required field: submit", "/view")
    if len(view.get("private_metadata", "")) > 3000:
        raise _bad(bad, "must be less than 3001 characters", "/view/private_metadata")
    return view


def view_object(view: dict[str, Any], view_id: str, team_id: str = TEAM_ID) -> dict[str, Any]:
    """A view as Slack returns it (views.* answers) and sends it (view_submission)."""
    return {
        "id": view_id,
        "team_id": team_id,
        "type": view.get("type", "modal"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": view.get("state", {"values": {}}),
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": view.get("title"),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": view.get("external_id", ""),
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }


# ---------------------------------------------------------------- signing (HTTP mode)


def sign_request(
    signing_secret: str,
    body: str | bytes,
    timestamp: int | None = None,
    content_type: str | None = None,
) -> dict[str, str]:
    """Headers Slack adds to every HTTP request: v0 HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(signing_secret.encode(), b"v0:%d:" % ts + raw, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


def new_trigger_id() -> str:
    """A trigger id in Slack's ``12345.98765.abcd2358fdea`` style."""
    return f"{secrets.randbelow(10**13)}.{secrets.randbelow(10**13)}.{secrets.token_hex(16)}"


# ---------------------------------------------------------------- payload builders


def slash_command_payload(
    *,
    command: str = "/ritual",
    text: str = "",
    user_id: str = "U0USER0001",
    user_name: str = "user",
    channel_id: str = "C0CHAN00001",
    channel_name: str = "general",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str = "https://hooks.slack.com/commands/T0FAKE0001/1/x",
) -> dict[str, str]:
    """Slash command fields; Socket Mode sends this dict, HTTP mode form-encodes it."""
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }


def slash_command_body(**kwargs: Any) -> str:
    """The form-encoded HTTP body of a slash command (same args as slash_command_payload)."""
    return urlencode(slash_command_payload(**kwargs))


def _user(user_id: str, team_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def block_actions_payload(
    *,
    action_id: str,
    value: str | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    user_id: str = "U0USER0001",
    channel_id: str | None = "C0CHAN00001",
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str | None = "https://hooks.slack.com/actions/T0FAKE0001/1/x",
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A ``block_actions`` interaction: a button/select in a message (or in a view if given)."""
    action: dict[str, Any] = {
        "type": action_type,
        "action_id": action_id,
        "block_id": block_id,
        "action_ts": f"{time.time():.6f}",
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [action],
        "state": {"values": {}},
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
    else:
        msg = message or {"type": "message", "ts": f"{time.time():.6f}", "text": ""}
        payload["container"] = {
            "type": "message",
            "message_ts": msg["ts"],
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "general"}
        payload["message"] = msg
        payload["response_url"] = response_url
    return payload


def view_submission_payload(
    *,
    callback_id: str,
    values: dict[str, dict[str, Any]] | None = None,
    user_id: str = "U0USER0001",
    view_id: str = "V0VIEW00001",
    private_metadata: str = "",
    title: str = "Ritual",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """A ``view_submission``; plain strings in ``values[block][action]`` become text inputs."""
    state: dict[str, dict[str, Any]] = {}
    for block_id, actions in (values or {}).items():
        state[block_id] = {
            aid: v if isinstance(v, dict) else {"type": "plain_text_input", "value": v}
            for aid, v in actions.items()
        }
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": "fake-verification-token",
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view_object(
            {
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "title": {"type": "plain_text", "text": title, "emoji": True},
                "state": {"values": state},
            },
            view_id,
            team_id,
        ),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def interactive_body(payload: dict[str, Any]) -> str:
    """HTTP mode sends interactions form-encoded as a single ``payload`` JSON field."""
    return urlencode({"payload": json.dumps(payload)})


def app_home_opened_event(
    *, user_id: str, channel_id: str = "D0DMCHAN001", tab: str = "home", view: dict | None = None
) -> dict[str, Any]:
    """The inner ``app_home_opened`` event (wrap it with event_callback)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = view
    return event


def event_callback(
    event: dict[str, Any], *, team_id: str = TEAM_ID, event_id: str | None = None
) -> dict[str, Any]:
    """The Events API wrapper (required keys per slack_common_event_wrapper_schema.json)."""
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
        "event_time": int(time.time()),
        "authed_users": [BOT_USER_ID],
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


# ---------------------------------------------------------------- Socket Mode hub


async def holds(predicate: Callable[[], bool | Awaitable[bool]]) -> bool:
    """A condition's value, awaited when it is a coroutine (one that asks the store)."""
    value = predicate()
    if inspect.isawaitable(value):
        value = await value
    return bool(value)


async def wait_until(predicate: Callable[[], bool | Awaitable[bool]], timeout: float, what: str) -> None:
    """Poll a condition; fakes change state from server tasks, so polling is simplest."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await holds(predicate):
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


class SocketModeHub:
    """Serves the websocket behind apps.connections.open and tracks envelopes and acks."""

    def __init__(self) -> None:
        self._tickets: set[str] = set()
        self._conns: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.hellos = 0
        self.envelopes: list[dict[str, Any]] = []
        self.acks: list[dict[str, Any]] = []
        self.unmatched: list[str] = []  # frames from the app that were not acks of ours

    def issue_ticket(self) -> str:
        """Tickets are single use, like the short-lived URLs Slack hands out."""
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return ticket

    @property
    def connected(self) -> int:
        return sum(1 for ws in self._conns if not ws.closed)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid_ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._conns.append(ws)
        self.hellos += 1
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": self.connected,
                "debug_info": {
                    "host": SOCKET_HOST,
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": APP_ID},
            }
        )
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    self._on_text(frame.data)
        finally:
            if ws in self._conns:
                self._conns.remove(ws)
        return ws

    def _on_text(self, data: str) -> None:
        try:
            ack = json.loads(data)
        except ValueError:
            self.unmatched.append(data)
            return
        fut = self._pending.pop(ack.get("envelope_id", ""), None) if isinstance(ack, dict) else None
        if fut is None:
            self.unmatched.append(data)
            return
        self.acks.append(ack)
        if not fut.done():
            fut.set_result(ack)

    async def wait_connected(self, hellos: int = 1, timeout: float = 5.0) -> None:
        """Wait until ``hellos`` connections have been greeted and one is still open."""
        await wait_until(
            lambda: self.hellos >= hellos and self.connected > 0, timeout, "socket connect"
        )

    async def send_envelope(
        self,
        type_: str,
        payload: dict[str, Any],
        accepts_response_payload: bool | None = None,
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        envelope_id: str | None = None,
    ) -> asyncio.Future[dict[str, Any]]:
        """Send to the newest open connection; the future resolves with the app's ack."""
        live = [ws for ws in self._conns if not ws.closed]
        if not live:
            raise RuntimeError("no Socket Mode client is connected")
        if accepts_response_payload is None:
            # Slack lets the ack carry a response for commands, submissions and suggestions.
            accepts_response_payload = type_ == "slash_commands" or (
                type_ == "interactive"
                and payload.get("type") in ("view_submission", "block_suggestion")
            )
        env: dict[str, Any] = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "type": type_,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type_ == "events_api":
            env["retry_attempt"] = retry_attempt
            env["retry_reason"] = retry_reason
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[env["envelope_id"]] = fut
        self.envelopes.append(env)
        await live[-1].send_json(env)
        return fut

    async def disconnect(self, reason: str = "refresh_requested", close_after: float = 0.2) -> None:
        """Ask clients to reconnect like Slack does, then close the old sockets.

        Slack keeps the old socket open for a while after the notice. With
        ``close_after=0`` slack_sdk's client reconnects twice (once for the notice,
        once for the CLOSE frame), which is harmless but not what production sees.
        """
        old = [ws for ws in self._conns if not ws.closed]
        for ws in old:
            await ws.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": SOCKET_HOST}}
            )
        if close_after:
            await asyncio.sleep(close_after)
        for ws in old:
            await ws.close()

    async def drop(self) -> None:
        """Close every socket without notice, like a network blip or a Slack restart."""
        for ws in [ws for ws in self._conns if not ws.closed]:
            await ws.close()

    async def close_all(self) -> None:
        for ws in list(self._conns):
            await ws.close()
        for fut in self._pending.values():
            fut.cancel()
        self._pending.clear()
