"""The texts of the confidant line (`rituals/confidant_line.py`), in nl and en."""

from __future__ import annotations

from bot.i18n import PoCatalog

TEXTS = PoCatalog("rituals", "confidant_line")
"""Texts in rituals/locale/<language>/LC_MESSAGES/confidant_line.po"""
