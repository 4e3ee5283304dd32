"""Consent and anonymity in the weekly ritual: nothing kept without opt-in, anonymous is anonymous."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from bot.store.store import ConsentRequired
from tests.conftest import AMS, TEAM_TOML

FRIDAY = datetime(2026, 12, 4, 14, 1, tzinfo=AMS)


async def _share(h, user: str, share_as: str = "named", **values: str):  # type: ignore[no-untyped-def]
    prompt = h.local.last("channel", "C1")
    await h.local.click(user, prompt, "share")
    answer = {"success": "Goed gegaan", "mistake": "Misgegaan", "lesson": "Geleerd", "share_as": share_as} | values
    result, out = await h.local.submit(user, answer)
    assert result.ok, result.errors
    return out


async def _opt_in(h, user: str) -> None:  # type: ignore[no-untyped-def]
    out = await h.local.command(user, "optin", channel="C1")
    await h.local.click(user, out[-1], "optin")


async def test_nothing_is_stored_before_opt_in(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    await h.advance_to(FRIDAY)
    out = await _share(h, "bram")
    assert await h.store.responses("noord") == []
    # the author is told privately, and offered the choice
    private = [e for e in out if e.kind == "reply"]
    assert len(private) == 1 and private[0].user == "bram" and "niet bewaard" in private[0].text
    assert any(b.action == "core:optin" for b in private[0].message.buttons)
    with pytest.raises(ConsentRequired):
        await h.store.save_response("noord", "x", author_id="bram", anonymous=False, kind="k", content={}, occurrence=None,
                              at=h.clock.now())


async def test_opted_in_answers_are_stored_and_opt_out_stops_it(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    await h.advance_to(FRIDAY)
    await _opt_in(h, "cor")
    await _share(h, "cor")
    (row,) = await h.store.responses("noord")
    assert row.author_id == "cor" and row.content["success"] == "Goed gegaan"
    out = await h.local.command("cor", "optout", channel="C1")
    assert any(b.action == "core:forget_confirm" for b in out[-1].message.buttons)  # asks whether to erase
    await _share(h, "cor")
    assert len(await h.store.responses("noord")) == 1


async def test_anonymous_answers_carry_no_author_anywhere(make_harness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    h = await make_harness(TEAM_TOML)
    await h.advance_to(FRIDAY)
    await _opt_in(h, "dewi")
    member_rows_before = _dump(h, "member")
    caplog.clear()
    out = await _share(h, "dewi", "anonymous", success="Uniek succes", mistake="Unieke fout")
    thread = [e for e in out if e.kind == "thread"][0]
    assert "dewi" not in thread.text and "anoniem" in thread.text
    confirmation = [e for e in out if e.kind == "reply"]
    assert [e.user for e in confirmation] == ["dewi"]  # only the author hears back, privately
    # An anonymous answer is not kept at all, opted in or not: a stored one would tell a
    # database admin that its author opted in (see tests/test_trust_anonymity.py).
    assert await h.store.responses("noord") == []
    # no row anywhere mentions dewi next to the anonymous content, and no member row changed
    assert _dump(h, "member") == member_rows_before
    for table, rows in _all_rows(h).items():
        for r in rows:
            if "Uniek succes" in r:
                assert "dewi" not in r, (table, r)
    assert "dewi" not in caplog.text and "Uniek succes" not in caplog.text


async def test_digest_counts_without_naming_anyone(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    await h.advance_to(FRIDAY)
    await _opt_in(h, "eva")
    await _share(h, "eva", lesson="Om hulp vragen")
    await _share(h, "bram", lesson="Niet bewaren")
    await h.advance(timedelta(days=6))
    digest = [e for e in h.local.entries("channel", "C1") if "Terugblik" in e.text][-1]
    assert "2" in digest.text and "Om hulp vragen" in digest.text
    assert "Niet bewaren" not in digest.text  # bram did not opt in: relayed, then forgotten
    for name in ("anna", "bram", "cor", "dewi", "eva"):
        assert name not in digest.text


async def test_mydata_and_forget(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML.replace('members = ["anna", "bram", "cor", "dewi", "eva"]', 'members = ["eva"]')
                           .replace('leaders = ["anna"]', 'leaders = []'))
    await h.advance_to(FRIDAY)
    assert h.local.last("dm").user == "eva"  # this week's sharer: named in the ritual's state
    await _opt_in(h, "eva")
    await _share(h, "eva")
    await _share(h, "eva", "anonymous")
    out = await h.local.command("eva", "mydata", channel="C1")
    assert out[-1].kind == "reply" and out[-1].user == "eva"
    assert '"success": "Goed gegaan"' in out[-1].text and "Antwoorden met je naam: 1" in out[-1].text
    assert '"sharer_for_week_of"' in out[-1].text
    out = await h.local.command("eva", "forget", channel="C1")
    await h.local.click("eva", out[-1], "forget_confirm")
    for table, rows in _all_rows(h).items():
        assert not any(re.search(r"\beva\b", r) for r in rows), (table, rows)
    assert [a.action for a in await h.store.audit_log("noord")] == ["erasure"]
    assert await h.store.responses("noord") == []  # the anonymous one was never kept


async def test_rotation_is_fair_and_skips_opted_out(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=datetime(2027, 1, 11, 8, tzinfo=AMS))  # eight weeks without holidays
    out = await h.local.command("cor", "optout", channel="C1")
    assert out
    await h.advance(timedelta(weeks=8))
    chosen = [e.user for e in h.local.entries("dm")]
    assert len(chosen) == 8
    assert "cor" not in chosen
    first_round = chosen[:4]
    assert sorted(first_round) == ["anna", "bram", "dewi", "eva"]  # everyone once before anyone twice
    assert chosen[4:] == first_round


def _all_rows(h) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {t: _dump(h, t) for t in inspect(h.store.engine).get_table_names() if t != "alembic_version"}


def _dump(h, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    with h.store.engine.connect() as conn:
        return [repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"'))]


async def test_client_data_guard_asks_privately_and_keeps_nothing_meanwhile(make_harness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    h = await make_harness(TEAM_TOML)
    await h.advance_to(FRIDAY)
    await _opt_in(h, "eva")
    prompt = h.local.last("channel", "C1")
    await h.local.click("eva", prompt, "share")
    form = h.local.open_forms["eva"].form
    assert form is not None and form.fields[-1].name == "post_anyway"
    risky = {"success": "Moeder gebeld op 06-12345678", "mistake": "Dossier van Sem, geboren 12-03-2015, te laat",
             "lesson": "", "share_as": "named"}
    before = len(h.local.transcript)
    result, out = await h.local.submit("eva", risky)
    assert set(result.errors) == {"success", "mistake"}
    assert "telefoonnummer" in result.errors["success"] and "06-12345678" not in result.errors["success"]
    assert out == [] and len(h.local.transcript) == before  # nothing posted anywhere
    assert await h.store.responses("noord") == []
    assert "06-12345678" not in caplog.text and "12-03-2015" not in caplog.text
    result, out = await h.local.submit("eva", risky | {"post_anyway": True})
    assert result.ok and any(e.kind == "thread" for e in out)
