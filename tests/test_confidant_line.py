"""The line to the confidant (issue 15), on the local platform: named and anonymous
conversations end to end, no trace of an anonymous sender in the database, nothing for
admins or for a confidant of another team, and the follow-up with its one reminder."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import pytest

from tests.conftest import AMS
from tests.test_trust_data_rights import dump

SENDER = "qxsender"  # distinctive, so a dump can be searched for it
TOML = f"""
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["anna"]
leaders = ["anna"]
confidant = "vera"
members = ["anna", "{SENDER}", "cor"]
[teams.rituals.confidant_line]
{{extra}}

[[teams]]
id = "zuid"
platform = "local"
channel = "C2"
admins = ["anna"]
confidant = "wim"
members = ["anna", "dewi"]
[teams.rituals.confidant_line]
"""
CHANNELS = {"C1": ["anna", SENDER, "cor"], "C2": ["anna", "dewi"]}
START = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)  # a Monday


def naming(h, who: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{table}: {row}" for table, rows in dump(h.store).items() for row in rows
            if any(who in value for value in row.values())]


async def signal(h, worry: str, share_as: str, answer: str = "yes"):  # type: ignore[no-untyped-def]
    out = await h.local.command(SENDER, "signal", channel="C1")
    assert out[-1].form is not None
    return await h.local.submit(SENDER, {"worry": worry, "answer": answer, "share_as": share_as})


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RITUALBOT_SECRET", "a test secret that is not in the database")


async def test_named_conversation_end_to_end(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    result, out = await signal(h, "Ik maak me zorgen over de werkdruk.", "named")
    assert result.ok
    to_vera = h.local.last("dm", "dm:vera")
    assert "werkdruk" in to_vera.text and SENDER in str(to_vera.message)  # named: a mention
    assert "signal status" in h.local.last("reply", user=SENDER).text
    assert (await h.local.command(SENDER, "signal status", channel="C1"))[-1].text.count("ontvangen") == 1
    await h.local.click("vera", to_vera, "reply")  # opening the answer form marks it read
    assert "gelezen" in h.local.last("dm", f"dm:{SENDER}").text
    result, _ = await h.local.submit("vera", {"message": "Zullen we donderdag even bellen?"})
    assert result.ok
    answer = h.local.last("dm", f"dm:{SENDER}")
    assert "donderdag" in answer.text
    assert "beantwoord" in (await h.local.command(SENDER, "signal status", channel="C1"))[-1].text
    await h.local.click(SENDER, answer, "reply")
    result, _ = await h.local.submit(SENDER, {"message": "Ja, graag."})
    assert result.ok and "graag" in h.local.last("dm", "dm:vera").text
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "close")
    assert "gesloten" in h.local.last("dm", f"dm:{SENDER}").text
    assert "gesloten" in (await h.local.command(SENDER, "signal status", channel="C1"))[-1].text
    assert h.local.entries("dm", "dm:wim") == []  # the other team's confidant got nothing


async def test_anonymous_conversation_leaves_no_sender_in_the_database(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    before = naming(h, SENDER)
    result, _ = await signal(h, "Er wordt in het team gelachen om een collega.", "anonymous")
    assert result.ok
    to_vera = h.local.last("dm", "dm:vera")
    assert "gelachen" in to_vera.text and SENDER not in str(to_vera.message)
    assert before == [] and naming(h, SENDER) == []  # during: the database names the sender nowhere
    await h.local.click("vera", to_vera, "reply")
    await h.local.submit("vera", {"message": "Dank je. Wil je vertellen wanneer het gebeurt?"})
    answer = h.local.last("dm", f"dm:{SENDER}")
    assert "wanneer" in answer.text
    await h.local.click(SENDER, answer, "reply")
    await h.local.submit(SENDER, {"message": "Meestal in de pauze."})
    back = h.local.last("dm", "dm:vera")
    assert "pauze" in back.text and SENDER not in str(back.message)
    assert naming(h, SENDER) == before
    # nothing gives the confidant or an admin the sender: not status, not mydata
    for who, channel in (("vera", "C1"), ("anna", "C1")):
        for line in ("signal status", "mydata"):
            for entry in await h.local.command(who, line, channel=channel):
                assert SENDER not in str(entry.message)
    assert all(SENDER not in str(e.message) for e in h.local.seen_by("vera") + h.local.seen_by("anna"))
    await h.local.click("vera", back, "close")
    assert naming(h, SENDER) == before  # after
    assert h.local.entries("dm", "dm:wim") == []


async def test_the_sender_may_reveal_their_name_the_confidant_cannot_ask(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Iets over de planning.", "anonymous")
    to_vera = h.local.last("dm", "dm:vera")
    assert all(b.action.split(":")[-1] != "reveal" for b in to_vera.message.buttons)  # type: ignore[union-attr]
    await h.local.click("vera", to_vera, "reply")
    await h.local.submit("vera", {"message": "Vertel gerust meer."})
    out = await h.local.click("vera", h.local.last("dm", f"dm:{SENDER}"), "reveal")  # not hers to press
    assert SENDER not in "".join(str(e.message) for e in out) and SENDER not in str(h.local.last("dm", "dm:vera").message)
    await h.local.click(SENDER, h.local.last("dm", f"dm:{SENDER}"), "reveal")
    assert SENDER in str(h.local.last("dm", "dm:vera").message)


async def test_without_the_secret_an_anonymous_signal_is_refused_and_kept_nowhere(
        make_harness, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("RITUALBOT_SECRET", raising=False)
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    before = dump(h.store)
    with caplog.at_level(logging.WARNING, logger="ritualbot"):
        result, _ = await signal(h, "Een geheime zorg.", "anonymous")
    assert "RITUALBOT_SECRET" in result.errors["worry"]
    assert "RITUALBOT_SECRET" in caplog.text
    assert h.local.entries("dm", "dm:vera") == [] and dump(h.store) == before
    result, _ = await signal(h, "Een zorg met naam.", "named")  # named still works
    assert result.ok and "zorg met naam" in h.local.last("dm", "dm:vera").text


async def test_a_team_without_confidant_gets_a_clear_private_answer(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra="").replace('confidant = "vera"\n', ""), start=START, channels=CHANNELS)
    out = await h.local.command(SENDER, "signal", channel="C1")
    assert [e.kind for e in out] == ["reply"] and "geen vertrouwenspersoon" in out[-1].text
    assert h.local.entries("dm") == []


async def test_a_confidant_of_another_team_can_do_nothing_with_it(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Zorg in noord.", "anonymous")
    to_vera = h.local.last("dm", "dm:vera")
    out = await h.local.click("wim", to_vera, "reply")  # wim serves zuid, not noord
    assert all(e.form is None for e in out) and h.local.entries("dm", "dm:wim") == []
    assert all("noord" not in e.text and "Zorg" not in e.text for e in h.local.seen_by("wim"))


async def test_one_reminder_then_the_sender_is_told_and_offered_other_routes(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    extra = 'reminder_days = 2\nother_routes = "HR: Petra, 020-1234567"'
    # the sender lives far away: at 09:30 in Amsterdam it is evening for them, and still the
    # honest word is sent at once, never held (a held DM would store their id with the conversation)
    h = await make_harness(TOML.format(extra=extra), start=START, channels=CHANNELS,
                           timezones={SENDER: "Pacific/Auckland"})
    await signal(h, "Niemand reageert.", "anonymous")
    await h.advance_to(datetime(2026, 12, 2, 9, 30, tzinfo=AMS))  # Wednesday: two working days on
    reminders = [e for e in h.local.entries("dm", "dm:vera") if "Herinnering" in e.text]
    assert len(reminders) == 1
    await h.advance_to(datetime(2026, 12, 4, 9, 30, tzinfo=AMS))  # Friday: two more
    told = [e for e in h.local.entries("dm", f"dm:{SENDER}") if "Andere wegen" in e.text]
    assert len(told) == 1 and "HR: Petra" in told[0].text
    assert naming(h, SENDER) == []
    await h.advance_to(datetime(2026, 12, 9, 9, 30, tzinfo=AMS))
    assert len([e for e in h.local.entries("dm", "dm:vera") if "Herinnering" in e.text]) == 1
    assert len([e for e in h.local.entries("dm", f"dm:{SENDER}") if "Andere wegen" in e.text]) == 1


async def test_mydata_and_forget_for_sender_and_confidant(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Mijn eigen zorg.", "anonymous")
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "reply")
    await h.local.submit("vera", {"message": "Antwoord van vera."})
    mine = (await h.local.command(SENDER, "mydata", channel="C1"))[-1].text
    assert "Mijn eigen zorg" in mine and "Antwoord van vera" in mine
    hers = (await h.local.command("vera", "mydata", channel="C1"))[-1].text
    assert "Mijn eigen zorg" in hers and SENDER not in hers  # the sealed route may show; it opens only with the key
    out = await h.local.command(SENDER, "forget", channel="C1")
    await h.local.click(SENDER, out[-1], "forget_confirm")
    assert "Mijn eigen zorg" not in str(dump(h.store)) and "Antwoord van vera" not in str(dump(h.store))
    assert "Mijn eigen zorg" not in (await h.local.command("vera", "mydata", channel="C1"))[-1].text


async def test_a_confidant_outside_the_team_reaches_their_data_from_a_direct_message(  # type: ignore[no-untyped-def]
        make_harness, secret) -> None:
    """Found by trying it: vera is in neither team's channel, so she types /ritual in her DM
    with the bot; with two teams on the platform she was told "Ik weet niet bij welk team je
    hoort", and had no way to her data (issue 15: mydata and forget cover the confidant)."""
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Mijn eigen zorg.", "anonymous")
    hers = (await h.local.command("vera", "mydata", channel="dm:vera"))[-1].text
    assert "Mijn eigen zorg" in hers and SENDER not in hers
    assert "Mijn eigen zorg" not in (await h.local.command("wim", "mydata", channel="dm:wim"))[-1].text


