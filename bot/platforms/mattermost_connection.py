"""Connection layer to a Mattermost server, on top of mattermostdriver 7.3.2.

Why this exists instead of using mattermostdriver directly:

* Its ``Websocket`` builds ``ssl.create_default_context(purpose=Purpose.CLIENT_AUTH)``,
  a *server-side* context, so ``wss://`` can never connect on Python 3.10+ and it
  retries forever.  We supply our own websocket class with a client context.
* Its reconnect loop never ends after a normal close (``ConnectionClosedOK`` lands
  in the generic ``except``), so a bot cannot shut down cleanly; ours stops on
  ``close()`` and reconnects with capped, jittered exponential backoff otherwise.
* Its ``Driver`` is synchronous (requests) and has no retry policy; we run calls in
  worker threads and retry per HTTP request (see ``RetryPolicy``).
* It opens a new TCP (and TLS) connection for every request (``requests.post``, no
  session); ours keeps one session per worker thread, so connections are reused.
* Calls run in two thread pools, one per lane (``bot.lanes``): a person's interaction
  never waits for a thread that a post holds while it waits out a 429.

Nothing in mattermostdriver is patched globally: we subclass ``Client`` (passed as
``client_cls``) and ``Websocket``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import random
import re
import ssl
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import websockets
from mattermostdriver import Driver
from mattermostdriver.exceptions import NoAccessTokenProvided
from mattermostdriver.websocket import Websocket
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from bot.lanes import INTERACTIONS, POSTS, current_lane
from bot.metrics import Metrics
from bot.platforms.mattermost_session import KeptAliveClient, Sessions

log = logging.getLogger(__name__)
T = TypeVar("T")
EventHandler = Callable[[dict[str, Any]], Awaitable[None]]


class MattermostAuthError(Exception):
    """The server refused our token (websocket closed during authentication)."""


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry one HTTP request, and how long to wait.

    Retried for every method: 429 (honouring ``Retry-After`` / ``X-Ratelimit-Reset``),
    503, and failures to *connect* (the request never left this machine).
    Retried only for idempotent requests (GET/PUT/DELETE and the POSTs listed in
    ``idempotent_posts``): 500/502/504, read timeouts, dropped connections.

    A POST that creates something (``/posts``, ``/files``, ``/actions/dialogs/open``)
    is *not* retried once the server may have received it: a 500 or a timeout can mean
    "done, but the answer got lost", and a retry would post twice (or burn the
    single-use trigger id).  429 and 503 are safe because the server rejects those
    before doing any work.
    """

    max_attempts: int = 5
    # 429 and 503 mean the server did nothing: waiting longer is always safe.
    max_refused_attempts: int = 30
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 60.0
    idempotent_posts: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"/users/ids", "/users/usernames", "/channels/direct", "/channels/group"}
        )
    )

    def backoff(self, attempt: int) -> float:
        """Exponential, capped, with 'equal jitter' so clients don't retry in lockstep."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def delay_for(
        self, method: str, endpoint: str, exc: BaseException, attempt: int
    ) -> float | None:
        """Seconds to wait before retrying, or None to give up and re-raise."""
        idempotent = method.lower() != "post" or endpoint in self.idempotent_posts
        response = getattr(exc, "response", None)
        if isinstance(exc, requests.HTTPError):
            status = response.status_code if response is not None else None
            if response is not None and (status == 429 or status == 503):
                if attempt >= self.max_refused_attempts:
                    return None
                hinted = _server_hint(response)
                if hinted is None:
                    return self.backoff(attempt)
                # the server's hint, spread a little so waiting clients don't retry in lockstep
                return min(hinted, self.max_retry_after) + random.uniform(0, min(1.0, hinted / 2 + 0.1))
            if status in (500, 502, 504) and idempotent and attempt < self.max_attempts:
                return self.backoff(attempt)
            return None  # 4xx (raised by mattermostdriver without .response) or unsafe
        if attempt >= self.max_attempts:
            return None
        if isinstance(exc, requests.exceptions.SSLError):
            return None  # a certificate problem does not heal by retrying
        if _never_sent(exc):
            return self.backoff(attempt)
        if isinstance(exc, (requests.ConnectionError, requests.Timeout)) and idempotent:
            return self.backoff(attempt)
        return None


def _server_hint(response: requests.Response) -> float | None:
    """Wait requested by the server: Retry-After (seconds or date), else X-Ratelimit-Reset."""
    retry_after = response.headers.get("Retry-After")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(retry_after)
            return max(0.0, parsed.timestamp() - time.time())
    reset = response.headers.get("X-Ratelimit-Reset")
    if reset:
        with contextlib.suppress(ValueError):
            value = float(reset)
            # Mattermost sends seconds-until-reset; tolerate an epoch timestamp too.
            return max(0.0, value - time.time()) if value > 1e9 else value
    return None


def _never_sent(exc: BaseException) -> bool:
    """True when the connection could not even be established (safe to retry any method)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", exc.args[0])
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


