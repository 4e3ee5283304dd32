"""The plugin contract, translations and docs kept honest by tests."""

from __future__ import annotations

import re
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from bot.config import AppConfig, RitualSettings, TeamConfig
from bot.context import Occurrence, RitualContext
from bot.i18n import missing_translations
from bot.messages import text
from bot.registry import RegistryError, discover
from bot.ritual import Ritual, step
from bot.ritual_words import about
from bot.texts import TEXTS

ROOT = Path(__file__).parent.parent
EXPECTED_IDS = {"weekly_success_mistake", "moral_deliberation", "walk_and_listen", "leader_checklist"}


def shipped() -> dict[str, type[Ritual]]:
    """The rituals this package ships (in `rituals/`): the docs and texts checked here are
    ours. A ritual someone else installed next to ritualbot is found too, but its docs are
    its own package's business and never fail this suite."""
    return {rid: cls for rid, cls in discover().items() if cls.__module__.split(".")[0] == "rituals"}


def test_our_rituals_are_found_through_entry_points() -> None:
    found = discover()
    assert "weekly_success_mistake" in found
    assert set(found) <= EXPECTED_IDS | set(found)


def test_core_never_imports_a_ritual_by_name() -> None:
    import ast

    for path in (ROOT / "bot").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("rituals"), path
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("rituals") for a in node.names), path
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in EXPECTED_IDS, f"{path} names the ritual {node.value}"


def test_duplicate_and_mismatched_ids_are_errors() -> None:
    ep = EntryPoint("weekly_success_mistake", "rituals.weekly_success_mistake:WeeklySuccessMistake", "ritualbot.rituals")
    clash = EntryPoint("weekly_success_mistake", "tests.test_plugins_and_docs:Impostor", "ritualbot.rituals")
    with pytest.raises(RegistryError, match="duplicate ritual id"):
        discover([ep, clash])
    wrong = EntryPoint("other_name", "rituals.weekly_success_mistake:WeeklySuccessMistake", "ritualbot.rituals")
    with pytest.raises(RegistryError, match="must match"):
        discover([wrong])
    broken = EntryPoint("broken", "rituals.does_not_exist:Nope", "ritualbot.rituals")
    with pytest.raises(RegistryError, match="failed to load"):
        discover([broken])


from rituals.weekly_success_mistake import WeeklySuccessMistake  # noqa: E402


class Impostor(WeeklySuccessMistake):
    """Claims an id that is already taken."""


def test_every_text_exists_in_dutch_and_english() -> None:
    assert missing_translations(TEXTS) == []
    for rid, cls in shipped().items():
        assert missing_translations(cls.texts) == [], rid
        assert all(about(cls).title(language) != rid for language in ("nl", "en")), rid


def test_every_handler_a_ritual_declares_has_a_step_or_is_reachable() -> None:
    for rid, cls in shipped().items():
        ritual = cls()
        options = cls.Options()
        for st in ritual.steps(options):
            assert ritual.step_handler(st) is not None, f"{rid} has no handler for step {st.name}"


def test_every_config_key_is_documented() -> None:
    readme = (ROOT / "README.md").read_text()
    docs = readme + ((ROOT / "docs" / "rituals.md").read_text() if (ROOT / "docs" / "rituals.md").exists() else "")
    for model in (AppConfig, TeamConfig, RitualSettings):
        for key in model.model_fields:
            assert f"`{key}`" in readme, f"config key {key} is not in README.md"
    for rid, cls in shipped().items():
        assert f"`{rid}`" in readme, f"ritual {rid} is not in README.md"
        for key in cls.Options.model_fields:
            assert f"`{key}`" in docs, f"option {key} of {rid} is not documented"


def test_readme_starts_with_the_two_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    assert "ritualbot demo" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci


def test_an_outside_ritual_is_found_but_its_docs_are_not_ours_to_check() -> None:
    outside = EntryPoint("checkin", "tests.test_plugins_and_docs:Outside", "ritualbot.rituals")
    assert "checkin" in discover([outside])
    assert set(shipped()) >= EXPECTED_IDS and all(c.__module__.startswith("rituals.") for c in shipped().values())


class Outside(Ritual):
    """Stands for a ritual of another package: undocumented here, texts in one language."""

    id = "checkin"
    title = {"nl": "Check-in"}
    default_schedule = "mon 09:00"

    @step("main")
    async def main(self, ctx: RitualContext, occ: Occurrence) -> None:
        await ctx.post(text("Hoe gaat het?"))
