"""Translations as gettext catalogs (issue 13, point 5): `.po` files a translator can work in,
plural forms by the language's rule, dates by Babel, and a check that fails on a missing,
unused, untranslated or mismatched message."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import i18n_tools
from bot.dates import short_month, spoken_day, spoken_moment
from bot.dryrun import when
from bot.guard import describe, find_identifiers
from bot.i18n import LANGUAGES, PoCatalog, translate
from bot.i18n_check import all_problems, catalogs_in, code_files, problems
from bot.i18n_tools import DictSource, import_dicts, merge, read_dict
from rituals.weekly_success_mistake import TEXTS as WEEKLY

ROOT = Path(__file__).resolve().parent.parent
AMS = ZoneInfo("Europe/Amsterdam")


def test_every_catalog_is_complete_used_and_consistent() -> None:
    """Ours: an outside ritual installed next to ritualbot checks its own catalog (as the example does)."""
    from bot.registry import discover

    ours = sorted({"bot"} | {cls.texts.package for cls in discover().values()
                            if cls.__module__.startswith("rituals.") and isinstance(cls.texts, PoCatalog)})
    assert ours == ["bot", "rituals", "rituals.moral_deliberation"]
    assert all_problems(ours) == []


def test_every_shipped_ritual_ships_a_catalog_in_every_language() -> None:
    """Ours, that is: an outside ritual installed next to ritualbot (examples/ritualbot-checkin
    in CI) may keep its texts as a dict, which `translate` reads too."""
    from bot.registry import discover

    ours = {rid: cls for rid, cls in discover().items() if cls.__module__.split(".")[0] == "rituals"}
    assert set(ours) >= {"weekly_success_mistake", "moral_deliberation", "walk_and_listen", "leader_checklist",
                         "confidant_line"}
    for rid, cls in ours.items():
        assert isinstance(cls.texts, PoCatalog), rid
        for language in LANGUAGES:
            assert cls.texts.path(language).is_file(), (rid, language)


# a small package of its own, as an outside ritual would ship -------------------------------

def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str,
             entries: dict[str, dict[str, str | tuple[str, ...]]]) -> tuple[list[PoCatalog], list[Path]]:
    name = "outside_" + re.sub(r"\W", "_", tmp_path.name)  # one package per test: imports are cached
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(code)
    merge(name, "outside_ritual", entries, root=tmp_path)  # type: ignore[arg-type]
    monkeypatch.syspath_prepend(str(tmp_path))
    return catalogs_in(name), code_files(name)


GOOD = {"greet": {"en": "Hello {who}", "nl": "Hallo {who}"}}


def test_the_check_passes_a_small_complete_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert problems(*_package(tmp_path, monkeypatch, 'def hi(ctx):\n    return ctx.team_t("greet", who="x")\n',
                              GOOD)) == []


def test_the_check_fails_on_a_key_the_code_asks_for_and_no_catalog_has(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    code = 'def hi(ctx):\n    return ctx.team_t("greet", who="x") + ctx.user_t("greeet")\n'
    found = problems(*_package(tmp_path, monkeypatch, code, GOOD))
    assert len(found) == 1 and "'greeet'" in found[0] and "no catalog" in found[0]


def test_the_check_fails_on_a_message_used_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = {**GOOD, "bye": {"en": "Bye", "nl": "Doei"}}
    found = problems(*_package(tmp_path, monkeypatch, 'def hi(ctx):\n    return ctx.team_t("greet", who="x")\n',
                               entries))
    assert len(found) == 1 and found[0].endswith(":outside_ritual: 'bye' is used nowhere in the code")


def test_a_key_built_with_an_f_string_counts_as_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = {"answer.yes": {"en": "Yes", "nl": "Ja"}, "answer.no": {"en": "No", "nl": "Nee"}}
    code = 'def hi(ctx, a):\n    return ctx.user_t(f"answer.{a}")\n'
    assert problems(*_package(tmp_path, monkeypatch, code, entries)) == []


def test_the_check_fails_on_an_untranslated_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = {"greet": {"en": "Hello {who}", "nl": ""}}
    found = problems(*_package(tmp_path, monkeypatch, 'def hi(ctx):\n    return ctx.team_t("greet", who="x")\n',
                               entries))
    assert len(found) == 1 and found[0].endswith(":outside_ritual: 'greet' is not translated in nl")


def test_the_check_fails_when_placeholders_differ_between_languages(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    entries = {"greet": {"en": "Hello {who}", "nl": "Hallo {wie}"}}
    found = problems(*_package(tmp_path, monkeypatch, 'def hi(ctx):\n    return ctx.team_t("greet", who="x")\n',
                               entries))
    assert len(found) == 1 and "different placeholders" in found[0] and "wie" in found[0]


def test_an_outside_package_translates_from_its_own_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogs, _ = _package(tmp_path, monkeypatch, "", GOOD)
    assert translate(catalogs[0], "greet", "nl", who="Anna") == "Hallo Anna"
    assert translate(catalogs[0], "greet", "de", who="Anna") == "Hello Anna"  # no German: English
    with pytest.raises(KeyError):
        translate(catalogs[0], "absent", "nl")


# plurals ---------------------------------------------------------------------------------------

def test_plural_messages_follow_the_languages_plural_rule() -> None:
    assert WEEKLY.is_plural("digest.count")
    assert "digest.count_one" not in WEEKLY
    assert translate(WEEKLY, "digest.count", "nl", count=1).startswith("Deze week deelde één persoon")
    assert translate(WEEKLY, "digest.count", "nl", count=3).startswith("Deze week deelden 3 mensen")
    assert translate(WEEKLY, "digest.count", "en", count=1).startswith("This week one person shared")
    with pytest.raises(KeyError):
        translate(WEEKLY, "digest.count", "en")  # a plural message needs its count


def test_the_guard_counts_what_it_found_in_the_persons_language() -> None:
    one = describe(find_identifiers("bel 0612345678"), "nl")
    two = describe(find_identifiers("bel 0612345678 of 0687654321"), "en")
    assert "een telefoonnummer" in one
    assert "2 phone numbers" in two


def test_a_language_with_three_plural_forms_gets_them_from_its_plural_forms(tmp_path: Path) -> None:
    """A new language's Plural-Forms come from Babel (CLDR); ngettext picks the form by it."""
    package = tmp_path / "pl_ritual"
    package.mkdir()
    (package / "__init__.py").write_text("")
    merge("pl_ritual", "pl_ritual", {"files": {"en": ("{count} file", "{count} files"),
                                               "pl": ("{count} plik", "{count} pliki", "{count} plików")}},
          root=tmp_path, languages=("en", "pl"))
    sys.path.insert(0, str(tmp_path))
    try:
        catalog = PoCatalog("pl_ritual", "pl_ritual", languages=("en", "pl"))
        said = [translate(catalog, "files", "pl", count=n) for n in (1, 2, 5, 22)]
    finally:
        sys.path.remove(str(tmp_path))
    assert said == ["1 plik", "2 pliki", "5 plików", "22 pliki"]


