"""Ordinary Dutch words that a hurried writer capitalises after a title or family word.

"Vader Kwam te laat", "Cliënte Heeft getekend", "De pupil Zat erbij", "Leerling Havo 4",
"Moeder Natuur": the capital comes from a typo, a phone's auto-capitalisation or a fixed
phrase, not from a surname. `bot.guard.names` reads a word from this set as no name.

The set holds function words (pronouns, articles, prepositions, conjunctions, adverbs),
the finite forms of the verbs that most often follow a subject in a case note, school
levels and a few fixed phrases; `is_common` adds abstract nouns by their ending (-heid,
-schap, -isme, -iteit, -atie, -ering, -eling, -ening, -systeem: "Vader Mishandeling"),
endings no Dutch surname has. It deliberately leaves out nouns, adjectives and verbs
that are also common Dutch surnames (Bakker, Groen, De Wit, Koster, Smit, Kok, Bos, ...):
a missed name is worse than a question the author waves through. Words that are also first
names ("Dan", "Wil", "Ben", "Nam") are left out too: after a family word a first name is
flagged ("broer Dan").
"""

from __future__ import annotations

import re

_FUNCTION_WORDS = (
    "ik jij je hij zij ze wij we jullie u het een die dat deze dit daar hier er wie wat waar waarom hoe wanneer "
    "en of maar want dus toch ook nog al niet geen wel nu toen later eerst straks vandaag gisteren morgen "
    "altijd nooit soms vaak weer meteen zelf samen alleen echt erg heel zeer bijna ineens opeens plots "
    "met zonder voor na naar bij aan uit over onder tussen tegen door om tot sinds tijdens volgens vanaf "
    "omdat terwijl nadat voordat zodat hoewel als toen zoals ondanks "
    "mijn jouw zijn haar ons onze hun hen hem mij me jou"
).split()

# Finite forms (present and past, singular and plural) of the verbs that follow a subject.
_VERBS = (
    "is was zijn waren heeft had hebben hadden wordt werd worden werden kan kon kunnen konden wilde wilden "
    "wou moet moest moeten moesten mag mocht mogen zal zou zullen zouden gaat ging gaan gingen komt kwam komen "
    "kwamen zit zat zitten zaten staat stond staan stonden ligt lag liggen lagen loopt liep lopen liepen "
    "blijft bleef blijven bleven doet deed doen deden zegt zei zeggen zeiden vraagt vroeg vragen vroegen "
    "krijgt kreeg krijgen kregen geeft gaf geven gaven neemt nemen namen ziet zag zien zagen weet wist "
    "weten wisten vindt vond vinden vonden denkt dacht denken dachten belt belde bellen belden appt appte "
    "mailt mailde maakt maakte maken maakten laat liet laten lieten houdt hield werkt werkte woont woonde "
    "praat praatte vertelt vertelde vertellen vertelden reageert reageerde begint begon begonnen "
    "stopt stopte huilt huilde lacht lachte schreeuwt schreeuwde weigert weigerde tekent tekende ondertekende "
    "heb hebt bent kom ga zeg"
).split()

_SCHOOL_LEVELS = "havo vwo vmbo mbo hbo wo pro vso so bo groep klas leerjaar".split()
_FIXED_PHRASES = "natuur aarde overste teresa".split()
# The second half of a compound written apart, the commonest Dutch spelling slip, and of the
# Title Case names of methods and programmes: "Cliënt Tevredenheid Onderzoek", "Gezin
# Centraal", "Familie Netwerk Beraad", "Leerling Zorg", "Moeder Kind Centrum", "Jeugdige Daders".
_COMPOUND_PARTS = (
    "centraal netwerk beraad netwerkberaad tevredenheid tevredenheidsonderzoek onderzoek daders zorg zorgen "
    "begeleiding begeleider coach coaching plan plannen kind kinderen centrum dag week dossier "
    "dossiers portaal panel team traject trajecten ondersteuning bespreking overleg volgsysteem "
    "gesprek gesprekken contact contacten vervoer budget profiel account gegevens"
).split()

COMMON_WORDS = frozenset(_FUNCTION_WORDS + _VERBS + _SCHOOL_LEVELS + _FIXED_PHRASES + _COMPOUND_PARTS)
"""Lower-case words that are never read as a surname after a title (see the module docstring)."""

_ABSTRACT_NOUN = re.compile(r"(?:heid|heden|schap|schappen|isme|iteit|atie|aties|ering|eling|ening|systeem)$")


def is_common(word: str) -> bool:
    """Whether `word` (any case) is an ordinary Dutch word rather than a surname (see the module docstring)."""
    lower = word.lower()
    return lower in COMMON_WORDS or bool(_ABSTRACT_NOUN.search(lower))
