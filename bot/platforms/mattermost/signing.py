"""Signing what we hand to Mattermost so that callbacks can be trusted.

Mattermost signs neither button callbacks nor dialog submissions: anyone who can reach
the bot's URL could POST one. So every button context and dialog state we emit carries
an HMAC-SHA256 over its content and over *where* and *for whom* it was sent; a callback
whose signature does not match, or that comes back from another channel or another
user than the one it was made for, is refused before the core sees it.

A button in a channel is one context shared by everyone who can see it: what it does is
decided per clicking user (a vote stays one per person, keyed by who clicked), and the
context carries when it was signed, so it stops working after `BUTTON_TTL` (no ritual
needs a button longer than a monthly round) and a dialog state after `DIALOG_TTL`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.store import Store

SECRET_SETTING = "mattermost_signing_secret"
BUTTON_TTL = 62 * 24 * 3600  # seconds: two months, longer than any round of a ritual
DIALOG_TTL = 24 * 3600  # seconds: a dialog open for a day is a stale one


class Forged(Exception):
    """A callback carried a context or state we did not sign, or came from the wrong place."""


class Expired(Forged):
    """A context or state we signed, but longer ago than it may be used."""


async def signing_secret(env: Mapping[str, str], store: Store) -> bytes:
    """`RITUALBOT_SECRET`, else one random secret kept in the database for every replica."""
    configured = env.get("RITUALBOT_SECRET", "").strip()
    if configured:
        return configured.encode()
    return (await store.setting_or_create(SECRET_SETTING, lambda: secrets.token_hex(32))).encode()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class ButtonTarget:
    """What a verified button click carries back to the core."""

    action: str
    value: str


@dataclass(frozen=True)
class DialogTarget:
    """What a verified dialog submission carries back to the core."""

    form_id: str
    state: str
    nonce: str = ""  # random, in the state alone: names this opened dialog without naming who opened it


class Signer:
    """Signs and checks button contexts and dialog states with one secret."""

    def __init__(self, secret: bytes, *, clock: Callable[[], float] = time.time) -> None:
        if len(secret) < 16:
            raise ValueError("the signing secret must be at least 16 bytes")
        self._secret = secret
        self._clock = clock

    def _fresh(self, signed_at: str, ttl: int, what: str) -> None:
        if not signed_at.isdigit() or self._clock() - int(signed_at) > ttl:
            raise Expired(f"{what} has expired")

    def _mac(self, purpose: str, *parts: str) -> str:
        message = json.dumps([purpose, *parts], separators=(",", ":")).encode()
        return _b64(hmac.new(self._secret, message, hashlib.sha256).digest())

    # buttons ------------------------------------------------------------------------------

    def button_context(self, action: str, value: str, *, channel: str, user: str | None) -> dict[str, str]:
        """The `integration.context` of one button, bound to its channel (and user, if any)."""
        who, at = user or "", str(int(self._clock()))
        return {"a": action, "v": value, "c": channel, "u": who, "t": at,
                "s": self._mac("button", action, value, channel, who, at)}

    def check_button(self, context: Any, *, channel: str, user: str) -> ButtonTarget:
        """The button's action and value, or `Forged` if we did not make it for this click."""
        if not isinstance(context, dict):
            raise Forged("button without a signed context")
        parts = [context.get(k) for k in ("a", "v", "c", "u", "t", "s")]
        if parts[4] is None and all(isinstance(p, str) for p in parts[:4] + parts[5:]):
            raise Expired("button from before contexts expired")  # signed by an older version
        if not all(isinstance(p, str) for p in parts):
            raise Forged("button context is incomplete")
        action, value, bound_channel, bound_user, at, sig = (str(p) for p in parts)
        expected = self._mac("button", action, value, bound_channel, bound_user, at)
        if not hmac.compare_digest(expected.encode(), sig.encode()):
            raise Forged("button context signature does not match")
        self._fresh(at, BUTTON_TTL, "button")
        if bound_channel != channel:
            raise Forged("button clicked in another channel than it was posted in")
        if bound_user and bound_user != user:
            raise Forged("button was meant for another user")
        return ButtonTarget(action, value)

    # dialogs ------------------------------------------------------------------------------

    def dialog_state(self, form_id: str, state: str, *, user: str) -> str:
        """The dialog's `state`: the core's state, bound to the form and the user it was opened for,
        with a random nonce that only Mattermost and this state hold (`DialogTarget.nonce`)."""
        data = {"f": form_id, "s": state, "u": user, "t": int(self._clock()), "n": secrets.token_urlsafe(16)}
        payload = _b64(json.dumps(data, separators=(",", ":")).encode())
        return f"{payload}.{self._mac('dialog', payload)}"

    def check_dialog(self, callback_id: Any, state: Any, *, user: str) -> DialogTarget:
        """The form id and core state, or `Forged` if we did not open this dialog for `user`."""
        if not isinstance(state, str) or not isinstance(callback_id, str) or "." not in state:
            raise Forged("dialog without a signed state")
        payload, _, sig = state.rpartition(".")
        if not hmac.compare_digest(self._mac("dialog", payload).encode(), sig.encode()):
            raise Forged("dialog state signature does not match")
        try:
            data = json.loads(_unb64(payload))
        except ValueError as exc:  # cannot happen for a state we signed
            raise Forged("dialog state is unreadable") from exc
        if data.get("f") != callback_id:
            raise Forged("dialog state belongs to another form")
        if data.get("u") != user:
            raise Forged("dialog was opened for another user")
        self._fresh(str(data.get("t", "")), DIALOG_TTL, "dialog")
        return DialogTarget(str(data["f"]), str(data["s"]), str(data.get("n") or ""))
