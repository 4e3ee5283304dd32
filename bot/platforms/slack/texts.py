"""The Slack adapter's own texts (App Home); its error texts are the kit's (bot/platforms/kit/texts.py)."""

from __future__ import annotations

from bot.i18n import PoCatalog

TEXTS = PoCatalog("bot", "slack")
"""Texts in bot/locale/<language>/LC_MESSAGES/slack.po"""
