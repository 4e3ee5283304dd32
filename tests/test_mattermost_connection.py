"""MattermostConnection against the fake server: retries, websocket, TLS, shutdown."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import requests
from mattermostdriver import Driver
from mattermostdriver.websocket import Websocket

# The repo root is not on sys.path under the `pytest` entry point (no pythonpath setting).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bot.platforms.mattermost.connection import (  # noqa: E402
    MattermostAuthError,
    MattermostConnection,
    RetryPolicy,
    decode_event,
)
from tests.fakes.mattermost_api import FakeMattermost  # noqa: E402

ALICE, CHAN = "alice0000000000000000000aa", "chan0000000000000000000000"
FAST = RetryPolicy(base_delay=0.01, max_delay=0.05)


def seed(mm: FakeMattermost) -> None:
    mm.add_user(ALICE, "alice")
    mm.add_channel(CHAN, "team", members=[mm.bot_user_id, ALICE])


@pytest.fixture
async def mm() -> AsyncIterator[FakeMattermost]:
    async with FakeMattermost() as server:
        seed(server)
        yield server


@pytest.fixture
async def conn(mm: FakeMattermost) -> AsyncIterator[MattermostConnection]:
    async with MattermostConnection(mm.url, mm.bot_token, retry=FAST, ws_backoff_base=0.05) as c:
        yield c


class Listener:
    """Runs conn.listen() in a task and collects events."""

    def __init__(self, conn: MattermostConnection) -> None:
        self.conn, self.events = conn, []  # type: ignore[var-annotated]
        self.task = asyncio.create_task(conn.listen(self._on))

    async def _on(self, event: dict[str, Any]) -> None:
        self.events.append(event)

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == name]

    async def wait_for(self, name: str, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.named(name)) < count:
            if self.task.done():
                self.task.result()  # surface the listener's exception
            assert time.monotonic() < deadline, f"only {len(self.named(name))} {name} events"
            await asyncio.sleep(0.01)
        return self.named(name)


def create(channel: str, message: str) -> Any:
    return lambda d: d.posts.create_post({"channel_id": channel, "message": message})


async def test_url_parsing_and_login(mm: FakeMattermost) -> None:
    c = MattermostConnection("https://chat.example.org/mm/", "t")
    assert c.options["port"] == 443 and c.options["basepath"] == "/mm/api/v4"
    assert c.options["url"] == "chat.example.org" and await asyncio.to_thread(c.ssl_context) is not None
    with pytest.raises(ValueError):
        MattermostConnection("ftp://x", "t")
    fresh = MattermostConnection(mm.url, mm.bot_token)  # usable before login()
    assert (await fresh.call(lambda d: d.users.get_user("me")))["id"] == mm.bot_user_id
    async with MattermostConnection(mm.url, mm.bot_token) as conn:
        assert conn.user_id == mm.bot_user_id and conn.me["username"] == "ritualbot"


async def test_429_is_retried_after_retry_after_and_posts_once(
    mm: FakeMattermost, conn: MattermostConnection
) -> None:
    mm.fail_next("POST", "/api/v4/posts", 429, times=2, retry_after=1)
    start = time.monotonic()
    post = await conn.call(create(CHAN, "hello team"))
    assert time.monotonic() - start >= 1.9  # honoured Retry-After twice
    assert [p["id"] for p in mm.posts(CHAN)] == [post["id"]]
    assert [r.status for r in mm.calls_to("POST", "/api/v4/posts")] == [429, 429, 201]


async def test_503_on_post_is_retried(mm: FakeMattermost, conn: MattermostConnection) -> None:
    mm.fail_next("POST", "/api/v4/posts", 503, retry_after=0)
    await conn.call(create(CHAN, "x"))
    assert len(mm.posts(CHAN)) == 1 and len(mm.calls_to("POST", "/api/v4/posts")) == 2


async def test_500_on_get_is_retried(mm: FakeMattermost, conn: MattermostConnection) -> None:
    mm.fail_next("GET", "/api/v4/users/", 500, times=2)
    user = await conn.call(lambda d: d.users.get_user(ALICE))
    assert user["id"] == ALICE
    assert [r.status for r in mm.calls_to("GET", f"/api/v4/users/{ALICE}")] == [500, 500, 200]


async def test_500_after_processing_a_post_is_not_retried(
    mm: FakeMattermost, conn: MattermostConnection
) -> None:
    mm.fail_next("POST", "/api/v4/posts", 500, after_processing=True)
    with pytest.raises(requests.HTTPError) as err:
        await conn.call(create(CHAN, "only once"))
    assert err.value.response.status_code == 500
    assert [p["message"] for p in mm.posts(CHAN)] == ["only once"]  # not doubled
    assert len(mm.calls_to("POST", "/api/v4/posts")) == 1


async def test_read_timeout_retries_get_but_not_post(mm: FakeMattermost) -> None:
    async with MattermostConnection(mm.url, mm.bot_token, retry=FAST, request_timeout=0.3) as c:
        mm.delay("GET", "/api/v4/users/", 0.6)
        assert (await c.call(lambda d: d.users.get_user(ALICE)))["id"] == ALICE
        mm.delay("POST", "/api/v4/posts", 0.6)
        with pytest.raises(requests.exceptions.ReadTimeout):
            await c.call(create(CHAN, "slow"))
        await asyncio.sleep(0.5)
        assert len(mm.calls_to("POST", "/api/v4/posts")) == 1 and len(mm.posts(CHAN)) == 1


async def test_gives_up_after_max_attempts(mm: FakeMattermost, conn: MattermostConnection) -> None:
    mm.fail_next("GET", "/api/v4/users/", 502, times=10)
    with pytest.raises(requests.HTTPError):
        await conn.call(lambda d: d.users.get_user(ALICE))
    assert len(mm.calls_to("GET", f"/api/v4/users/{ALICE}")) == FAST.max_attempts


async def test_connection_refused_is_retried_even_for_post(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = MattermostConnection(f"http://127.0.0.1:{port}", "t", retry=FAST)
    with caplog.at_level(logging.WARNING, "bot.platforms.mattermost_connection"):
        with pytest.raises(requests.ConnectionError):
            await c.call(create(CHAN, "x"))  # never reached a server: safe to retry a POST
    retries = [r for r in caplog.records if "retry" in r.getMessage()]
    assert len(retries) == FAST.max_attempts - 1


def test_retry_policy_hints() -> None:
    policy = RetryPolicy(max_retry_after=10)
    resp = requests.Response()
    resp.status_code = 429
    resp.headers["X-Ratelimit-Reset"] = "3"
    assert 3 <= policy.delay_for("POST", "/posts", requests.HTTPError(response=resp), 1) <= 4  # hint + spread
    resp.headers["Retry-After"] = "120"
    assert 10 <= policy.delay_for("GET", "/x", requests.HTTPError(response=resp), 1) <= 11  # capped
    # a 429 did nothing: it is waited out far longer than other errors, but not forever
    assert policy.delay_for("GET", "/x", requests.HTTPError(response=resp), policy.max_attempts) is not None
    assert policy.delay_for("GET", "/x", requests.HTTPError(response=resp), policy.max_refused_attempts) is None
    resp.status_code = 500
    assert policy.delay_for("POST", "/posts", requests.HTTPError(response=resp), 1) is None
    assert policy.delay_for("POST", "/channels/direct", requests.HTTPError(response=resp), 1)
    assert policy.delay_for("POST", "/posts", requests.exceptions.ReadTimeout(), 1) is None
    assert all(0.25 <= policy.backoff(1) <= 0.5 for _ in range(50))
    assert all(policy.backoff(30) <= policy.max_delay for _ in range(50))


def test_decode_event_parses_post_string() -> None:
    event = decode_event('{"event":"posted","data":{"post":"{\\"id\\":\\"p1\\"}"},"seq":3}')
    assert event["data"]["post"] == {"id": "p1"} and event["seq"] == 3


async def test_listen_delivers_hello_and_posted(
    mm: FakeMattermost, conn: MattermostConnection
) -> None:
    listener = Listener(conn)
    await listener.wait_for("hello", 1)
    dm = mm.add_direct_channel(ALICE, mm.bot_user_id)
    post = await mm.ws_emit_posted(dm["id"], {"user_id": ALICE, "message": "hi"})
    [event] = await listener.wait_for("posted", 1)
    assert event["data"]["post"] == post and event["data"]["channel_type"] == "D"
    await conn.close()
    await asyncio.wait_for(listener.task, 2)


async def test_reconnect_after_drop_loses_and_doubles_nothing(
    mm: FakeMattermost, conn: MattermostConnection
) -> None:
    listener = Listener(conn)
    await mm.wait_for_ws_clients(1)
    sent = [(await mm.ws_emit_posted(CHAN, {"user_id": ALICE, "message": "before"}))["id"]]
    await listener.wait_for("posted", 1)
    assert await mm.drop_websockets() == 1
    await listener.wait_for("hello", 2)
    await mm.wait_for_ws_clients(1)
    for i in range(5):
        sent.append(
            (await mm.ws_emit_posted(CHAN, {"user_id": ALICE, "message": f"after {i}"}))["id"]
        )
    got = await listener.wait_for("posted", 6)
    await asyncio.sleep(0.1)
    assert [e["data"]["post"]["id"] for e in listener.named("posted")] == sent
    assert conn.websocket is not None and conn.websocket.connections == 2
    await conn.close()
    await asyncio.wait_for(listener.task, 2)
    assert len(got) == 6


async def test_reconnects_after_a_normal_server_close(
    mm: FakeMattermost, conn: MattermostConnection
) -> None:
    listener = Listener(conn)
    await listener.wait_for("hello", 1)
    await mm.drop_websockets(abrupt=False)
    hellos = await listener.wait_for("hello", 2)
    assert len(hellos) == 2 and mm.hub.auth_count == 2  # a normal close is followed by one reconnect
    await conn.close()
    await asyncio.wait_for(listener.task, 2)
    assert listener.task.done() and listener.task.exception() is None


async def test_close_ends_listen_promptly_and_does_not_reconnect(
    mm: FakeMattermost, conn: MattermostConnection
) -> None:
    listener = Listener(conn)
    await mm.wait_for_ws_clients(1)
    start = time.monotonic()
    await conn.close()
    await asyncio.wait_for(listener.task, 1)
    assert time.monotonic() - start < 1
    await asyncio.sleep(0.3)
    assert mm.hub.authenticated() == [] and mm.hub.auth_count == 1


async def test_close_during_backoff_is_prompt() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = MattermostConnection(f"http://127.0.0.1:{port}", "t", ws_backoff_base=5, ws_backoff_cap=5)
    listener = Listener(c)
    await asyncio.sleep(0.3)  # first connect refused; now sleeping ~2.5-5 s
    start = time.monotonic()
    await c.close()
    await asyncio.wait_for(listener.task, 1)
    assert time.monotonic() - start < 1


async def test_wrong_token_raises_auth_error(mm: FakeMattermost) -> None:
    c = MattermostConnection(mm.url, "wrong-token", ws_backoff_base=0.01)
    with pytest.raises(MattermostAuthError):
        await asyncio.wait_for(c.listen(lambda e: asyncio.sleep(0)), 5)
    assert mm.hub.auth_failures == 3


async def test_hello_before_ok_is_accepted() -> None:
    async with FakeMattermost(hello_before_ok=True) as mm:
        async with MattermostConnection(mm.url, mm.bot_token) as c:
            listener = Listener(c)
            [hello] = await listener.wait_for("hello", 1)
            assert hello["event"] == "hello"
            await c.close()
            await asyncio.wait_for(listener.task, 2)
            assert listener.task.exception() is None


async def test_wss_with_trustme_ca_connects() -> None:
    async with FakeMattermost(tls=True) as mm:
        seed(mm)
        async with MattermostConnection(mm.url, mm.bot_token, ca_file=mm.ca_path) as c:
            listener = Listener(c)
            await listener.wait_for("hello", 1)
            await mm.ws_emit_posted(CHAN, {"user_id": ALICE, "message": "over tls"})
            [event] = await listener.wait_for("posted", 1)
            assert event["data"]["post"]["message"] == "over tls"
            assert (await c.call(create(CHAN, "rest over tls")))["message"] == "rest over tls"
            await c.close()
            await asyncio.wait_for(listener.task, 2)


async def test_stock_mattermostdriver_websocket_cannot_do_wss(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Documents trap 1: its server-side SSL context never connects, and it loops forever."""
    async with FakeMattermost(tls=True) as mm:
        d = Driver(
            {
                "scheme": "https",
                "url": "127.0.0.1",
                "port": mm.port,
                "token": mm.bot_token,
                "verify": mm.ca_path,
                "keepalive_delay": 0.1,
            }
        )
        stock = Websocket(d.options, mm.bot_token)
        with caplog.at_level(logging.WARNING, "mattermostdriver.websocket"):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(stock.connect(lambda m: asyncio.sleep(0)), 1.0)
        assert mm.hub.auth_count == 0
        assert "PROTOCOL_TLS_SERVER" in caplog.text


