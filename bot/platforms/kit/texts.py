"""What an adapter says when something goes wrong, once for every platform, in nl and en.

Texts a person reads (an answer that failed, a form that could not be sent, a button that
was not theirs) and texts a Mattermost server passes on from a refused request (a wrong
command token, malformed ids, a bot still starting): translated like every other text
(bot/i18n.py), so a Dutch team never reads an English error.
"""

from __future__ import annotations

from bot.i18n import Catalog, translate
from bot.messages import Message, text

TEXTS: Catalog = {
    "error.generic": {
        "nl": "Er ging aan mijn kant iets mis. Probeer het zo nog eens; lukt het dan niet, laat het een beheerder weten.",
        "en": "Something went wrong on my side. Please try again in a moment; if it still fails, tell an admin.",
    },
    "form.failed": {
        "nl": "Er ging iets mis bij het versturen. Je tekst staat hier nog. Kijk even of je antwoord toch is "
              "aangekomen voordat je het opnieuw probeert.",
        "en": "Something went wrong while sending. Your text is still here. Please check whether your answer "
              "arrived anyway before you try again.",
    },
    "request.forged": {
        "nl": "Dit verzoek kwam niet van ritualbot voor jou; er is niets veranderd.",
        "en": "This request was not made by ritualbot for you; nothing was changed.",
    },
    "request.other_team": {
        "nl": "Dit /{command}-commando hoort bij een ander Mattermost-team; er is niets gedaan.",
        "en": "This /{command} command belongs to another Mattermost team; nothing was done.",
    },
    "request.bad_token": {
        "nl": "Dit /{command}-commando is niet bij ritualbot bekend (het token klopt niet of ontbreekt); "
              "er is niets gedaan. Vraag een beheerder het token van dit Mattermost-team in te stellen.",
        "en": "This /{command} command is not known to ritualbot (its token is wrong or missing); nothing "
              "was done. Ask an admin to set this Mattermost team's token.",
    },
    "request.no_ids": {
        "nl": "Het verzoek mist user_id of channel_id; er is niets gedaan.",
        "en": "The request lacks user_id or channel_id; nothing was done.",
    },
    "request.bad_ids": {
        "nl": "user_id en channel_id moeten Mattermost-ids zijn (26 kleine letters en cijfers); er is niets gedaan.",
        "en": "user_id and channel_id must be Mattermost ids (26 lower-case letters and digits); nothing was done.",
    },
    "request.not_json": {
        "nl": "Het verzoek is geen JSON-object; er is niets gedaan.",
        "en": "The request is not a JSON object; nothing was done.",
    },
    "request.starting": {
        "nl": "ritualbot start nog op; probeer het zo nog eens.",
        "en": "ritualbot is still starting; please try again in a moment.",
    },
}


def say(key: str, language: str, **values: object) -> str:
    """The text `key` in `language` ("nl" or "en"); a missing key is a bug and raises KeyError."""
    return translate(TEXTS, key, language, **values)


def said(key: str, language: str, **values: object) -> Message:
    """`say` as a one-paragraph message, for a reply."""
    return text(say(key, language, **values))
