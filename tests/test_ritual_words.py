"""What a ritual says about itself (title, summary, what it keeps, steps, commands) is in its
catalog as `ritual.*` messages (issue 13, point 5), so a translator never reads Python; the
catalog check knows them; an outside ritual may still declare them as dicts."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.dryrun import print_schedule
from bot.i18n import PoCatalog, supported_languages
from bot.i18n_check import catalogs_in, code_files, problems
from bot.i18n_tools import merge, read_dict
from bot.registry import discover
from bot.ritual import Ritual, command, step
from bot.ritual_words import about
from tests.conftest import TEAM_TOML, make_config

AMS = ZoneInfo("Europe/Amsterdam")
ALL = TEAM_TOML + "".join(f"[teams.rituals.{rid}]\n" for rid in
                          ("moral_deliberation", "walk_and_listen", "leader_checklist", "confidant_line"))


# the same words as when they were dicts on the classes, in nl and en -------------------------

async def test_help_says_each_rituals_commands_as_before(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(ALL, locales={"cor": "en"})
    dutch = (await h.local.command("bram", "help", channel="C1"))[-1].text
    english = (await h.local.command("cor", "help", channel="C1"))[-1].text
    assert "• /ritual sharer – optout / optin: wel of niet aan de beurt komen om te openen" in dutch
    assert "• /ritual walks – je wandelingen; team, with @naam, optout, optin\n" in dutch
    assert "• /ritual checklist – your own trend on the example-behaviour checklist (leaders)\n" in english
    assert ("• /ritual signal – raise a worry privately with the confidant; `signal status` for where it stands\n"
            in english)


async def test_the_consent_notice_says_what_each_ritual_keeps_as_before(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, locales={"cor": "en"})
    dutch = (await h.local.command("bram", "optin", channel="C1"))[-1].text
    english = (await h.local.command("cor", "optin", channel="C1"))[-1].text
    assert ("• Wandelen en luisteren: met je ja: niets meer dan hieronder. Om te werken, voor iedereen en alleen "
            "zolang nodig: met wie en in welke week een wandeling was en of die doorging (nooit wat er gezegd is), "
            "en of je liever niet wordt voorgesteld.") in dutch
    assert "• Checklist voorbeeldgedrag: met je ja: de antwoorden van een leidinggevende op de checklist" in dutch
    assert "• Moral deliberation: with your yes: your dilemmas and reflections when you share them with your name." in english
    assert "• Weekly success and mistake: with your yes: your weekly success, mistake and lesson" in english


async def test_the_dry_run_and_status_say_titles_and_steps_as_before(make_harness) -> None:  # type: ignore[no-untyped-def]
    said = {}
    for language in ("nl", "en"):
        out = io.StringIO()
        await print_schedule(make_config(ALL), {rid: cls() for rid, cls in discover().items()},
                             datetime(2026, 11, 30, 8, tzinfo=AMS), count=1, language=language, out=out, store=None)
        said[language] = out.getvalue()
    assert "  Lijn naar de vertrouwenspersoon [0 9 * * 1-5]\n" in said["nl"]
    assert ("      do 3 dec 2026 14:00  de deler van de week krijgt een privébericht: morgen mag jij de ronde openen\n"
            in said["nl"])
    assert ("      Mon 30 Nov 2026 09:00  each leader gets a direct message suggesting a walk with a team member "
            "(at this hour in the leader's own timezone)\n") in said["en"]
    assert "propose+1h" not in said["en"] and "+1h" not in said["nl"]  # a variant is not listed
    h = await make_harness(TEAM_TOML, locales={"cor": "en"})
    assert "• Weekly success and mistake: next " in (await h.local.command("cor", "status", channel="C1"))[-1].text


async def test_the_dry_run_says_what_the_moral_deliberation_sends() -> None:
    """Its step descriptions were lost when the ritual became a package: its occurrences were empty."""
    said = {}
    for language in ("nl", "en"):
        out = io.StringIO()
        await print_schedule(make_config(ALL), {"moral_deliberation": discover()["moral_deliberation"]()},
                             datetime(2026, 11, 20, 8, tzinfo=AMS), count=1, language=language, out=out, store=None)
        said[language] = out.getvalue()
    assert "      Tue 1 Dec 2026 14:00  in the team channel: the deliberation starts, guided step by step\n" in said["en"]
    assert "the call to bring in a dilemma" in said["en"] and "the question how the deliberation went" in said["en"]
    assert "      di 1 dec 2026 14:00  in het teamkanaal: het beraad begint, stap voor stap begeleid\n" in said["nl"]
    assert "wie het gesprek begeleidt krijgt een privébericht" in said["nl"]


def test_our_rituals_declare_no_words_in_python_any_more() -> None:
    for rid, cls in discover().items():
        if cls.__module__.startswith("rituals."):
            for attribute in ("title", "summary", "keeps", "step_descriptions", "command_help"):
                assert not getattr(cls, attribute), f"{rid}.{attribute} is still a dict: move it to the catalog"
            assert isinstance(cls.texts, PoCatalog) and "ritual.title" in cls.texts, rid


# an outside ritual: dicts on the class, or its words in its own catalog -----------------------

class Declared(Ritual):
    """The old way: words as dicts per language on the class (no English summary)."""

    id = "declared"
    default_schedule = "mon 09:00"
    title = {"nl": "Verklaard", "en": "Declared"}
    summary = {"nl": "Alleen Nederlands"}
    keeps = {"consent": {"nl": "niets", "en": "nothing"}, "needed": {"nl": "niets", "en": "nothing"}}
    command_help = {"notes": {"nl": "je notities", "en": "your notes"}}
    step_descriptions = {"main": {"nl": "een vraag", "en": "a question"}}
    texts = {"ritual.title": {"nl": "Niet dit", "en": "Not this"}}  # an attribute it sets wins

    @step("main")
    async def main(self, ctx: RitualContext, occ: Occurrence) -> None:
        pass

    @command("notes")
    async def notes(self, ctx: InteractionContext, args: list[str]) -> None:
        pass


class InItsTexts(Declared):
    """Its words in its texts (a dict catalog here; a `PoCatalog` reads the same)."""

    id = "in_its_texts"
    title = summary = keeps = command_help = step_descriptions = {}
    texts = {"ritual.title": {"nl": "In de teksten", "en": "In the texts"},
             "ritual.keeps.consent": {"nl": "niets", "en": "nothing"},
             "ritual.keeps.needed": {"nl": "een telling", "en": "a count"},
             "ritual.command.notes": {"en": "your notes"},
             "ritual.step.main": {"nl": "een vraag", "en": "a question"}}


def test_an_outside_ritual_may_declare_its_words_as_dicts() -> None:
    said = about(Declared)
    assert said.title("nl") == "Verklaard" and said.title("de") == "Declared"
    assert said.summary("nl") == "Alleen Nederlands" and said.summary("en") is None  # no English, so none
    assert said.keeps("en") == {"consent": "nothing", "needed": "nothing"}
    assert said.command_help("nl") == {"notes": "je notities"} and said.step("main", "en") == "a question"
    assert said.step("main+1h", "en") is None


def test_an_outside_ritual_may_keep_its_words_in_its_texts() -> None:
    said = about(InItsTexts())
    assert said.title("nl") == "In de teksten" and said.keeps("nl") == {"consent": "niets", "needed": "een telling"}
    assert said.command_help("nl") == {"notes": "your notes"}  # not in Dutch: English
    assert said.summary("nl") is None and said.step("main", "nl") == "een vraag"


# the catalog check knows the words the core reads ----------------------------------------------

RITUAL_CODE = '''
from bot.i18n import PoCatalog
from bot.ritual import Ritual, command, step


class Small(Ritual):
    id = "small"
    default_schedule = "mon 09:00"
    texts = PoCatalog(__name__, "small")

    @step("main")
    async def main(self, ctx, occ):
        await ctx.post(ctx.team_t("ask"))

    @command("notes")
    async def notes(self, ctx, args):
        pass
'''

COMPLETE = {"ask": {"en": "How is it going?", "nl": "Hoe gaat het?"},
            "ritual.title": {"en": "Small", "nl": "Klein"},
            "ritual.keeps.consent": {"en": "nothing", "nl": "niets"},
            "ritual.keeps.needed": {"en": "nothing", "nl": "niets"},
            "ritual.command.notes": {"en": "your notes", "nl": "je notities"},
            "ritual.step.main": {"en": "a question", "nl": "een vraag"}}


def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: dict[str, dict[str, str]]) -> list[str]:
    name = "words_" + re.sub(r"\W", "_", tmp_path.name)  # one package per test: imports are cached
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(RITUAL_CODE)
    merge(name, "small", entries, root=tmp_path)  # type: ignore[arg-type]
    monkeypatch.syspath_prepend(str(tmp_path))
    module = __import__(name)
    return problems(catalogs_in(name), code_files(name), rituals=[module.Small])


def test_the_check_passes_a_ritual_whose_words_are_all_in_its_catalog(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert _check(tmp_path, monkeypatch, COMPLETE) == []


@pytest.mark.parametrize("key", ["ritual.title", "ritual.keeps.needed", "ritual.command.notes"])
def test_the_check_fails_on_a_missing_word_the_core_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          key: str) -> None:
    found = _check(tmp_path, monkeypatch, {k: v for k, v in COMPLETE.items() if k != key})
    assert len(found) == 1 and found[0].endswith(f": ritual 'small' needs {key!r}, which its catalog lacks")


def test_the_check_fails_on_a_word_for_a_step_the_ritual_does_not_have(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    found = _check(tmp_path, monkeypatch, {**COMPLETE, "ritual.step.mian": {"en": "x", "nl": "x"}})
    assert len(found) == 1 and found[0].endswith(":small: 'ritual.step.mian' is used nowhere in the code")


def test_the_check_fails_on_an_untranslated_word(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = _check(tmp_path, monkeypatch, {**COMPLETE, "ritual.title": {"en": "Small", "nl": ""}})
    assert len(found) == 1 and found[0].endswith(":small: 'ritual.title' is not translated in nl")


def test_a_branch_that_still_writes_words_on_the_class_is_imported_under_their_keys() -> None:
    source = '''class Old(Ritual):
    title = {"nl": "Oud", "en": "Old"}
    keeps = {"consent": {"nl": "niets", "en": "nothing"}}
    step_descriptions = {"main": {"nl": "een vraag", "en": "a question"}}
    command_help = {"notes": {"nl": "je notities", "en": "your notes"}}
'''
    assert read_dict(source, "Old") == {"ritual.title": {"nl": "Oud", "en": "Old"},
                                        "ritual.keeps.consent": {"nl": "niets", "en": "nothing"},
                                        "ritual.step.main": {"nl": "een vraag", "en": "a question"},
                                        "ritual.command.notes": {"nl": "je notities", "en": "your notes"}}


def test_every_step_of_every_built_in_ritual_is_described_in_every_language() -> None:
    """The dry run lists what people receive under each date: a step without words shows an
    empty date (moral deliberation and the confidant line did)."""
    for rid, cls in discover().items():
        if not cls.__module__.startswith("rituals."):
            continue
        ritual = cls()
        for name in cls.handler_names("step"):
            for language in supported_languages():
                assert about(ritual).step(name, language), f"{rid}: step {name!r} has no description in {language}"