async def test_stock_mattermostdriver_websocket_never_stops_after_normal_close(
    mm: FakeMattermost,
) -> None:
    """Documents trap 2: keepalive=False, yet a normal close makes it reconnect forever."""
    d = Driver(
        {
            "scheme": "http",
            "url": "127.0.0.1",
            "port": mm.port,
            "token": mm.bot_token,
            "keepalive": False,
            "keepalive_delay": 0.05,
        }
    )
    stock = Websocket(d.options, mm.bot_token)
    task = asyncio.create_task(stock.connect(lambda m: asyncio.sleep(0)))
    await mm.wait_for_ws_clients(1)
    await mm.drop_websockets(abrupt=False)
    await mm.wait_for_ws_clients(1)
    assert mm.hub.auth_count == 2 and not task.done()
    stock.disconnect()
    task.cancel()
    await mm.drop_websockets()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_close_is_final_even_before_listen(mm: FakeMattermost) -> None:
    c = MattermostConnection(mm.url, mm.bot_token)
    await c.close()
    await asyncio.wait_for(c.listen(lambda e: asyncio.sleep(0)), 1)
    assert mm.hub.auth_count == 0


async def test_a_failing_handler_does_not_kill_the_connection(
    mm: FakeMattermost, conn: MattermostConnection
) -> None:
    seen: list[str] = []

    async def flaky(event: dict[str, Any]) -> None:
        seen.append(event["event"])
        if event["event"] == "posted" and event["data"]["post"]["message"] == "boom":
            raise RuntimeError("handler bug")

    task = asyncio.create_task(conn.listen(flaky))
    await mm.wait_for_ws_clients(1)
    await mm.ws_emit_posted(CHAN, {"user_id": ALICE, "message": "boom"})
    await mm.ws_emit_posted(CHAN, {"user_id": ALICE, "message": "fine"})
    for _ in range(200):
        if seen.count("posted") == 2:
            break
        await asyncio.sleep(0.01)
    assert seen == ["hello", "posted", "posted"] and mm.hub.auth_count == 1
    await conn.close()
    await asyncio.wait_for(task, 2)


async def test_handshake_drops_with_a_valid_token_keep_retrying(
    mm: FakeMattermost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restarting server may drop us mid-handshake; REST still accepts the token."""
    monkeypatch.setattr(mm, "user_for_token", lambda token: None)  # websocket-only refusal
    async with MattermostConnection(mm.url, mm.bot_token, ws_backoff_base=0.01) as c:
        listener = Listener(c)
        while mm.hub.auth_failures < 5:  # past max_auth_failures (3), still trying
            assert not listener.task.done()
            await asyncio.sleep(0.01)
        monkeypatch.undo()
        await listener.wait_for("hello", 1)
        await c.close()
        await asyncio.wait_for(listener.task, 2)
