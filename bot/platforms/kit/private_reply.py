"""The ways back to one person, in one order for every platform.

A private answer goes, piece by piece (a long Slack message is several pieces), the first
way that works:
1. the platform's own answer to the interaction (`first`: Slack's response_url,
   Mattermost's HTTP response), when the adapter has one;
2. an ephemeral in the channel the person acted in: seen by them only, stored nowhere;
3. a direct message.
A reply never raises: a failure to say "thank you" must not make a form look failed after
its answer was already posted (the failure is logged).

The traceless way (`traceless_reply`) confirms an anonymous contribution: an ephemeral or
nothing, never the DM fallback, because a DM is stored and would tie the person to what
they shared anonymously (issue 13, point 1; docs: the privacy section of the README).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from bot.messages import Message
from bot.platform import Reply
from bot.platforms.kit.answers import expected_answer, log_failure

log = logging.getLogger("ritualbot.platforms")

P = TypeVar("P")


class PrivateWays(Protocol[P]):
    """What a platform supplies: how a message splits into pieces, and the two private ways to show one."""

    name: str

    def pieces(self, message: Message) -> Sequence[P]:
        """`message` as the platform sends it (one piece, or several when it is too long for one)."""
        ...

    async def ephemeral_piece(self, channel: str, user_id: str, piece: P) -> bool:
        """Show `piece` to `user_id` only, in `channel`, without storing it; False (or an error)
        when the platform will not (no permission, too long, not in that channel)."""
        ...

    async def dm_piece(self, user_id: str, piece: P) -> None:
        """Send `piece` as a direct message (which the platform stores)."""
        ...


First = Callable[[P], Awaitable[bool]]
"""The platform's own answer to an interaction: True when it took the piece."""


async def _ephemeral(ways: PrivateWays[P], channel: str, user_id: str, piece: P) -> bool:
    try:
        return await ways.ephemeral_piece(channel, user_id, piece)
    except Exception as exc:
        log.info("%s: no ephemeral possible (%s)", ways.name, type(exc).__name__)
        return False


def private_reply(ways: PrivateWays[P], channel: str | None, user_id: str, *,
                  first: First[P] | None = None) -> Reply:
    """A reply to `user_id`: per piece `first`, else an ephemeral in `channel`, else a DM. Never raises."""
    async def reply(message: Message) -> None:
        for piece in ways.pieces(message):
            try:
                if first is not None and await first(piece):
                    continue
            except Exception as exc:
                log.info("%s: the interaction's own answer is unusable (%s), answering another way",
                         ways.name, type(exc).__name__)
            if channel and await _ephemeral(ways, channel, user_id, piece):
                continue
            try:
                await ways.dm_piece(user_id, piece)
            except Exception as exc:
                if expected_answer(exc) is None:
                    log.exception("%s: could not answer a user privately", ways.name)
                else:
                    log_failure(log, exc, "%s: could not answer a user privately", ways.name)
                return

    return reply


def dm_reply(ways: PrivateWays[P], user_id: str) -> Reply:
    """A reply by DM only (answers to App Home buttons, late refusals). Never raises."""
    return private_reply(ways, None, user_id)


def traceless_reply(ways: PrivateWays[P], channel: str | None, user_id: str) -> Reply | None:
    """An ephemeral in `channel`, or nothing: never a DM, so it leaves no stored trace.

    None when the channel is unknown (a Slack modal opened before a restart or on another
    replica): the core then knows it has no traceless way and says less, rather than more.
    """
    if not channel:
        return None
    where: str = channel

    async def reply(message: Message) -> None:
        for piece in ways.pieces(message):
            if not await _ephemeral(ways, where, user_id, piece):
                log.info("%s: a private confirmation could not be shown without a trace: left out", ways.name)
                return

    return reply
