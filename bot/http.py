"""The bot's HTTP server: `/healthz`, `/metrics` and whatever routes the platform connectors add."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.metrics import Metrics
from bot.store import Store

PlatformHealth = Callable[[], Awaitable[dict[str, str]]]
CONNECTED = frozenset({"connected", "listening"})  # listening: Slack's HTTP mode, Slack calls us
PLANNING = "planning"  # connected, its teams being put on schedule: answers people, fires nothing yet


def platform_ok(name: str, state: str) -> bool:
    """A configured platform is well only when connected; the local platform only for `local` teams
    (a Slack or Mattermost team running locally reaches nobody)."""
    return state in CONNECTED or (name == "local" and state == "local")


def build_http_app(store: Store, routes: list[web.RouteDef], platforms: PlatformHealth | None = None,
                   metrics: Metrics | None = None) -> web.Application:
    """`/healthz`: 200 and `"status": "ok"` only when the database is up and every configured
    platform is connected with its teams on schedule; otherwise 503 with each part's state
    saying why: `"starting"` while the only thing missing is a platform still `planning`
    (start-up with many teams), else `"degraded"`.
    With `metrics`, `GET /metrics` serves them in Prometheus' text format."""
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(request: web.Request) -> web.Response:
        database = await store.ping()
        states = await platforms() if platforms is not None else {}
        waiting = [name for name, state in states.items() if not platform_ok(name, state)]
        healthy = database == "ok" and not waiting
        starting = database == "ok" and waiting and all(states[name] == PLANNING for name in waiting)
        body: dict[str, object] = {"status": "ok" if healthy else "starting" if starting else "degraded",
                                   "database": database}
        if platforms is not None:
            body["platforms"] = states
        return web.json_response(body, status=200 if healthy else 503)

    app.add_routes([web.get("/healthz", healthz), *routes])
    if metrics is not None:
        async def prometheus(request: web.Request) -> web.Response:
            response = web.Response(body=metrics.render())
            response.headers["Content-Type"] = metrics.content_type
            return response

        app.add_routes([web.get("/metrics", prometheus)])
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
