"""The client-data guard on forms found by the fourth to sixth blind batches of new Dutch
text (issue 11): identifiers it missed, look-alikes it flagged. The whole corpus is scored
in tests/test_guard_corpus.py."""

from __future__ import annotations

import pytest

from bot.guard import find_identifiers


def _found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, text[f.start:f.end]) for f in find_identifiers(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # Fourth and fifth blind batches (issue 11): forms the guard missed.
    # A client word with its diacritic misplaced, "leerlinge", and compound family words.
    ("Met clienté Hoogendoorn gesproken", [("name", "Hoogendoorn")]),
    ("Leerlinge Groen zit thuis", [("name", "Groen")]),
    ("Halfbroer Jansen zit in dezelfde klas", [("name", "Jansen")]),
    ("Kleinzoon Mulder woont bij opa", [("name", "Mulder")]),
    # A plural title names each surname after it.
    ("De gezinnen Jansen en Pietersen zijn buren", [("name", "Jansen"), ("name", "Pietersen")]),
    # "in 't" and "op 't" stay particles.
    ("mevrouw in 't Veld belde", [("name", "in 't Veld")]),
    # An ordinary word is a surname after a particle.
    ("leerling De Zorg kwam te laat", [("name", "De Zorg")]),
    # A note in brackets between the birth cue and the date; a date spaced as on a form.
    ("Geboortedatum (ddmmjj): 030410", [("birth_date", "030410")]),
    ("Geboren: 03 04 2010, zo stond het er", [("birth_date", "03 04 2010")]),
    # A street that starts with its street word.
    ("Het gezin woont aan de Laan van Meerdervoort 233", [("postcode_house_number", "Laan van Meerdervoort 233")]),
])
def test_forms_missed_on_the_fourth_and_fifth_blind_batches_are_flagged(
        text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    # A place after a family word is no surname: "in" and "op" are particles only before 't.
    "Het nummer van opa in Amsterdam staat nog in het dossier.",
    "Oom in Turkije belde de school.",
    # An ordinary word capitalised after a title by a typo or a phone, or a fixed phrase.
    "Vader Kwam te laat, en toen begonnen we zonder hem.",
    "Cliënte Heeft het plan zelf ondertekend.",
    "De pupil Zat er stil bij.",
    "Leerling Havo 4 is een nieuwe groep.",
    "Moeder Natuur liet ons in de steek.",
    # A compound written apart, or a method's name in Title Case.
    "De methode Gezin Centraal wordt ingezet in 3 wijken.",
    "Een Familie Netwerk Beraad kost 6 weken voorbereiding.",
    "Het Cliënt Tevredenheid Onderzoek 2024 gaf ons een 7,8.",
    "Leerling Volg Systeem moet voor 1 oktober bijgewerkt zijn.",  # the common word comes second
    "Vader Mishandeling is een thema in de training.",  # an abstract noun by its ending
    # Software versions, and a period whose first day stands bare.
    "Sinds versie 2.14.0 (12-05-2025) werkt de export weer.",
    "De cursus Motiverende Gespreksvoering loopt van 10 tot 14 maart 2025.",
    "Op 12 en 13 maart 2025 is de studiedag, dan is de school dicht.",
    # The address of the organisation itself.
    "Onze locatie aan het Stationsplein 3, 3511 ED Utrecht is weer open.",
    "De gemeente zit aan de Stadsplateau 1, 3521 AZ; de vergaderzaal is op de 6e.",
])
def test_look_alikes_of_the_fourth_and_fifth_blind_batches_are_left_alone(text: str) -> None:
    assert _found(text) == []


def test_a_short_period_with_a_person_in_it_is_still_a_case() -> None:
    assert _found("Hij was van 3 tot 5 juni 2024 weggelopen.") == [("date", "5 juni 2024")]


@pytest.mark.parametrize(("text", "kind"), [
    # digits of another width or script read as the same number by everyone who sees them
    ("bel haar op ０６１２３４５６７８", "phone"),
    ("bsn ١١١٢٢٢٣٣٣", "bsn"),
    # an invisible soft hyphen (pasted from a hyphenated document) inside a number
    ("bsn 1112\u00ad22333", "bsn"),
    ("bel 06\u00ad12345678", "phone"),
])
def test_a_number_in_other_digits_or_with_an_invisible_hyphen_is_still_found(text: str, kind: str) -> None:
    assert kind in [f.kind for f in find_identifiers(text)]
