"""Running a taken-over step again without posting anything twice.

A replica that died may have got some of a firing's messages out, not all (the moral
deliberation session posts a head and a first step per table). The replica that takes the
firing over runs its step again with a `Replay`: before each message goes out, the place
it goes to (the channel, a DM, a thread) is searched once for the firing's messages by
their number (`ChatPlatform.find_firing`). A message found is not posted again; the step
gets its reference back, as from a post, so it records what the dead replica could not (a
table's progress). A message certainly not there is posted. When a place cannot be
searched (no right to read its history), the step stops with `CannotKnow` and the
admins are told (`bot/takeover.py`); messages an older version posted carry no number, and
their firing is only recorded, as before (`Ritual.recovered`); when an admin asked to post the firing anyway, what
cannot be searched is posted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot.messages import MessageRef
from bot.platform import ChatPlatform

log = logging.getLogger("ritualbot.replay")


class CannotKnow(Exception):
    """Whether a message of a step run again already went out cannot be known: the place
    cannot be searched, or (`older`) an older version posted the firing without numbers."""

    def __init__(self, what: str, *, older: bool = False) -> None:
        super().__init__(what)
        self.older = older


@dataclass
class Replay:
    """What a step run again after a takeover needs to find the messages already out."""

    platform: ChatPlatform
    marker: str  # the firing's marker (`bot.outcome.firing_marker`)
    since: datetime  # look no further back than this (aware)
    first: MessageRef | None = None  # the firing's first message, as the takeover found it
    post_unknown: bool = False  # an admin asked to post it: what cannot be searched is posted
    _found: dict[tuple[str, str | None], dict[int, MessageRef] | None] = field(default_factory=dict)

    async def posted(self, number: int, *, channel: str | None = None, user: str | None = None,
                     thread: MessageRef | None = None) -> MessageRef | None:
        """The firing's message `number` in that place when it is already there; None when
        it must be posted. Raises `CannotKnow` when the place cannot be searched."""
        key = (f"@{user}" if user is not None else channel or "", None if thread is None else thread.thread_id or thread.id)
        if key not in self._found:
            try:
                self._found[key] = await self.platform.find_firing(self.marker, self.since, channel=channel,
                                                                   user=user, thread=thread)
            except Exception:
                log.warning("could not look for the messages of %s", self.marker, exc_info=True)
                self._found[key] = None
        found = self._found[key]
        if found is None:
            if self.post_unknown:
                return None
            raise CannotKnow(f"{self.marker}: cannot tell whether message {number} went out")
        if 0 in found:  # the replica that died numbered nothing: which messages went out is unknown
            raise CannotKnow(f"{self.marker}: its messages carry no number", older=True)
        return found.get(number)
