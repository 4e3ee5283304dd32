"""Surnames of clients and families, where the text itself says a surname follows.

In a case description, "mevrouw Jansen", "meneer De Boer", "cliënt Pietersen", "de familie El Amrani",
"het gezin Öztürk", "fam. Hoekstra", "Mrs Smith" or "the Kowalski family" names a client or
their family. Colleagues are called by their first name ("Anouk", "juf Marieke"), so first
names are not flagged: without a title or "familie" in front, a capitalised word is far
too often a colleague, a place or an organisation. The lower-case "mr." is the Dutch title
of a lawyer, not a client, and is left alone.

- "jeugdige", "leerling" and "pupil" are titles too: the young people and pupils the teams
  work for ("de jeugdige Lisa Mulder", "leerling Tim de Wit"). A first name and surname
  after a title are taken whole ("cliënte Anna Smit"), also in brackets, after a colon, or
  between commas ("de moeder, Fatima Ouali, kwam").
- A family word works as a title too: "moeder Jansen", "opa De Wit", "pleegmoeder Yilmaz",
  "stiefvader Bakker", "halfbroer Jansen", "kleinzoon Mulder" (moeder, vader, ouders, broer,
  zus, oom, tante, zoon, dochter, also with pleeg-, stief-, groot-, schoon-, half-, klein-,
  bonus- or peet- in front; opa, oma, neef, nicht). The client words are read with their
  diacritic anywhere or nowhere ("client", "cliente", "clienté"), and "leerlinge" and
  "scholier(e)" are titles as well. A plural title names each surname after it: "de
  gezinnen Jansen en Pietersen". A colleague is never
  called "moeder X", so what follows is a relative's name; a first name there ("oma Corrie")
  is flagged too, which the author can wave through.
- Surnames in capitals ("Mevrouw DE VRIES", as copied from a letter or a file) count, the
  particles in any case; so do the old prefixes "'s-", "'t" and "d'" ("mevrouw
  's-Gravesande", "meneer 't Hart", "mevrouw d'Ancona").
- What follows a title is no surname when it is an ordinary word capitalised by a typo or a
  phone ("Vader Kwam te laat"), a fixed phrase ("Moeder Natuur") or the second half of a
  compound written apart or a method's name ("Cliënt Tevredenheid", "Gezin Centraal"), also
  when such a word comes second ("Leerling Volg Systeem"): see `bot.guard.common_words`. "in" and "op" are particles only before 't ("mevrouw in 't
  Veld"), so "opa in Amsterdam" and "oom in Turkije" name a place, not a person.
- A double surname is taken whole, particles of the second part included: "meneer
  Jansen-de Boer", "mevrouw Bakker-van der Linden".
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.guard.common_words import is_common
from bot.guard.kinds import NAME, Finding

_PARTICLES = frozenset("van de der den ter ten te von el al le la da di du op in 't ben bin abu".split())
_NOT_A_NAME = frozenset(
    "ik jij hij zij wij jullie het een die dat deze dit en of maar the a an he she they we it i".split()
    + "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag monday tuesday wednesday thursday friday "
      "saturday sunday januari februari maart april mei juni juli augustus september oktober november "
      "december january february march may june july august october".split()
    # roles written with a capital in formal texts: "Mevrouw de Voorzitter", "Meneer Directeur"
    + "voorzitter wethouder burgemeester directeur rector minister rechter officier voogd dokter president "
      "secretaris griffier".split()
    # what a bracket after a title often holds instead of a name: "cliënt (BSN: ...)"
    + "bsn burgerservicenummer iban tel telefoon mail e-mail geboren geb adres postcode".split())
_KIN = (r"(?i:(?:pleeg|stief|groot|schoon|half|klein|bonus|peet)?(?:moeder|vader|ouders|broer(?:tje)?|zus(?:je)?|oom|tante"
        r"|zoon|dochter)|opa|oma|neef|nicht)")
# Titles in any case ("MEVROUW DE WIT"), except the English ones: "mr." is a Dutch lawyer.
_TITLE = (rf"(?:{_KIN}|(?i:cli[eëéè]nt[eé]?|jeugdige|leerlinge?|scholiere?|pupil|mevrouw|mevr\.?|mw\.?|meneer|mijnheer|dhr\.?|de\s+heer"
          r"|familie|fam\.|gezin)"
          r"|Mrs\.?|Mr\.?|Ms\.?|Miss)")
_PARTICLE = r"(?:(?i:van|de|der|den|ter|ten|te|von|el|al|le|la|da|di|du|(?:op|in)(?=\s+'t)|'t|ben|bin|abu)[\s-]+)"
# One part of a surname, with an old prefix: Jansen, 's-Gravesande, d'Ancona, O'Brien.
_PART = r"(?:'[sStT]-|[dD]')?[^\W\d_][\w']*"
# Upper-case letters (Python's re has no \p{Lu}): what a second surname after particles starts with.
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŸŹŻŽ"
_SECOND = r"(?i:van|de|der|den|ter|ten|te|von|el|al|le|la|da|di|du|'t)"
_WORD = rf"{_PART}(?:-(?:{_SECOND}\s+)+[{_UPPER}][\w']*|-{_PART})*"
# Between the title and the name: a space, a bracket or a colon ("moeder (Fatima Ouali)",
# "moeder: Fatima Ouali"), or a comma before a first name and surname ("de moeder, Fatima
# Ouali, kwam"); after a comma one capitalised word is too often a colleague ("de moeder,
# Anouk nam het over") and is left alone.
_TITLED = re.compile(rf"(?<!\w)(?P<title>{_TITLE}|(?i:gezinnen|families))(?P<sep>\s*[(:]\s*|,\s+|\s+)"
                     rf"(?P<name>{_PARTICLE}*(?P<word>{_WORD})(?:\s+{_PARTICLE}*(?P<more>{_WORD}))?)")
# "de gezinnen Jansen en Pietersen": a plural title names the next surname too.
_AND_NEXT = re.compile(rf"\s*(?:,|en|&)\s+(?P<name>{_PARTICLE}*(?P<word>{_WORD}))")
_PLURAL = frozenset({"gezinnen", "families"})
_PREFIX = re.compile(r"^(?:'[sStT]-|[dD]')")
_FAMILY = re.compile(rf"\b[Tt]he\s+(?P<name>(?P<word>{_WORD}))\s+family\b")


def _surname(word: str, after_particle: bool = False) -> bool:
    """Capitalised, not a particle, pronoun, month or role; each part of a double name too
    (`Bakker-Visser`, `Visser-de`, `Jansen-de Boer`), so `Centraal-traject` is no name.
    An ordinary word (`is_common`) is no name unless a particle makes it one ("De Zorg")."""
    first, *others = re.split(r"[-\s]+", _PREFIX.sub("", word))
    return (first[:1].isupper() and word.lower() not in _NOT_A_NAME and first.lower() not in _PARTICLES
            and (after_particle or not is_common(first))
            and all(part[:1].isupper() or part.lower() in _PARTICLES for part in others))


def names(text: str) -> Iterator[Finding]:
    """Surnames after a title or "familie"/"gezin" in `text` (normalised)."""
    for pattern in (_TITLED, _FAMILY):
        position = 0
        while m := pattern.search(text, position):
            more = m.groupdict().get("more")
            # "zoon van mw. Kaya": a title may follow a rejected one
            if not _surname(m.group("word"), m.start("word") > m.start("name")) or (
                    more and more[:1].isupper() and not more.isupper() and is_common(more)):
                position = m.start() + 1
                continue
            if m.groupdict().get("sep", " ").strip() == "," and not (more and _surname(more)):
                position = m.start() + 1
                continue
            end = m.end("name") if more and _surname(more) else m.end("word")
            yield Finding(NAME, m.start("name"), end)
            position = end
            while (m.groupdict().get("title") or "").lower() in _PLURAL and (
                    after := _AND_NEXT.match(text, position)) and _surname(after.group("word")):
                yield Finding(NAME, after.start("name"), after.end("word"))
                position = after.end("word")
