"""What the client-data guard reports: a kind and a place, never the value."""

from __future__ import annotations

from dataclasses import dataclass

BSN = "bsn"
BIRTH_DATE = "birth_date"
DATE = "date"
PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode_house_number"
IBAN = "iban"
NAME = "name"
KINDS = (EMAIL, IBAN, POSTCODE, BIRTH_DATE, DATE, PHONE, BSN, NAME)
"""Every kind, in the order that wins when two findings overlap."""


@dataclass(frozen=True)
class Finding:
    """Where a likely identifier sits in the text (`text[start:end]`); deliberately without its value."""

    kind: str
    start: int
    end: int
