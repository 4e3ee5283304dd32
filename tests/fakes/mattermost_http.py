"""How the Mattermost fake answers a REST request: recording, tokens, faults, latency, limits.

Every REST request passes the middleware here: it is recorded as a ``RecordedRequest``
(with its JSON body parsed), the bearer token is checked (401 with the server's
AppError body otherwise), injected faults and delays apply (``fail_next``, ``delay``,
``serve_like``), and every answer carries the server's ``X-Ratelimit-*`` headers.
Errors raised by handlers (``ApiError``) are rendered as the server renders them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .mattermost_kit import API, RECORD, USER, ApiError, json_response, new_id
from .mattermost_model import MattermostModel


@dataclass
class RecordedRequest:
    """One HTTP request as the fake received it, for assertions."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    status: int = 0
    user_id: str | None = None
    at: float = field(default_factory=time.time)
    peer: str = ""  # the client's host:port: one per TCP connection


@dataclass
class _Rule:
    method: str
    prefix: str
    times: int
    status: int = 500
    retry_after: float = 1
    seconds: float = 0.0
    after_processing: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and self.method in (method, "*") and path.startswith(self.prefix)


class MattermostHttp(MattermostModel):
    """The request path of the fake REST API, and the faults tests inject into it."""

    rate_limit: int
    requests: list[RecordedRequest]
    _faults: list[_Rule]
    _delays: list[_Rule]
    _latency: float
    _in_flight: asyncio.Semaphore | None
    _window: tuple[int, int]
    _runner: web.AppRunner | None

    def calls_to(self, method: str, path: str, *, prefix: bool = False) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.upper()
                and (r.path.startswith(path) if prefix else r.path == path)]

    # -- fault injection ---------------------------------------------------------
    def fail_next(self, method: str, path_prefix: str, status: int = 500, *, times: int = 1,
                  retry_after: float = 1, after_processing: bool = False) -> None:
        """Answer the next ``times`` matching requests with ``status``.

        By default the request is *not* processed (what 429/503 mean); with
        ``after_processing`` the handler runs first and its answer is replaced —
        the dangerous case where a client sees an error for work that happened.
        """
        self._faults.append(_Rule(method.upper(), path_prefix, times, status, retry_after,
                                  after_processing=after_processing))

    def clear_faults(self) -> None:
        """Forget the faults ``fail_next`` still has queued."""
        self._faults.clear()

    def delay(self, method: str, path_prefix: str, seconds: float, *, times: int = 1) -> None:
        self._delays.append(_Rule(method.upper(), path_prefix, times, seconds=seconds))

    def serve_like(self, latency: float, in_flight: int | None = None) -> None:
        """Every REST call answers after ``latency`` seconds, at most ``in_flight`` at once
        (the rest wait their turn, as behind a busy server): for benchmarks."""
        self._latency = latency
        self._in_flight = asyncio.Semaphore(in_flight) if in_flight else None

    async def close_idle_connections(self) -> None:
        """Close every kept-alive connection, as a server or proxy does after an idle timeout."""
        server = self._runner.server if self._runner is not None else None
        for handler in list(server.connections if server is not None else []):
            handler.force_close()
        await asyncio.sleep(0.1)

    def connections(self) -> set[str]:
        """The client ends (``host:port``) of every TCP connection REST requests came on."""
        return {r.peer for r in self.requests if r.peer}

    # -- middleware ----------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request,
                          handler: Callable[..., Any]) -> web.StreamResponse:
        if request.path == f"{API}/websocket":
            return await handler(request)
        peer = request.transport.get_extra_info("peername") if request.transport else None
        rec = RecordedRequest(request.method, request.path, dict(request.query),
                              dict(request.headers), peer=f"{peer[0]}:{peer[1]}" if peer else "")
        self.requests.append(rec)
        if self._in_flight is not None:
            async with self._in_flight:
                return await self._serve(request, handler, rec)
        return await self._serve(request, handler, rec)

    async def _serve(self, request: web.Request, handler: Callable[..., Any],
                     rec: RecordedRequest) -> web.StreamResponse:
        if self._latency:
            await asyncio.sleep(self._latency)
        if not request.content_type.startswith("multipart/"):
            raw = await request.read()
            try:
                rec.body = json.loads(raw) if raw else None
            except ValueError:
                rec.body = raw.decode(errors="replace")
        request[RECORD] = rec
        for rule in self._delays:
            if rule.matches(request.method, request.path):
                rule.times -= 1
                await asyncio.sleep(rule.seconds)
                break
        fault = next((f for f in self._faults if f.matches(request.method, request.path)), None)
        if fault:
            fault.times -= 1
        resp: web.StreamResponse
        if fault and not fault.after_processing:
            resp = self._fault_response(fault)
        else:
            try:
                if not request.path.startswith("/hooks/"):
                    rec.user_id = request[USER] = self._authenticate(request)
                resp = await handler(request)
            except ApiError as e:
                resp = json_response(e.body(), e.status)
            except web.HTTPNotFound:
                resp = json_response(ApiError(404, "api.context.404.app_error",
                                              "Sorry, we could not find the page.").body(), 404)
            except web.HTTPMethodNotAllowed:
                resp = json_response(ApiError(405, "api.context.405.app_error",
                                              "Method not allowed.").body(), 405)
            if fault:
                resp = self._fault_response(fault)
        self._rate_headers(resp, fault)
        rec.status = resp.status
        return resp

    def _authenticate(self, request: web.Request) -> str:
        user = self.user_for_auth_header(request.headers.get("Authorization"))
        if user is None:
            raise ApiError(401, "api.context.session_expired.app_error",
                           "Invalid or expired session, please login again.", "token invalid")
        return user

    def _fault_response(self, fault: _Rule) -> web.Response:
        if fault.status == 429:  # the throttled middleware answers in plain text
            return web.Response(text="limit exceeded\n", status=429,
                                headers={"Retry-After": str(int(fault.retry_after)),
                                         "X-Content-Type-Options": "nosniff"})
        resp = json_response(ApiError(fault.status, "api.fake.injected_error",
                                      f"Injected {fault.status}.").body(), fault.status)
        if fault.status == 503:
            resp.headers["Retry-After"] = str(int(fault.retry_after))
        return resp

    def _rate_headers(self, resp: web.StreamResponse, fault: _Rule | None) -> None:
        second = int(time.time())
        used = self._window[1] + 1 if self._window[0] == second else 1
        self._window = (second, used)
        limited = fault is not None and fault.status == 429
        resp.headers["X-Ratelimit-Limit"] = str(self.rate_limit)
        remaining = 0 if limited else max(0, self.rate_limit - used)
        resp.headers["X-Ratelimit-Remaining"] = str(remaining)
        resp.headers["X-Ratelimit-Reset"] = str(int(fault.retry_after)) if limited else "1"
        resp.headers["X-Request-Id"] = new_id()
        resp.headers["X-Version-Id"] = "10.5.0.12345.fakehash.false"
