"""The client-data guard: spot likely client identifiers before a shared text is posted.

Teams in youth care, schools and welfare write about children and families; a mistake or
a dilemma can carry a client's identity into a chat that is stored on someone else's
servers. Before the bot posts a shared text it asks the author, privately, to take such
details out or post anyway. This package only *finds*; it never decides or blocks.

What counts as what, and why, is in each detector's module docstring:

- `bsn`, `iban` (`bot.guard.numbers`, checks from python-stdnum);
- `phone` (`bot.guard.phones`, found by phonenumbers, Google's libphonenumber);
- `birth_date`, `date` (`bot.guard.dates`);
- `email`, `postcode_house_number` (`bot.guard.addresses`);
- `name` (`bot.guard.names`): a surname after a title, "familie"/"gezin" or a family word
  ("moeder Jansen").

A postcode without a house number, a street address without a postcode and a date are
flagged only where the text makes them a client's (a home, a person, a birth cue); the
same code, an office's address or a policy's start date are left alone. The modules say how.

Text is read in a normalised spelling (Unicode spaces, dashes and apostrophes made
ASCII, one character for one), so `123\u00a0456\u00a0782` is found like `123 456 782` and
positions still point into the original. Overlaps are settled by kind (see `KINDS`) so one
piece of text gets one finding. Quality is measured on a labelled corpus of Dutch texts
(`tests/data/guard_corpus.toml`, `tests/test_guard_corpus.py`). The package imports no
logging and never prints: neither the text nor what was found in it may end up in a log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.guard.addresses import emails, postcodes
from bot.guard.clues import normalise
from bot.guard.dates import dates
from bot.guard.kinds import BIRTH_DATE, BSN, DATE, EMAIL, IBAN, KINDS, NAME, PHONE, POSTCODE, Finding
from bot.guard.names import names
from bot.guard.numbers import bsns, eleven_test, ibans
from bot.guard.phones import phones
from bot.guard.texts import TEXTS, describe, listed, redact

__all__ = [
    "BIRTH_DATE", "BSN", "DATE", "EMAIL", "IBAN", "KINDS", "NAME", "PHONE", "POSTCODE", "TEXTS",
    "Finding", "describe", "eleven_test", "find_identifiers", "listed", "redact",
]

_DETECTORS: tuple[Callable[[str], Iterator[Finding]], ...] = (emails, ibans, postcodes, dates, phones, bsns, names)


def find_identifiers(text: str) -> list[Finding]:
    """Likely client identifiers in `text`, in reading order and never overlapping.

    Positions are those of `text` as given. Nothing about the text is kept or logged.
    """
    plain = normalise(text)
    candidates = [f for detect in _DETECTORS for f in detect(plain)]
    candidates.sort(key=lambda f: (KINDS.index(f.kind), f.start, f.start - f.end))
    kept: list[Finding] = []
    for finding in candidates:
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)
