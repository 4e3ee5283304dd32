"""The words for a firing's trouble: each cause and its fix, in Dutch and English.

Used for the admins' private message (`bot/trouble.py`), `/ritual status` and `/ritual run`.
"""

from __future__ import annotations

from bot.i18n import PoCatalog, translate

REPOST = "repost"  # the core button that posts an unconfirmed firing now

TROUBLE_TEXTS = PoCatalog("bot", "trouble")
"""Texts in bot/locale/<language>/LC_MESSAGES/trouble.po"""


def describe_cause(cause: str | None, language: str, *, channel: str = "", detail: str = "", ritual: str = "",
                   command: str = "ritual") -> str:
    """The cause of a failed firing and its fix, in `language`, for admins and `/ritual status`.

    A cause may carry its detail after a colon (`missing_scope:chat:write`).
    """
    cause, _, carried = (cause or "").partition(":")
    detail = detail or carried
    key = f"cause.{cause}"
    if key not in TROUBLE_TEXTS:
        return translate(TROUBLE_TEXTS, "cause.unknown", language, cause=cause or "-")
    return translate(TROUBLE_TEXTS, key, language, channel=channel, detail=detail or "-", ritual=ritual,
                     command=command)
