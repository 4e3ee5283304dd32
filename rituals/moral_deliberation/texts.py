"""Everything the moral deliberation says, in Dutch and English (the method steps' texts
are `<step key>.title` and `<step key>.ask`), kept in the ritual's `.po` files. Dutch uses je/jij; both languages say things as people would."""

from __future__ import annotations

from bot.i18n import PoCatalog

TEXTS = PoCatalog("rituals.moral_deliberation", "moral_deliberation")
"""Texts in rituals/moral_deliberation/locale/<language>/LC_MESSAGES/moral_deliberation.po"""
