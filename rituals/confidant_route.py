"""The sealed route from an anonymous conversation to its sender (issue 15 point 2).

The confidant line keeps, for an anonymous conversation, only a Fernet token of the
sender's user id. The key is derived from `RITUALBOT_SECRET` (the environment, never the
database), so a copy of the database alone does not link a conversation to its sender;
whoever runs the bot with its key still can, and the notice says so.

Fernet (from `cryptography`) rather than something built on hmac: it is authenticated
encryption (AES-CBC + HMAC-SHA256) with a fresh IV per token, so two conversations of the
same sender give unrelated tokens, and a tampered token is refused instead of misread.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken

SECRET_ENV = "RITUALBOT_SECRET"
_PURPOSE = b"ritualbot confidant_line route v1"


def sealer(environ: dict[str, str] | None = None) -> Fernet | None:
    """The route's cipher from `RITUALBOT_SECRET` (None when it is unset or empty).

    The key is HMAC-SHA256(secret, purpose): the secret itself is never the key, so it can
    serve other purposes without the confidant line's tokens being readable there.
    """
    secret = (os.environ if environ is None else environ).get(SECRET_ENV, "")
    if not secret:
        return None
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(cipher: Fernet, user_id: str) -> str:
    """The sealed route (text) to `user_id`; a different token every time."""
    return cipher.encrypt(user_id.encode()).decode()


def opens_to(cipher: Fernet | None, route: str) -> str | None:
    """The user id a sealed route leads to; None without the key or for a token of another key."""
    if cipher is None or not route:
        return None
    try:
        return cipher.decrypt(route.encode()).decode()
    except InvalidToken:
        return None
