"""The Slack fake, driven only through the real slack_sdk / slack-bolt clients.

If these pass, the fake speaks the protocol the SDK expects, so adapter tests built
on it exercise the SDK's real retry, upload and Socket Mode code paths.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

# The repo root is not on sys.path under the `pytest` entry point (no pythonpath setting).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import SLACK_CHANNEL, SLACK_TEAM  # noqa: E402
from tests.fakes.slack_api import (  # noqa: E402
    BOT_USER_ID,
    UPLOAD,
    FakeSlack,
    wait_until,
)

CH, TEAM = SLACK_CHANNEL, SLACK_TEAM  # the `slack` fixture's channel and people (tests/conftest.py)


def client_for(slack: FakeSlack, token: str | None = "xoxb-test-token", **kw) -> AsyncWebClient:
    client = AsyncWebClient(token=token, base_url=slack.api_url, **kw)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
    client.retry_handlers.append(AsyncServerErrorRetryHandler(max_retry_count=2))
    return client


async def error_of(coro) -> str:
    with pytest.raises(SlackApiError) as info:
        await coro
    return info.value.response["error"]


# ------------------------------------------------------------------ auth & arguments


async def test_auth_errors_like_slack(slack: FakeSlack) -> None:
    assert await error_of(client_for(slack, token=None).auth_test()) == "not_authed"
    assert await error_of(client_for(slack, token="xoxb-wrong").auth_test()) == "invalid_auth"
    app_token_client = client_for(slack, "xapp-test-token")
    assert await error_of(app_token_client.auth_test()) == "not_allowed_token_type"
    bot = client_for(slack)
    assert await error_of(bot.apps_connections_open(app_token="xoxb-test-token")) == (
        "not_allowed_token_type"
    )
    me = await bot.auth_test()
    assert me["user_id"] == BOT_USER_ID and me["ok"] is True
    assert slack.calls[-1].headers["Authorization"] == "Bearer xoxb-test-token"


async def test_unknown_method_is_404(slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as info:
        await client_for(slack).api_call("rituals.dance")
    assert info.value.response.status_code == 404
    assert info.value.response["error"] == "unknown_method"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
async def test_post_message_argument_checks(slack: FakeSlack) -> None:
    c = client_for(slack)
    assert await error_of(c.chat_postMessage(channel="C0NOPE0001", text="x")) == "channel_not_found"
    assert await error_of(c.chat_postMessage(channel=CH)) == "no_text"
    assert await error_of(c.chat_postMessage(channel=CH, text="x" * 40_001)) == "msg_too_long"
    many = [{"type": "divider"}] * 51
    assert await error_of(c.chat_postMessage(channel=CH, text="t", blocks=many)) == "invalid_blocks"
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]
    assert await error_of(c.chat_postMessage(channel=CH, blocks=long_section)) == "invalid_blocks"
    assert await error_of(c.chat_postMessage(channel=CH, blocks=[{"text": "no type"}])) == (
        "invalid_blocks"
    )
    slack.add_channel("C0NOTJOIN1", members=TEAM, bot_is_member=False)
    assert await error_of(c.chat_postMessage(channel="C0NOTJOIN1", text="x")) == "not_in_channel"
    assert slack.messages(CH) == []


async def test_form_json_and_query_bodies_all_accepted(slack: FakeSlack) -> None:
    c = client_for(slack)
    await c.chat_postMessage(channel="#team-rituals", text="as json", blocks=[{"type": "divider"}])
    assert slack.calls[-1].headers["Content-Type"].startswith("application/json")
    # form-encoded, blocks as a JSON string, the way curl or older clients send it
    await c.api_call("chat.postMessage", data={"channel": CH, "text": "as form", "blocks": "[]"})
    assert slack.calls[-1].headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    info = await c.users_info(user="U0ALICE001")  # GET with query params
    assert slack.calls[-1].args == {"user": "U0ALICE001"}
    assert "locale" not in info["user"]
    assert [m.text for m in slack.messages(CH)] == ["as json", "as form"]


# ------------------------------------------------------------------ faults & retries


async def test_429_with_retry_after_is_retried_and_posts_once(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    resp = await client_for(slack).chat_postMessage(channel=CH, text="hello team")
    attempts = slack.calls_to("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[0].response == {"ok": False, "error": "ratelimited"}
    assert [(m.ts, m.text) for m in slack.messages(CH)] == [(resp["ts"], "hello team")]


async def test_429_without_retry_handler_is_not_posted(slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    bare = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url, retry_handlers=[])
    with pytest.raises(SlackApiError) as info:
        await bare.chat_postMessage(channel=CH, text="lost")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert slack.messages(CH) == []


@pytest.mark.parametrize("status", [500, 503])
async def test_server_errors_are_retried(slack: FakeSlack, status: int) -> None:
    slack.fail_next("chat.postMessage", status=status)
    await client_for(slack).chat_postMessage(channel=CH, text="eventually")
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [status, 200]
    assert [m.text for m in slack.messages(CH)] == ["eventually"]


async def test_injected_slack_error_and_per_channel_rate_limit(slack: FakeSlack) -> None:
    c = client_for(slack)
    slack.fail_next("users.info", status=200, error="user_not_visible")
    assert await error_of(c.users_info(user="U0BOB00001")) == "user_not_visible"
    slack.rate_limit("chat.postMessage", per_channel_per_second=1)
    started = time.monotonic()
    await c.chat_postMessage(channel=CH, text="one")
    await c.chat_postMessage(channel=CH, text="two")  # 429 first, retried after Retry-After
    assert time.monotonic() - started >= 1.0
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [200, 429, 200]
    assert [m.text for m in slack.messages(CH)] == ["one", "two"]


async def test_delay_timeout_still_posts_like_slack(slack: FakeSlack) -> None:
    """A client timeout does not undo the post: the classic source of duplicates."""
    slack.delay("chat.postMessage", 0.5)
    impatient = AsyncWebClient(token="xoxb-test-token", base_url=slack.api_url, timeout=0.1)
    with pytest.raises(asyncio.TimeoutError):
        await impatient.chat_postMessage(channel=CH, text="slow")
    await wait_until(lambda: len(slack.messages(CH)) == 1, 2, "the slow post")


# ------------------------------------------------------------------ messages model


async def test_threads_updates_and_ephemerals_are_what_the_team_saw(slack: FakeSlack) -> None:
    c = client_for(slack)
    parent = await c.chat_postMessage(channel=CH, text="What went well this week?")
    reply = await c.chat_postMessage(channel=CH, text="Shipped!", thread_ts=parent["ts"])
    nested = await c.chat_postMessage(channel=CH, text="+1", thread_ts=reply["ts"])
    assert nested["message"]["thread_ts"] == parent["ts"]  # reply-to-reply joins the thread
    await c.chat_update(channel=CH, ts=parent["ts"], text="What went well? (closed)")
    assert await error_of(c.chat_update(channel=CH, ts="1700000000.000001", text="x")) == (
        "message_not_found"
    )
    eph = await c.chat_postEphemeral(channel=CH, user="U0BOB00001", text="only for bob")
    assert eph["message_ts"]
    assert await error_of(c.chat_postEphemeral(channel=CH, user="U0NOBODY01", text="x")) == (
        "user_not_found"
    )
    seen = slack.messages(CH)
    assert [m.text for m in seen] == ["What went well? (closed)", "Shipped!", "+1"]
    assert seen[0].edits == [("What went well this week?", None)]
    assert [m.text for m in slack.thread(CH, parent["ts"])] == ["Shipped!", "+1"]
    assert [m.text for m in slack.messages(CH, include_replies=False)] == [seen[0].text]
    assert [m.text for m in slack.ephemeral(CH, user="U0BOB00001")] == ["only for bob"]
    link = await c.chat_getPermalink(channel=CH, message_ts=reply["ts"])
    assert link["permalink"].endswith(f"?thread_ts={parent['ts']}&cid={CH}")


async def test_dm_ids_are_stable_and_posting_to_a_user_lands_in_the_dm(slack: FakeSlack) -> None:
    c = client_for(slack)
    first = await c.conversations_open(users="U0ALICE001")
    again = await c.conversations_open(users=["U0ALICE001"])
    dm = first["channel"]["id"]
    assert dm.startswith("D") and dm == again["channel"]["id"] == slack.dm_channel_id("U0ALICE001")
    assert again["already_open"] is True
    assert await error_of(c.conversations_open(users="U0NOBODY01")) == "user_not_found"
    posted = await c.chat_postMessage(channel="U0ALICE001", text="Your weekly ritual")
    assert posted["channel"] == dm
    assert [m.text for m in slack.messages(dm)] == [m.text for m in slack.messages("U0ALICE001")]


async def test_conversations_members_paginates(slack: FakeSlack) -> None:
    c = client_for(slack)
    pages = [p["members"] async for p in await c.conversations_members(channel=CH, limit=2)]
    assert pages == [TEAM[0:2], TEAM[2:4], TEAM[4:5]]
    last = await c.conversations_members(channel=CH, limit=1000)
    assert last["response_metadata"]["next_cursor"] == ""
    bad_cursor = c.conversations_members(channel=CH, cursor="bm9wZQ==")
    assert await error_of(bad_cursor) == "invalid_cursor"
    assert await error_of(c.conversations_members(channel="C0NOPE0001")) == "channel_not_found"


async def test_users_info_locale_and_tz(slack: FakeSlack) -> None:
    c = client_for(slack)
    alice = (await c.users_info(user="U0ALICE001", include_locale=True))["user"]
    assert (alice["locale"], alice["tz"], alice["is_bot"]) == ("nl-NL", "Europe/Amsterdam", False)
    assert alice["tz_offset"] in (3600, 7200) and alice["real_name"] == "Alice"
    assert await error_of(c.users_info(user="U0NOBODY01")) == "user_not_found"


# ------------------------------------------------------------------ views


MODAL = {
    "type": "modal",
    "callback_id": "ritual_answer",
    "title": {"type": "plain_text", "text": "Weekly ritual"},
    "submit": {"type": "plain_text", "text": "Share"},
    "blocks": [
        {
            "type": "input",
            "block_id": "success",
            "label": {"type": "plain_text", "text": "A success"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ],
}


async def test_views_open_trigger_ids_are_single_use_and_expire(slack: FakeSlack) -> None:
    c = client_for(slack)
    assert await error_of(c.views_open(trigger_id="1.2.nope", view=MODAL)) == "invalid_trigger_id"
    trigger = slack.issue_trigger_id("U0ALICE001")
    opened = await c.views_open(trigger_id=trigger, view=MODAL)
    view_id = opened["view"]["id"]
    assert view_id.startswith("V") and slack.view_users[view_id] == "U0ALICE001"
    assert await error_of(c.views_open(trigger_id=trigger, view=MODAL)) == "exchanged_trigger_id"
    slack.trigger_ttl = 0.05
    stale = slack.issue_trigger_id()
    await asyncio.sleep(0.1)
    assert await error_of(c.views_open(trigger_id=stale, view=MODAL)) == "expired_trigger_id"
    slack.trigger_ttl = 3.0  # back to Slack's window: a slow machine must not expire the next trigger
    no_title = {k: v for k, v in MODAL.items() if k != "title"}
    with pytest.raises(SlackApiError) as info:
        await c.views_open(trigger_id=slack.issue_trigger_id(), view=no_title)
    assert info.value.response["error"] == "invalid_arguments"
    assert "title" in info.value.response["response_metadata"]["messages"][0]
    # views.update honours the optimistic-locking hash
    updated = await c.views_update(view_id=view_id, view=MODAL, hash=opened["view"]["hash"])
    assert updated["view"]["id"] == view_id
    assert await error_of(c.views_update(view_id=view_id, view=MODAL, hash="1.stale")) == (
        "hash_conflict"
    )


async def test_views_publish_home_tab(slack: FakeSlack) -> None:
    c = client_for(slack)
    hi = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}
    home = {"type": "home", "blocks": [hi]}
    assert await error_of(c.views_publish(user_id="U0ALICE001", view=MODAL)) == "invalid_arguments"
    first = await c.views_publish(user_id="U0ALICE001", view=home)
    second = await c.views_publish(user_id="U0ALICE001", view=home)
    assert first["view"]["id"] == second["view"]["id"] == slack.home_views["U0ALICE001"]["id"]
    assert await error_of(c.views_publish(user_id="U0NOBODY01", view=home)) == "user_not_found"


# ------------------------------------------------------------------ files


async def test_files_upload_v2_flow(slack: FakeSlack) -> None:
    c = client_for(slack)
    resp = await c.files_upload_v2(
        channel=CH, content="name,answer\nalice,shipped\n", filename="mydata.csv",
        title="Your data", initial_comment="Here is everything we store about you",
    )  # fmt: skip
    methods = [call.method for call in slack.calls]
    assert methods == ["files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal"]
    file_id = resp["file"]["id"]
    assert slack.files[file_id]["content"] == b"name,answer\nalice,shipped\n"
    assert resp["file"]["title"] == "Your data"
    (msg,) = slack.messages(CH)
    assert msg.text.startswith("Here is everything") and msg.files[0]["id"] == file_id
    assert await error_of(c.files_completeUploadExternal(files=[{"id": "F0NOPE00001"}])) == (
        "file_not_found"
    )


async def test_upload_url_failure_surfaces_as_request_error(slack: FakeSlack) -> None:
    slack.fail_next(UPLOAD, status=500, times=3)
    with pytest.raises(Exception, match="Failed to upload a file"):
        await client_for(slack).files_upload_v2(channel=CH, content="x", filename="a.txt")
    assert slack.messages(CH) == []


# ------------------------------------------------------------------ Socket Mode
