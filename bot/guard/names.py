"""Surnames of clients and families, where the text itself says a surname follows.

In a case description, "mevrouw Jansen", "meneer De Boer", "cliënt Pietersen", "de familie El Amrani",
"het gezin Öztürk", "fam. Hoekstra", "Mrs Smith" or "the Kowalski family" names a client or
their family. Colleagues are called by their first name ("Anouk", "juf Marieke"), so first
names are not flagged: without a title or "familie" in front, a capitalised word is far
too often a colleague, a place or an organisation. The lower-case "mr." is the Dutch title
of a lawyer, not a client, and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.guard.kinds import NAME, Finding

_PARTICLES = frozenset("van de der den ter ten te von el al le la da di du op in 't ben bin abu".split())
_NOT_A_NAME = frozenset(
    "ik jij hij zij wij jullie het een die dat deze dit en of maar the a an he she they we it i".split()
    + "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag monday tuesday wednesday thursday friday "
      "saturday sunday januari februari maart april mei juni juli augustus september oktober november "
      "december january february march may june july august october".split()
    # roles written with a capital in formal texts: "Mevrouw de Voorzitter", "Meneer Directeur"
    + "voorzitter wethouder burgemeester directeur rector minister rechter officier voogd dokter president "
      "secretaris griffier".split())
_TITLE = (r"(?:[Cc]li[eë]nte?|[Mm]evrouw|[Mm]evr\.?|[Mm]w\.?|[Mm]eneer|[Mm]ijnheer|[Dd]hr\.?|[Dd]e\s+heer|[Ff]amilie|[Ff]am\."
          r"|[Gg]ezin|Mrs\.?|Mr\.?|Ms\.?|Miss)")
_PARTICLE = r"(?:(?:[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]en|[Tt]e|[Vv]on|[Ee]l|[Aa]l|[Ll]e|[Ll]a|[Dd]a|[Dd]i|[Dd]u|[Oo]p|[Ii]n|'t|[Bb]en|[Bb]in|[Aa]bu)[\s-]+)"
_WORD = r"[^\W\d_][\w']*(?:-[^\W\d_][\w']*)*"
_TITLED = re.compile(rf"(?<!\w){_TITLE}\s+(?P<name>{_PARTICLE}*(?P<word>{_WORD})(?:\s+{_PARTICLE}+(?P<more>{_WORD}))?)")
_FAMILY = re.compile(rf"\b[Tt]he\s+(?P<name>(?P<word>{_WORD}))\s+family\b")


def _surname(word: str) -> bool:
    """Capitalised, not a particle, pronoun, month or role; each part of a double name too
    (`Bakker-Visser`, `Visser-de`), so `Centraal-traject` is no name."""
    first, *others = word.split("-")
    return (first[:1].isupper() and word.lower() not in _NOT_A_NAME and first.lower() not in _PARTICLES
            and all(part[:1].isupper() or part.lower() in _PARTICLES for part in others))


def names(text: str) -> Iterator[Finding]:
    """Surnames after a title or "familie"/"gezin" in `text` (normalised)."""
    for pattern in (_TITLED, _FAMILY):
        for m in pattern.finditer(text):
            if not _surname(m.group("word")):
                continue
            more = m.groupdict().get("more")
            end = m.end("name") if more and _surname(more) else m.end("word")
            yield Finding(NAME, m.start("name"), end)
