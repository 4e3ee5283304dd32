"""Logs never hold what people wrote, nor who wrote something anonymous.

The client libraries (slack_sdk, slack_bolt, mattermostdriver, ...) log whole request
and response bodies at debug level, and some of their warnings quote a request. So their
records below warning are dropped, whatever `-v` says, and the ones left keep only the
library's name, the level and the exception's type (but for slack_bolt's failed token check,
which keeps Slack's error code and says what to do). Tracebacks of every logger keep their
frames but lose the exception's message, which may quote a value (an answer, a form).

`install(handler)` puts this on a handler; `ritualbot` does it for the handlers it logs to.
"""

from __future__ import annotations

import logging
import re
import traceback

LIBRARIES = ("slack_sdk", "slack_bolt", "slack", "mattermostdriver", "urllib3", "aiohttp", "websockets",
             "websocket", "httpx", "httpcore")

# slack_bolt's check of the bot token for each request (auth.test) failed: its message holds
# Slack's answer to auth.test, which names no person; only Slack's error code is kept from it
_AUTHORIZATION = "Authorization"
_SLACK_ERROR = re.compile(r"'error': '([a-z_]{1,60})'")


def _frames_only(exc: BaseException) -> str:
    """A traceback with its frames and the exception's type, without its message."""
    parts = ["Traceback (most recent call last):\n", *traceback.format_tb(exc.__traceback__),
             f"{type(exc).__module__}.{type(exc).__qualname__} (its message is left out of the log)"]
    return "".join(parts)


class KeepContentOut(logging.Filter):
    """Drops or strips log records that could carry what people wrote (see the module doc)."""

    def filter(self, record: logging.LogRecord) -> bool:
        library = record.name.startswith(LIBRARIES)
        if library and record.levelno < logging.WARNING:
            return False
        exc = record.exc_info[1] if record.exc_info else None
        if library:
            kind = f" ({type(exc).__name__})" if exc is not None else ""
            refused = _SLACK_ERROR.search(str(record.msg)) if _AUTHORIZATION in record.name else None
            if refused is not None:  # one line an operator can act on, as in bot/platforms/slack/client.py
                record.msg = (f"slack: Slack refused the bot token ({refused.group(1)}) when checking a request: "
                              "people get no answer until SLACK_BOT_TOKEN holds a working token (reinstall the "
                              "app, copy its Bot User OAuth Token) and the bot restarts")
            else:
                record.msg = (f"the client library reported a {record.levelname.lower()}{kind}; "
                              "details left out of the log")
            record.args = None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        elif exc is not None:
            record.exc_text = _frames_only(exc)
        return True


def install(handler: logging.Handler) -> None:
    """Make one handler safe (idempotent)."""
    if not any(isinstance(f, KeepContentOut) for f in handler.filters):
        handler.addFilter(KeepContentOut())
