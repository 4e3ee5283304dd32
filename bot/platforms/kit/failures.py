"""What the person hears when the core fails on their command, click or form: the same on
every platform, in their language (texts: bot/platforms/kit/texts.py).

A failure is logged with its traceback for the operator; the person gets a short private
apology, never the error itself (it may quote what someone wrote).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.platform import Reply
from bot.platforms.kit.answers import expected_answer, log_failure
from bot.platforms.kit.texts import said, say

log = logging.getLogger("ritualbot.platforms")


async def apologising(work: Awaitable[object], reply: Reply, language: Callable[[], Awaitable[str]], *,
                      platform: str) -> None:
    """Await `work` (a command or a click); when it raises, log it and reply `error.generic` in
    `await language()`. Never raises (the reply itself never does, bot/platforms/kit/private_reply.py)."""
    try:
        await work
    except Exception as exc:
        if expected_answer(exc) is None:
            log.exception("%s: handling an interaction failed", platform)
        else:  # the platform refused something (a person or channel it does not know): one line
            log_failure(log, exc, "%s: handling an interaction failed", platform)
        await reply(said("error.generic", await language()))


def form_failed(values: Mapping[str, object], language: str) -> dict[str, str]:
    """The per-field errors for a form the core failed on: `form.failed` under its first field, so
    the form stays open with the person's text in it (`form` when it has no fields)."""
    return {next(iter(values), "form"): say("form.failed", language)}
