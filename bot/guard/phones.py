"""Phone numbers, found by phonenumbers (the port of Google's libphonenumber).

The library knows every country's numbering plan, so `06.12.34.56.78`, `tel.0612345678`,
`(010) 123 45 67` and `+32 470 12 34 56` are found and `0123456789` (no such area code)
is not. On top of it:

- A number must be written the way people write a phone number: with a trunk `0`,
  `+` or `00` (a bare `201234567` is more often something else), and be valid in its
  country's plan (`06-1234` and `+31 6 1234` are too short). Right after a cue ("tel",
  "mobiel", "bel", "whatsapp", ...) a number of a possible length is enough: the author says
  it is a phone number, and a mistyped one still points to a person.
- Service numbers of organisations (toll-free 0800, premium 0900/0906/0909, shared-cost
  084/087, and the "company" numbers 088 and 14 + area code) never belong to a client,
  so they are not flagged.
- A date followed by a number (`01-02-2015 12`) and a time range (`09.00-10.30`) only look
  like digits of a phone number; money is money.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from phonenumbers import (
    Leniency,
    PhoneNumberMatcher,
    PhoneNumberType,
    is_possible_number,
    is_valid_number,
    number_type,
)

from bot.guard.clues import before, is_money
from bot.guard.kinds import PHONE, Finding

_SERVICE = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST,
                      PhoneNumberType.UAN})
_DATE_FIRST = re.compile(r"\d{1,2}([-/.])\d{1,2}\1(?:\d{4}|\d{2})(?=\s|$)")
_INTERNATIONAL = re.compile(r"(?:\+|00)\s?\(?[1-9]")
_PHONE_CUE = re.compile(r"\b(?:tel|tel\.?\s?nr|telefoon|telefoonnummer|mobiel|mobiele|mobile|gsm|phone|bel|belde|belt"
                        r"|gebeld|sms|whatsapp|app|nummer|nr)\b[^.!?\n]{0,20}$", re.IGNORECASE)
_TIME_RANGE = re.compile(r"\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2}$")


def phones(text: str) -> Iterator[Finding]:
    """Likely personal phone numbers in `text` (normalised)."""
    for match in PhoneNumberMatcher(text, "NL", leniency=Leniency.POSSIBLE):
        raw, number = match.raw_string.lstrip("("), match.number
        dialled = _INTERNATIONAL.match(raw) or raw.startswith(("0", "(0"))
        labelled = _PHONE_CUE.search(before(text, match.start, 30)) and is_possible_number(number)
        if (not dialled or not (labelled or is_valid_number(number)) or number_type(number) in _SERVICE or _DATE_FIRST.match(raw)
                or _TIME_RANGE.match(raw) or is_money(text, match.start, match.end)):
            continue
        opening = 1 if match.raw_string.startswith(("(+", "(00")) else 0  # "(+31 6 ...)": the bracket is the text's
        yield Finding(PHONE, match.start + opening, match.end)