# dates -----------------------------------------------------------------------------------------

def test_dates_are_said_by_babel_in_both_languages() -> None:
    moment = datetime(2026, 12, 4, 14, 0, tzinfo=AMS)
    assert spoken_moment(moment, "nl") == "vrijdag 4 december om 14:00"
    assert spoken_moment(moment, "en") == "Friday 4 December at 14:00"
    assert spoken_day(date(2026, 12, 24), "nl", year=True) == "donderdag 24 december 2026"
    assert spoken_day(date(2027, 3, 1), "en") == "Monday 1 March"
    assert when(moment, "nl") == "vr 4 dec 2026 14:00" and when(moment, "en", with_time=False) == "Fri 4 Dec 2026"
    assert short_month(date(2027, 3, 3), "nl") == "mrt 27" and short_month(date(2027, 10, 6), "nl") == "okt 27"


def test_a_moment_is_said_in_its_own_timezone() -> None:
    moment = datetime(2026, 12, 4, 13, 0, tzinfo=ZoneInfo("UTC"))
    assert spoken_moment(moment.astimezone(AMS), "en") == "Friday 4 December at 14:00"


def test_no_month_names_are_written_out_in_the_code() -> None:
    """Month names come from Babel; the guard's date finder (which reads them) is the exception."""
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "rituals").rglob("*.py")]:
        if path.parent.name == "guard":
            continue
        source = path.read_text().lower()
        assert "januari" not in source and '"mrt"' not in source and "'mrt'" not in source, path


# the dict -> .po conversion, re-run after merging a branch that still writes dicts --------------

