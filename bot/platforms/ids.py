"""The id syntax of each platform, checked before a user-supplied id reaches an API path.

A user id that came from a person (a command argument, a roster entry, a field of an
unauthenticated Mattermost callback) is only ever put into an API call once it looks like
an id of that platform: nothing else (`../`, `me/tokens`, a query string) can then steer
the request somewhere else.

- Slack: user ids start with U or W (B for bots), channel ids with C, D or G, then
  upper-case letters and digits (api.slack.com/types/user, /types/conversation).
- Mattermost: every id is 26 lower-case letters and digits; a username is lower-case
  letters, digits, `.`, `-` and `_`, at most 64 (docs: "Usernames" in the user settings).
- The local platform (tests, demo): letters, digits, `.`, `-` and `_`.
"""

from __future__ import annotations

import re

_SLACK_USER = re.compile(r"[UWB][A-Z0-9]{2,30}")
_SLACK_CHANNEL = re.compile(r"[CDG][A-Z0-9]{2,30}")
_MATTERMOST_ID = re.compile(r"[a-z0-9]{26}")
_MATTERMOST_USERNAME = re.compile(r"[a-z0-9._-]{1,64}")
_LOCAL = re.compile(r"[A-Za-z0-9_.-]{1,64}")

_USERS = {"slack": _SLACK_USER, "mattermost": _MATTERMOST_ID}
_CHANNELS = {"slack": _SLACK_CHANNEL, "mattermost": _MATTERMOST_ID}


class BadId(ValueError):
    """An id that does not have the platform's syntax; nothing was sent."""


def valid_user_id(platform: str, value: str) -> bool:
    """Whether `value` has the syntax of a user id on `platform`."""
    return bool(_USERS.get(platform, _LOCAL).fullmatch(value))


def valid_channel_id(platform: str, value: str) -> bool:
    """Whether `value` has the syntax of a channel id on `platform`."""
    return bool(_CHANNELS.get(platform, _LOCAL).fullmatch(value))


def valid_mattermost_username(value: str) -> bool:
    return bool(_MATTERMOST_USERNAME.fullmatch(value))


def checked_user(platform: str, value: str) -> str:
    """`value` when it is a user id of `platform`; `BadId` (without the value) otherwise."""
    if not valid_user_id(platform, value):
        raise BadId(f"not a {platform} user id")
    return value
