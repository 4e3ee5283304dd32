"""Citizen service numbers (BSN) and bank account numbers (IBAN).

The checks themselves come from python-stdnum (`stdnum.nl.bsn`, `stdnum.iban`), which
follows the official definitions (the BSN eleven-test; ISO 13616 with each country's
length and its own check digits). This module only decides what in free text looks
like such a number and is not something else.

- BSN: 9 digits written together or in groups (`123456782`, `123.456.782`, `123 456 782`,
  `123-456-782`, `1234.56.782`), also right after a cue such as `BSN-` or `nr.`, that pass
  the eleven-test. Read out or typed in other groups (`29 17 03 422`, `11122 2333`, digit by digit), nine digits count
  only after a BSN cue: right after it, or a few words after it in the same sentence when
  they pass the eleven-test; in groups like that they are too often several numbers. Right after a BSN cue ("BSN", "burgerservicenummer") the number counts
  without the test: the author says it is a BSN, and one mistyped digit away from the real
  one it still identifies. An 8-digit number counts only after a BSN cue (a leading zero
  dropped by a spreadsheet); on its own it is too often something else (KvK, 20150312).
  Numbers with a currency, and numbers labelled as an invoice, order, ticket or KvK
  number earlier in the same sentence ("het ticket bij de servicedesk heeft nummer
  757491182"), are not BSNs, unless a BSN cue is right before the number.
- IBAN: two letters, two check digits and the account, with or without spaces or dashes,
  in any case (`NL91 ABNA 0417 1643 00`, `nl91abna0417164300`, `NL91-ABNA-0417-1643-00`), passing the ISO 7064 mod-97
  check and the country's length. A bank code missing from stdnum's registry still counts:
  it is an account number all the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban as stdnum_iban
from stdnum.nl import bsn as stdnum_bsn

from bot.guard.clues import before, is_money
from bot.guard.kinds import BSN, IBAN, Finding

_BSN = re.compile(r"(?<!\d)(?<!\d[.,/-])(?:\d{9}|\d{3}([ .-])\d{3}\1\d{3}|\d{4}([ .-])\d{2}\2\d{3})(?![\w/-]|[.,]\d)")
_BSN_SHORT = re.compile(r"(?<!\d)(?<!\d[.,/-])\d{8}(?![\w/-]|[.,]\d)")
# Nine digits in any other grouping of one separator ("29 17 03 422", "11122 2333", digit by
# digit "1 1 1 2 2 2 3 3 3"): only after a BSN cue.
_BSN_GROUPED = re.compile(r"(?<!\d)(?<!\d[.,/-])\d{1,5}(?:([ .-])\d{1,5}){1,8}(?![\w/-]|[.,]\d)")
_BSN_CUE = re.compile(r"(?:bsn|burgerservicenummer|sofi-?nummer|citizen service number)"
                      r"(?:[\s-]*(?:nummer|nr\.?|number|no\.?))?[\s:.#-]*$", re.IGNORECASE)
# "het BSN hardop voor: 29 17 03 422": the cue a few words before, in the same sentence.
_BSN_NEAR = re.compile(r"\b(?:bsn|burgerservicenummer|sofi-?nummer)\b[^.!?\n\d]{0,25}$", re.IGNORECASE)
_GLUED_CUE = re.compile(r"(?:bsn|nr|nummer|no)[.:#-]?$", re.IGNORECASE)
_OTHER_NUMBER = re.compile(r"\b(?:factuur|order|bestel|artikel|ticket|kvk|btw|vestigings?|zending|track)\w*"
                           r"[^.!?\n]{0,45}$", re.IGNORECASE)
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[ -]?\d{2}(?:[ -]?[A-Za-z0-9]{4}){2,7}(?:[ -]?[A-Za-z0-9]{1,3})?"
                   r"(?![A-Za-z0-9])")


def eleven_test(digits: str) -> bool:
    """The BSN check on exactly 9 digits (stdnum's eleven-test), refusing all zeros."""
    if len(digits) != 9 or not digits.isdigit() or set(digits) == {"0"}:
        return False
    return bool(stdnum_bsn.is_valid(digits))


def _glued_to_a_word(text: str, start: int) -> bool:
    """A letter right before the number (`BSN123456782`) is fine only when it ends a BSN cue."""
    return start > 0 and text[start - 1].isalpha() and not _GLUED_CUE.search(before(text, start, 12))


def bsns(text: str) -> Iterator[Finding]:
    """Likely BSNs in `text` (normalised)."""
    found: list[tuple[int, int]] = []
    for m in _BSN.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        labelled = bool(_BSN_CUE.search(before(text, m.start()))) and set(digits) != {"0"}
        if ((labelled or eleven_test(digits)) and not is_money(text, m.start(), m.end())
                and not _glued_to_a_word(text, m.start())
                and (labelled or not _OTHER_NUMBER.search(before(text, m.start(), 60)))):
            found.append((m.start(), m.end()))
    for m in (*_BSN_SHORT.finditer(text), *_BSN_GROUPED.finditer(text)):
        digits = re.sub(r"\D", "", m.group())
        cued = _BSN_CUE.search(before(text, m.start())) or (_BSN_NEAR.search(before(text, m.start())) and eleven_test(digits))
        if (len(digits) in (8, 9) and cued and set(digits) != {"0"}
                and not any(start <= m.start() < end for start, end in found)):
            found.append((m.start(), m.end()))
    for start, end in sorted(found):
        yield Finding(BSN, start, end)


def ibans(text: str) -> Iterator[Finding]:
    """Valid IBANs in `text` (normalised); a following word is never taken for the last group."""
    for m in _IBAN.finditer(text):
        ends = [m.end()] + [i for i in range(m.end() - 1, m.start(), -1) if text[i] in " -"]
        for end in ends:
            if stdnum_iban.is_valid(re.sub(r"[ -]", "", text[m.start():end]), check_country=False):
                yield Finding(IBAN, m.start(), end)
                break
