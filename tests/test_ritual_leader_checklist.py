"""Checklist voorbeeldgedrag: a leader's private monthly reflection and their own trend."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.i18n import missing_translations
from rituals.leader_checklist import ITEMS, LeaderChecklist
from tests.conftest import AMS

TOML = """
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna", "gert"]
leaders = ["lars", "lotte"]
members = ["anna", "bram", "gert", "lars", "lotte"]
[teams.rituals.leader_checklist]
"""
START = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)  # first Wednesdays: 2 Dec, 6 Jan, 3 Feb


def _answers(yes: int) -> dict[str, str | bool | None]:
    values: dict[str, str | bool | None] = {item: ("yes" if i < yes else "not_yet") for i, item in enumerate(ITEMS)}
    values["note"] = "Vaker doorvragen."
    return values


async def _opt_in(h, user: str) -> None:  # type: ignore[no-untyped-def]
    out = await h.local.command(user, "optin", channel="C1")
    await h.local.click(user, out[-1], "optin")


async def test_three_months_make_a_trend_only_the_leader_sees(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=START)
    await _opt_in(h, "lars")
    for month, yes in enumerate((2, 4, 5)):
        await h.advance_to(START + timedelta(days=2 + 35 * month, hours=3))
        dms = [e for e in h.local.entries("dm") if "checklist" in e.text]
        assert sorted(e.user for e in dms[-2:]) == ["lars", "lotte"]  # each leader, privately
        dm = h.local.last("dm", user="lars")
        assert "Niemand anders ziet je antwoorden" in dm.text
        out = await h.local.click("lars", dm, "open")
        form = out[-1].form
        assert [f.name for f in form.fields] == [*ITEMS, "note", "post_anyway"]  # the note is guarded
        assert "Benoem ik ongewenst gedrag" in form.fields[0].label
        assert [c.label for c in form.fields[1].choices] == ["Ja", "Deels", "Nog niet"]
        result, out = await h.local.submit("lars", _answers(yes))
        assert result.ok
        assert [(e.kind, e.user) for e in out] == [("reply", "lars")] and f"{yes}× ja" in out[0].text
    assert h.local.entries("channel") == [] and not h.local.entries(user="anna")

    out = await h.local.command("lars", "checklist", channel="C1")
    assert [(e.kind, e.user) for e in out] == [("reply", "lars")]
    trend = out[0].text
    assert "dec 26" in trend and "jan 27" in trend and "feb 27" in trend
    assert "2 → 4 → 5" in trend
    assert "●  ●  ●   Benoem ik ongewenst gedrag" in trend and "○  ○  ○   Laat ik merken" in trend

    # Admins never see it: not by asking for someone else, not as their own.
    for ask in ("checklist lars", "checklist team"):
        out = await h.local.command("anna", ask, channel="C1")
        assert "ook beheerders zien ze niet" in out[0].text and "●" not in out[0].text
    out = await h.local.command("gert", "checklist", channel="C1")
    assert "voor leidinggevenden" in out[0].text and "●" not in out[0].text
    assert await h.store.participation("noord", "2026-W01") == {}  # not even a count


async def test_a_leader_who_did_not_opt_in_keeps_nothing(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=START)
    await h.advance_to(START + timedelta(days=2, hours=3))
    await h.local.click("lotte", h.local.last("dm", user="lotte"), "open")
    result, out = await h.local.submit("lotte", _answers(3))
    assert result.ok and "niet bewaard" in out[-1].text and "3× ja" in out[-1].text
    assert any(b.action == "core:optin" for b in out[-1].message.buttons)
    assert await h.store.responses("noord") == []
    out = await h.local.command("lotte", "checklist", channel="C1")
    assert "nog geen checklist" in out[-1].text


async def test_a_second_answer_in_a_month_replaces_the_first_and_others_cannot_answer(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=START)
    await _opt_in(h, "lars")
    await h.advance_to(START + timedelta(days=2, hours=3))
    dm = h.local.last("dm", user="lars")
    for yes in (1, 6):
        await h.local.click("lars", dm, "open")
        await h.local.submit("lars", _answers(yes))
    out = await h.local.command("lars", "checklist", channel="C1")
    assert "Ja per maand: 6" in out[0].text
    out = await h.local.click("bram", dm, "open")
    assert [(e.kind, e.user) for e in out] == [("reply", "bram")] and "voor leidinggevenden" in out[0].text
    await h.local.click("lars", dm, "open")
    result, _ = await h.local.submit("lars", {"name_behaviour": "yes"})
    assert not result.ok and set(result.errors) == set(ITEMS[1:])


def test_every_text_has_dutch_and_english() -> None:
    assert missing_translations(LeaderChecklist.texts) == []
    assert LeaderChecklist.demo_answers["checklist:nl"] and LeaderChecklist.demo_answers["checklist:en"]
