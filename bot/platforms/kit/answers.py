"""A platform's known, expected answers, logged as one line; tracebacks only for the unexpected.

Slack answering `user_not_found` for someone who typed a command from another workspace, a
channel that is gone, Mattermost's 404 for a deleted user: these are the platform's answer,
not a fault in the bot, and an operator reads them best as one line naming the answer (at
any log level, `-v` included). `expected_answer` says which answer an exception carries, by
duck typing so the kit imports neither SDK; `log_failure` logs it that way and everything
else with its traceback (frames only: bot/logsafe.py leaves the exception's message out).
"""

from __future__ import annotations

import logging

# Slack Web API error codes that answer "no such person/channel, or not allowed", not a bug.
SLACK_EXPECTED = frozenset({
    "user_not_found", "users_not_found", "user_not_visible", "user_disabled", "cannot_dm_bot",
    "channel_not_found", "not_in_channel", "is_archived", "missing_scope", "restricted_action",
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
})
# mattermostdriver's exceptions for 400, 403 and 404 (bot/platforms/mattermost/client.py).
MATTERMOST_EXPECTED = {"InvalidOrMissingParameters": "HTTP 400", "NotEnoughPermissions": "HTTP 403",
                       "ResourceNotFound": "HTTP 404"}


def expected_answer(exc: BaseException) -> str | None:
    """The platform's word for a known refusal carried by `exc` (e.g. `user_not_found`,
    `HTTP 404`), or None when `exc` is something unexpected. The core's own `Unreachable`
    and `PlatformTrouble` (bot/platform.py) carry their reason or cause."""
    reason = getattr(exc, "reason", None) or getattr(exc, "cause", None)
    if type(exc).__name__ in ("Unreachable", "PlatformTrouble") and isinstance(reason, str):
        return reason
    if type(exc).__name__ == "SlackApiError":
        response = getattr(exc, "response", None)
        error = response.get("error") if response is not None and hasattr(response, "get") else None
        return str(error) if error in SLACK_EXPECTED else None
    return MATTERMOST_EXPECTED.get(type(exc).__name__)


def log_failure(log: logging.Logger, exc: BaseException, message: str, *args: object) -> None:
    """A warning `message % args`: for a known answer one line ending in it, for anything
    else with the traceback."""
    answer = expected_answer(exc)
    if answer is not None:
        log.warning(message + " (the platform answered %s)", *args, answer)
    else:
        log.warning(message, *args, exc_info=exc)
