"""Which languages ritualbot speaks is one thing: the languages the core's catalog is installed
in. A third language is added by its `.po` files alone (docs/translating.md, "Add a language"),
and a language nobody installed is refused with the ones that are, in the person's language."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from bot.config import AppConfig, ConfigError, parse_config
from bot.i18n import PoCatalog, language_choices, language_name, pick_language, supported_languages, translate
from bot.i18n_tools import merge
from bot.languages import lacking, language_gaps
from bot.registry import discover
from tests.conftest import TEAM_TOML

ROOT = Path(__file__).resolve().parent.parent

# Run inside a copy of the `bot` package that has a `de` catalog: the config check, the dry run's
# --language and `/ritual language` must take `de` with no Python changed. The rituals are the
# installed ones, which have no `de` catalog: they speak English there, and that is said.
SCRIPT = r'''
import asyncio, contextlib, io, json, logging, sys
from pathlib import Path

import bot
from bot import cli
from bot.i18n import pick_language, supported_languages
from bot.testing import RitualTeam
from rituals.weekly_success_mistake import WeeklySuccessMistake

folder = Path(sys.argv[1])
config = folder / "config.toml"
config.write_text("""
language = "de"
[[teams]]
id = "nord"
platform = "local"
channel = "C1"
[teams.rituals.weekly_success_mistake]
schedule = "fri 14:00"
""")
found = {"bot_from": bot.__file__, "supported": list(supported_languages()), "de_DE": pick_language("de-DE")}
warnings = []
class Keep(logging.Handler):
    def emit(self, record):
        warnings.append(record.getMessage())
with contextlib.redirect_stdout(io.StringIO()) as out:
    found["check_config"] = cli.main(["check-config", str(config)])
    logging.getLogger("ritualbot.languages").addHandler(Keep())
    found["schedule"] = cli.main(["schedule", "--config", str(config), "--count", "1", "--from", "2026-12-01",
                                  "--language", "de"])
found["out"] = out.getvalue()
found["warnings"] = warnings

async def language_command():
    team = await RitualTeam.start(WeeklySuccessMistake, members=["anna", "bram"], admins=["anna"], language="nl",
                                  database_url=f"sqlite:///{folder / 'team.db'}")
    try:
        said = await team.command("anna", "language de")
        return said[-1].text, team.bot.teams["team"].language
    finally:
        team.close()

found["language_command"] = asyncio.run(language_command())
print(json.dumps(found))
'''


def test_a_third_language_is_added_by_its_po_files_alone(tmp_path: Path) -> None:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "RITUALBOT_TEST_DATABASE_URL"}  # a SQLite file of its own
    env["PYTHONPATH"] = str(copy)
    # the first step of "Add a language": an untranslated de.po next to every English one (in the copy)
    started = subprocess.run([sys.executable, "-m", "bot.i18n_tools", "new-language", "de"], cwd=copy, env=env,
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    assert (copy / "bot/locale/de/LC_MESSAGES/core.po").is_file()
    assert not (ROOT / "bot/locale/de").exists()
    # the second: translate (one message here; the rest says it in English meanwhile)
    merge("bot", "core", {"language.done": {"en": "The team's language is now {language}.",
                                            "de": "Die Sprache des Teams ist jetzt {language}."}},
          root=copy, languages=("de",))

    ran = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    found = json.loads(ran.stdout.splitlines()[-1])
    assert found["bot_from"].startswith(str(copy))
    assert found["supported"] == ["de", "en", "nl"] and found["de_DE"] == "de"
    assert found["check_config"] == 0 and "config.toml: OK (1 teams" in found["out"]
    assert found["schedule"] == 0 and "Dez." in found["out"]  # the dry run's dates by German CLDR data
    assert any("team 'nord' speaks de; weekly_success_mistake has no de texts yet" in w for w in found["warnings"])
    reply, language = found["language_command"]
    assert language == "de"
    assert reply.startswith("Die Sprache des Teams ist jetzt Deutsch.")
    assert "no texts in Deutsch yet, so it speaks English" in reply  # the ritual without de: said, not hidden


def test_the_supported_languages_are_the_core_catalogs_languages() -> None:
    assert supported_languages() == ("en", "nl") == PoCatalog("bot", "core").languages
    assert pick_language("de-DE", default="nl") == "nl"  # a platform locale with no catalog falls back as before
    assert pick_language("en-US", default="nl") == "en"


def test_a_ritual_without_a_language_reads_in_english_and_is_named(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "only_english").mkdir()
    (tmp_path / "only_english" / "__init__.py").write_text("")
    merge("only_english", "only_english", {"hello": {"en": "Hello"}}, root=tmp_path, languages=("en",))
    monkeypatch.syspath_prepend(str(tmp_path))
    catalog = PoCatalog("only_english", "only_english")
    assert catalog.languages == ("en",) and catalog.missing_languages() == ("nl",)
    assert translate(catalog, "hello", "nl") == "Hello"

    class OnlyEnglish:
        id = "weekly_success_mistake"  # a ritual the config knows, its texts in English only
        texts = catalog

    assert lacking([OnlyEnglish, *discover().values()], "nl") == [OnlyEnglish]
    config = parse_config({"language": "nl", "teams": [
        {"id": f"t{i}", "platform": "local", "channel": f"C{i}", "rituals": {"weekly_success_mistake": {}}}
        for i in range(7)]}, discover())
    assert language_gaps(config, {"weekly_success_mistake": OnlyEnglish}) == [
        "teams 't0', 't1', 't2', 't3', 't4' and 2 more speak nl; weekly_success_mistake has no nl texts yet "
        "and speaks en there"]
    assert language_gaps(config, discover()) == []


def test_the_config_check_names_the_supported_languages() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"language": "de", "teams": [{"id": "t", "platform": "local", "channel": "C1", "language": "fr"}]},
                     discover())
    assert raised.value.problems == [
        "config.toml: language: unknown language 'de': ritualbot speaks en, nl; another language is added with its "
        ".po files (docs/translating.md)",
        "config.toml: teams[0].language: unknown language 'fr': ritualbot speaks en, nl; another language is added "
        "with its .po files (docs/translating.md) (team 't')"]
    assert AppConfig.model_validate({"language": "en"}).language == "en"


def test_a_language_written_as_a_locale_or_in_capitals_is_told_the_code_to_write() -> None:
    teams = [{"id": "t", "platform": "local", "channel": "C1", "language": "nl-NL"}]
    with pytest.raises(ConfigError) as raised:
        parse_config({"language": "NL", "teams": teams}, discover())
    assert raised.value.problems == [
        "config.toml: language: unknown language 'NL': write the language code alone, in lower case: 'nl'",
        "config.toml: teams[0].language: unknown language 'nl-NL': write the language code alone, in lower case: "
        "'nl' (team 't')"]


def test_the_dry_run_refuses_a_language_it_does_not_speak(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["schedule", "--language", "de"])
    assert "invalid choice: 'de' (choose from 'en', 'nl')" in capsys.readouterr().err


async def test_ritual_language_names_the_languages_in_the_admins_language(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    said = await h.local.command("anna", "language de", channel="C1")
    assert said[-1].text == ("'de' is geen taal die ik spreek. Kies /ritual language en (Engels) of "
                             "/ritual language nl (Nederlands). Er is niets veranderd.")
    said = await h.local.command("anna", "language", channel="C1")
    assert said[-1].text == "Gebruik: /ritual language en (Engels) of /ritual language nl (Nederlands)"
    assert await h.store.team_settings() == {}
    said = await h.local.command("anna", "language EN", channel="C1")
    assert said[-1].text == "The team's language is now English."
    assert h.bot.teams["noord"].language == "en"


def test_language_names_come_from_cldr() -> None:
    assert (language_name("nl", "en"), language_name("en", "nl"), language_name("de", "de")) == (
        "Dutch", "Engels", "Deutsch")
    assert language_choices("en") == "en (English) or nl (Dutch)"


def test_an_untranslated_plural_message_reads_in_english_not_as_its_key(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`new-language` leaves every form empty; until they are filled people read the English."""
    (tmp_path / "half_done").mkdir()
    (tmp_path / "half_done" / "__init__.py").write_text("")
    merge("half_done", "half_done", {"seen": {"en": ("One saw it.", "{count} saw it."), "nl": ("", "")}},
          root=tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    catalog = PoCatalog("half_done", "half_done")
    assert [translate(catalog, "seen", "nl", count=n) for n in (1, 3)] == ["One saw it.", "3 saw it."]


async def test_a_dm_from_a_scheduled_step_speaks_the_persons_platform_language(store) -> None:  # type: ignore[no-untyped-def]
    """Cor's Slack speaks English in a Dutch team: the week's sharer DM reads in English, as every
    answer to Cor's clicks does (not Dutch first, then English after the click)."""
    from datetime import timedelta

    from bot.simulation import advance
    from tests.test_slack_support import ANNA, BRAM, COR, DEWI, running_bot

    async with running_bot(store) as r:
        # Cor is the one left in the rotation: the week's sharer
        await r.store.put_state("noord", "weekly_success_mistake", "no_turns", [ANNA, BRAM, DEWI], r.clock.now())
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=3, hours=6, minutes=1))
        [dm] = r.slack.messages(COR)
        assert "your turn" in dm.text and "beurt" not in dm.text
