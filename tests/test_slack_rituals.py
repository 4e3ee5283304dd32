"""Every installed ritual on the fake Slack: what it posts and every form its buttons open
must be valid Block Kit (the fake rejects what Slack would). Plus moral deliberation's
call -> dilemma modal -> thread -> vote flow.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from bot.registry import discover
from bot.simulation import advance
from bot.store import Store
from tests.fakes.slack_api import UPLOAD
from tests.test_slack_support import (
    AMS,
    ANNA,
    BRAM,
    CH,
    COR,
    DEWI,
    PEOPLE,
    TOML,
    running_bot,
    until,
)


def all_rituals_toml() -> str:
    rituals = "".join(f"[teams.rituals.{rid}]\nenabled = true\n" for rid in sorted(discover()))
    return f"""
language = "nl"
[[teams]]
id = "noord"
platform = "slack"
channel = "{CH}"
admins = ["{ANNA}"]
leaders = ["{ANNA}"]
confidant = "{DEWI}"
members = ["{ANNA}", "{BRAM}", "{COR}", "{DEWI}"]
{rituals}"""


async def test_every_installed_ritual_posts_and_opens_valid_block_kit(store: Store) -> None:
    async with running_bot(store, all_rituals_toml()) as r:
        fired = await advance(r.bot, r.clock, r.clock.now() + timedelta(days=42))
        assert {plan.ritual.id for plan, _, _ in fired} == set(discover())
        assert [(p.job_id, status) for p, _, status in fired if status == "failed"] == []

        targets = []  # snapshot first: a click may update the message it was on
        for place, user in [(CH, BRAM)] + [(u, u) for u in PEOPLE]:
            for message in r.slack.messages(place):
                for block in message.blocks or []:
                    if block["type"] == "actions":
                        targets += [(user, message, e["action_id"]) for e in block["elements"]]
        clicked: set[str] = set()
        for user, message, action in targets:
            if action not in clicked and any(e.get("action_id") == action for b in message.blocks or []
                                             for e in b.get("elements", [])):
                clicked.add(action)
                assert await r.click(user, message, action) == 200
        await asyncio.sleep(0.5)
        refused = [(c.method, c.response) for c in r.slack.calls if c.method != UPLOAD and not c.ok]
        assert refused == []
        assert r.slack.calls_to("views.open"), "no button opened a form"


@pytest.mark.skipif("moral_deliberation" not in discover(), reason="moral_deliberation is not installed")
async def test_moral_deliberation_call_dilemma_modal_thread_and_vote(store: Store) -> None:
    toml = TOML.replace('[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"',
                        "[teams.rituals.moral_deliberation]\nenabled = true")
    start = datetime(2026, 11, 23, 8, 0, tzinfo=AMS)
    async with running_bot(store, toml, start=start) as r:
        await advance(r.bot, r.clock, datetime(2026, 11, 24, 14, 1, tzinfo=AMS))  # the call, a week before
        [call] = r.slack.messages(CH)
        assert await r.click(BRAM, call, "bring") == 200
        await until(lambda: r.slack.calls_to("views.open"), "the dilemma modal")
        view = r.slack.calls_to("views.open")[0].response["view"]
        assert view["callback_id"] == "moral_deliberation:dilemma"

        status, answer = await r.submit(BRAM, view, {"title": "", "story": "Wat speelde"})
        assert answer.get("response_action") == "errors" and "title" in answer["errors"]
        anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
        status, answer = await r.submit(BRAM, view, {"title": "Vertel ik het <!here>?", "story": "Een meisje vroeg me...",
                                                     "share_as": anonymous})
        assert status == 200 and answer == {}
        [dilemma] = r.slack.thread(CH, call.ts)
        assert BRAM not in dilemma.text and "&lt;!here&gt;" in dilemma.text  # anonymous, and escaped
        assert r.slack.thread(CH, call.ts)[0].thread_ts == call.ts

        assert await r.click(COR, dilemma, "vote") == 200
        await until(lambda: any("vote for dilemma 1 is counted" in p.body.get("text", "") for p in r.slack.responses),
                    "the vote counted, in cor's English")
        assert len(r.slack.messages(CH)) == 2  # the call and the dilemma: the vote is private
