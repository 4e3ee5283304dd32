"""The Slack adapter's own texts (App Home, and what it says when something goes wrong)."""

from __future__ import annotations

from bot.i18n import PoCatalog

TEXTS = PoCatalog("bot", "slack")
"""Texts in bot/locale/<language>/LC_MESSAGES/slack.po"""
