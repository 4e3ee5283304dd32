"""The client-data guard on forms found by people trying it (issue 11, reviews and fresh
testers): a BSN after its label in any grouping, names after family words with
punctuation, e-mail addresses with spaces, and a PO box that is an organisation's."""

from __future__ import annotations

import pytest

from bot.guard import find_identifiers


def _found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in find_identifiers(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # Found by trying it (fresh eyes): a BSN read out in two groups, or digit by digit, after
    # the author named it a BSN.
    ("Cliënt (BSN: 11122 2333) was boos", [("bsn", "11122 2333")]),
    ("BSN 1 1 1 2 2 2 3 3 3", [("bsn", "1 1 1 2 2 2 3 3 3")]),
    ("burgerservicenummer 1112 22333", [("bsn", "1112 22333")]),
])
def test_a_labelled_bsn_in_any_grouping_is_flagged(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A family word (or client word) followed by the name in brackets, after a colon, or as
    # an apposition of first name and surname between commas.
    ("moeder (Fatima Ouali) kwam niet", [("name", "Fatima Ouali")]),
    ("moeder: Fatima Ouali", [("name", "Fatima Ouali")]),
    ("De moeder, Fatima Ouali, kwam niet", [("name", "Fatima Ouali")]),
    # Words for the young people and pupils the teams work for are titles too.
    ("de jeugdige Lisa Mulder (12) is uit huis geplaatst", [("name", "Lisa Mulder")]),
    ("leerling Tim de Wit zat weer alleen", [("name", "Tim de Wit")]),
])
def test_a_name_after_a_family_or_client_word_with_punctuation_is_flagged(
        text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "Ik sprak de moeder, Anouk nam het gesprek over.",  # a colleague's first name after a comma
    "Groep 7 heeft 28 leerlingen, Jan en Piet helpen.",
    "De leerling: een lastige casus voor ons allemaal.",
])
def test_punctuation_after_a_family_word_alone_names_nobody(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    # a space after the @ only, or spaced dots, as people write to keep a chat from linking it
    ("mail de moeder: sanne.bakker@ gmail.com", [("email", "sanne.bakker@ gmail.com")]),
    ("haar mail is s.bakker @ gmail . com", [("email", "s.bakker @ gmail . com")]),
])
def test_an_address_with_spaces_around_its_at_or_dots_is_flagged(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "Vraag het @jan.de.vries, hij weet het.",  # a mention
    "Piet @jan.de.vries weet het.",  # a name, then a mention: no address
    "Om 14.00 uur @ kantoor . Daarna lunch.",  # a time and a place
])
def test_a_mention_or_a_spaced_at_without_an_address_is_no_address(text: str) -> None:
    assert _found(text) == []


@pytest.mark.parametrize("text", [
    "Stuur het naar Postbus 1234, 3500 AA Utrecht.",  # an organisation's PO box, never a home
    "Antwoordnummer 1234, 3500 VB Utrecht, geen postzegel nodig.",
])
def test_a_po_box_is_an_organisations_address(text: str) -> None:
    assert _found(text) == []


def test_a_home_address_after_a_po_box_is_still_flagged() -> None:
    assert _found("Postbus 1234, 3500 AA Utrecht; moeder woont op 3512 JK 12.") == [
        ("postcode_house_number", "3512 JK 12")]
