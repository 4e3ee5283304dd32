"""The way to the confidant as one click (issue 15): a button in the Slack App Home and one
in the moral deliberation's private reflection open the same form as `/ritual signal`."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.store import Store
from tests.conftest import AMS
from tests.fakes.slack_api import interactive_body
from tests.test_confidant_slack import CONFIDANT_TOML
from tests.test_slack_home_and_socket import _home_buttons
from tests.test_slack_support import BRAM, COR, DEWI, running_bot, until

TOML = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
members = ["anna", "bram", "cor", "eva"]
confidant = "vera"
[teams.rituals.moral_deliberation]
[teams.rituals.confidant_line]
"""
CHANNELS = {"C1": ["anna", "bram", "cor", "eva"]}


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RITUALBOT_SECRET", "a test secret that is not in the database")


async def _reflection(h):  # type: ignore[no-untyped-def]
    await h.advance_to(datetime(2026, 11, 24, 14, 1, tzinfo=AMS))
    call = [e for e in h.local.entries("channel", "C1") if e.message and any(b.action.endswith(":bring") for b in e.message.buttons)][-1]
    await h.local.click("bram", call, "bring")
    await h.local.submit("bram", {"title": "Melden of niet?", "story": "Een verhaal", "share_as": "named"})
    await h.advance_to(datetime(2026, 12, 1, 17, 1, tzinfo=AMS))
    return [e for e in h.local.entries("channel", "C1") if e.message and any(b.action.endswith(":reflect") for b in e.message.buttons)][-1]


async def test_a_heavy_private_reflection_offers_the_signal_form(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=datetime(2026, 11, 23, 8, 0, tzinfo=AMS), channels=CHANNELS)
    reflect = await _reflection(h)
    await h.local.click("cor", reflect, "reflect")
    await h.local.submit("cor", {"how": "heavy", "note": "", "share_as": "private"})
    offer = h.local.last(user="cor")
    assert "core:command" in [b.action for b in offer.message.buttons]  # type: ignore[union-attr]
    await h.local.click("cor", offer, "Leg het bij de vertrouwenspersoon neer")
    form = h.local.open_forms["cor"].form
    assert form is not None and "worry" in [f.name for f in form.fields]  # the same form as /ritual signal
    result, _ = await h.local.submit("cor", {"worry": "Het gesprek raakte me meer dan ik liet zien.", "answer": "yes",
                                             "share_as": "anonymous"})
    assert result.ok
    to_vera = h.local.last("dm", "dm:vera")
    assert "raakte me" in to_vera.text and "cor" not in str(to_vera.message)


async def test_the_talk_button_offers_it_too(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=datetime(2026, 11, 23, 8, 0, tzinfo=AMS), channels=CHANNELS)
    reflect = await _reflection(h)
    await h.local.click("eva", reflect, "talk")
    assert "core:command" in [b.action for b in h.local.last(user="eva").message.buttons]  # type: ignore[union-attr]


async def test_no_signal_button_without_a_confidant_line(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h2 = await make_harness(TOML.replace("[teams.rituals.confidant_line]\n", ""), start=datetime(2026, 11, 23, 8, 0, tzinfo=AMS),
                            channels=CHANNELS)
    reflect = await _reflection(h2)
    await h2.local.click("eva", reflect, "talk")
    assert not h2.local.last(user="eva").message.buttons  # type: ignore[union-attr]


async def test_a_forged_command_button_runs_only_what_a_ritual_offers(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=datetime(2026, 11, 23, 8, 0, tzinfo=AMS), channels=CHANNELS)
    reflect = await _reflection(h)
    await h.local.click("eva", reflect, "talk")
    offer = h.local.last(user="eva")
    forged = offer.message.buttons[0].__class__("core:command", "x", "noord|pause moral_deliberation")  # type: ignore[union-attr]
    offer.message = offer.message.__class__(offer.message.paragraphs, (forged,))  # type: ignore[union-attr]
    out = await h.local.click("eva", offer, "x")
    assert out and "pause" not in out[-1].text.lower()
    assert not (await h.store.ritual_state("noord", "moral_deliberation")).paused


async def test_the_slack_app_home_has_a_signal_button_that_opens_the_form(store: Store, secret) -> None:  # type: ignore[no-untyped-def]
    async with running_bot(store, CONFIDANT_TOML) as r:
        await r.open_home(BRAM)
        await until(lambda: BRAM in r.slack.home_views, "bram's home")
        assert "home:signal" in _home_buttons(r, BRAM)
        payload = r.slack.block_actions_payload(action_id="home:signal", value="noord", user_id=BRAM,
                                                view=r.slack.home_views[BRAM])
        status, _, _ = await r.send(interactive_body(payload))
        assert status == 200
        await until(lambda: r.slack.calls_to("views.open"), "the signal modal")
        view = r.slack.calls_to("views.open")[-1].response["view"]
        assert view["callback_id"] == "confidant_line:signal"
        anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
        answer = {"type": "radio_buttons", "selected_option": {"value": "no"}}
        status, body = await r.submit(BRAM, view, {"worry": "Ik durf het niet in het team te zeggen.", "answer": answer,
                                                   "share_as": anonymous})
        assert status == 200 and body == {}
        await until(lambda: r.slack.messages(DEWI), "the DM to the confidant")
        assert BRAM not in str(r.slack.messages(DEWI)[0].to_api())
        assert r.slack.messages(COR) == []


async def test_the_slack_app_home_has_no_signal_button_without_a_confidant(store: Store) -> None:
    async with running_bot(store) as r:
        await r.open_home(BRAM)
        await until(lambda: BRAM in r.slack.home_views, "bram's home")
        assert "home:signal" not in _home_buttons(r, BRAM)