async def test_a_closed_conversation_is_gone_after_the_retention(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML.format(extra="retention_days = 10"), start=START, channels=CHANNELS)
    await signal(h, "Een zorg die afloopt.", "named")
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "close")
    await h.advance_to(datetime(2026, 12, 9, 9, 30, tzinfo=AMS))  # nine days after closing: still there
    assert "afloopt" in str(dump(h.store))
    await h.advance_to(datetime(2026, 12, 11, 9, 30, tzinfo=AMS))  # eleven days: gone
    assert "afloopt" not in str(dump(h.store))
    assert "geen lopende" in (await h.local.command(SENDER, "signal status", channel="C1"))[-1].text


async def test_a_refused_dm_to_an_anonymous_sender_leaves_no_trace(  # type: ignore[no-untyped-def]
        make_harness, secret, caplog: pytest.LogCaptureFixture) -> None:
    """Found by trying it: once the anonymous sender's account was deactivated, the
    confidant's answer logged the sender's id and wrote audit rows that showed the
    conversation exists."""
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Er wordt in het team gelachen om een collega.", "anonymous")
    before = dump(h.store).get("audit_log", [])
    h.local.deactivate(SENDER)
    caplog.set_level(logging.DEBUG)
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "reply")
    result, _ = await h.local.submit("vera", {"message": "Dank je voor je bericht."})
    assert result.ok
    assert SENDER not in caplog.text
    assert "refused a DM" in caplog.text  # the refusal itself was seen, without a name
    assert dump(h.store).get("audit_log", []) == before
    assert naming(h, SENDER) == []


