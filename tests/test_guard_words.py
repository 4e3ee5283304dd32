"""What the client-data guard tells the author: placeholders that redact a text, the
warm and plain description of what it found, in nl and en, and never the values in a log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import guard
from bot.guard import Finding, describe, find_identifiers, redact
from tests.test_guard import DUTCH_CASE


def test_redact_in_dutch_and_english() -> None:
    findings = find_identifiers(DUTCH_CASE)
    assert redact(DUTCH_CASE, findings, "nl") == (
        "Ik had Jeroen (geb. [geboortedatum]) verkeerd ingeschreven. Hij woont op [adres]. "
        "Moeder: [telefoonnummer], bsn [bsn], mail [e-mailadres]. Om 14:00 "
        "hebben we het besproken; het ging om € 1.234,56 en 12% van de uren in 2024."
    )
    text = "Call 06-12345678 on 12-03-2015"
    assert redact(text, find_identifiers(text), "en") == "Call [phone number] on [date]"


def test_redact_defaults_to_dutch_and_handles_nothing_and_overlaps() -> None:
    assert redact("niets", []) == "niets"
    assert redact("geboren 1-2-2010", find_identifiers("geboren 1-2-2010")) == "geboren [geboortedatum]"
    overlapping = [Finding("phone", 0, 5), Finding("bsn", 3, 8)]
    assert redact("0123456789", overlapping, "en") == "[phone number]89"
    assert redact("0123456789", [Finding("bsn", 2, 4), Finding("phone", 0, 3)], "nl") == "[telefoonnummer]456789"


def test_every_placeholder_and_description_exists_in_both_languages() -> None:
    from bot.i18n import missing_translations

    assert missing_translations(guard.TEXTS) == []
    for kind in guard.KINDS:
        assert f"placeholder.{kind}" in guard.TEXTS
        assert guard.TEXTS.is_plural(f"count.{kind}")  # one plural message, not one/many keys


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("bel 06-12345678, geboren 12-3-2015", "nl",
     "Je tekst lijkt gegevens te bevatten waarmee een cliënt herkenbaar kan zijn: een "
     "telefoonnummer en een geboortedatum. Wil je die eruit halen voordat ik het deel? "
     "Gaat het niet om een cliënt, dan kun je het gewoon zo delen."),
    ("call 06-12345678, born 12-3-2015", "en",
     "Your text seems to contain details that could make a client recognisable: a phone "
     "number and a date of birth. Would you like to take them out before I share it? "
     "If they're not about a client, you can share it as it is."),
])
def test_describe_reads_warm_and_plain(text: str, language: str, expected: str) -> None:
    assert describe(find_identifiers(text), language) == expected


def test_describe_counts_and_lists_but_never_shows_values() -> None:
    text = "06-12345678, 06-87654321, a@b.nl, 1234 AB 5"
    message = describe(find_identifiers(text), "nl")
    assert "2 telefoonnummers, een e-mailadres en een postcode of adres" in message
    assert "12345678" not in message and "a@b.nl" not in message and "1234" not in message
    assert "a phone number" in describe([Finding("phone", 0, 1)], "en")
    assert describe([], "nl") == ""


def test_never_logs_the_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        findings = find_identifiers(DUTCH_CASE)
        redact(DUTCH_CASE, findings, "nl")
        describe(findings, "en")
    assert caplog.records == []
    package = Path(guard.__file__).parent
    for module in package.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "import logging" not in source and "getLogger" not in source and "print(" not in source, module.name


def test_describe_names_the_new_kinds_in_both_languages() -> None:
    text = "IBAN NL91ABNA0417164300, mevrouw Jansen, mevrouw Bakker"
    assert "een rekeningnummer (IBAN) en 2 achternamen" in describe(find_identifiers(text), "nl")
    assert "a bank account number (IBAN) and 2 surnames" in describe(find_identifiers(text), "en")
    assert redact(text, find_identifiers(text), "nl") == "IBAN [rekeningnummer], mevrouw [naam], mevrouw [naam]"
