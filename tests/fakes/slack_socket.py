"""The Socket Mode half of the Slack fake: the websocket Slack pushes envelopes over.

An app opens it through apps.connections.open, is greeted with ``hello``, receives
envelopes and acks each by ``envelope_id``; Slack may ask it to reconnect. Shapes
follow Slack's Socket Mode implementation guide. Block Kit rules live in
``slack_blocks``, payload builders in ``slack_payloads``; both stay importable from
here, as before they were split out.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from .slack_blocks import validate_blocks as validate_blocks
from .slack_blocks import validate_view as validate_view
from .slack_blocks import view_object as view_object
from .slack_payloads import _user as _user
from .slack_payloads import app_home_opened_event as app_home_opened_event
from .slack_payloads import block_actions_payload as block_actions_payload
from .slack_payloads import event_callback as event_callback
from .slack_payloads import interactive_body as interactive_body
from .slack_payloads import new_trigger_id as new_trigger_id
from .slack_payloads import sign_request as sign_request
from .slack_payloads import slash_command_body as slash_command_body
from .slack_payloads import slash_command_payload as slash_command_payload
from .slack_payloads import view_submission_payload as view_submission_payload
from .slack_wire import APP_ID as APP_ID
from .slack_wire import BOT_ID as BOT_ID
from .slack_wire import BOT_USER_ID as BOT_USER_ID
from .slack_wire import TEAM_DOMAIN as TEAM_DOMAIN
from .slack_wire import TEAM_ID as TEAM_ID
from .slack_wire import SlackError as SlackError
from .slack_wire import _bad as _bad
from .slack_wire import _json_arg as _json_arg

SOCKET_HOST = "applink-fake-1"



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