async def test_the_sender_and_the_confidant_see_different_names_for_the_conversation(  # type: ignore[no-untyped-def]
        make_harness, secret) -> None:
    """Found by trying it: both DMs carried the same conversation id, in the text and in the
    buttons, so whoever can read DMs on the platform (a compliance export, a server admin)
    could link an anonymous sender to their conversation."""
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Er wordt in het team gelachen om een collega.", "anonymous")
    to_vera = h.local.last("dm", "dm:vera")
    conv_id = to_vera.button("reply").value.split("|")[-1]
    await h.local.click("vera", to_vera, "reply")
    await h.local.submit("vera", {"message": "Dank je. Wil je vertellen wanneer het gebeurt?"})
    to_sender = h.local.last("dm", f"dm:{SENDER}")
    sender_side = [str(e.message) for e in h.local.seen_by(SENDER)]
    assert sender_side and not any(conv_id in seen for seen in sender_side)
    ref = to_sender.button("reply").value.split("|")[-1]
    assert ref != conv_id and not any(ref in str(e.message) for e in h.local.seen_by("vera"))
    # the sender's own name for it works for them, and not for the confidant
    await h.local.click(SENDER, to_sender, "reply")
    result, _ = await h.local.submit(SENDER, {"message": "Meestal in de pauze."})
    assert result.ok and "pauze" in h.local.last("dm", "dm:vera").text
    assert ref in (await h.local.command(SENDER, "signal status", channel="C1"))[-1].text
    await h.local.click("vera", to_sender, "close")
    assert "gesloten" not in h.local.last("dm", f"dm:{SENDER}").text


