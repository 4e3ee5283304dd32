"""The core's own texts (commands, consent, refusals), in Dutch and English.

The words themselves are in `bot/locale/<language>/LC_MESSAGES/core.po` (docs/translating.md)."""

from __future__ import annotations

from bot.i18n import PoCatalog

NOTICE_VERSION = 1
"""Bump when the consent notice below changes in substance: everyone is asked again."""

TEXTS = PoCatalog("bot", "core")
"""The core's texts: bot/locale/<language>/LC_MESSAGES/core.po."""
