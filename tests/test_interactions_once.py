"""Interactions act once and all or nothing (issue 9 points 3 and 4, issue 10 point 3, issue 11).

Tried as people and platforms do it, with the real slack-bolt and mattermostdriver against
the fakes: another connection holds the database while a member submits the weekly form;
Slack gives up waiting and the member presses Share again; Slack retries; a signed request
is replayed; a Mattermost dialog is submitted again; the same request reaches two replicas.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import text

from bot.simulation import advance
from bot.store import Consent, Store
from bot.store.database import make_engine
from bot.store.handled import request_key
from tests.db_locks import holding
from tests.fakes.slack_api import app_home_opened_event, event_callback, interactive_body, sign_request
from tests.test_mattermost_support import BRAM as MM_BRAM
from tests.test_mattermost_support import CHAN as MM_CHAN
from tests.test_mattermost_support import running_bot as mattermost_bot
from tests.test_slack_support import BRAM, CH, COR, SECRET, Running, find_button, running_bot, until

BUSY_NL = "Probeer het over een ogenblik opnieuw"
NAMED = {"type": "radio_buttons", "selected_option": {"value": "named"}}
ANSWER = {"success": "Goed gesprek", "mistake": "Te laat gebeld", "lesson": "", "share_as": NAMED}


async def _opened_form(r: Running) -> tuple[Any, dict[str, Any]]:
    await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))  # Friday 14:01
    [prompt] = r.slack.messages(CH)
    assert await r.click(BRAM, prompt, "share") == 200
    await until(lambda: r.slack.calls_to("views.open"), "the modal")
    return prompt, r.slack.calls_to("views.open")[-1].response["view"]


def _submission(r: Running, view: dict[str, Any], values: dict[str, Any]) -> str:
    payload = {"type": "view_submission", "user": {"id": BRAM, "team_id": "T0FAKE0001"},
               "team": {"id": "T0FAKE0001"}, "api_app_id": "A0FAKEAPP1", "trigger_id": "1.2.x",
               "view": {**view, "state": {"values": {k: {"value": v if isinstance(v, dict) else
                                                         {"type": "plain_text_input", "value": v}}
                                                     for k, v in values.items()}}}}
    return interactive_body(payload)


async def _slack_posts(r: Running, body: str, *, headers: dict[str, str], base: str | None = None,
                       gives_up_after: float | None = None) -> tuple[int, dict[str, Any]] | None:
    """POST like Slack; None when Slack gave up waiting (it waits 3 s)."""
    timeout = aiohttp.ClientTimeout(total=gives_up_after) if gives_up_after else None
    try:
        async with r.http.post((base or r.base) + "/slack/events", data=body.encode(), headers=headers,
                               timeout=timeout) as resp:
            text = await resp.text()
            return resp.status, (json.loads(text) if text.strip() else {})
    except TimeoutError:
        return None


async def test_the_database_held_for_4_s_then_share_pressed_again_gives_one_reply(store: Store, database_url: str) -> None:
    """The issue's story: another connection holds the database for 4 s, the member submits
    the weekly form, Slack gives up waiting or shows what the bot answered, the member
    presses Share again until it works. Only one reply ever reaches the thread, and every
    answer before it said "try again" in the member's language."""
    async with running_bot(store) as r:
        prompt, view = await _opened_form(r)
        body = _submission(r, view, ANSWER)
        answers: list[tuple[int, dict[str, Any]] | None] = []
        with holding(database_url, at_most=4.0) as released:
            while True:  # the member presses Share (again) while the other connection holds on
                signed = sign_request(SECRET, body, None, "application/x-www-form-urlencoded")
                answer = await _slack_posts(r, body, headers=signed, gives_up_after=3.0)
                answers.append(answer)
                if answer == (200, {}) or len(answers) > 6:
                    break
                if answer is not None:
                    assert answer[0] == 200 and BUSY_NL in json.dumps(answer[1], ensure_ascii=False)
                assert r.slack.thread(CH, prompt.ts) == []  # a refused try did nothing
            was_held_at_the_end = not released.is_set()
        assert answers[-1] == (200, {})
        assert any(a is None or a[1].get("response_action") == "errors" for a in answers[:-1]) or was_held_at_the_end
        await until(lambda: r.slack.thread(CH, prompt.ts), "the reply")
        # Slack retries, and the member presses Share once more: calm, and no second reply
        signed = sign_request(SECRET, body, None, "application/x-www-form-urlencoded")
        again = await _slack_posts(r, body, headers={**signed, "X-Slack-Retry-Num": "1",
                                                     "X-Slack-Retry-Reason": "http_timeout"})
        assert again == (200, {})
        await asyncio.sleep(0.3)
        assert len(r.slack.thread(CH, prompt.ts)) == 1
        assert len(r.slack.messages(CH, include_replies=True)) == 2


