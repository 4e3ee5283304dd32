"""Words that invite (issue 14, docs/voice.md): what a person reads uses names, weekdays and
dates as people write them, never ids or ISO dates, in one language, without calques."""

from __future__ import annotations

import re

from bot.platforms.kit import texts as kit_texts
from bot.platforms.slack import texts as slack_texts
from bot.texts import TEXTS
from tests.conftest import TEAM_TOML

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def english(catalog: object) -> list[str]:
    return [entry["en"] for entry in catalog.values()]  # type: ignore[attr-defined]


def test_no_calques_and_the_dutch_is_grammatical() -> None:
    texts = english(TEXTS) + english(slack_texts.TEXTS) + english(kit_texts.TEXTS)
    for calque in ("rather not", "by myself", "have of you", "kept of you", "keep nothing of"):
        assert not [t for t in texts if calque in t], calque
    assert "Dit kun je niet ongedaan maken." in TEXTS["forget.question"]["nl"]
    assert not [k for k, e in TEXTS.items() if "ongedaan worden" in e["nl"]]


async def test_admin_replies_name_the_ritual_and_say_dates_as_people_do(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)

    async def say(line: str) -> str:
        return str((await h.local.command("anna", line, channel="C1"))[-1].text)

    replies = {line: await say(line) for line in (
        "schedule weekly_success_mistake", "skip weekly_success_mistake", "status",
        "holidays add 2026-12-24", "holidays", "pause weekly_success_mistake", "resume weekly_success_mistake",
        "members add fleur", "language en")}
    assert replies["skip weekly_success_mistake"] == "Weeksucces en weekfout slaat vrijdag 4 december om 14:00 over."
    assert replies["schedule weekly_success_mistake"].startswith("Weeksucces en weekfout komt elke vrijdag om 14:00.")
    assert replies["holidays add 2026-12-24"] == "Op donderdag 24 december 2026 zijn er geen rituelen."
    assert replies["members add fleur"] == "@fleur doet voortaan mee als lid van het team."
    assert replies["language en"] == "The team's language is now English."
    assert "(vrijdag 4 december om 14:00 wordt overgeslagen)" in replies["status"]
    for line, reply in replies.items():
        said = reply.split("/ritual")[0]  # a command to type may hold an id; what is said may not
        assert "weekly_success_mistake" not in said and not ISO_DATE.search(said), (line, reply)
        assert "(members)" not in said and "(leaders)" not in said


async def test_schedule_errors_speak_the_persons_language(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    dutch = (await h.local.command("anna", "schedule weekly_success_mistake someday 10:00", channel="C1"))[-1].text
    assert dutch == ("Dat tijdstip begrijp ik niet: 'someday' is geen dag die ik ken (in 'someday 10:00'); schrijf "
                     "bijvoorbeeld ma, di, wo, do, vr, za, zo of de hele naam, zoals vrijdag. Er is niets veranderd.")
    h2 = await make_harness(TEAM_TOML.replace('language = "nl"', 'language = "en"'))
    english_reply = (await h2.local.command("anna", "schedule weekly_success_mistake fri", channel="C1"))[-1].text
    assert english_reply == ("I can't read that time: expected a time like 14:00 at the end of 'fri'. "
                             "Nothing was changed.")


def test_the_share_as_it_is_box_reads_right_before_any_warning() -> None:
    """It is in every form with a guarded field (a Mattermost dialog cannot gain a field after a
    submission), so it must not presuppose a warning ("toch", "anyway") or push to share."""
    label = TEXTS["guard.post_anyway"]
    assert label["nl"].startswith("Alleen als ik je waarschuw") and "toch" not in label["nl"]
    assert label["en"].startswith("Only if I warn you") and "anyway" not in label["en"]
    assert "vink onderaan aan" in TEXTS["guard.how"]["nl"]
