"""The bot's HTTP server: `/healthz` plus whatever routes the platform connectors add."""

from __future__ import annotations

from aiohttp import web

from bot.store import Store


def build_http_app(store: Store, routes: list[web.RouteDef]) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(request: web.Request) -> web.Response:
        database = store.ping()
        status = 200 if database == "ok" else 503
        return web.json_response({"status": "ok" if status == 200 else "degraded", "database": database}, status=status)

    app.add_routes([web.get("/healthz", healthz), *routes])
    return app


async def serve(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