async def test_share_pressed_again_while_the_first_is_still_posting_posts_once(store: Store) -> None:
    async with running_bot(store) as r:
        prompt, view = await _opened_form(r)
        r.slack.delay("chat.postMessage", 3.2)  # Slack is slow: the first answer takes long
        body = _submission(r, view, ANSWER)
        first = asyncio.create_task(_slack_posts(
            r, body, headers=sign_request(SECRET, body, None, "application/x-www-form-urlencoded")))
        await until(lambda: r.slack.calls_to("chat.postMessage"), "the first answer on its way")
        second = await _slack_posts(r, body, headers=sign_request(SECRET, body, None, "application/x-www-form-urlencoded"))
        assert second == (200, {})  # the modal closes calmly
        assert await first == (200, {})
        await until(lambda: r.slack.thread(CH, prompt.ts), "the reply", timeout=8)
        await asyncio.sleep(0.3)
        assert len(r.slack.thread(CH, prompt.ts)) == 1
        # and no second reply on its way: one request to post in the thread, ever
        assert len([c for c in r.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")]) == 1


async def test_a_signed_click_replayed_within_its_window_acts_once(store: Store) -> None:
    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        button = find_button(prompt, "share")
        payload = r.slack.block_actions_payload(action_id=button["action_id"], value=button.get("value"),
                                                user_id=BRAM, channel_id=CH, message=prompt.to_api())
        body = interactive_body(payload)
        signed = sign_request(SECRET, body, None, "application/x-www-form-urlencoded")
        assert (await _slack_posts(r, body, headers=signed))[0] == 200  # type: ignore[index]
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        replayed = await _slack_posts(r, body, headers=signed)  # the same signed request, captured and sent again
        assert replayed is not None and replayed[0] == 200
        await asyncio.sleep(0.3)
        assert len(r.slack.calls_to("views.open")) == 1
        # a new click of the same button (a new trigger id) still opens the form
        assert await r.click(BRAM, prompt, "share") == 200
        await until(lambda: len(r.slack.calls_to("views.open")) == 2, "the second modal")


async def test_a_submission_retried_to_another_replica_is_handled_once(store: Store, database_url: str) -> None:
    """Two replicas on one database behind a load balancer (issue 10 point 3): Slack's retry
    of a submission, and of an event, reaches the other replica; each acts once."""
    other = Store(make_engine(database_url))  # the second replica's own connections
    try:
        async with running_bot(store) as a, running_bot(other, slack=a.slack) as b:
            prompt, view = await _opened_form(a)
            b.clock.set(a.clock.now())
            body = _submission(a, view, ANSWER)
            answers = await asyncio.gather(*(
                _slack_posts(a, body, base=r.base, headers=sign_request(SECRET, body, None,
                                                                         "application/x-www-form-urlencoded"))
                for r in (a, b)))
            assert answers == [(200, {}), (200, {})]  # both calm: one posted, the other closed the modal
            await until(lambda: a.slack.thread(CH, prompt.ts), "the reply")
            await asyncio.sleep(0.3)
            assert len(a.slack.thread(CH, prompt.ts)) == 1

            event = json.dumps(event_callback(app_home_opened_event(user_id=BRAM), event_id="Ev0REPLICA01"))
            for r, retry in ((a, None), (b, "1")):
                headers = sign_request(SECRET, event, None, "application/json")
                if retry:
                    headers |= {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
                assert (await _slack_posts(r, event, headers=headers))[0] == 200  # type: ignore[index]
            await until(lambda: a.slack.calls_to("views.publish"), "the App Home")
            await asyncio.sleep(0.3)
            assert len(a.slack.calls_to("views.publish")) == 1
    finally:
        other.close()


async def test_a_delivery_is_taken_once_and_forgotten_after_its_window(store: Store) -> None:
    now = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)
    key = request_key("slack", "view", "U1", "V1", "h", "{}")
    assert await store.claim_request(key, now, now + timedelta(minutes=10))
    assert not await store.claim_request(key, now + timedelta(minutes=9), now + timedelta(minutes=19))
    await store.release_request(key)  # it did nothing: a retry may act
    assert await store.claim_request(key, now, now + timedelta(minutes=10))
    later = now + timedelta(minutes=11)  # expired: purged by the next insert, and taken again
    assert await store.claim_request(request_key("other"), later, later + timedelta(minutes=10))
    with store.engine.connect() as conn:
        keys = {row[0] for row in conn.execute(text("SELECT key FROM handled_request"))}
    assert keys == {request_key("other")}


async def test_a_mattermost_dialog_submitted_again_posts_once(store: Store, database_url: str) -> None:
    async with mattermost_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(MM_CHAN)
        assert (await r.click(MM_BRAM, prompt, "Deel je succes")).status == 200
        [opened] = r.mm.dialogs
        answer = {"success": "Goed gesprek", "mistake": "Te laat gebeld", "lesson": "Eerder bellen",
                  "share_as": "named"}
        with holding(database_url, at_most=30.0):  # busy: the dialog says "try again", nothing is posted
            busy = await r.submit(MM_BRAM, opened, answer)
            assert busy.status == 200 and BUSY_NL in json.dumps(busy.json, ensure_ascii=False)
            assert [p for p in r.bot_posts(MM_CHAN) if p["root_id"]] == []
        first = await r.submit(MM_BRAM, opened, answer)
        assert first.status == 200 and not (first.json or {}).get("errors")
        again = await r.submit(MM_BRAM, opened, answer)  # submitted again, or the request replayed
        assert again.status == 200 and not (again.json or {}).get("errors")
        await asyncio.sleep(0.3)
        assert len([p for p in r.bot_posts(MM_CHAN) if p["root_id"]]) == 1


async def test_a_command_that_cannot_get_the_database_says_try_again_in_the_persons_language(
        store: Store, database_url: str) -> None:
    async with running_bot(store) as r:
        with holding(database_url, tables=("member",), at_most=30.0):
            status, _, _ = await r.command(COR, "optout")  # cor's Slack locale is en-GB
            assert status == 200
            await until(lambda: r.slack.responses, "the answer")
        [answer] = r.slack.responses
        assert "try again in a moment" in answer.body["text"] and answer.body["response_type"] == "ephemeral"
        assert await store.consent("noord", COR) is Consent.UNKNOWN  # nothing was done
        await r.command(COR, "optout")  # a moment later it works
        await until(lambda: len(r.slack.responses) == 2, "the second answer")
        assert await store.consent("noord", COR) is Consent.OUT
