"""The HTTP port from the first moment of `ritualbot run`, before the database is reachable.

An orchestrator probing `/healthz` at start, or Slack and Mattermost calling the bot, should
meet an answer that says what is wrong, not "connection refused". `Gate` is the one aiohttp
app the port serves. Until `open(app)`: `GET /healthz` answers 503 `"degraded"` with
`"database": "connecting"` (first try under way), then what the last try met (`"unreachable"`,
`"login refused"`, ...: bot/store/outage.py; retried with backoff, bot/startup.py), then
`"starting"` with the database `ok` while the bot is built; each configured platform's
endpoints answer through `waiting_routes` (bot/platforms/waiting.py): a signed Slack request or a Mattermost command with its token is
told, in the team's language, that the bot is starting; anything else is refused as it would
be later. After `open(app)` every request goes to `app` (bot/http.py), as before.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from bot.http import platform_ok
from bot.store.outage import CONNECTING, database_state

log = logging.getLogger("ritualbot")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MAX_BODY = 1024 * 1024  # as bot/http.py's app: Slack and Mattermost payloads are small


class Gate:
    """Serves the port; answers for the bot until the bot's own app is `open`ed."""

    def __init__(self, waiting: Mapping[str, Handler], platforms: Mapping[str, str]) -> None:
        """`waiting`: path → the answer while starting (POST); `platforms`: each configured
        platform's state for /healthz meanwhile (`connecting`, `no credentials`, `local`)."""
        self.waiting = dict(waiting)
        self.platforms = dict(platforms)
        self.database = CONNECTING
        self.inner: web.Application | None = None
        self.app = web.Application(client_max_size=MAX_BODY)
        self.app.router.add_route("*", "/{path:.*}", self._handle)

    def database_failed(self, exc: BaseException) -> None:
        """A try to open the database failed with `exc`: /healthz says what is wrong (`unreachable`,
        `login refused`, ...: bot/store/outage.py) until the next try or `open`."""
        self.database = database_state(exc)

    def database_opened(self) -> None:
        """The database is open and the bot is being built (seconds with thousands of teams):
        /healthz says `"starting"` with the database `ok` until `open`."""
        self.database = "ok"

    def open(self, app: web.Application) -> None:
        """From now on every request goes to `app` (its routes; it has no middlewares)."""
        app.freeze()
        self.inner = app

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.inner is not None:
            match = await self.inner.router.resolve(request)
            return await match.handler(request)
        if request.path == "/healthz" and request.method in ("GET", "HEAD"):
            # "starting" as bot/http.py says it: only time is missing (no platform without credentials)
            coming = all(state == CONNECTING or platform_ok(name, state) for name, state in self.platforms.items())
            status = "starting" if self.database == "ok" and coming else "degraded"
            return web.json_response({"status": status, "database": self.database,
                                      "platforms": self.platforms}, status=503)
        answer = self.waiting.get(request.path)
        if answer is not None and request.method == "POST":
            return await answer(request)
        if request.path == "/metrics" or answer is not None:
            return web.Response(status=503, text="ritualbot is starting: the database is not reachable yet\n")
        raise web.HTTPNotFound()


async def serve_gate(gate: Gate, host: str, port: int) -> web.AppRunner | None:
    """The port bound to `host:port`, or None after one log line when it cannot be (in use,
    or not ours to bind): the caller exits 1."""
    runner = web.AppRunner(gate.app, handle_signals=False)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:  # the port is taken (another bot, one still stopping) or not ours to bind
        log.error("cannot serve HTTP on %s:%d: %s; stop what uses it or give another --port", host, port,
                  exc.strerror or type(exc).__name__)
        await runner.cleanup()
        return None
    return runner
