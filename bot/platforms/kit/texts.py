"""What an adapter says when something goes wrong, once for every platform, in nl and en.

Texts a person reads (an answer that failed, a form that could not be sent, a button that
was not theirs) and texts a Mattermost server passes on from a refused request (a wrong
command token, malformed ids, a bot still starting): translated like every other text
(bot/i18n.py), so a Dutch team never reads an English error.
"""

from __future__ import annotations

from bot.i18n import PoCatalog, translate
from bot.messages import Message, text

TEXTS = PoCatalog("bot", "kit")
"""Texts in bot/locale/<language>/LC_MESSAGES/kit.po"""


def say(key: str, language: str, **values: object) -> str:
    """The text `key` in `language` (one of `bot.i18n.supported_languages()`); a missing key is a bug and raises KeyError."""
    return translate(TEXTS, key, language, **values)


def said(key: str, language: str, **values: object) -> Message:
    """`say` as a one-paragraph message, for a reply."""
    return text(say(key, language, **values))
