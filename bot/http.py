"""The bot's HTTP server: `/healthz` plus whatever routes the platform connectors add."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.store import Store

PlatformHealth = Callable[[], Awaitable[dict[str, str]]]
CONNECTED = frozenset({"connected", "listening"})  # listening: Slack's HTTP mode, Slack calls us


def platform_ok(name: str, state: str) -> bool:
    """A configured platform is well only when connected; the local platform only for `local` teams
    (a Slack or Mattermost team running locally reaches nobody)."""
    return state in CONNECTED or (name == "local" and state == "local")


def build_http_app(store: Store, routes: list[web.RouteDef], platforms: PlatformHealth | None = None) -> web.Application:
    """`/healthz`: 200 and `"status": "ok"` only when the database is up and every configured
    platform is connected; otherwise 503, `"degraded"`, with each part's state saying why."""
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(request: web.Request) -> web.Response:
        database = await store.ping()
        states = await platforms() if platforms is not None else {}
        healthy = database == "ok" and all(platform_ok(name, state) for name, state in states.items())
        body: dict[str, object] = {"status": "ok" if healthy else "degraded", "database": database}
        if platforms is not None:
            body["platforms"] = states
        return web.json_response(body, status=200 if healthy else 503)

    app.add_routes([web.get("/healthz", healthz), *routes])
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
