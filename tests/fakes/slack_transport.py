"""How the Slack fake answers a Web API request: tokens, scopes, faults, latency, rate limits.

In: an HTTP request to ``/api/{method}`` (query, form or JSON body). Out: Slack's JSON
answer from the method in ``_methods``, every request recorded as a ``Call``. Tokens
are checked the way Slack does (``not_authed``, ``invalid_auth``,
``not_allowed_token_type``), scopes give ``missing_scope``; tests inject faults
(``fail_next``), slowness (``delay``, ``serve_like``) and the per-channel 429s of
``rate_limit``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .slack_model import NEEDS, Call, _Fault, _MissingScope
from .slack_wire import SlackError
from .slack_workspace import SlackWorkspace


class SlackTransport(SlackWorkspace):
    """The request path of the fake Web API: auth, scopes, injected faults and limits."""

    bot_token: str
    app_token: str
    scopes: set[str]  # the bot token's scopes; take some away to test
    busy: dict[str, int]  # calls of a method being answered now
    peak: dict[str, int]  # the most ever answered at once
    _methods: dict[str, Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]]
    _faults: dict[str, deque[_Fault]]
    _delays: dict[str, float]
    _latency: float
    _in_flight: asyncio.Semaphore | None
    _limits: dict[str, int]
    _posted_at: dict[str, deque[float]]

    # ------------------------------------------------------------ faults

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1, times: int = 1,
                  error: str | None = None) -> None:  # fmt: skip
        """Answer the next ``times`` calls with an error; status 200 injects a Slack error."""
        default = {429: "ratelimited", 200: "fatal_error"}.get(status, "service_unavailable")
        self._faults[method].append(_Fault(status, retry_after, times, error or default))

    def clear_faults(self, method: str | None = None) -> None:
        """Forget the faults still queued by ``fail_next`` (for ``method``, or all)."""
        if method is None:
            self._faults.clear()
        else:
            self._faults.pop(method, None)

    def delay(self, method: str, seconds: float) -> None:
        """Slow answers. The call still takes effect if the client times out meanwhile."""
        self._delays[method] = seconds

    def serve_like(self, latency: float, in_flight: int | None = None) -> None:
        """Every Web API call answers after ``latency`` seconds, at most ``in_flight`` at once
        (the rest wait their turn, as behind a busy server): for benchmarks."""
        self._latency = latency
        self._in_flight = asyncio.Semaphore(in_flight) if in_flight else None

    def rate_limit(self, method: str = "chat.postMessage", per_channel_per_second: int = 1) -> None:
        """Slack's documented ~1 post/second/channel limit, answered with HTTP 429."""
        self._limits[method] = per_channel_per_second

    # ------------------------------------------------------------ HTTP plumbing

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = json.loads(await request.text())
                except ValueError:
                    raise SlackError("invalid_json") from None
                if not isinstance(body, dict):
                    raise SlackError("json_not_object")
                args.update(body)
            else:
                form = await request.post()
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
        return args

    def _check_auth(self, method: str, request: web.Request, args: dict[str, Any]) -> None:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else args.pop("token", "")
        wanted = self.app_token if method == "apps.connections.open" else self.bot_token
        if not token:
            raise SlackError("not_authed")
        if token != wanted:
            other = self.bot_token if wanted == self.app_token else self.app_token
            raise SlackError("not_allowed_token_type" if token == other else "invalid_auth")

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.popleft()
        return fault

    def _fault_response(self, call: Call, fault: _Fault) -> web.Response:
        call.status, call.response = fault.status, {"ok": False, "error": fault.error}
        headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else None
        return web.json_response(call.response, status=fault.status, headers=headers)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, {}, dict(request.headers), time.time())
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call.peer = f"{peer[0]}:{peer[1]}" if peer else ""
        self.calls.append(call)
        if method not in self._methods:
            call.status = 404
            call.response = {"ok": False, "error": "unknown_method", "req_method": method}
            return web.json_response(call.response, status=404)
        try:
            call.args = await self._read_args(request)
        except SlackError as e:
            call.status, call.response = 200, e.body()
            return web.json_response(call.response)
        self.busy[method] += 1
        self.peak[method] = max(self.peak[method], self.busy[method])
        try:
            if self._in_flight is not None:
                async with self._in_flight:
                    return await self._answer(method, call, request)
            return await self._answer(method, call, request)
        finally:
            self.busy[method] -= 1

    async def _answer(self, method: str, call: Call, request: web.Request) -> web.Response:
        if method in self._delays or self._latency:
            await asyncio.sleep(self._delays.get(method, self._latency))
        fault = self._take_fault(method)
        if fault is not None:
            return self._fault_response(call, fault)
        args = dict(call.args)
        try:
            self._check_auth(method, request, args)
            self._check_scope(method)
            limited = self._rate_limited(method, args)
            if limited is not None:
                return self._fault_response(call, limited)
            result = {"ok": True, **await self._methods[method](args)}
            call.status, call.response = 200, result
            self._note_post(method, result)
        except SlackError as e:
            call.status, call.response = e.status, e.body()
        headers = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))} if method != "apps.connections.open" else None
        return web.json_response(call.response, status=call.status, headers=headers)

    def _check_scope(self, method: str) -> None:
        needs = NEEDS.get(method)
        if needs and not set(needs) & self.scopes:
            raise _MissingScope(",".join(needs), ",".join(sorted(self.scopes)))

    def _limit_key(self, method: str, channel: Any) -> str:
        cid = str(channel or "")
        return f"{method}:{self.dm_channel_id(cid) if cid[:1] in 'UW' else cid}"

    def _rate_limited(self, method: str, args: dict[str, Any]) -> _Fault | None:
        if method not in self._limits:
            return None
        window = self._posted_at[self._limit_key(method, args.get("channel"))]
        now = time.monotonic()
        while window and now - window[0] >= 1.0:
            window.popleft()
        return _Fault(429, 1, 1, "ratelimited") if len(window) >= self._limits[method] else None

    def _note_post(self, method: str, result: dict[str, Any]) -> None:
        """Only posts that landed count towards the per-channel limit."""
        if method in self._limits:
            self._posted_at[self._limit_key(method, result.get("channel"))].append(time.monotonic())
