"""E-mail addresses and Dutch postcodes (with or without a house number or street).

- `email`: any address; a colleague's work address is indistinguishable from a parent's.
  Also written to dodge spam filters: `naam(at)provider(dot)nl`, `naam [at] provider
  [punt] nl`, `naam(a)provider.nl`, `naam @ provider.nl`, `naam@ provider.nl`, `naam @ provider . nl`
  (a dot with spaces only before a common ending in lower case: "uur @ kantoor . Daarna" is no address),
  `naam at provider dot nl`. A mention (`@jan.de.vries`) is not an address.
- `postcode_house_number`: a postcode with a house number after it (`1234 AB 12`,
  `1234AB12`, `1234AB, 12a`, `1234 ab, huisnummer 4`, `1234-AB, nummer 5`) or a street
  and number before it (`Dorpsstraat 12, 1234 AB`): always an address. A street is
  recognised by its ending (-straat, -laan, -weg, ...) or by starting with its street word
  and a particle (`Laan van Meerdervoort 233`).
- A bare postcode (a 6-position postcode covers about twenty addresses, which with a story
  is enough) and a street with a house number but no postcode (`Vondellaan 42`) are flagged
  where they are about someone's home, as `_about_a_home` reads it: a home or address cue
  in the sentence (postcode, adres, woont, thuis, huisbezoek, logeert, verhuisd, ...), a
  person in it (a pronoun, a client, a relative: `bot.guard.clues.PERSON`), a place word
  right before ("in", "op", "naar", "uit", "te", "wijk"), a place name right after
  (`1234 AB Utrecht`, `Vondellaan 42 in Zwolle`), or a line of its own (a pasted address).
  Without any of that a code that looks like a postcode is a code: "Team 1234 AB testen".
- An address named after an office, a venue or a meeting (kantoor, vestiging, school,
  gemeente, training, "wij zitten", "onze locatie", "ons gebouw" ..., up to six words
  before, with no home cue or person in between) is the organisation's, not a client's:
  "Kantoor Utrechtseweg 12 was dicht"; so is a PO box ("Postbus 1234, 3500 AA Utrecht",
  "Antwoordnummer 1234").
- Forms: letters in lower case count when written together (`1234ab`) or with a house
  number, street or a cue ("postcode", "adres", "woont op"); apart and alone (`2024 en`)
  they are too often a year and a word. A dash between digits and letters (`1234-AB`)
  counts with a house number, street or cue, and letters written apart (`1234 A B`) only
  right after such a cue ("postcode 1234 A B"). Units that look like postcodes (`2048 MB`,
  `1500 km`) are not flagged unless a cue or a place name says otherwise ("naar 6821 AD
  Arnhem"), nor letter pairs PostNL does not use (SA, SD, SS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.guard.clues import PERSON, before, sentence
from bot.guard.kinds import EMAIL, POSTCODE, Finding

_AT = r"(?:@\s?|\s@\s|\s?[(\[{<]\s?(?:at|a|@|apen?staartje)\s?[)\]}>]\s?|\s+apen?staartje\s+)"
_DOT = r"(?:\.|\s\.\s(?=(?-i:nl|be|com|org|net|eu|info|nu)\b)|\s?[(\[{<]\s?(?:dot|punt|\.)\s?[)\]}>]\s?|\s+(?:dot|punt)\s+)"
_EMAIL = re.compile(rf"(?<![\w.+-])[\w.+-]*\w{_AT}[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}[a-z]{{2,}}\b", re.IGNORECASE)
# Spelled out in words, both "at" and "dot": "naam at provider dot nl". A bare " at " is too
# common in English ("at bol.com") to count on its own.
_SPELLED = re.compile(r"(?<![\w.+-])[\w.+-]*\w\s+at\s+[\w-]+(?:\s+(?:dot|punt)\s+[\w-]+)*?\s+(?:dot|punt)\s+[a-z]{2,}\b",
                      re.IGNORECASE)

# "1234 AB", "1234AB", "1234-AB", "1234 A B": the gap and spaced letters are kept to judge the form.
_POSTCODE = r"[1-9]\d{3}(?P<gap>\s?-\s?|\s?)(?P<letters>[A-Za-z](?P<spaced>\s)?[A-Za-z])"
# A house number with its addition: 12a, 12 A, 12-3, 7-II, 14-hs, 4 bis.
_HOUSE_NUMBER = (r"\d{1,5}(?:\s?(?:bis|hs)\b|\s?[a-zA-Z]\b)?"
                 r"(?:-(?:\d{1,4}|[IVX]{1,4}\b|hs\b|bis\b|[a-zA-Z]\b)|\s(?:hs|bis|I{1,3})\b)?")
_STREET = (r"(?:(?:[A-Z][\w'-]*(?:straat|laan|weg|plein|singel|gracht|kade|dijk|hof|park|pad|steeg"
           r"|dreef|baan|markt|ring|veld|erf|wal|street|road|avenue|lane)"
           # a street that starts with its street word: "Laan van Meerdervoort", "Weg der Verenigde Naties"
           r"|(?:Laan|Weg|Plein|Kade|Singel|Dijk|Hof|Park|Dreef)\s+(?:van|der|de|den|ter|ten|achter|over|bij|op)"
           r"(?:\s+(?:de|der|den|het|'t))?\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?)\s+)")
_ADDRESS = re.compile(
    rf"(?<![\w.,-])(?P<before>{_STREET}?{_HOUSE_NUMBER},?\s+)?(?P<postcode>{_POSTCODE})(?![a-zA-Z-])"
    rf"(?P<after>(?:,?\s+(?:(?:nr|no|nummer|huisnr|huisnummer)\.?:?\s*)?)?{_HOUSE_NUMBER}(?![\w:%-]|[.,]\d))?"
)
# A street and house number without a postcode ("Vondellaan 42 in Zwolle") is a home address
# too. A 4-digit number that reads as a year ("Arbeidsmarkt 2025") is not a house number, nor
# is a count or a distance ("over het Malieveld 3 keer", "Ringweg 3 km file").
_COUNTED = (r"\s*(?:x|keer|maal|km|m|meter|kilometer|jaar|maanden|weken|dagen|uur|minuten|mensen|kinderen"
            r"|personen|deelnemers|stuks|euro|procent)\b")
_STREET_ADDRESS = re.compile(rf"(?<![\w-]){_STREET}(?P<number>{_HOUSE_NUMBER})(?![\w:%-]|[.,]\d|{_COUNTED})")
_YEAR = re.compile(r"(?:19|20)\d\d\b")
_POSTCODE_CUE = re.compile(r"\b(?:postcode\w*|adres|address|woont\s+(?:nu\s+|sinds\s+\w+\s+)?(?:op|in))[\s:]*$",
                           re.IGNORECASE)
# Where a bare postcode or a street is about someone's home (see `_about_a_home`).
_HOME = re.compile(r"\b(?:postcode\w*|(?:woon|huis|thuis|priv[eé])?adres|address|woon\w*|wonen|woont|woonde|thuis|huisbezoek\w*|logeer\w*"
                   r"|logeert|verblijf\w*|verblijft|opvang\w*|verhuis\w*|ingeschreven|home|lives|lived)\b", re.IGNORECASE)
_PLACE_BEFORE = re.compile(r"\b(?:in|op|naar|uit|te|rond(?:om)?|nabij|omgeving|regio|wijk|buurt)\s+(?:de\s+|het\s+)?$",
                           re.IGNORECASE)
_UPPER = "A-ZÀ-ÖØ-Þ"
_PLACE_AFTER = re.compile(rf"^(?:,?\s+(?:in|te)\s+|,?\s+)(?:'s-|Den\s+|De\s+)?[{_UPPER}][a-zß-ÿ]+")
_LINE_START = re.compile(r"(?:^|\n)[\s*>•'\"(-]*$")
# The address of an office, a school or a venue names the place first: "Kantoor Utrechtseweg 12",
# "de training is op de Croeselaan 6", "ons kantoor aan de Kerkstraat 3".
_ORGANISATION = re.compile(
    r"\b(\w*kantoor|postbus|antwoordnummer|vestiging|gemeentehuis|stadhuis|wijkcentrum|buurthuis|bibliotheek|praktijk|bureau|pand"
    r"|school|kliniek|ziekenhuis|office|vergader\w*|training|cursus|studiedag|bijeenkomst|overleg|workshop|teamdag"
    r"|congres|zitten\s+we|we\s+zitten|wij\s+zitten|gemeente|rechtbank|politiebureau|ggd|onze\s+(?:locatie|afdeling|organisatie|praktijk)"
    r"|ons\s+(?:gebouw|adres|team|wijkteam|centrum))\b(?:[\s,:]+[^\s.!?,]+){0,5}?[\s,:]*$", re.IGNORECASE)
_NEVER_POSTCODE = frozenset({"SA", "SD", "SS"})
_UNITS = frozenset("KB MB GB TB PB KM CM MM KG MG ML CL DL NM KW MW HZ PC AD BC AM PM EK WK TV".split())
_WORDS = frozenset("en de in op of te om is na al ik we ze je er zo nu ja uw to at on an as be by do go he if it "
                   "me my no or so up us".split())


def emails(text: str) -> Iterator[Finding]:
    """E-mail addresses in `text` (normalised), also when written with (at) and (dot)."""
    for pattern in (_EMAIL, _SPELLED):
        for m in pattern.finditer(text):
            yield Finding(EMAIL, m.start(), m.end())


def postcodes(text: str) -> Iterator[Finding]:
    """Dutch postcodes in `text` (normalised), with the house number or street when given."""
    position = 0
    while m := _ADDRESS.search(text, position):
        if _of_an_organisation(text, m.start()):  # "Kantoor Utrechtseweg 12, 3511 AB": not a home
            position = m.end()
        elif _is_postcode(text, m):
            yield Finding(POSTCODE, m.start(), m.end())
            position = m.end()
        else:  # "2019 op 1234 AB 56": what looked like a postcode may hide the real one
            position = m.start() + 1
    for m in _STREET_ADDRESS.finditer(text):
        if (not _YEAR.match(m.group("number")) and not _of_an_organisation(text, m.start())
                and _about_a_home(text, m.start(), m.end())):
            yield Finding(POSTCODE, m.start(), m.end())


def _of_an_organisation(text: str, start: int) -> bool:
    """An office, a venue or a meeting named just before, with no home or person in between:
    "Kantoor Utrechtseweg 12", but not "kantoor; moeder woont op de Kerkstraat 5"."""
    m = _ORGANISATION.search(before(text, start, 60))
    if not m:
        return False
    rest = m.group()[m.end(1) - m.start():]
    return not (_HOME.search(rest) or PERSON.search(rest))


def _about_a_home(text: str, start: int, end: int) -> bool:
    """A home cue or a person in the sentence, a place word right before or a place name right
    after ("in 1234 AB", "1234 AB Utrecht", "Vondellaan 42 in Zwolle"), or a line of its own."""
    around = sentence(text, start, end)
    return bool(_HOME.search(around) or PERSON.search(around) or _PLACE_BEFORE.search(before(text, start, 20))
                or _PLACE_AFTER.match(text[end:end + 30]) or _LINE_START.search(before(text, start, 20)))


def _is_postcode(text: str, m: re.Match[str]) -> bool:
    letters = m.group("letters").replace(" ", "")
    bare = not (m.group("before") or m.group("after"))
    cued = bool(_POSTCODE_CUE.search(before(text, m.start(), 12)))
    unit = bare and letters.upper() in _UNITS and not (cued or _PLACE_AFTER.match(text[m.end():m.end() + 30]))
    if letters.upper() in _NEVER_POSTCODE or unit:  # "2048 MB", but "naar 6821 AD Arnhem"
        return False
    if m.group("spaced") and not cued:  # "1234 A B" only where it is said to be a postcode
        return False
    if "-" in m.group("gap") and bare and not cued:  # "versie 2024-AB"
        return False
    if bare and not (cued or _about_a_home(text, m.start(), m.end())):  # "Team 1234 AB"
        return False
    if letters.isupper() or not m.group("gap"):
        return True
    return (not bare or cued) and letters.lower() not in _WORDS and letters.upper() not in _UNITS
