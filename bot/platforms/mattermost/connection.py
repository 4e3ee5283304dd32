"""Connection to a Mattermost server: mattermostdriver 7.3.2's ``Driver`` on asyncio, plus the websocket.

Why this exists instead of using mattermostdriver directly:

* Its ``Driver`` is synchronous (``requests``), opens a new TCP (and TLS) connection per
  request and has no retry policy. Ours is the same ``Driver`` with ``AsyncClient``
  (bot/platforms/mattermost/client.py) as its ``client_cls``: every call is awaited on the
  event loop over kept-alive connections, one pool per lane (``bot.lanes``), and each
  request is retried by ``RetryPolicy`` (bot/platforms/mattermost/retry.py).
* Its ``Websocket`` cannot do ``wss://`` and never stops after a normal close; ours is
  ``ClientTLSWebsocket`` (bot/platforms/mattermost/websocket.py).

Nothing in mattermostdriver is patched globally: we subclass ``Client`` and ``Websocket``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import ssl
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import NoAccessTokenProvided

from bot.lanes import INTERACTIONS, POSTS
from bot.metrics import Metrics
from bot.platforms.mattermost.client import AsyncClient, Transport
from bot.platforms.mattermost.retry import NeverSent, RetryPolicy
from bot.platforms.mattermost.retry import path_shape as _path_shape
from bot.platforms.mattermost.websocket import ClientTLSWebsocket, MattermostAuthError, decode_event

log = logging.getLogger("ritualbot.mattermost")

__all__ = ["ClientTLSWebsocket", "MattermostAuthError", "MattermostConnection", "NeverSent", "RetryPolicy",
           "_path_shape", "decode_event"]
T = TypeVar("T")
EventHandler = Callable[[dict[str, Any]], Awaitable[None]]


class MattermostConnection:
    """A logged-in mattermostdriver ``Driver`` plus an async, reconnecting websocket.

    ``url`` is the server's site URL, e.g. ``https://chat.example.org`` or
    ``https://example.org/mattermost`` (subpath); ``/api/v4`` is appended.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        ca_file: str | None = None,
        verify: bool = True,
        request_timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        ws_backoff_base: float = 0.5,
        ws_backoff_cap: float = 30.0,
        close_timeout: float = 2.0,
        connections: int = 8,
        interaction_connections: int = 8,
        metrics: Metrics | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        self.options: dict[str, Any] = {
            "scheme": parts.scheme,
            "url": host,
            "port": parts.port or (443 if parts.scheme == "https" else 80),
            "basepath": parts.path.rstrip("/") + "/api/v4",
            "token": token,
            "verify": ca_file if (ca_file and verify) else verify,
            "request_timeout": request_timeout,
            "keepalive": True,
        }
        self.ca_file, self.verify = ca_file, verify
        self.ws_backoff_base, self.ws_backoff_cap = ws_backoff_base, ws_backoff_cap
        self.close_timeout = close_timeout
        self._stop = threading.Event()  # set by close(): final, also ends REST retries
        # One connection pool per lane, so a person's call never waits for a connection a post holds.
        self.transport = Transport(connections={POSTS: connections, INTERACTIONS: interaction_connections},
                                   policy=retry or RetryPolicy(), metrics=metrics, timeout=request_timeout)
        client_cls = type("BoundAsyncClient", (AsyncClient,), {"transport": self.transport})
        self.driver = Driver(self.options, client_cls=client_cls)
        self.driver.client.token = token  # else calls are anonymous until login()
        self.websocket: ClientTLSWebsocket | None = None
        # the server answered 401 to the last call (token revoked, bot deactivated): /healthz says
        # so (the connector's `health`), and the log once, not once per team
        self.token_refused = False
        self._listen_task: asyncio.Task[None] | None = None
        self._tls: asyncio.Future[None] | None = None
        self.me: dict[str, Any] = {}

    @property
    def user_id(self) -> str:
        return str(self.driver.client.userid)

    def ssl_context(self) -> ssl.SSLContext | None:
        """A *client* TLS context (the thing mattermostdriver gets wrong)."""
        if self.options["scheme"] != "https":
            return None
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        if not self.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    async def login(self) -> dict[str, Any]:
        """Check the token (GET /users/me) and remember who we are (what ``Driver.login`` does
        with a token, awaited)."""
        self.me = await self.call(lambda d: d.users.get_user("me"))
        self.driver.client.userid = self.me.get("id", "")
        self.driver.client.username = self.me.get("username", "")
        return self.me

    async def call(self, fn: Callable[[Driver], T]) -> T:
        """One driver call, awaited: ``call(lambda d: d.posts.get_post(i))``.

        HTTP errors surface as mattermostdriver raises them: ``InvalidOrMissingParameters``
        (400), ``NoAccessTokenProvided`` (401), ``NotEnoughPermissions`` (403),
        ``ResourceNotFound`` (404) ... without ``.response``; other statuses (429, 5xx) as
        plain ``requests.HTTPError`` with ``.response``, after retries are exhausted; a
        connection that could not be made as ``NeverSent``, a lost one as
        ``requests.ConnectionError``, a slow answer as ``requests.ReadTimeout``.
        Goes over the connection pool of the task's lane (``bot.lanes``).
        """
        if self._tls is None:
            self._tls = asyncio.ensure_future(self._load_tls())
        await asyncio.shield(self._tls)
        answer = fn(self.driver)
        if not inspect.isawaitable(answer):
            return answer
        try:
            result = cast(T, await answer)
        except NoAccessTokenProvided:
            self._note_token(refused=True)
            raise
        self._note_token(refused=False)
        return result

    def _note_token(self, *, refused: bool) -> None:
        if refused and not self.token_refused:
            log.warning("mattermost: the server refused the bot's token (HTTP 401): nothing is posted until "
                        "MATTERMOST_TOKEN holds a working token of an active bot account and the bot restarts")
        elif self.token_refused and not refused:
            log.warning("mattermost: the server takes the bot's token again")
        self.token_refused = refused

    async def _load_tls(self) -> None:
        # Loading the system's CA certificates reads and parses files for a fifth of a second: off the loop.
        context = await asyncio.to_thread(self.ssl_context)
        self.transport.ssl_context = context if context is not None else True

    async def listen(self, on_event: EventHandler) -> None:
        """Deliver decoded websocket events (``hello`` included) until ``close()``.

        Reconnects after drops with backoff.  Events emitted while disconnected are
        not replayed by this layer: use each ``hello`` as the cue to re-sync state.
        Raises ``MattermostAuthError`` if the token keeps being refused.
        """
        if self._stop.is_set():
            return  # closed before (or while) we were started: close() is final
        if self._listen_task is not None:
            raise RuntimeError("listen() is already running")
        context = await asyncio.to_thread(self.ssl_context)  # reads files: off the loop
        self.websocket = ClientTLSWebsocket(
            self.driver.options,
            self.options["token"],
            ssl_context=context,
            backoff_base=self.ws_backoff_base,
            backoff_cap=self.ws_backoff_cap,
            token_rejected=self._token_rejected,
            on_event=on_event,
        )

        async def raw_frames(frame: str) -> None:  # not called: the websocket hands `on_event` each event parsed once
            return None

        self._listen_task = asyncio.current_task()
        try:
            await self.websocket.connect(raw_frames)
        finally:
            self._listen_task = None

    async def _token_rejected(self) -> bool:
        try:
            await self.call(lambda d: d.users.get_user("me"))
        except NoAccessTokenProvided:
            return True
        except requests.RequestException:
            return False
        return False

    async def close(self) -> None:
        """Stop listening (no reconnect) and stop retrying REST calls; final."""
        self._stop.set()
        if self.websocket is not None:
            self.websocket.disconnect()
        task = self._listen_task
        if task is not None and task is not asyncio.current_task():
            done, _ = await asyncio.wait({task}, timeout=self.close_timeout)
            if not done:
                task.cancel()
        await self.transport.close()

    async def __aenter__(self) -> MattermostConnection:
        await self.login()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


