"""The Mattermost websocket, fixing two traps of mattermostdriver 7.3.2's ``Websocket``.

* It builds ``ssl.create_default_context(purpose=Purpose.CLIENT_AUTH)``, a *server-side*
  context, so ``wss://`` can never connect on Python 3.10+ and it retries forever.  We
  supply our own websocket class with a client context.
* Its reconnect loop never ends after a normal close (``ConnectionClosedOK`` lands in the
  generic ``except``), so a bot cannot shut down cleanly; ours stops on ``disconnect()``
  and reconnects with capped, jittered exponential backoff otherwise.

Nothing in mattermostdriver is patched: ``ClientTLSWebsocket`` subclasses its ``Websocket``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

import websockets
from mattermostdriver.websocket import Websocket

log = logging.getLogger("bot.platforms.mattermost_connection")  # the name operators filter on, kept


class MattermostAuthError(Exception):
    """The server refused our token (websocket closed during authentication)."""


def decode_event(raw: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """Parse a websocket frame (or take one already parsed); ``data.post`` arrives as a JSON
    string and is decoded."""
    message: dict[str, Any] = raw if isinstance(raw, dict) else json.loads(raw)
    data = message.get("data")
    if isinstance(data, dict) and isinstance(data.get("post"), str):
        with contextlib.suppress(ValueError):
            message["data"] = {**data, "post": json.loads(data["post"])}
    return message


class ClientTLSWebsocket(Websocket):
    """Replacement for mattermostdriver's ``Websocket`` fixing its two shutdown/TLS traps.

    ``connect(handler)`` keeps the base signature (handler gets raw frames) so it also
    works with ``Driver.init_websocket(handler, websocket_cls=...)``.
    """

    def __init__(
        self,
        options: dict[str, Any],
        token: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        auth_timeout: float = 10.0,
        max_auth_failures: int = 3,
        token_rejected: Callable[[], Awaitable[bool]] | None = None,
        on_event: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(options, token)
        self.token_rejected = token_rejected
        self.on_event = on_event  # given: events go here, decoded (each frame parsed once), not to connect's handler
        self.ssl_context = ssl_context
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.auth_timeout, self.max_auth_failures = auth_timeout, max_auth_failures
        self.connections = 0
        self.authenticated = False  # True while a socket is open and past the challenge
        self._stop = asyncio.Event()
        self._socket: Any = None
        self._last_seq: int | None = None

    @property
    def url(self) -> str:
        scheme = "wss" if self.options["scheme"] == "https" else "ws"
        return f"{scheme}://{self.options['url']}:{self.options['port']}{self.options['basepath']}/websocket"

    async def connect(self, event_handler: Callable[[str], Awaitable[None]]) -> None:
        """Run until ``disconnect()``: connect, authenticate, read, back off, repeat."""
        self._alive = True
        failures = auth_failures = 0
        kw_args = {
            k: v for k, v in (self.options.get("websocket_kw_args") or {}).items() if k != "ssl"
        }
        while not self._stop.is_set():
            authenticated = False
            try:
                async with websockets.connect(self.url, ssl=self.ssl_context, **kw_args) as sock:
                    self._socket = sock
                    if self._stop.is_set():
                        break
                    await self._authenticate(sock, event_handler)
                    authenticated, failures, auth_failures = True, 0, 0
                    self.authenticated = True
                    self.connections += 1
                    async for frame in sock:
                        await self._deliver(frame, event_handler)
                    if self._stop.is_set():
                        break
                    log.warning("mattermost websocket closed by server (%s)", sock.close_code)
            except MattermostAuthError:
                auth_failures += 1
                if auth_failures >= self.max_auth_failures:
                    # A restarting server also drops sockets mid-handshake: only give up
                    # when the REST API confirms the token itself is refused.
                    if self.token_rejected is None or await self.token_rejected():
                        raise
                    auth_failures = 0
            except (TimeoutError, OSError, websockets.WebSocketException) as exc:
                if self._stop.is_set():
                    break
                log.warning("mattermost websocket error: %r", exc)
            finally:
                self._socket = None
                self.authenticated = False
            failures = 0 if authenticated else failures + 1
            ceiling = min(self.backoff_cap, self.backoff_base * 2**failures)
            delay = ceiling / 2 + random.uniform(0, ceiling / 2)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
        self._alive = False

    async def _authenticate(
        self, sock: Any, event_handler: Callable[[str], Awaitable[None]]
    ) -> None:
        """Send the challenge; succeed on the ``hello`` event (it may precede the OK reply)."""
        await sock.send(
            json.dumps(
                {"seq": 1, "action": "authentication_challenge", "data": {"token": self._token}}
            )
        )
        self._last_seq = None
        try:
            async with asyncio.timeout(self.auth_timeout):
                while True:
                    frame = await sock.recv()
                    message = json.loads(frame)
                    if message.get("seq_reply") == 1 and message.get("status") != "OK":
                        raise MattermostAuthError(f"authentication refused: {message.get('error')}")
                    if "event" in message:
                        await self._deliver(frame, event_handler)
                        if message["event"] == "hello":
                            return
        except websockets.ConnectionClosed as exc:
            # The server drops the socket without a reply when the token is wrong.
            raise MattermostAuthError("websocket closed during authentication") from exc

    async def _deliver(
        self, frame: str | bytes, event_handler: Callable[[str], Awaitable[None]]
    ) -> None:
        message: Any = None
        with contextlib.suppress(ValueError, AttributeError):
            message = json.loads(frame)
            seq = message.get("seq")
            if isinstance(seq, int):
                if self._last_seq is not None and seq != self._last_seq + 1:
                    log.warning("mattermost websocket seq gap: %s -> %s", self._last_seq, seq)
                self._last_seq = seq
        try:
            if self.on_event is None:
                await event_handler(frame if isinstance(frame, str) else frame.decode())
            elif isinstance(message, dict) and "event" in message:
                await self.on_event(decode_event(message))
        except Exception:  # a bug in one handler must not kill the connection
            log.exception("mattermost event handler failed")

    def disconnect(self) -> None:
        """Stop for good: no reconnect; closes the current socket (normal 1000 close)."""
        self._alive = False
        self._stop.set()
        if self._socket is not None:
            asyncio.ensure_future(self._socket.close())


