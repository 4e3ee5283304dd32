"""Channel-button contexts used by several users (issue 11): votes stay one per person, and
button contexts and dialog states expire."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from bot.platforms.mattermost.signing import BUTTON_TTL, DIALOG_TTL, Expired, Forged, Signer
from bot.registry import discover
from bot.simulation import advance
from bot.store import Store
from tests.conftest import AMS

SECRET = b"0123456789abcdef0123456789abcdef"


def test_a_button_context_and_a_dialog_state_expire() -> None:
    now = [1_800_000_000.0]
    signer = Signer(SECRET, clock=lambda: now[0])
    context = signer.button_context("moral_deliberation:vote", "noord|x|1", channel="C1", user=None)
    state = signer.dialog_state("weekly_success_mistake:answer", "noord|x", user="U1")
    now[0] += DIALOG_TTL - 60
    assert signer.check_button(context, channel="C1", user="U1").value == "noord|x|1"
    assert signer.check_dialog("weekly_success_mistake:answer", state, user="U1").state == "noord|x"
    now[0] += 120
    with pytest.raises(Expired):
        signer.check_dialog("weekly_success_mistake:answer", state, user="U1")
    now[0] += BUTTON_TTL
    with pytest.raises(Expired):
        signer.check_button(context, channel="C1", user="U2")
    with pytest.raises(Forged):  # the time is signed too: moving it does not help
        signer.check_button({**context, "t": str(int(now[0]))}, channel="C1", user="U2")
    legacy = {k: v for k, v in context.items() if k != "t"}
    with pytest.raises(Expired):
        signer.check_button(legacy, channel="C1", user="U2")


async def test_one_vote_button_clicked_by_several_people_counts_one_vote_each(store: Store) -> None:
    if "moral_deliberation" not in discover():
        pytest.skip("moral_deliberation is not installed")
    from tests.test_mattermost_flow import MORAL_TOML
    from tests.test_mattermost_support import ANNA, BRAM, CHAN, COR, running_bot

    async with running_bot(store, toml=MORAL_TOML) as r:
        await advance(r.bot, r.clock, datetime(2026, 12, 29, 14, 1, tzinfo=AMS))
        call = r.bot_posts(CHAN)[-1]
        await r.click(BRAM, call, "Breng een dilemma in")
        [opened] = r.mm.dialogs
        await r.submit(BRAM, opened, {"title": "Melden of niet?", "story": "Een verhaal.", "share_as": "named"})
        [dilemma] = [p for p in r.bot_posts(CHAN) if p["root_id"] == call["id"]]
        for user in (COR, ANNA, COR, COR, BRAM):  # one context, shared by everyone in the channel
            assert (await r.click(user, dilemma, "1")).status == 200
        occurrence = "2027-01-05T14:00"
        votes = await store.get_state("noord", "moral_deliberation", f"votes:{occurrence}")
        assert votes == {COR: 1, ANNA: 1, BRAM: 1}

        old = Signer(r.connector.platform.signer._secret, clock=lambda: time.time() - BUTTON_TTL - 3600)
        posted = next(a for att in dilemma["props"]["attachments"] for a in att["actions"])["integration"]["context"]
        stale = old.button_context(posted["a"], posted["v"], channel=CHAN, user=None)
        answer = await r.click(COR, dilemma, "1", context=stale)  # cor's locale is English
        assert answer.status == 200 and "no longer running" in answer.json["ephemeral_text"]
        assert await store.get_state("noord", "moral_deliberation", f"votes:{occurrence}") == votes
    assert timedelta(seconds=BUTTON_TTL) > timedelta(days=31)  # longer than any monthly round
