"""Everything walk and listen says, in Dutch (je/jij) and English."""

from __future__ import annotations

from bot.i18n import PoCatalog

TEXTS = PoCatalog("rituals", "walk_and_listen")
"""Texts in rituals/locale/<language>/LC_MESSAGES/walk_and_listen.po"""
