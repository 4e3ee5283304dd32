"""The ritual authors' test kit (issue 13, point 6): shipped in the package, a pytest plugin."""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import entry_points

from bot.testing import RitualTeam, texts
from rituals.weekly_success_mistake import WeeklySuccessMistake


def test_the_kit_is_a_pytest_plugin_of_the_package() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert plugins.get("ritualbot") == "bot.pytest_plugin"


async def test_a_shipped_ritual_told_through_the_kit(ritual_team) -> None:  # type: ignore[no-untyped-def]
    team: RitualTeam = await ritual_team(WeeklySuccessMistake, members=["anna", "bram", "cor"], admins=["anna"],
                                         schedule="fri 14:00", options={"sharer_notice_hours": 0})
    await team.opt_in("bram")
    prompt = await team.advance_to(team.next_weekday(4, 14))
    assert len(prompt) == 1 and prompt[0].where == team.channel
    assert (await team.click("bram", "share"))[-1].form is not None
    result, said = await team.submit("bram", {"success": "Huisbezoek ging goed", "mistake": "Te laat",
                                              "share_as": "named"})
    assert result.ok and "Huisbezoek ging goed" in team.posts()[-1].text
    assert len(await team.store.responses(team.team.id)) == 1  # named and opted in: kept
    digest = await team.advance(timedelta(hours=144))
    assert len(digest) == 1 and "één persoon" in texts(digest)[0]
