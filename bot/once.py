"""Each interaction acts once, and all or nothing (issue 9 points 3 and 4, issue 10 point 3,
issue 11 "a replayed request does not act twice").

Adapters name what identifies one delivery (`Delivery`: Slack's view id and submitted
values, a trigger id or an event id; Mattermost's signed dialog state and submission);
the core takes it on in the database before a handler runs (`bot/store/handled.py`), so
a second arrival, on this replica or another, does nothing and gets a calm answer.

The core runs every interaction with brief database waits (`bot/store/waits.py`); when
the database stays busy before anything went out, the delivery is given back (so the
person's retry acts) and the person reads "that didn't work, try again in a moment".
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.i18n import translate
from bot.messages import Message, text
from bot.platform import REPLAY_WINDOW, Delivery, Reply
from bot.store import Store
from bot.store.handled import request_key
from bot.store.waits import be_patient
from bot.texts import TEXTS

log = logging.getLogger("ritualbot.once")

_taken: ContextVar[str | None] = ContextVar("ritualbot_taken_delivery", default=None)

def delivery(*parts: str, window: timedelta = REPLAY_WINDOW) -> Delivery:
    """A `Delivery` from the parts that identify it (platform, kind, ids)."""
    return Delivery(request_key(*parts), window)


def values_digest(values: Any) -> str:
    """A stable text for submitted values (part of a form's key; hashed with the rest)."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class Once:
    """Takes deliveries on in the store; gives one back when it did nothing."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def take(self, arrival: Delivery | None) -> bool:
        """True when this is the first arrival (or the adapter named none); False for a repeat."""
        if arrival is None:
            return True
        now = self.clock.now()
        if await self.store.claim_request(arrival.key, now, now + arrival.window):
            _taken.set(arrival.key)
            return True
        log.info("an interaction arrived again (a retry or a replay): already taken on, not acted on twice")
        return False

    async def give_back(self, arrival: Delivery | None) -> None:
        """Forget an arrival that did nothing, so the person's retry acts (waits patiently).
        Nothing to do when this task never took it on (the database was busy before)."""
        if arrival is None or _taken.get() != arrival.key:
            return
        be_patient()
        try:
            await self.store.release_request(arrival.key)
        except Exception:  # noqa: BLE001 - the key expires by itself
            log.exception("an interaction that did nothing could not be given back; it expires by itself")


def busy_message(language: str) -> Message:
    """"That didn't work, try again in a moment" in `language`."""
    return text(translate(TEXTS, "busy.try_again", language))


def patient_reply(reply: Reply) -> Reply:
    """`reply` that switches the interaction to patient waits: something went out."""
    async def answer(message: Message) -> None:
        be_patient()
        await reply(message)

    return answer
