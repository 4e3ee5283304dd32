"""Persistence: the one place that knows SQLModel. Rituals use the typed `Store` API."""

from bot.store.database import open_database
from bot.store.store import Consent, Store

__all__ = ["Consent", "Store", "open_database"]
