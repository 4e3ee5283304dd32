"""The bot's HTTP server: `/healthz` plus whatever routes the platform connectors add."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.store import Store

PlatformHealth = Callable[[], Awaitable[dict[str, str]]]


def build_http_app(store: Store, routes: list[web.RouteDef], platforms: PlatformHealth | None = None) -> web.Application:
    """`/healthz` answers 503 only when the database is unreachable; the platforms' connection
    state is reported beside it (a bot still posts on schedule while its socket reconnects)."""
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(request: web.Request) -> web.Response:
        database = await store.ping()
        status = 200 if database == "ok" else 503
        body: dict[str, object] = {"status": "ok" if status == 200 else "degraded", "database": database}
        if platforms is not None:
            body["platforms"] = await platforms()
        return web.json_response(body, status=status)

    app.add_routes([web.get("/healthz", healthz), *routes])
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
