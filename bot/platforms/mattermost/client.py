"""mattermostdriver's ``Client`` on asyncio: its requests go over kept-alive aiohttp connections.

mattermostdriver 7.3.2 is synchronous (``requests``, a new TCP connection per request)
and has no async driver. Its endpoint classes (``d.posts.create_post(...)``) only build a
path and hand it to ``client.get/post/put/delete``; ``AsyncClient`` makes those four
coroutines, so ``Driver(options, client_cls=AsyncClient)`` is the real driver whose
calls are awaited on the event loop: no worker thread, no thread hand-off, and one
connection pool per lane (``bot.lanes``) so a person's call never waits for a connection
a post holds. Running the sync driver on 8 threads made a fan-out of 2,000 teams
CPU-bound in thread switching and ``requests`` (issue 9).

Answers and errors are exactly the driver's: parsed JSON (a non-JSON answer to a GET comes
back as a ``requests.Response``), its exceptions for 400/401/403/404/405/413/501 carrying
the server's message, ``requests.HTTPError`` with ``.response`` for the other statuses,
and ``requests`` connection errors and timeouts (``NeverSent`` when no connection could be
made). Each request goes through ``RetryPolicy`` (bot/platforms/mattermost/retry.py);
a wait ends early when the connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import requests
from mattermostdriver.client import Client
from mattermostdriver.exceptions import (
    ContentTooLarge,
    FeatureDisabled,
    InvalidOrMissingParameters,
    MethodNotAllowed,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)
from requests.structures import CaseInsensitiveDict

from bot.lanes import INTERACTIONS, POSTS, current_lane
from bot.metrics import Metrics
from bot.platforms.mattermost.retry import NeverSent, RetryPolicy, describe, path_shape

log = logging.getLogger("bot.platforms.mattermost_connection")  # the name operators filter on, kept

# mattermostdriver's mapping of 4xx/501 answers to its own exceptions (others: requests.HTTPError).
DRIVER_ERRORS: dict[int, type[Exception]] = {
    400: InvalidOrMissingParameters, 401: NoAccessTokenProvided, 403: NotEnoughPermissions,
    404: ResourceNotFound, 405: MethodNotAllowed, 413: ContentTooLarge, 501: FeatureDisabled,
}


class Transport:
    """What every ``AsyncClient`` of one connection shares: a session per lane, the retry
    policy, the stop signal and the metrics. ``connections`` bounds each lane's pool."""

    def __init__(self, *, connections: Mapping[str, int], policy: RetryPolicy, metrics: Metrics | None,
                 ssl_context: ssl.SSLContext | bool = True, timeout: float | None = None) -> None:
        self.limits = dict(connections)
        self.policy, self.metrics = policy, metrics
        self.ssl_context = ssl_context
        self.timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
        self.stopped = asyncio.Event()
        self._sessions: dict[str, aiohttp.ClientSession] = {}

    def session(self) -> aiohttp.ClientSession:
        """The calling task's lane's session, made on first use (inside the running loop);
        ``NeverSent`` once closed (work still finishing after ``close()`` opens no connection)."""
        if self.stopped.is_set():
            raise NeverSent("the Mattermost connection is closed")
        lane = INTERACTIONS if current_lane() == INTERACTIONS else POSTS
        session = self._sessions.get(lane)
        if session is None or session.closed:
            connector = aiohttp.TCPConnector(limit=self.limits.get(lane, 8), ssl=self.ssl_context)
            session = aiohttp.ClientSession(connector=connector, timeout=self.timeout, trust_env=False,
                                            cookie_jar=aiohttp.DummyCookieJar())  # a token, no cookies
            self._sessions[lane] = session
        return session

    async def close(self) -> None:
        """Stop waiting to retry and close every connection; final."""
        self.stopped.set()
        sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            await session.close()