class RetryingClient(KeptAliveClient):
    """mattermostdriver ``Client`` whose every HTTP request goes through ``RetryPolicy``,
    on a kept-alive session.

    Retrying here (per request) rather than around a whole ``call`` keeps a multi-request
    callable from repeating requests that already succeeded.  Sleeps wait on a
    ``threading.Event`` so ``MattermostConnection.close()`` interrupts them.
    """

    policy: RetryPolicy = RetryPolicy()
    stop_event: threading.Event = threading.Event()
    metrics: Metrics | None = None

    def refused(self) -> None:
        if self.metrics is not None:
            self.metrics.refused("mattermost")

    def make_request(
        self,
        method: str,
        endpoint: str,
        options: Any = None,
        params: Any = None,
        data: Any = None,
        files: Any = None,
        basepath: Any = None,
    ) -> Any:
        starts = _file_positions(files)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._request_once(method, endpoint, options, params, data, files, basepath)
            except requests.RequestException as exc:
                delay = self.policy.delay_for(method, endpoint, exc, attempt)
                if delay is None or self.stop_event.is_set():
                    raise
                if self.metrics is not None:
                    self.metrics.retried("mattermost", _describe(exc))
                log.warning(
                    "mattermost %s %s failed (%s); retry %d in %.2fs",
                    method.upper(),
                    _path_shape(endpoint),
                    _describe(exc),
                    attempt,
                    delay,
                )
                if self.stop_event.wait(delay):
                    raise
                _rewind(files, starts)


def _describe(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    return f"HTTP {response.status_code}" if response is not None else type(exc).__name__


def _file_positions(files: Any) -> dict[str, int]:
    """Remember where file objects start, so a retried upload re-sends the whole file."""
    positions: dict[str, int] = {}
    for key, value in (files or {}).items():
        obj = value[1] if isinstance(value, tuple) else value
        if hasattr(obj, "seek") and hasattr(obj, "tell"):
            positions[key] = obj.tell()
    return positions


def _rewind(files: Any, positions: dict[str, int]) -> None:
    for key, pos in positions.items():
        value = files[key]
        (value[1] if isinstance(value, tuple) else value).seek(pos)


def decode_event(raw: str | bytes) -> dict[str, Any]:
    """Parse a websocket frame; ``data.post`` arrives as a JSON string and is decoded."""
    message: dict[str, Any] = json.loads(raw)
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
    ) -> None:
        super().__init__(options, token)
        self.token_rejected = token_rejected
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
        with contextlib.suppress(ValueError, AttributeError):
            seq = json.loads(frame).get("seq")
            if isinstance(seq, int):
                if self._last_seq is not None and seq != self._last_seq + 1:
                    log.warning("mattermost websocket seq gap: %s -> %s", self._last_seq, seq)
                self._last_seq = seq
        try:
            await event_handler(frame if isinstance(frame, str) else frame.decode())
        except Exception:  # a bug in one handler must not kill the connection
            log.exception("mattermost event handler failed")

    def disconnect(self) -> None:
        """Stop for good: no reconnect; closes the current socket (normal 1000 close)."""
        self._alive = False
        self._stop.set()
        if self._socket is not None:
            asyncio.ensure_future(self._socket.close())


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
        threads: int = 8,
        interaction_threads: int = 8,
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
        self._sessions = Sessions()
        client_cls = type(
            "BoundRetryingClient",
            (RetryingClient,),
            {"policy": retry or RetryPolicy(), "stop_event": self._stop, "sessions": self._sessions,
             "metrics": metrics},
        )
        self.driver = Driver(self.options, client_cls=client_cls)
        self.driver.client.token = token  # else calls are anonymous until login()
        self.websocket: ClientTLSWebsocket | None = None
        self._listen_task: asyncio.Task[None] | None = None
        # Our own threads for the sync driver (the default pool is small, cores + 4, and shared),
        # one pool per lane so a person's call never waits for a thread a post holds.
        self._threads = {
            POSTS: ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mattermost-posts"),
            INTERACTIONS: ThreadPoolExecutor(max_workers=interaction_threads,
                                             thread_name_prefix="mattermost-interactions"),
        }
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
        """Check the token (GET /users/me) and remember who we are."""
        self.me = await self.call(lambda d: d.login())
        return self.me

    async def call(self, fn: Callable[[Driver], T]) -> T:
        """Run a sync driver call in a worker thread, e.g. ``call(lambda d: d.posts.get_post(i))``.

        HTTP errors surface as mattermostdriver raises them: ``InvalidOrMissingParameters``
        (400), ``NoAccessTokenProvided`` (401), ``NotEnoughPermissions`` (403),
        ``ResourceNotFound`` (404) ... without ``.response``; other statuses (429, 5xx) as
        plain ``requests.HTTPError`` with ``.response``, after retries are exhausted.
        Runs on the thread pool of the task's lane (``bot.lanes``).
        """
        pool = self._threads[INTERACTIONS if current_lane() == INTERACTIONS else POSTS]
        return await asyncio.get_running_loop().run_in_executor(pool, fn, self.driver)

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
        # Loading the system's CA certificates reads and parses files for a fifth of a second: off the loop.
        context = await asyncio.to_thread(self.ssl_context)
        self.websocket = ClientTLSWebsocket(
            self.driver.options,
            self.options["token"],
            ssl_context=context,
            backoff_base=self.ws_backoff_base,
            backoff_cap=self.ws_backoff_cap,
            token_rejected=self._token_rejected,
        )

        async def handle(frame: str) -> None:
            message = decode_event(frame)
            if "event" in message:
                await on_event(message)

        self._listen_task = asyncio.current_task()
        try:
            await self.websocket.connect(handle)
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
        for pool in self._threads.values():
            pool.shutdown(wait=False, cancel_futures=True)
        self._sessions.close()

    async def __aenter__(self) -> MattermostConnection:
        await self.login()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


_MATTERMOST_ID = re.compile(r"(?<![A-Za-z0-9])[a-z0-9]{26}(?![A-Za-z0-9])")


def _path_shape(endpoint: str) -> str:
    """An API path with its ids left out (`/users/:id/status`): a path may name a person,
    for example an anonymous sender the bot writes to (issue 11: no log holds who)."""
    return _MATTERMOST_ID.sub(":id", endpoint)