async def test_the_confidants_mydata_shows_neither_the_senders_name_for_it_nor_the_route(  # type: ignore[no-untyped-def]
        make_harness, secret) -> None:
    """Found by trying it: the ritual's own part of the confidant's mydata hides an anonymous
    sender's sealed route and their name for the conversation, but the raw rows beneath it
    (`stored`) showed both, so the confidant's export held the id the sender's DMs carry."""
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Een zorg van iemand.", "anonymous")
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "reply")
    await h.local.submit("vera", {"message": "Dank je, ik lees mee."})
    [conv] = [json.loads(row["value"]) for row in dump(h.store)["ritual_data"] if row["key"].startswith("conv:")]
    hers = (await h.local.command("vera", "mydata", channel="C1"))[-1].text
    assert "Een zorg van iemand" in hers and "Dank je, ik lees mee" in hers  # what was said is shown
    assert conv["ref"] not in hers and conv["route"] not in hers
    mine = (await h.local.command(SENDER, "mydata", channel="C1"))[-1].text
    assert conv["ref"] in mine  # the sender still reads their own name for it


async def test_a_closed_conversation_goes_after_the_retention_also_while_the_ritual_is_paused(  # type: ignore[no-untyped-def]
        make_harness, secret) -> None:
    """Found by trying it: only the ritual's own daily step deleted closed conversations, so
    while an admin had paused the confidant line (or switched it off) they were kept for good."""
    h = await make_harness(TOML.format(extra="retention_days = 10"), start=START, channels=CHANNELS)
    await signal(h, "Een zorg die blijft hangen.", "named")
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "close")
    await h.local.command("anna", "pause confidant_line", channel="C1")
    await h.advance_to(datetime(2026, 12, 9, 9, 30, tzinfo=AMS))  # nine days after closing: still there
    await h.bot.purge_expired()  # the daily retention job of `ritualbot run`
    assert "blijft hangen" in str(dump(h.store))
    await h.advance_to(datetime(2026, 12, 12, 9, 30, tzinfo=AMS))  # twelve days
    await h.bot.purge_expired()
    assert "blijft hangen" not in str(dump(h.store))


