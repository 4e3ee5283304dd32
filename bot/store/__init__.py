"""Persistence: the one place that knows SQLModel. Rituals use the typed `Store` API."""

from bot.store.database import open_database
from bot.store.store import Consent, Store
from bot.store.waits import DatabaseBusy

__all__ = ["Consent", "DatabaseBusy", "Store", "open_database"]
