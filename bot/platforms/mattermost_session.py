"""Kept-alive HTTP for mattermostdriver: one `requests.Session` per worker thread.

mattermostdriver 7.3.2 sends every request with `requests.post` & co. (no session), so
each REST call opens a new TCP connection (and TLS handshake). `KeptAliveClient` sends
the same request on the calling thread's session instead, whose connection is reused;
answers and errors are exactly the driver's (its exceptions for 400/401/403/404/405/413/501,
`requests.HTTPError` with `.response` for the rest).
"""

from __future__ import annotations

import threading
from typing import Any

import requests
from mattermostdriver.client import Client
from mattermostdriver.exceptions import (
    ContentTooLarge,
    FeatureDisabled,
    InvalidOrMissingParameters,
    MethodNotAllowed,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)

# mattermostdriver's mapping of 4xx/501 answers to its own exceptions (others: requests.HTTPError).
DRIVER_ERRORS: dict[int, type[Exception]] = {
    400: InvalidOrMissingParameters, 401: NoAccessTokenProvided, 403: NotEnoughPermissions,
    404: ResourceNotFound, 405: MethodNotAllowed, 413: ContentTooLarge, 501: FeatureDisabled,
}


class Sessions:
    """One ``requests.Session`` per thread, so each worker keeps its connection open."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[requests.Session] = []

    def get(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
            with self._lock:
                self._all.append(session)
        return session

    def close(self) -> None:
        with self._lock:
            sessions, self._all = self._all, []
        for session in sessions:
            session.close()


class KeptAliveClient(Client):
    """mattermostdriver's ``Client`` on a ``Sessions`` (a subclass sets ``sessions``; else its own)."""

    sessions: Sessions | None = None

    def refused(self) -> None:
        """Called for each HTTP 429 (a hook for metrics)."""

    def _request_once(self, method: str, endpoint: str, options: Any, params: Any, data: Any, files: Any,
                      basepath: Any) -> requests.Response:
        """One request exactly as ``Client.make_request`` sends it, but on this thread's session."""
        url = self.url
        if basepath:
            url = f"{self._options['scheme']}://{self._options['url']}:{self._options['port']}{basepath}"
        kwargs: dict[str, Any] = {
            "headers": self.auth_header(), "verify": self._verify, "json": {} if options is None else options,
            "params": {} if params is None else params, "data": {} if data is None else data, "files": files,
            "timeout": self.request_timeout,
        }
        if self._auth is not None:
            kwargs["auth"] = self._auth()
        if self.sessions is None:
            self.sessions = Sessions()
        response = self.sessions.get().request(method.upper(), url + endpoint, **kwargs)
        try:
            response.raise_for_status()
        except requests.HTTPError:
            if response.status_code == 429:
                self.refused()
            mapped = DRIVER_ERRORS.get(response.status_code)
            if mapped is None:
                raise
            try:
                body = response.json()
                message = body.get("message", body) if isinstance(body, dict) else body
            except ValueError:
                message = response.text
            raise mapped(message) from None
        return response
