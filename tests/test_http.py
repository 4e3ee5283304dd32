"""`GET /healthz`: 200 with the database status when well, 503 with the reason when not."""

from __future__ import annotations

import aiohttp

from bot.http import build_http_app, serve
from bot.store import Store
from bot.store.database import make_engine
from tests.conftest import free_port


async def _get(store: Store) -> tuple[int, dict[str, str]]:
    port = free_port()
    runner = await serve(build_http_app(store, []), "127.0.0.1", port)
    try:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/healthz") as resp:
            return resp.status, await resp.json()
    finally:
        await runner.cleanup()


async def test_healthz_reports_the_database(store: Store) -> None:
    assert await _get(store) == (200, {"status": "ok", "database": "ok"})


async def test_healthz_says_when_the_database_is_unreachable() -> None:
    unreachable = Store(make_engine(f"postgresql://nobody@127.0.0.1:{free_port()}/none"))
    status, body = await _get(unreachable)
    # the word start-up uses for the same outage (bot/gate.py), not the exception's name
    assert status == 503 and body == {"status": "degraded", "database": "unreachable"}
