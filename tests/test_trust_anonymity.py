"""Anonymity holds on every path (issue 11): the team's language, no stored trace of who
wrote what, and consent changes nothing anybody can see of an anonymous contribution."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from bot.registry import discover
from bot.store import Store
from tests.conftest import AMS, TEAM_TOML

FRIDAY = datetime(2026, 12, 4, 14, 1, tzinfo=AMS)


async def _opt_in(h, user: str) -> None:  # type: ignore[no-untyped-def]
    out = await h.local.command(user, "optin", channel="C1")
    await h.local.click(user, out[-1], "optin")


def _database(store: Store) -> str:
    """Every row of every table, as one text."""
    with store.engine.connect() as conn:
        return "\n".join(repr(tuple(r)) for t in inspect(store.engine).get_table_names()
                         for r in conn.execute(text(f'SELECT * FROM "{t}"')))


async def test_an_anonymous_post_in_a_dutch_team_is_all_dutch_whatever_the_authors_locale(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, locales={"dewi": "en"})
    await h.advance_to(FRIDAY)
    prompt = h.local.last("channel", "C1")
    out = await h.local.click("dewi", prompt, "share")
    form = out[-1].form
    assert form is not None and form.title == "Weekly success & mistake"  # what dewi alone sees: English
    result, out = await h.local.submit("dewi", {"success": "Goed", "mistake": "Mis", "lesson": "Les",
                                                "share_as": "anonymous"})
    assert result.ok
    [post] = [e for e in out if e.kind == "thread"]
    assert "Iemand deelt, anoniem" in post.text and "Ging goed" in post.text and "Geleerd" in post.text
    for english in ("Someone", "Went", "Learned", "anonymously"):
        assert english not in post.text
    [thanks] = [e for e in out if e.kind == "reply"]
    assert thanks.user == "dewi" and "anonymously" in thanks.text  # the confirmation: dewi's own language


async def test_consent_changes_nothing_anybody_sees_of_an_anonymous_contribution(make_harness) -> None:  # type: ignore[no-untyped-def]
    if "moral_deliberation" not in discover():
        pytest.skip("moral_deliberation is not installed")
    from tests.test_ritual_moral_deliberation import CALL, PREPARE, START, TOML

    h = await make_harness(TOML.format(extra=""), start=START)
    await h.advance_to(CALL)
    await _opt_in(h, "cor")  # cor opted in, dewi did not: both bring in a dilemma anonymously
    call = h.local.entries("channel", "C1")[0]
    for user, title in (("cor", "Markeer-cor-dilemma"), ("dewi", "Markeer-dewi-dilemma")):
        await h.local.click(user, call, "bring")
        result, out = await h.local.submit(user, {"title": title, "story": f"Verhaal {title}", "share_as": "anonymous"})
        assert result.ok
    database = _database(h.store)
    for marker in ("Markeer-cor", "Markeer-dewi"):  # neither is kept, so a database admin sees the same
        assert marker not in database
    await h.advance_to(PREPARE)
    overview = h.local.last("channel", "C1")
    lines = [line for line in overview.text.splitlines() if line.startswith(("1. ", "2. "))]
    assert len(lines) == 2 and lines[0][3:] == lines[1][3:]  # the team sees both the same way
    assert "Markeer" not in overview.text


async def test_an_anonymous_answer_is_kept_for_nobody(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    await h.advance_to(FRIDAY)
    await _opt_in(h, "eva")
    prompt = h.local.last("channel", "C1")
    for user in ("eva", "bram"):
        await h.local.click(user, prompt, "share")
        result, _ = await h.local.submit(user, {"success": f"Anon-succes-{user}", "mistake": "Mis",
                                                "share_as": "anonymous"})
        assert result.ok
    database = _database(h.store)
    assert "Anon-succes" not in database and await h.store.responses("noord") == []
    await h.advance(timedelta(days=6))
    digest = [e for e in h.local.entries("channel", "C1") if "Terugblik" in e.text][-1]
    assert "2" in digest.text  # counted, never kept


async def test_on_mattermost_without_ephemeral_rights_an_anonymous_answer_gets_no_dm(store: Store) -> None:
    from bot.simulation import advance
    from tests.test_mattermost_support import BRAM, CHAN, running_bot

    async with running_bot(store) as r:  # default permissions: the bot may not post ephemerals
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        await r.click(BRAM, prompt, "Deel je succes")
        [opened] = r.mm.dialogs
        dms_before = r.bot_posts(r.dm(BRAM))  # this week's sharer DM
        answer = {"success": "Anoniem succes", "mistake": "Anonieme fout", "lesson": None, "share_as": "anonymous"}
        accepted = await r.submit(BRAM, opened, answer)
        assert accepted.status == 200 and not (accepted.json or {}).get("errors")
        [posted] = [p for p in r.bot_posts(CHAN) if p["root_id"]]
        assert "anoniem" in posted["message"] and "bram" not in posted["message"]
        # the submission waited for the ritual's handler: its confirmation was tried, and left out
        assert r.bot_posts(r.dm(BRAM)) == dms_before
        assert r.mm.ephemeral_posts == []


async def test_on_slack_an_anonymous_answer_whose_channel_is_unknown_gets_no_dm(store: Store) -> None:
    from bot.simulation import advance
    from tests.test_slack_support import BRAM, CH, running_bot, until

    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        assert await r.click(BRAM, prompt, "share") == 200
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        view = r.slack.calls_to("views.open")[0].response["view"]
        # the adapter notes the modal's channel once views.open has answered; wait for that note, then
        # lose it, as after a restart or on another replica (clearing earlier raced the adapter)
        await until(lambda: view["id"] in r.connector.platform.view_channels, "the modal's channel noted")
        r.connector.platform.view_channels.clear()
        anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
        status, answer = await r.submit(BRAM, view, {"success": "Anoniem succes", "mistake": "Anonieme fout",
                                                     "share_as": anonymous})
        assert status == 200 and answer == {}
        [posted] = r.slack.thread(CH, prompt.ts)
        assert BRAM not in posted.text
        assert not any("Dank" in m.text for m in r.slack.messages(BRAM)) and r.slack.ephemeral(user=BRAM) == []


async def test_a_late_refusal_on_slack_never_echoes_flagged_text_into_a_dm(store: Store) -> None:
    import re

    from bot.simulation import advance
    from tests.test_slack_support import CH, COR, TOML, running_bot, until

    toml = re.sub(r"members = \[.*\]", 'members = "channel"', TOML)  # the roster check asks Slack
    async with running_bot(store, toml) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        await r.click(COR, prompt, "share")
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        view = r.slack.calls_to("views.open")[0].response["view"]
        r.slack.delay("conversations.members", 3.2)  # the answer window passes before the refusal is known
        status, answer = await r.submit(COR, view, {"success": "Gebeld met 06-12345678, BSN 111222333",
                                                    "mistake": "Verslag te laat"})
        assert status == 200 and answer == {}

        def refused() -> list:  # type: ignore[type-arg]
            return [m for m in r.slack.messages(COR) if "niet verwerkt" in m.text or "not accepted" in m.text]

        await until(refused, "the late refusal", timeout=10)
        [dm] = refused()
        assert "Verslag te laat" in dm.text  # what was accepted is given back
        assert "06-12345678" not in dm.text and "111222333" not in dm.text
        assert r.slack.thread(CH, prompt.ts) == []


async def test_a_late_refusal_of_an_anonymous_answer_on_slack_is_never_a_dm(store: Store) -> None:
    """A DM is stored (a workspace export holds it): one giving back what someone meant to share
    anonymously would tie them to the anonymous post they send once they fixed the form."""
    import re

    from bot.simulation import advance
    from tests.test_slack_support import CH, COR, TOML, running_bot, until

    toml = re.sub(r"members = \[.*\]", 'members = "channel"', TOML)  # the roster check asks Slack
    async with running_bot(store, toml) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        await r.click(COR, prompt, "share")
        await until(lambda: r.slack.calls_to("views.open"), "the modal")
        view = r.slack.calls_to("views.open")[0].response["view"]
        await until(lambda: view["id"] in r.connector.platform.view_channels, "the modal's channel noted")
        dms_before = list(r.slack.messages(COR))
        r.slack.delay("conversations.members", 3.2)  # the answer window passes before the refusal is known
        anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
        status, answer = await r.submit(COR, view, {"success": "Anoniem-succes-merkteken",
                                                    "mistake": "Gebeld met 06-12345678", "share_as": anonymous})
        assert status == 200 and answer == {}

        def refused() -> list:  # type: ignore[type-arg]
            return [m for m in r.slack.ephemeral(user=COR) if "niet verwerkt" in m.text or "not accepted" in m.text]

        await until(refused, "the late refusal, shown to the author only", timeout=10)
        [shown] = refused()
        assert "Anoniem-succes-merkteken" in shown.text  # given back where nothing is stored
        assert r.slack.messages(COR) == dms_before  # and never in a DM
        assert r.slack.thread(CH, prompt.ts) == []


async def test_on_mattermost_the_database_cannot_link_an_anonymous_dialog_to_its_author(store: Store) -> None:
    """A submission is remembered for a day so a replay acts once. Its key must not let whoever
    reads the database (the signing secret kept there included) try each member and the minute the
    form was open, and find who sent the answer the team saw as anonymous."""
    import json as _json
    import time

    from sqlmodel import select

    from bot.platforms.mattermost.routes import dialog_delivery
    from bot.platforms.mattermost.signing import SECRET_SETTING, Signer
    from bot.simulation import advance
    from bot.store.models import HandledRow
    from tests.test_mattermost_support import ANNA, BRAM, CHAN, COR, running_bot

    async with running_bot(store) as r:  # no RITUALBOT_SECRET: the signing secret is in the database
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        await r.click(BRAM, prompt, "Deel je succes")
        [opened] = r.mm.dialogs
        answer = {"success": "Anoniem succes", "mistake": "Anonieme fout", "lesson": None, "share_as": "anonymous"}
        assert (await r.submit(BRAM, opened, answer)).status == 200
        assert [p for p in r.bot_posts(CHAN) if p["root_id"]]

        # what the database holds, and what a reader can guess: the form, the ritual's state, when
        secret = await store.setting(SECRET_SETTING)
        assert secret is not None
        callback = opened["dialog"]["callback_id"]
        payload = opened["dialog"]["state"].rpartition(".")[0]
        core_state = _json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["s"]
        with store.engine.connect() as conn:
            keys = {row.key for row in conn.execute(select(HandledRow))}
        now = int(time.time())
        for user in (ANNA, BRAM, COR):
            for at in range(now - 120, now + 1):
                signer = Signer(secret.encode(), clock=lambda at=at: float(at))
                state = signer.dialog_state(callback, core_state, user=user)
                target = signer.check_dialog(callback, state, user=user)
                guess = dialog_delivery(user, callback, state, answer, target)
                assert guess.key not in keys, f"the database tells that {user} wrote the anonymous answer"