async def test_an_answered_conversation_nobody_writes_in_closes_and_then_goes(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    """An open conversation held its text for good once neither side wrote again (an answer
    the sender never replied to): it now closes after `close_idle_days`, both are told,
    and the retention then deletes it as for any closed conversation."""
    h = await make_harness(TOML.format(extra="close_idle_days = 14\nretention_days = 10"), start=START,
                           channels=CHANNELS)
    await signal(h, "Een zorg waar het stil blijft.", "anonymous")
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "reply")
    await h.local.submit("vera", {"message": "Laten we praten."})
    await h.advance_to(datetime(2026, 12, 11, 9, 30, tzinfo=AMS))  # eleven days: still open
    assert "stil blijft" in str(dump(h.store))
    assert "beantwoord" in (await h.local.command(SENDER, "signal status", channel="C1"))[-1].text
    await h.advance_to(datetime(2026, 12, 15, 9, 30, tzinfo=AMS))  # fifteen days without a word
    [to_sender] = [e for e in h.local.entries("dm", f"dm:{SENDER}") if "al lang" in e.text]
    [to_vera] = [e for e in h.local.entries("dm", "dm:vera") if "al lang" in e.text]
    assert "/ritual signal" in to_sender.text and "melder heeft dat gehoord" in to_vera.text
    assert not to_vera.message.buttons and not to_sender.message.buttons  # type: ignore[union-attr]
    assert naming(h, SENDER) == []
    await h.advance_to(datetime(2026, 12, 28, 9, 30, tzinfo=AMS))  # retention after the close: gone
    assert "stil blijft" not in str(dump(h.store)) and "Laten we praten" not in str(dump(h.store))


async def test_when_the_confidant_has_their_data_erased_the_sender_is_told(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    """Found by trying it: the conversation closed without a word to the sender, who saw
    "closed" only by asking for the status."""
    h = await make_harness(TOML.format(extra=""), start=START, channels=CHANNELS)
    await signal(h, "Een zorg voor vera.", "anonymous")
    await h.local.click("vera", h.local.last("dm", "dm:vera"), "reply")
    await h.local.submit("vera", {"message": "Ik kijk ernaar."})
    out = await h.local.command("vera", "forget", channel="C1")
    await h.local.click("vera", out[-1], "forget_confirm")
    [told] = [e for e in h.local.entries("dm", f"dm:{SENDER}") if "laten wissen" in e.text]
    assert "/ritual signal" in told.text and not told.message.buttons  # type: ignore[union-attr]
    assert "Ik kijk ernaar" not in str(dump(h.store)) and naming(h, SENDER) == []
    assert "gesloten" in (await h.local.command(SENDER, "signal status", channel="C1"))[-1].text


async def test_a_confidant_serving_two_teams_names_the_team_to_reach_their_data(make_harness, secret) -> None:  # type: ignore[no-untyped-def]
    """Found by trying it: vera serves both teams from outside them; in her DM every command
    answered "Ik weet niet bij welk team je hoort", so she could neither read nor erase her data."""
    h = await make_harness(TOML.format(extra="").replace('confidant = "wim"', 'confidant = "vera"'), start=START,
                           channels=CHANNELS)
    await signal(h, "Een zorg voor twee teams.", "anonymous")
    asked = (await h.local.command("vera", "mydata", channel="dm:vera"))[-1].text
    assert asked == ("Je hoort hier bij meer dan één team: noord, zuid. Noem het team als laatste woord, "
                     "bijvoorbeeld: /ritual mydata noord")
    hers = (await h.local.command("vera", "mydata noord", channel="dm:vera"))[-1].text
    assert "twee teams" in hers and SENDER not in hers
    assert "twee teams" not in (await h.local.command("vera", "mydata zuid", channel="dm:vera"))[-1].text
    out = await h.local.command("vera", "forget noord", channel="dm:vera")
    await h.local.click("vera", out[-1], "forget_confirm")
    assert "twee teams" in str(dump(h.store))  # the sender's own words stay theirs
    assert "twee teams" not in (await h.local.command("vera", "mydata noord", channel="dm:vera"))[-1].text