class AsyncClient(Client):
    """mattermostdriver ``Client`` whose ``get/post/put/delete`` are coroutines over ``transport``
    (a subclass sets it: ``MattermostConnection`` binds one per connection)."""

    transport: Transport

    async def make_request(self, method: str, endpoint: str, options: Any = None, params: Any = None,
                           data: Any = None, files: Any = None, basepath: Any = None) -> Answer:
        """One request with retries; the answer, or the driver's error."""
        body = _Body(options, data, files, method)
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._request_once(method, endpoint, params, body, basepath)
            except requests.RequestException as exc:
                policy, stopped = self.transport.policy, self.transport.stopped
                delay = policy.delay_for(method, endpoint, exc, attempt)
                if delay is None or stopped.is_set():
                    raise
                if self.transport.metrics is not None:
                    self.transport.metrics.retried("mattermost", describe(exc))
                log.warning("mattermost %s %s failed (%s); retry %d in %.2fs", method.upper(),
                            path_shape(endpoint), describe(exc), attempt, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopped.wait(), delay)
                if stopped.is_set():
                    raise

    async def _request_once(self, method: str, endpoint: str, params: Any, body: _Body,
                            basepath: Any) -> Answer:
        url = self.url
        if basepath:
            url = f"{self._options['scheme']}://{self._options['url']}:{self._options['port']}{basepath}"
        try:
            async with self.transport.session().request(
                method.upper(), url + endpoint, headers=self.auth_header() or None, params=_query(params),
                **body.arguments(),
            ) as answer:
                got = Answer(answer.status, answer.reason or "", answer.headers, await answer.read(), url + endpoint)
        except aiohttp.ClientSSLError as exc:
            raise requests.exceptions.SSLError(str(exc)) from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise requests.ConnectTimeout(str(exc)) from exc
        except aiohttp.ClientConnectorError as exc:
            raise NeverSent(str(exc)) from exc
        except TimeoutError as exc:  # aiohttp's read timeout is one too
            raise requests.ReadTimeout(str(exc) or "read timed out") from exc
        except aiohttp.ClientError as exc:  # dropped after sending: the server may have done it
            raise requests.ConnectionError(str(exc) or type(exc).__name__) from exc
        if got.status >= 400:
            if got.status == 429 and self.transport.metrics is not None:
                self.transport.metrics.refused("mattermost")
            mapped = DRIVER_ERRORS.get(got.status)
            if mapped is None:
                raise requests.HTTPError(f"{got.status} {got.reason} for {path_shape(endpoint)}",
                                         response=got.as_response())
            raise mapped(_message(got))
        return got

    async def get(self, endpoint: str, options: Any = None, params: Any = None) -> Any:
        got = await self.make_request("get", endpoint, options=options, params=params)
        if got.headers.get("Content-Type") != "application/json":
            return got.as_response()  # as the driver does: a file's bytes, say
        try:
            return got.json()
        except ValueError:
            return got.as_response()

    async def post(self, endpoint: str, options: Any = None, params: Any = None, data: Any = None,
                   files: Any = None) -> Any:
        return (await self.make_request("post", endpoint, options=options, params=params, data=data,
                                        files=files)).json()

    async def put(self, endpoint: str, options: Any = None, params: Any = None, data: Any = None) -> Any:
        return (await self.make_request("put", endpoint, options=options, params=params, data=data)).json()

    async def delete(self, endpoint: str, options: Any = None, params: Any = None, data: Any = None) -> Any:
        return (await self.make_request("delete", endpoint, options=options, params=params, data=data)).json()


class _Body:
    """A request's body as the driver sends it: files and fields as multipart, else fields as a
    form, else ``options`` as JSON. File contents are read once, so a retry sends them whole."""

    def __init__(self, options: Any, data: Any, files: Any, method: str) -> None:
        # the driver sends `{}` when a call has no options; not for a GET, which has no body
        self.json = options if options is not None else ({} if method.lower() != "get" else None)
        self.fields = dict(data or {})
        self.files: list[tuple[str, str | None, bytes, str | None]] = []
        for name, value in (files or {}).items():
            filename, obj, mime = (tuple(value) + (None, None))[:3] if isinstance(value, tuple) else (None, value, None)
            raw = obj.read() if hasattr(obj, "read") else obj
            self.files.append((name, filename, raw.encode() if isinstance(raw, str) else bytes(raw), mime))

    def arguments(self) -> dict[str, Any]:
        if self.files:
            form = aiohttp.FormData()
            for key, value in self.fields.items():
                form.add_field(key, str(value))
            for name, filename, content, mime in self.files:
                form.add_field(name, content, filename=filename, content_type=mime)
            return {"data": form}
        if self.fields:
            return {"data": self.fields}
        return {"json": self.json} if self.json is not None else {}


def _query(params: Any) -> list[tuple[str, str]] | None:
    """Query parameters the way ``requests`` writes them: lists repeated, other values as ``str``."""
    if not params:
        return None
    pairs: list[tuple[str, str]] = []
    for key, value in dict(params).items():
        for one in value if isinstance(value, list | tuple) else [value]:
            if one is not None:
                pairs.append((str(key), str(one)))
    return pairs


@dataclass(frozen=True)
class Answer:
    """What the server answered to one request."""

    status: int
    reason: str
    headers: Mapping[str, str]
    content: bytes
    url: str

    def json(self) -> Any:
        """The body parsed as JSON (``ValueError`` when it is not)."""
        return json.loads(self.content)

    def as_response(self) -> requests.Response:
        """The answer in the shape the driver's callers know (``status_code``, ``headers``,
        ``json()``, ``text``): for errors and non-JSON answers only, as it costs a cookie jar."""
        response = requests.Response()
        response.status_code = self.status
        response.reason = self.reason
        response.headers = CaseInsensitiveDict(self.headers)
        response._content = self.content
        response.encoding = "utf-8"
        response.url = self.url
        return response


def _message(got: Answer) -> Any:
    """The server's ``message`` (as the driver puts it in its exceptions), else the body."""
    try:
        body = got.json()
    except ValueError:
        return got.content.decode(errors="replace")
    return body.get("message", body) if isinstance(body, dict) else body
