"""Honest start-up: say in one line what is wrong and what to do, then try again.

A database that is not up yet, a refused token or an unreachable chat server are what an
operator meets on the first day. None of them is a bug, so none of them gets a traceback:
`explain_*` turn the exception into one line naming the setting to check, and `Backoff`
spaces the retries (1 s, 2 s, 4 s ... at most a minute) so a bot started before its
database simply waits for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from bot.store.outage import LOGIN_REFUSED, NO_DATABASE, chain, database_state

log = logging.getLogger("ritualbot.startup")
T = TypeVar("T")

_REFUSED_TOKEN = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
                  "not_allowed_token_type"}


@dataclass
class Backoff:
    """Seconds to wait before each next try: doubling from `first` up to `most`."""

    first: float = 1.0
    most: float = 60.0
    _next: float = 0.0

    def next_delay(self) -> float:
        self._next = self.first if not self._next else min(self.most, self._next * 2)
        return self._next


async def wait_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds`; True when `stop` was set meanwhile (SIGTERM while waiting)."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def keep_trying(attempt: Callable[[], Awaitable[T]], explain: Callable[[BaseException], str],
                      stop: asyncio.Event, backoff: Backoff | None = None) -> T | None:
    """Run `attempt` until it succeeds (its result) or `stop` is set (None).

    Each failure is logged once as `explain(exc)` plus when the next try is, never with a
    traceback: these are situations for the operator, not bugs.
    """
    backoff = backoff or Backoff()
    while not stop.is_set():
        try:
            return await attempt()
        except Exception as exc:
            delay = backoff.next_delay()
            log.error("%s; trying again in %.0f s", explain(exc), delay)
            if await wait_or_stop(stop, delay):
                return None
    return None


def _where(url: str) -> str:
    """`host:port/db` of a database URL, without user or password."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{host}{port}{parts.path}"


def explain_database_error(exc: BaseException, url: str) -> str:
    """One line for an operator: what went wrong opening the database, and what to check."""
    text = " ".join(str(e) for e in chain(exc)).lower()
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        return (f"database: cannot open the SQLite file {path} ({_first_line(exc)}): check that its directory "
                "exists and this user may write there, or set DATABASE_URL")
    where = _where(url)
    state = database_state(exc)  # the word /healthz shows meanwhile
    if state == LOGIN_REFUSED:
        return (f"database: PostgreSQL at {where} refused the login: check the user and password in DATABASE_URL")
    if state == NO_DATABASE:
        return (f"database: PostgreSQL at {where} has no such database: create it (createdb) or fix the name in "
                "DATABASE_URL")
    if any(word in text for word in ("connection refused", "could not connect", "timeout", "timed out",
                                     "name or service not known", "no route to host", "connection failed")):
        return (f"database: cannot reach PostgreSQL at {where} (is it running, and reachable from here?); "
                "check the host and port in DATABASE_URL")
    return f"database: cannot open {where} ({_first_line(exc)}); check DATABASE_URL"


def explain_platform_error(platform: str, exc: BaseException, *, url: str = "") -> str:
    """One line for an operator: why Slack or Mattermost could not be connected, and what to check."""
    if platform == "slack":
        return _explain_slack(exc, url)
    if platform == "mattermost":
        return _explain_mattermost(exc, url)
    return f"{platform}: could not connect ({_first_line(exc)})"


def _explain_slack(exc: BaseException, url: str) -> str:
    response = getattr(exc, "response", None)
    error = str(response.get("error", "")) if response is not None and hasattr(response, "get") else ""
    if error in _REFUSED_TOKEN:
        api_url = str(getattr(response, "api_url", ""))
        if api_url.endswith("apps.connections.open"):
            return (f"slack: SLACK_APP_TOKEN was refused ({error}): generate an app-level token (xapp-…) with the "
                    "connections:write scope under Basic Information, or unset it to use HTTP mode")
        return (f"slack: SLACK_BOT_TOKEN was refused ({error}): copy the Bot User OAuth Token (xoxb-…) from "
                "OAuth & Permissions after installing the app")
    if error:
        return f"slack: Slack answered {error!r} while connecting; see the README, Install in Slack"
    return (f"slack: cannot reach Slack at {url or 'slack.com'} ({_first_line(exc)}); check the network, a proxy "
            "(HTTPS_PROXY) or SLACK_API_URL")


def _explain_mattermost(exc: BaseException, url: str) -> str:
    names = {type(e).__name__ for e in chain(exc)}
    if names & {"NoAccessTokenProvided", "MattermostAuthError"}:
        return (f"mattermost: {url} refused MATTERMOST_TOKEN: make a new access token for the bot account "
                "(Integrations → Bot Accounts) and set it")
    if "SSLError" in names:
        return (f"mattermost: the certificate of {url} is not trusted ({_first_line(exc)}); set MATTERMOST_CA_FILE "
                "to your organisation's CA bundle")
    if names & {"ConnectionError", "NeverSent", "ConnectTimeout", "Timeout", "ReadTimeout", "NewConnectionError"}:
        return (f"mattermost: cannot reach {url} (is the server up, and is MATTERMOST_URL the site URL as people "
                "open it in a browser?)")
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if status:
        return f"mattermost: {url} answered HTTP {status} while connecting; check the server and MATTERMOST_URL"
    return f"mattermost: could not connect to {url} ({_first_line(exc)})"


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0]}" if message else type(exc).__name__
