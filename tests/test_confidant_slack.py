"""The confidant line against the Slack fake (issue 15): an anonymous signal goes over real
HTTP to a confidant outside the team, who answers; the sender reads it; Slack never
carries the sender's id or name to the confidant."""

from __future__ import annotations

import pytest

from bot.store import Store
from tests.test_slack_support import BRAM, COR, DEWI, TOML, running_bot, until

CONFIDANT_TOML = TOML.replace('[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"',
                              f'confidant = "{DEWI}"\n[teams.rituals.confidant_line]').replace(
    f', "{DEWI}"]', "]")  # dewi is the confidant, not a member


async def test_anonymous_signal_and_answer_over_slack(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RITUALBOT_SECRET", "a test secret that is not in the database")
    assert f'confidant = "{DEWI}"' in CONFIDANT_TOML and f'"{DEWI}"]' not in CONFIDANT_TOML
    async with running_bot(store, CONFIDANT_TOML) as r:
        status, _, _ = await r.command(BRAM, "signal")
        assert status == 200
        await until(lambda: r.slack.calls_to("views.open"), "the signal modal")
        view = r.slack.calls_to("views.open")[-1].response["view"]
        assert view["callback_id"] == "confidant_line:signal"
        anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
        answer = {"type": "radio_buttons", "selected_option": {"value": "yes"}}
        status, body = await r.submit(BRAM, view, {"worry": "Een collega wordt buitengesloten.", "answer": answer,
                                                   "share_as": anonymous})
        assert status == 200 and body == {}
        await until(lambda: r.slack.messages(DEWI), "the DM to the confidant")
        [to_dewi] = r.slack.messages(DEWI)
        assert "buitengesloten" in to_dewi.text and BRAM not in str(to_dewi.to_api()) and "bram" not in to_dewi.text
        assert await r.click(DEWI, to_dewi, "reply") == 200  # dewi is off the roster, but the team's confidant
        await until(lambda: len(r.slack.calls_to("views.open")) == 2, "the answer modal")
        reply_view = r.slack.calls_to("views.open")[-1].response["view"]
        status, body = await r.submit(DEWI, reply_view, {"message": "Dank je, ik neem contact op met de teamleider."})
        assert status == 200 and body == {}
        await until(lambda: any("teamleider" in m.text for m in r.slack.messages(BRAM)), "the answer to the sender")
        assert r.slack.messages(COR) == []  # nobody else hears of it
