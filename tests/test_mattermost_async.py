"""mattermostdriver's calls awaited on the event loop (issue 9): no worker threads, the same
answers and errors, uploads sent whole, and `close()` ending a wait for a retry."""

from __future__ import annotations

import asyncio
import threading

import pytest
import requests
from mattermostdriver.exceptions import InvalidOrMissingParameters, MethodNotAllowed

from bot.messages import ImageFile
from bot.platforms.mattermost.connection import MattermostConnection, NeverSent, RetryPolicy
from bot.store import Store
from tests.fakes.mattermost_api import FakeMattermost
from tests.test_mattermost_support import CHAN, running_bot

ALICE, ROOM = "alice0000000000000000000aa", "chan0000000000000000000000"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


async def test_calls_are_awaited_on_the_loop_without_worker_threads() -> None:
    async with FakeMattermost() as mm:
        mm.add_user(ALICE, "alice")
        mm.add_channel(ROOM, "team", members=[mm.bot_user_id, ALICE])
        before = {t.ident for t in threading.enumerate()}
        async with MattermostConnection(mm.url, mm.bot_token) as conn:
            await asyncio.gather(*(conn.call(lambda d, i=i: d.posts.create_post({"channel_id": ROOM, "message": str(i)}))
                                   for i in range(40)))
            found = await conn.call(lambda d: d.users.get_users_by_ids([ALICE]))
            started = [t.name for t in threading.enumerate() if t.ident not in before]
        assert len(mm.posts(ROOM)) == 40 and found[0]["username"] == "alice"
        assert [name for name in started if "mattermost" in name] == []


async def test_query_values_are_written_as_the_driver_writes_them() -> None:
    async with FakeMattermost() as mm, MattermostConnection(mm.url, mm.bot_token) as conn:
        mm.add_channel(ROOM, "team", members=[mm.bot_user_id])
        await conn.call(lambda d: d.client.get(f"/users/{mm.bot_user_id}/channels", params={"include_deleted": True}))
        [listing] = mm.calls_to("GET", f"/api/v4/users/{mm.bot_user_id}/channels")
        assert listing.query == {"include_deleted": "True"}  # what requests sends for a bool


async def test_an_image_is_uploaded_whole_after_a_429(store: Store) -> None:
    async with running_bot(store) as r:
        r.mm.fail_next("POST", "/api/v4/files", 429, retry_after=0)
        await r.connector.platform.upload_image(CHAN, ImageFile("week.png", PNG, "De week"))
        [upload_a, upload_b] = r.mm.calls_to("POST", "/api/v4/files")
        assert (upload_a.status, upload_b.status) == (429, 201)
        [post] = r.bot_posts(CHAN)
        [file_id] = post["file_ids"]
        assert r.mm.file_contents[file_id] == PNG and r.mm.files[file_id]["name"] == "week.png"
        assert post["message"] == "De week"


async def test_close_ends_a_wait_for_a_retry() -> None:
    async with FakeMattermost() as mm:
        mm.add_channel(ROOM, "team", members=[mm.bot_user_id])
        conn = MattermostConnection(mm.url, mm.bot_token, retry=RetryPolicy())
        await conn.login()
        mm.fail_next("POST", "/api/v4/posts", 429, retry_after=60)
        posting = asyncio.ensure_future(conn.call(lambda d: d.posts.create_post({"channel_id": ROOM, "message": "x"})))
        while not mm.calls_to("POST", "/api/v4/posts"):
            await asyncio.sleep(0.01)
        await conn.close()
        with pytest.raises(requests.HTTPError) as refused:
            await asyncio.wait_for(posting, 10)  # not the 60 s the server asked for
        assert refused.value.response is not None and refused.value.response.status_code == 429
        assert mm.posts(ROOM) == []


async def test_a_call_after_close_opens_no_connection() -> None:
    async with FakeMattermost() as mm:
        mm.add_channel(ROOM, "team", members=[mm.bot_user_id])
        conn = MattermostConnection(mm.url, mm.bot_token)
        await conn.login()
        await conn.close()
        with pytest.raises(NeverSent):
            await conn.call(lambda d: d.posts.create_post({"channel_id": ROOM, "message": "te laat"}))
        assert mm.posts(ROOM) == [] and len(mm.requests) == 1  # the login only


async def test_bodies_are_sent_as_the_driver_sends_them() -> None:
    async with FakeMattermost() as mm, MattermostConnection(mm.url, mm.bot_token) as conn:
        with pytest.raises(InvalidOrMissingParameters):  # the server's 400, as the driver raises it
            await conn.call(lambda d: d.users.get_users_by_ids([]))
        with pytest.raises(MethodNotAllowed):  # not a route; its body is recorded all the same
            await conn.call(lambda d: d.client.post(f"/users/{mm.bot_user_id}/channels"))
        assert [r.body for r in mm.requests if r.method == "POST"] == [[], {}]  # an empty list stays a list
