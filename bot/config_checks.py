"""What check-config can tell without asking Slack or Mattermost: ids that are not ids,
secrets in URLs, `[[team]]` for `[[teams]]`, and the line in the file each problem is on.

Ids have a recognisable shape (Slack: `U0123ABCD` for people, `C0123ABCD` for channels;
Mattermost: 26 lower-case letters and digits). A name (`@omar.elamrani`, `#jeugdteam-zuid`)
or something token-like where an id belongs is refused with where to find the real id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_MATTERMOST_ID = re.compile(r"^[a-z0-9]{26}$")
_TOKEN_LIKE = re.compile(r"^(xox[abposr]|xapp)-|^[A-Za-z0-9_\-]{40,}$")

_WHERE_USER = {
    "slack": "use the member ID from the profile (⋮ → Copy member ID), e.g. U0123ABCD",
    "mattermost": "use the user ID (System Console → Users, or the profile), 26 letters and digits",
}
_WHERE_CHANNEL = {
    "slack": "use the channel ID (channel details → About, at the bottom), e.g. C0123ABCD",
    "mattermost": "use the channel ID (channel menu → View Info), 26 letters and digits",
}


def id_problem(platform: str, kind: str, value: str) -> str | None:
    """Why `value` is not a `kind` ("user" or "channel") id on `platform`, or None when it looks like one."""
    if platform not in _WHERE_USER:
        return None
    fix = (_WHERE_USER if kind == "user" else _WHERE_CHANNEL)[platform]
    if _TOKEN_LIKE.search(value):
        return f"this looks like a token, not a {kind} id; tokens belong in the environment, never here: {fix}"
    if value.startswith("@"):
        return f"{value!r} is a user name, not an id: {fix}"
    if value.startswith("#"):
        return f"{value!r} is a channel name, not an id: {fix}"
    if platform == "slack":
        shape = _SLACK_USER if kind == "user" else _SLACK_CHANNEL
    else:
        shape = _MATTERMOST_ID
    if not shape.match(value):
        return f"{value!r} is not a {platform.title()} {kind} id: {fix}"
    return None


def team_id_problems(team: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    """(key path inside the team, problem) for each person or channel that is not an id."""
    platform = str(team.get("platform", ""))
    found: list[tuple[tuple[Any, ...], str]] = []

    def check(path: tuple[Any, ...], kind: str, value: Any) -> None:
        if isinstance(value, str):
            problem = id_problem(platform, kind, value)
            if problem:
                found.append((path, problem))

    check(("channel",), "channel", team.get("channel"))
    check(("confidant",), "user", team.get("confidant"))
    for key in ("admins", "leaders", "members"):
        values = team.get(key)
        if isinstance(values, list):
            for j, value in enumerate(values):
                check((key, j), "user", value)
    return found


def url_secret_problem(url: str) -> str | None:
    """A database URL with a password in it: secrets belong in the environment (DATABASE_URL)."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return None
    if password:
        return ("contains a password; secrets do not belong in the config file: set DATABASE_URL in the "
                "environment (e.g. in the service's environment file) and leave database_url out")
    return None


def singular_team_tables(text: str) -> int | None:
    """The line of a `[[team]]` or `[team.…]` header (a common slip for `[[teams]]`), or None."""
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*\[\[\s*team\s*\]\]|^\s*\[\s*team\s*\.", line):
            return number
    return None


SINGULAR_TEAM = ("each team is a [[teams]] table (plural), and its rituals [teams.rituals.<ritual id>]; "
                 "this file uses [[team]] or [team.…]")


class LineFinder:
    """Finds the line of a key path (`teams[2].rituals.walk_and_listen.schedule`) in TOML text.

    tomllib keeps no positions, so this reads the text: the n-th `[[teams]]` header opens
    team n; a key is the first `key =` line after the header of the table it lives in.
    Good enough to point an admin at the right line; None when it cannot tell.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.team_starts = [i for i, line in enumerate(self.lines) if re.match(r"^\s*\[\[\s*teams\s*\]\]", line)]

    def line_of(self, path: Sequence[Any]) -> int | None:
        if not path:
            return None
        if path[0] != "teams" or len(path) < 2 or not isinstance(path[1], int):
            top = self._key_in(0, self.team_starts[0] if self.team_starts else len(self.lines), str(path[0]))
            return top if top is not None else self._table(str(path[0]))
        n = path[1]
        if n >= len(self.team_starts):
            return None
        start = self.team_starts[n]
        end = self.team_starts[n + 1] if n + 1 < len(self.team_starts) else len(self.lines)
        rest = [p for p in path[2:] if not isinstance(p, int)]
        if not rest:
            return start + 1
        if rest[0] == "rituals" and len(rest) >= 2:
            header = re.compile(rf"^\s*\[\s*teams\s*\.\s*rituals\s*\.\s*\"?{re.escape(str(rest[1]))}\"?\s*\]")
            table = next((i for i in range(start, end) if header.match(self.lines[i])), None)
            if table is None:
                return start + 1
            if len(rest) == 2:
                return table + 1
            table_end = next((i for i in range(table + 1, end) if self.lines[i].lstrip().startswith("[")), end)
            return self._key_in(table + 1, table_end, str(rest[2])) or table + 1
        table_end = next((i for i in range(start + 1, end) if self.lines[i].lstrip().startswith("[")), end)
        return self._key_in(start + 1, table_end, str(rest[0])) or start + 1

    def _table(self, key: str) -> int | None:
        """The first `[key]`, `[[key]]` or `[key.…]` header."""
        header = re.compile(rf"^\s*\[\[?\s*{re.escape(key)}\s*[\].]")
        return next((i + 1 for i, line in enumerate(self.lines) if header.match(line)), None)

    def _key_in(self, start: int, end: int, key: str) -> int | None:
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for i in range(start, end):
            if pattern.match(self.lines[i]):
                return i + 1
        return None
