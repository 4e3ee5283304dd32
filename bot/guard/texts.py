"""What the guard says: placeholders for `redact`, and the private question of `describe`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.guard.kinds import Finding
from bot.i18n import Catalog, translate

TEXTS: Catalog = {
    "placeholder.bsn": {"nl": "[bsn]", "en": "[bsn]"},
    "placeholder.birth_date": {"nl": "[geboortedatum]", "en": "[date of birth]"},
    "placeholder.date": {"nl": "[datum]", "en": "[date]"},
    "placeholder.phone": {"nl": "[telefoonnummer]", "en": "[phone number]"},
    "placeholder.email": {"nl": "[e-mailadres]", "en": "[email address]"},
    "placeholder.postcode_house_number": {"nl": "[adres]", "en": "[address]"},
    "placeholder.iban": {"nl": "[rekeningnummer]", "en": "[bank account number]"},
    "placeholder.name": {"nl": "[naam]", "en": "[name]"},
    "one.bsn": {"nl": "een burgerservicenummer", "en": "a citizen service number (BSN)"},
    "many.bsn": {"nl": "{n} burgerservicenummers", "en": "{n} citizen service numbers (BSN)"},
    "one.birth_date": {"nl": "een geboortedatum", "en": "a date of birth"},
    "many.birth_date": {"nl": "{n} geboortedata", "en": "{n} dates of birth"},
    "one.date": {"nl": "een datum", "en": "a date"},
    "many.date": {"nl": "{n} datums", "en": "{n} dates"},
    "one.phone": {"nl": "een telefoonnummer", "en": "a phone number"},
    "many.phone": {"nl": "{n} telefoonnummers", "en": "{n} phone numbers"},
    "one.email": {"nl": "een e-mailadres", "en": "an email address"},
    "many.email": {"nl": "{n} e-mailadressen", "en": "{n} email addresses"},
    "one.postcode_house_number": {"nl": "een postcode of adres", "en": "a postcode or address"},
    "many.postcode_house_number": {"nl": "{n} postcodes of adressen", "en": "{n} postcodes or addresses"},
    "one.iban": {"nl": "een rekeningnummer (IBAN)", "en": "a bank account number (IBAN)"},
    "many.iban": {"nl": "{n} rekeningnummers (IBAN)", "en": "{n} bank account numbers (IBAN)"},
    "one.name": {"nl": "een achternaam", "en": "a surname"},
    "many.name": {"nl": "{n} achternamen", "en": "{n} surnames"},
    "and": {"nl": "en", "en": "and"},
    "ask": {
        "nl": "Je tekst lijkt gegevens te bevatten waarmee een cliënt herkenbaar kan zijn: {items}. "
              "Wil je die eruit halen voordat ik het deel? Gaat het niet om een cliënt, "
              "dan kun je het gewoon zo delen.",
        "en": "Your text seems to contain details that could make a client recognisable: {items}. "
              "Would you like to take them out before I share it? If they're not about a client, "
              "you can share it as it is.",
    },
}


def _merged(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping findings joined into one span, named after the one that starts first."""
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, f.start - f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Finding(last.kind, last.start, max(last.end, f.end))
        else:
            merged.append(f)
    return merged


def redact(text: str, findings: Sequence[Finding], language: str = "nl") -> str:
    """`text` with each finding replaced by a neutral placeholder such as `[telefoonnummer]`.

    Overlapping findings (only possible when they were not made by `find_identifiers`) are
    replaced together by one placeholder, so no part of either is left behind.
    """
    parts: list[str] = []
    position = 0
    for f in _merged(findings):
        parts += [text[position:f.start], translate(TEXTS, f"placeholder.{f.kind}", language)]
        position = f.end
    return "".join(parts) + text[position:]


def listed(findings: Sequence[Finding], language: str = "nl") -> str:
    """The kinds found, counted and joined ("een telefoonnummer en 2 e-mailadressen"); never the values.

    Empty when nothing was found.
    """
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    items = [translate(TEXTS, f"one.{kind}", language) if n == 1 else translate(TEXTS, f"many.{kind}", language, n=n)
             for kind, n in counts.items()]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {translate(TEXTS, 'and', language)} {items[-1]}"


def describe(findings: Sequence[Finding], language: str = "nl") -> str:
    """The private question to the author: which kinds were found, never the values.

    Empty when nothing was found, so callers can simply skip the question.
    """
    items = listed(findings, language)
    return translate(TEXTS, "ask", language, items=items) if items else ""
