"""When to retry one Mattermost REST request, and how long to wait (`RetryPolicy`).

Mattermost answers 429 with `Retry-After` / `X-Ratelimit-Reset` (seconds until the
window resets) and 503 while it is overloaded: both mean the server did nothing, so any
request is retried, for far longer than other failures. A POST that creates something is
not retried once the server may have received it (a 500 or a lost answer can mean
"done"). The failures are judged in mattermostdriver's vocabulary (`requests`
exceptions), whatever carried the request: bot/platforms/mattermost/client.py raises the
same ones.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import re
import time
from dataclasses import dataclass, field

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError


class NeverSent(requests.ConnectionError):
    """No connection to the server could be made: the request never left this machine."""


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry one HTTP request, and how long to wait.

    Retried for every method: 429 (honouring ``Retry-After`` / ``X-Ratelimit-Reset``),
    503, and failures to *connect* (the request never left this machine).
    Retried only for idempotent requests (GET/PUT/DELETE and the POSTs listed in
    ``idempotent_posts``): 500/502/504, read timeouts, dropped connections.

    A POST that creates something (``/posts``, ``/files``, ``/actions/dialogs/open``)
    is *not* retried once the server may have received it: a 500 or a timeout can mean
    "done, but the answer got lost", and a retry would post twice (or burn the
    single-use trigger id).  429 and 503 are safe because the server rejects those
    before doing any work.
    """

    max_attempts: int = 5
    # 429 and 503 mean the server did nothing: waiting longer is always safe.
    max_refused_attempts: int = 30
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 60.0
    idempotent_posts: frozenset[str] = field(
        default_factory=lambda: frozenset(
            {"/users/ids", "/users/usernames", "/channels/direct", "/channels/group"}
        )
    )

    def backoff(self, attempt: int) -> float:
        """Exponential, capped, with 'equal jitter' so clients don't retry in lockstep."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(0, attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def delay_for(
        self, method: str, endpoint: str, exc: BaseException, attempt: int
    ) -> float | None:
        """Seconds to wait before retrying, or None to give up and re-raise."""
        idempotent = method.lower() != "post" or endpoint in self.idempotent_posts
        response = getattr(exc, "response", None)
        if isinstance(exc, requests.HTTPError):
            status = response.status_code if response is not None else None
            if response is not None and (status == 429 or status == 503):
                if attempt >= self.max_refused_attempts:
                    return None
                hinted = server_hint(response)
                if hinted is None:
                    return self.backoff(attempt)
                # the server's hint, spread a little so waiting clients don't retry in lockstep
                return min(hinted, self.max_retry_after) + random.uniform(0, min(1.0, hinted / 2 + 0.1))
            if status in (500, 502, 504) and idempotent and attempt < self.max_attempts:
                return self.backoff(attempt)
            return None  # 4xx (raised by mattermostdriver without .response) or unsafe
        if attempt >= self.max_attempts:
            return None
        if isinstance(exc, requests.exceptions.SSLError):
            return None  # a certificate problem does not heal by retrying
        if _never_sent(exc):
            return self.backoff(attempt)
        if isinstance(exc, (requests.ConnectionError, requests.Timeout)) and idempotent:
            return self.backoff(attempt)
        return None


def server_hint(response: requests.Response) -> float | None:
    """Wait requested by the server: Retry-After (seconds or date), else X-Ratelimit-Reset."""
    retry_after = response.headers.get("Retry-After")
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(retry_after)
            return max(0.0, parsed.timestamp() - time.time())
    reset = response.headers.get("X-Ratelimit-Reset")
    if reset:
        with contextlib.suppress(ValueError):
            value = float(reset)
            # Mattermost sends seconds-until-reset; tolerate an epoch timestamp too.
            return max(0.0, value - time.time()) if value > 1e9 else value
    return None


def _never_sent(exc: BaseException) -> bool:
    """True when the connection could not even be established (safe to retry any method)."""
    if isinstance(exc, (requests.ConnectTimeout, NeverSent)):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", exc.args[0])
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


def describe(exc: BaseException) -> str:
    """`HTTP 429` or the exception's name, for logs and metrics (never the request's path)."""
    response = getattr(exc, "response", None)
    return f"HTTP {response.status_code}" if response is not None else type(exc).__name__


_MATTERMOST_ID = re.compile(r"(?<![A-Za-z0-9])[a-z0-9]{26}(?![A-Za-z0-9])")


def path_shape(endpoint: str) -> str:
    """An API path with its ids left out (`/users/:id/status`): a path may name a person,
    for example an anonymous sender the bot writes to (issue 11: no log holds who)."""
    return _MATTERMOST_ID.sub(":id", endpoint)


def refused(exc: BaseException) -> bool:
    """429 or 503 after the connection's own retries: the server did nothing."""
    response = getattr(exc, "response", None) if isinstance(exc, requests.HTTPError) else None
    return response is not None and response.status_code in (429, 503)


def ambiguous(exc: BaseException) -> bool:
    """True when the server may or may not have done the work (a retry could double it)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return False
    if isinstance(exc, requests.HTTPError):
        response = exc.response
        return response is not None and response.status_code >= 500
    return isinstance(exc, (requests.ConnectionError, requests.Timeout))
