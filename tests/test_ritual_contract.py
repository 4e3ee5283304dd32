"""The typed ritual contract (issue 13, point 2): options as the ritual's type parameter,
declarations checked against handlers when a ritual is loaded, handlers named by reference."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import timedelta
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.messages import Button, text
from bot.platform import FormResult
from bot.registry import RegistryError, discover
from bot.ritual import ContractError, NoOptions, Ritual, Step, action, button, form, form_id, step

ROOT = Path(__file__).parent.parent


class Opts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    remind: bool = False


class Typed(Ritual[Opts]):
    id = "typed"
    title = {"nl": "Getypt", "en": "Typed"}
    default_schedule = "fri 14:00"

    def steps(self, options: Opts) -> list[Step]:
        return [Step("main"), *([Step("remindr")] if options.remind else [])]  # the typo only some teams reach

    @step("main")
    async def main(self, ctx: RitualContext[Opts], occ: Occurrence) -> None:
        await ctx.post(text("x", buttons=(button(self.click, "Klik", "v"),)))

    @action("click")
    async def click(self, ctx: InteractionContext[Opts], value: str) -> None:
        await ctx.reply(text(str(ctx.options.remind)))

    @form("note")
    async def note(self, ctx: InteractionContext[Opts], state: str, values: dict[str, Any]) -> FormResult:
        return FormResult()


def _load(name: str) -> None:
    discover([EntryPoint(name, f"tests.test_ritual_contract:{_CLASSES[name]}", "ritualbot.rituals")])


class StepTypo(Typed):
    id = "step_typo"

    def steps(self, options: Opts) -> list[Step]:
        return [Step("mian")]


class DescriptionTypo(Typed):
    id = "description_typo"
    step_descriptions = {"mian": {"nl": "x", "en": "x"}}


class CommandTypo(Typed):
    id = "command_typo"
    command_help = {"notes": {"nl": "x", "en": "x"}}


class CatalogTypo(Typed):
    """Its words in its catalog (a dict here), one describing a step it does not have."""

    id = "catalog_typo"
    title = {}
    texts = {"ritual.title": {"nl": "x", "en": "x"}, "ritual.step.mian": {"nl": "x", "en": "x"}}


class NoTitle(Typed):
    id = "no_title"
    title = {}


class Family(Typed):
    """One handler for a family of generated steps: `main` seen an hour earlier and later."""

    id = "family"

    def steps(self, options: Opts) -> list[Step]:
        return [Step("main"), *(Step(f"main{h:+d}h", timedelta(hours=h), runs="main") for h in (-1, 1))]


class RunsTypo(Typed):
    id = "runs_typo"

    def steps(self, options: Opts) -> list[Step]:
        return [Step("main"), Step("main+1h", timedelta(hours=1), runs="mian")]


class WrongArity(Ritual):
    id = "wrong_arity"
    title = {"nl": "x", "en": "x"}
    default_schedule = "fri 14:00"

    @step("main")
    async def main(self, ctx):  # type: ignore[no-untyped-def]  # an outside ritual nobody type-checked
        pass


class OtherOpts(BaseModel):
    pass


class Mismatch(Ritual[Opts]):
    id = "mismatch"
    title = {"nl": "x", "en": "x"}
    default_schedule = "fri 14:00"
    Options = OtherOpts

    @step("main")
    async def main(self, ctx: RitualContext[Opts], occ: Occurrence) -> None:
        pass


_CLASSES = {"typed": "Typed", "step_typo": "StepTypo", "description_typo": "DescriptionTypo",
            "command_typo": "CommandTypo", "wrong_arity": "WrongArity", "mismatch": "Mismatch",
            "catalog_typo": "CatalogTypo", "no_title": "NoTitle", "family": "Family", "runs_typo": "RunsTypo"}


def test_the_options_model_is_the_type_parameter() -> None:
    assert Typed.Options is Opts
    assert WrongArity.Options is NoOptions
    _load("typed")  # a ritual whose declarations match loads


@pytest.mark.parametrize(("name", "says"), [
    ("step_typo", "ritual 'step_typo' has step 'mian' but no @step('mian') handler"),
    ("description_typo", "ritual 'description_typo' describes step 'mian'"),
    ("command_typo", "ritual 'command_typo' describes command 'notes'"),
    ("wrong_arity", "ritual 'wrong_arity': @step('main') handler main must be `async def main(self, ctx, occ)`"),
    ("mismatch", "ritual 'mismatch': Options is OtherOpts but the ritual is Ritual[Opts]"),
    ("catalog_typo", "ritual 'catalog_typo' describes step 'mian'"),
    ("no_title", "ritual 'no_title' declares no title"),
    ("runs_typo", "ritual 'runs_typo' has step 'main+1h' but no @step('mian') handler"),
])
def test_a_typo_in_a_declaration_stops_the_start_naming_ritual_and_name(name: str, says: str) -> None:
    with pytest.raises(RegistryError) as caught:
        _load(name)
    assert says in str(caught.value)


def test_one_handler_serves_a_declared_family_of_steps() -> None:
    """`Step(name, runs=...)`: the steps are data the start-up check reads, not a `handler` override."""
    _load("family")
    ritual = Family()
    steps = ritual.steps(Opts())
    assert [st.name for st in steps] == ["main", "main-1h", "main+1h"]
    assert all(ritual.step_handler(st) == ritual.main for st in steps)
    assert ritual.handler("step", "main+1h") is None  # only the name it runs is a handler


def test_a_step_only_a_teams_options_reach_is_checked_with_the_config() -> None:
    toml = '[[teams]]\nid = "noord"\nplatform = "local"\nchannel = "C1"\n[teams.rituals.typed]\nremind = true\n'
    import tomllib

    from bot.config import ConfigError, parse_config

    parse_config(tomllib.loads(toml.replace("true", "false")), {**discover(), "typed": Typed})
    with pytest.raises(ConfigError, match="ritual 'typed' has step 'remindr' but no @step"):
        parse_config(tomllib.loads(toml), {**discover(), "typed": Typed})


def test_buttons_and_forms_name_their_handler_by_reference() -> None:
    ritual = Typed()
    assert button(ritual.click, "Klik", "v") == Button("click", "Klik", "v")
    assert form_id(ritual.note) == "note"
    with pytest.raises(ContractError, match="is not an @action handler"):
        button(ritual.note, "Klik")  # type: ignore[arg-type]
    with pytest.raises(ContractError, match="is not an @form handler"):
        form_id(ritual.steps)  # type: ignore[arg-type]


def test_mypy_refuses_a_handler_with_the_wrong_signature(tmp_path: Path) -> None:
    source = tmp_path / "outside_ritual.py"
    source.write_text(textwrap.dedent('''
        from bot.context import InteractionContext
        from bot.ritual import NoOptions, Ritual, action


        class Outside(Ritual[NoOptions]):
            id = "outside"

            @action("go")
            async def go(self, ctx: InteractionContext[NoOptions]) -> None:  # the value is missing
                pass
    '''))
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--follow-imports=silent", str(source)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 1, run.stdout
    assert 'outside_ritual.py:9: error: Value of type variable "AM"' in run.stdout and "[type-var]" in run.stdout
