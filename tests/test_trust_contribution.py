"""The core owns the contribution path (issue 13 point 1, issue 11): every form is checked,
guarded and roster-checked before any ritual handler runs, whatever the ritual forgot."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.config import parse_config
from bot.context import InteractionContext, Occurrence, RitualContext
from bot.messages import Button, FieldKind, Form, FormField, text
from bot.platform import FormResult
from bot.platforms.local import LocalPlatform
from bot.registry import discover
from bot.ritual import Ritual, action, form, step
from bot.store import Store
from bot.wiring import build_bot
from tests.conftest import AMS, TEAM_TOML, Harness

BSN = "111222333"  # passes the eleven-test
FRIDAY = datetime(2026, 12, 4, 14, 1, tzinfo=AMS)


class Forgetful(Ritual):
    """A third-party ritual that declares nothing about the guard and checks nothing itself."""

    id = "forgetful"
    title = {"nl": "Vergeetachtig", "en": "Forgetful"}
    default_schedule = "fri 14:00"
    received: list[dict[str, Any]] = []

    @step("main")
    async def ask(self, ctx: RitualContext, occ: Occurrence) -> None:
        await ctx.post(text("Vertel", buttons=(Button("open", "Open"),)))

    @action("open")
    async def open(self, ctx: InteractionContext, value: str) -> None:
        await ctx.open_form(Form("note", "Notitie", (
            FormField("note", "Notitie", FieldKind.MULTILINE, max_length=50),
            FormField("mood", "Stemming", FieldKind.TEXT, required=False),
        ), "Klaar"))

    @form("note")
    async def receive(self, ctx: InteractionContext, state: str, values: dict[str, Any]) -> FormResult:
        self.received.append(dict(values))
        await ctx.post(text(str(values.get("note"))))
        return FormResult()


FORGETFUL_TOML = TEAM_TOML.replace('[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"',
                                   "[teams.rituals.forgetful]")


async def _forgetful(store: Store) -> Harness:
    import tomllib

    config = parse_config(tomllib.loads(FORGETFUL_TOML), {**discover(), "forgetful": Forgetful})
    local = LocalPlatform({"C1": ["anna", "bram", "cor", "dewi", "eva"]})
    clock = FakeClock(datetime(2026, 11, 30, 8, 0, tzinfo=AMS))
    bot = await build_bot(config, {**discover(), "forgetful": Forgetful}, {"local": local}, clock, store)
    await local.start(bot)
    return Harness(bot, local, clock, store)


async def test_a_ritual_that_forgets_the_guard_still_has_it(store: Store) -> None:
    Forgetful.received.clear()
    h = await _forgetful(store)
    await h.advance_to(FRIDAY)
    out = await h.local.click("bram", h.local.last("channel", "C1"), "open")
    form = out[-1].form
    assert form is not None and form.fields[-1].name == "post_anyway"  # the core added it
    before = len(h.local.transcript)
    result, out = await h.local.submit("bram", {"note": f"Client met BSN {BSN}", "mood": ""})
    assert "note" in result.errors and BSN not in result.errors["note"]
    assert out == [] and len(h.local.transcript) == before and Forgetful.received == []
    result, _ = await h.local.submit("bram", {"note": "x" * 51})  # the declared length, checked by the core
    assert "50" in result.errors["note"] and Forgetful.received == []
    result, _ = await h.local.submit("bram", {"note": "Rustige week", "smuggled": "extra"})
    assert result.ok and Forgetful.received == [{"note": "Rustige week", "mood": ""}]  # undeclared values dropped


async def test_someone_not_on_the_roster_cannot_contribute(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    await h.advance_to(FRIDAY)
    prompt = h.local.last("channel", "C1")
    out = await h.local.click("stranger", prompt, "share")
    assert [(e.kind, e.user) for e in out] == [("reply", "stranger")] and "ledenlijst" in out[0].text
    # a form opened while on the roster, submitted after being taken off it: refused too
    await h.local.click("eva", prompt, "share")
    await h.local.command("anna", "members remove @eva", channel="C1")
    result, out = await h.local.submit("eva", {"success": "a", "mistake": "b", "share_as": "named"})
    assert "ledenlijst" in " ".join(result.errors.values())
    assert not [e for e in out if e.kind == "thread"]


async def test_a_checklist_note_with_a_bsn_is_not_stored(make_harness) -> None:  # type: ignore[no-untyped-def]
    from tests.test_ritual_leader_checklist import START, TOML, _answers

    h = await make_harness(TOML, start=START)
    await h.local.command("lars", "optin", channel="C1")
    await h.local.click("lars", h.local.last("reply", user="lars"), "optin")
    await h.advance_to(START + timedelta(days=2, hours=3))
    await h.local.click("lars", h.local.last("dm", user="lars"), "open")
    result, _ = await h.local.submit("lars", _answers(3) | {"note": f"Gesprek over BSN {BSN}"})
    assert set(result.errors) == {"note"}
    assert await h.store.responses("noord") == []


async def test_a_private_reflection_with_a_bsn_is_not_stored(make_harness) -> None:  # type: ignore[no-untyped-def]
    if "moral_deliberation" not in discover():
        pytest.skip("moral_deliberation is not installed")
    from tests.test_ritual_moral_deliberation import REFLECTION, START, TOML

    h = await make_harness(TOML.format(extra=""), start=START)
    await h.local.command("cor", "optin", channel="C1")
    await h.local.click("cor", h.local.last("reply", user="cor"), "optin")
    await h.advance_to(REFLECTION)
    await h.local.click("cor", h.local.last("channel", "C1"), "reflect")
    result, _ = await h.local.submit("cor", {"how": "heavy", "note": f"Over BSN {BSN}", "share_as": "private"})
    assert set(result.errors) == {"note"}
    assert await h.store.responses("noord") == []


async def test_errors_are_in_the_authors_language_and_a_form_without_rules_is_refused(make_harness) -> None:  # type: ignore[no-untyped-def]
    from bot.platform import FormSubmission

    h = await make_harness(TEAM_TOML, locales={"cor": "en"})
    await h.advance_to(FRIDAY)
    await h.local.click("cor", h.local.last("channel", "C1"), "share")
    result, _ = await h.local.submit("cor", {"success": "", "mistake": "b"})
    assert result.errors["success"].startswith("Please fill this in")
    replies: list[Any] = []

    async def reply(message: Any) -> None:
        replies.append(message)

    old = await h.bot.handle_form(FormSubmission(platform="local", user_id="cor", form_id="weekly_success_mistake:answer",
                                                 state="noord|2026-12-04T14:00", values={"success": "a", "mistake": "b"},
                                                 reply=reply, locale="en"))
    assert "open it again" in " ".join(old.errors.values()) and replies == []
    assert await h.store.get_state("noord", "weekly_success_mistake", "count:2026-12-04T14:00") is None
