"""The fake Mattermost server, driven through the real mattermostdriver over real HTTP."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import (
    InvalidOrMissingParameters,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)

# The repo root is not on sys.path under the `pytest` entry point (no pythonpath setting).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import MM_ALICE, MM_BOB, MM_CHANNEL, MM_TEAM  # noqa: E402
from tests.fakes.mattermost_api import FakeMattermost  # noqa: E402

ALICE, BOB, CHAN, TEAM = MM_ALICE, MM_BOB, MM_CHANNEL, MM_TEAM  # the `mm` fixture's (tests/conftest.py)


def make_driver(mm: FakeMattermost, token: str | None = None) -> Driver:
    """A driver that is usable without login(): the token only reaches the client there."""
    d = Driver(
        {
            "scheme": "https" if mm.tls else "http",
            "url": "127.0.0.1",
            "port": mm.port,
            "token": token or mm.bot_token,
            "verify": mm.ca_path or True,
            "request_timeout": 10,
        }
    )
    d.client.token = token or mm.bot_token
    return d


async def run(driver: Driver, fn: Any) -> Any:
    return await asyncio.to_thread(fn, driver)


async def test_bad_token_gets_401_with_mattermost_error_shape(mm: FakeMattermost) -> None:
    with pytest.raises(NoAccessTokenProvided):
        await run(make_driver(mm, "wrong"), lambda d: d.login())
    async with aiohttp.ClientSession() as s, s.get(f"{mm.url}/api/v4/users/me") as resp:
        body = await resp.json()
        assert resp.status == 401
        assert resp.headers["Content-Type"] == "application/json"
        assert all(
            h in resp.headers
            for h in ("X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset")
        )
    assert body["id"] == "api.context.session_expired.app_error"
    assert body["status_code"] == 401 and body["message"]
    assert mm.calls_to("GET", "/api/v4/users/me")[-1].status == 401


async def test_users_endpoints(mm: FakeMattermost) -> None:
    d = make_driver(mm)
    me = await run(d, lambda d: d.login())
    assert me["id"] == mm.bot_user_id and me["is_bot"] and d.client.userid == mm.bot_user_id
    alice = await run(d, lambda d: d.users.get_user(ALICE))
    assert alice["username"] == "alice" and alice["locale"] == "nl"
    found = await run(d, lambda d: d.users.get_users_by_ids([ALICE, "nobody", BOB]))
    assert [u["id"] for u in found] == [ALICE, BOB]
    assert (await run(d, lambda d: d.users.get_user_by_username("bob")))["id"] == BOB
    with pytest.raises(ResourceNotFound):
        await run(d, lambda d: d.users.get_user("missing"))
    with pytest.raises(InvalidOrMissingParameters):
        await run(d, lambda d: d.users.get_users_by_ids({"not": "a list"}))


async def test_post_thread_update_and_patch_are_what_the_team_sees(mm: FakeMattermost) -> None:
    d = make_driver(mm)
    attachment = {
        "text": "How did it go?",
        "actions": [
            {
                "name": "Share",
                "type": "button",
                "integration": {"url": "http://bot.local/actions", "context": {"ritual": "retro"}},
            }
        ],
    }
    root = await run(
        d,
        lambda d: d.posts.create_post(
            {"channel_id": CHAN, "message": "Weekly ritual", "props": {"attachments": [attachment]}}
        ),
    )
    reply = await run(
        d,
        lambda d: d.posts.create_post(
            {"channel_id": CHAN, "message": "first reply", "root_id": root["id"]}
        ),
    )
    await run(
        d,
        lambda d: d.posts.update_post(
            root["id"], {"id": root["id"], "message": "Closed", "props": {}}
        ),
    )
    await run(d, lambda d: d.posts.patch_post(reply["id"], {"message": "edited reply"}))

    seen = mm.posts(CHAN)
    assert [p["message"] for p in seen] == ["Closed", "edited reply"]
    assert seen[0]["edit_at"] > 0 and seen[0]["reply_count"] == 1
    assert [p["id"] for p in mm.thread(root["id"])] == [root["id"], reply["id"]]
    action = root["props"]["attachments"][0]["actions"][0]
    assert action["id"] and action["integration"]["context"] == {"ritual": "retro"}
    assert len(mm.calls_to("POST", "/api/v4/posts")) == 2
    assert (await run(d, lambda d: d.posts.get_post(reply["id"])))["message"] == "edited reply"


async def test_post_validation_and_permissions(mm: FakeMattermost) -> None:
    d = make_driver(mm)
    with pytest.raises(InvalidOrMissingParameters):
        await run(d, lambda d: d.posts.create_post({"message": "no channel"}))
    with pytest.raises(InvalidOrMissingParameters):
        await run(
            d,
            lambda d: d.posts.create_post(
                {"channel_id": CHAN, "message": "x", "root_id": "doesnotexist"}
            ),
        )
    mm.add_channel("other", TEAM, members=[ALICE])
    with pytest.raises(NotEnoughPermissions):
        await run(d, lambda d: d.posts.create_post({"channel_id": "other", "message": "x"}))
    alice_post = await mm.ws_emit_posted(CHAN, {"user_id": ALICE, "message": "mine"})
    with pytest.raises(NotEnoughPermissions):
        await run(d, lambda d: d.posts.patch_post(alice_post["id"], {"message": "hijack"}))
    with pytest.raises(InvalidOrMissingParameters):  # PUT needs the id in the body
        await run(d, lambda d: d.posts.update_post(alice_post["id"], {"message": "x"}))


async def test_direct_channel_is_stable_and_readable(mm: FakeMattermost) -> None:
    d = make_driver(mm)
    first = await run(
        d, lambda d: d.channels.create_direct_message_channel([mm.bot_user_id, ALICE])
    )
    again = await run(
        d, lambda d: d.channels.create_direct_message_channel([ALICE, mm.bot_user_id])
    )
    assert first["id"] == again["id"] and first["type"] == "D"
    assert (await run(d, lambda d: d.channels.get_channel(first["id"])))["name"] == first["name"]
    with pytest.raises(NotEnoughPermissions):  # a bot cannot open DMs between two others
        await run(d, lambda d: d.channels.create_direct_message_channel([ALICE, BOB]))


async def test_channel_members_are_paginated(mm: FakeMattermost) -> None:
    d = make_driver(mm)
    ids = [f"user{i:022d}" for i in range(5)]
    mm.add_channel("big", TEAM, members=[mm.bot_user_id, *ids])
    pages = [
        await run(
            d,
            lambda d, p=p: d.channels.get_channel_members("big", params={"page": p, "per_page": 2}),
        )
        for p in range(4)
    ]
    assert [len(p) for p in pages] == [2, 2, 2, 0]
    assert [m["user_id"] for page in pages for m in page] == [mm.bot_user_id, *ids]
    with pytest.raises(NotEnoughPermissions):
        mm.add_channel("secret", TEAM, members=[ALICE])
        await run(d, lambda d: d.channels.get_channel_members("secret"))


async def test_ephemeral_needs_permission() -> None:
    body = {"user_id": ALICE, "post": {"channel_id": CHAN, "message": "only you"}}
    async with FakeMattermost() as mm:
        mm.add_user(ALICE, "alice")
        mm.add_channel(CHAN, TEAM, members=[mm.bot_user_id, ALICE])
        with pytest.raises(NotEnoughPermissions):
            await run(make_driver(mm), lambda d: d.posts.create_ephemeral_post(body))
    async with FakeMattermost(bot_is_admin=True) as mm:
        mm.add_user(ALICE, "alice")
        mm.add_channel(CHAN, TEAM, members=[mm.bot_user_id, ALICE])
        await run(make_driver(mm), lambda d: d.posts.create_ephemeral_post(body))
        assert mm.ephemeral_posts[0]["to_user_id"] == ALICE and mm.posts(CHAN) == []


DIALOG = {
    "callback_id": "retro",
    "title": "Weekly retro",
    "submit_label": "Share",
    "state": "s1",
    "elements": [
        {"display_name": "Success", "name": "success", "type": "textarea"},
        {
            "display_name": "Mood",
            "name": "mood",
            "type": "radio",
            "options": [{"text": "Good", "value": "good"}],
            "default": "good",
        },
        {"display_name": "Anonymous", "name": "anon", "type": "bool"},
    ],
}


async def test_dialog_open_trigger_ids_are_single_use_and_expire() -> None:
    async with FakeMattermost(trigger_ttl=0.3) as mm:
        d = make_driver(mm)
        open_ = lambda trig, dialog=DIALOG, url="http://bot.local/dialog": run(  # noqa: E731
            d,
            lambda d: d.integration_actions.open_dialog(
                {"trigger_id": trig, "url": url, "dialog": dialog}
            ),
        )
        trigger = mm.new_trigger_id(ALICE)
        assert await open_(trigger) == {"status": "OK"}
        assert mm.dialogs[0]["user_id"] == ALICE and mm.dialogs[0]["dialog"]["state"] == "s1"
        with pytest.raises(InvalidOrMissingParameters, match="already used"):
            await open_(trigger)
        with pytest.raises(InvalidOrMissingParameters):
            await open_("made-up")
        with pytest.raises(InvalidOrMissingParameters):
            await open_(mm.new_trigger_id(ALICE), url="")
        late = mm.new_trigger_id(ALICE)
        await asyncio.sleep(0.4)
        with pytest.raises(InvalidOrMissingParameters, match="expired"):
            await open_(late)
        bad = {
            **DIALOG,
            "title": "A title that is far too long",
            "elements": [
                {"display_name": "X", "name": "x", "type": "checkbox"},
                {
                    "display_name": "Y",
                    "name": "y",
                    "type": "select",
                    "default": "nope",
                    "options": [{"text": "A", "value": "a"}],
                },
            ],
        }
        with pytest.raises(InvalidOrMissingParameters, match="title"):
            await open_(mm.new_trigger_id(ALICE), dialog=bad)
        assert any("checkbox" in w for w in mm.dialog_warnings)
        assert any("nope" in w for w in mm.dialog_warnings)


async def test_dialog_lenient_mode_and_element_cap() -> None:
    async with FakeMattermost(strict_dialogs=False, max_dialog_elements=2) as mm:
        d = make_driver(mm)
        await run(
            d,
            lambda d: d.integration_actions.open_dialog(
                {"trigger_id": mm.new_trigger_id(ALICE), "url": "http://x", "dialog": DIALOG}
            ),
        )
        assert mm.dialog_warnings == ["more than 2 elements"] and len(mm.dialogs) == 1


async def test_file_upload_then_post_with_file_ids(mm: FakeMattermost) -> None:
    d = make_driver(mm)
    up = await run(d, lambda d: d.files.upload_file(CHAN, {"files": ("notes.txt", b"hello team")}))
    info = up["file_infos"][0]
    assert info["name"] == "notes.txt" and info["size"] == 10 and info["extension"] == "txt"
    post = await run(
        d,
        lambda d: d.posts.create_post(
            {"channel_id": CHAN, "message": "see file", "file_ids": [info["id"]]}
        ),
    )
    assert post["file_ids"] == [info["id"]] and mm.files[info["id"]]["post_id"] == post["id"]
    assert mm.file_contents[info["id"]] == b"hello team"
    assert mm.calls_to("POST", "/api/v4/files")[0].body == {
        "channel_id": CHAN,
        "files": ["notes.txt"],
    }


async def test_injected_faults_and_rate_limit_headers(mm: FakeMattermost) -> None:
    d = make_driver(mm)
    mm.fail_next("POST", "/api/v4/posts", 429, retry_after=2)
    mm.fail_next("GET", "/api/v4/users/", 500)
    with pytest.raises(requests.HTTPError) as err:
        await run(d, lambda d: d.posts.create_post({"channel_id": CHAN, "message": "x"}))
    resp = err.value.response
    assert resp.status_code == 429 and resp.text == "limit exceeded\n"
    assert resp.headers["Retry-After"] == "2" and resp.headers["X-Ratelimit-Remaining"] == "0"
    assert mm.posts(CHAN) == []  # a 429 means the server did nothing
    with pytest.raises(requests.HTTPError) as err:
        await run(d, lambda d: d.users.get_user(ALICE))
    assert err.value.response.status_code == 500
    assert (await run(d, lambda d: d.users.get_user(ALICE)))["id"] == ALICE


async def test_delay_injection(mm: FakeMattermost) -> None:
    mm.delay("GET", "/api/v4/users/me", 0.3)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await run(make_driver(mm), lambda d: d.login())
    assert loop.time() - start >= 0.3


async def test_tls_with_trustme_ca() -> None:
    async with FakeMattermost(tls=True) as mm:
        assert mm.url.startswith("https://") and mm.ca_path
        assert (await run(make_driver(mm), lambda d: d.login()))["id"] == mm.bot_user_id
        with pytest.raises(requests.exceptions.SSLError):
            await run(
                Driver(
                    {"scheme": "https", "url": "127.0.0.1", "port": mm.port, "token": mm.bot_token}
                ),
                lambda d: d.login(),
            )