OLD = '''TEXTS = {
    "a": {"nl": "Een", "en": "One"},
    "seen_one": {"nl": "Eén keer gezien", "en": "Seen once"},
    "seen_many": {"nl": "{n} keer gezien", "en": "Seen {n} times"},
}
'''


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def test_import_dicts_takes_only_what_a_merged_branch_added_or_reworded(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "start")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "texts.py").write_text(OLD)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "base")
    base = _git(tmp_path, "rev-parse", "HEAD")
    sources = [DictSource("pkg/texts.py", "TEXTS", "pkg", "pkg")]
    out: list[str] = []
    import_dicts(sources, None, None, out, root=tmp_path)
    nl = (tmp_path / "pkg/locale/nl/LC_MESSAGES/pkg.po").read_text()
    assert '#, python-brace-format\nmsgid "seen"\nmsgid_plural "seen"\nmsgstr[0] "Eén keer gezien"\nmsgstr[1] "{count} keer gezien"' in nl
    assert "#. English: One" in nl
    # a translator improves "a" in the .po; a branch adds "b" and rewords nothing else
    (tmp_path / "pkg/locale/nl/LC_MESSAGES/pkg.po").write_text(nl.replace('msgstr "Een"', 'msgstr "Eén"'))
    (tmp_path / "pkg" / "texts.py").write_text(OLD.replace("}\n", '    "b": {"nl": "Twee", "en": "Two"},\n}\n'))
    _git(tmp_path, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qam", "branch")
    import_dicts(sources, "HEAD", base, out, root=tmp_path)
    merged = read_dict(OLD, "TEXTS")
    assert merged["a"]["nl"] == "Een"
    nl = (tmp_path / "pkg/locale/nl/LC_MESSAGES/pkg.po").read_text()
    assert 'msgstr "Eén"' in nl and 'msgid "b"\nmsgstr "Twee"' in nl
    assert out[-1] == "pkg: 1 message(s) from the old dicts: b"


def test_the_import_script_finds_nothing_left_in_the_old_form() -> None:
    shown = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_dicts.py")], cwd=ROOT, check=True,
                           capture_output=True, text=True)
    assert shown.stdout.strip() == "no texts in the old form: nothing to import"


def test_new_language_starts_an_untranslated_catalog_with_the_english_beside(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    english = tmp_path / "pkg/locale/en/LC_MESSAGES"
    english.mkdir(parents=True)
    shutil.copy(ROOT / "rituals/locale/en/LC_MESSAGES/weekly_success_mistake.po", english / "weekly.po")
    monkeypatch.setattr(i18n_tools, "ROOT", tmp_path)  # our own module's constant, not an SDK
    out: list[str] = []
    i18n_tools.new_language("pl", out)
    polish = (tmp_path / "pkg/locale/pl/LC_MESSAGES/weekly.po").read_text()
    assert "Plural-Forms: nplurals=3;" in polish
    assert '#. English: Share' in polish and 'msgid "button.share"\nmsgstr ""' in polish


# shipping --------------------------------------------------------------------------------------

def test_a_wheel_ships_the_catalogs_and_an_installed_copy_reads_them(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("bot", "rituals"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("ritualbot-*.whl"))
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".po")}
    in_tree = {str(p.relative_to(ROOT)) for p in [*ROOT.glob("bot/**/*.po"), *ROOT.glob("rituals/**/*.po")]}
    assert shipped == in_tree
    target = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(target)  # what a non-editable install puts in site-packages
    probe = ("from bot.texts import TEXTS; from bot.i18n import translate; "
             "from rituals.moral_deliberation.texts import TEXTS as M; import bot; "
             "print(bot.__file__); print(translate(TEXTS, 'share.anonymous', 'nl')); print(M['reflect.mixed']['nl'])")
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env={"PYTHONPATH": str(target)},
                         check=True, capture_output=True, text=True)
    where, anonymous, mixed = ran.stdout.splitlines()
    assert where.startswith(str(target)) and anonymous == "Anoniem" and mixed == "Dubbel"


async def test_what_admins_remove_is_said_back_not_a_missing_key(make_harness) -> None:  # type: ignore[no-untyped-def]
    """`roster.removed.*` and `holidays.removed` were once spelled `removeed`; the replies prove them."""
    from tests.conftest import TEAM_TOML

    h = await make_harness(TEAM_TOML)

    async def say(line: str) -> str:
        return str((await h.local.command("anna", line, channel="C1"))[-1].text)

    await say("members add fleur")
    await say("leaders add bram")
    await say("holidays add 2026-12-24")
    assert await say("members remove fleur") == "@fleur is geen lid van het team meer."
    assert await say("leaders remove bram") == "@bram is geen leidinggevende in het team meer."
    assert await say("holidays remove 2026-12-24") == "donderdag 24 december 2026 is geen eigen vrije dag meer."


def test_a_branch_that_rewords_one_half_of_a_plural_changes_only_that_form(tmp_path: Path) -> None:
    sources = [DictSource("pkg/texts.py", "TEXTS", "pkg", "pkg")]
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "texts.py").write_text(OLD)
    import_dicts(sources, None, None, [], root=tmp_path)
    (tmp_path / "pkg" / "texts.py").write_text('TEXTS = {"seen_many": {"nl": "{n} keer bekeken", "en": "Viewed {n} times"}}\n')
    import_dicts(sources, None, None, [], root=tmp_path)
    nl = (tmp_path / "pkg/locale/nl/LC_MESSAGES/pkg.po").read_text()
    assert 'msgid_plural "seen"\nmsgstr[0] "Eén keer gezien"\nmsgstr[1] "{count} keer bekeken"' in nl
    assert 'msgid "seen_many"' not in nl
