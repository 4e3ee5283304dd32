"""The check-in's story, told through ritualbot's test kit (`bot.testing`, `ritual_team`)."""

from datetime import timedelta

from ritualbot_checkin import Checkin

from bot.i18n_check import catalogs_in, code_files, problems
from bot.testing import texts


async def test_the_team_checks_in_and_hears_how_many_did(ritual_team) -> None:  # type: ignore[no-untyped-def]
    team = await ritual_team(Checkin, members=["anna", "bram", "cor"], schedule="mon 09:00")
    asked = await team.advance_to(team.next_weekday(0, 9))
    assert texts(asked) == ["Hoe gaat het deze week?"]
    form = (await team.click("bram", "Invullen"))[-1].form
    assert form is not None and [f.name for f in form.fields][0] == "mood"
    result, _ = await team.submit("bram", {"mood": "Druk, maar goed", "share_as": "anonymous"})
    assert result.ok and texts(team.posts()[-1:]) == ["Iemand checkt in:\n\nDruk, maar goed"]
    await team.click("cor", "Invullen")
    result, _ = await team.submit("cor", {"mood": "Client met BSN 111222333"})
    assert "mood" in result.errors  # the core's client-data guard, before the ritual sees it
    result, said = await team.submit("cor", {"mood": "Moe", "share_as": "named"})
    assert result.ok and "Moe" in team.posts()[-1].text and any("Dank je" in t for t in texts(said))
    summary = await team.advance(timedelta(days=1))
    assert texts(summary) == ["2 mensen checkten deze week in."]
    assert (await team.click("anna", "Invullen"))[-1].text == "Deze check-in is gesloten."


def test_every_word_is_in_its_catalog_in_both_languages_and_used() -> None:
    """The same check ritualbot runs on its own catalogs: missing, unused, untranslated, placeholders,
    and the words the core reads (`ritual.title`, `ritual.keeps.*`) present."""
    assert problems(catalogs_in("ritualbot_checkin"), code_files("ritualbot_checkin"), rituals=[Checkin]) == []
