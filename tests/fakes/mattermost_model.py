"""The server the Mattermost fake models: its users, teams, channels and who is in them.

Tests seed it (``add_user``, ``add_channel``, ``add_team``, ``add_direct_channel``)
and change it as an admin would (``deactivate_user``, ``archive_channel``); the REST
handler mixins use the checks here: whose token this is, whether someone is a system
admin or a channel member (``forbidden`` otherwise, as the server answers), and the
JSON body a request must carry (``bad_body`` otherwise).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .mattermost_kit import RECORD, bad_body, forbidden, new_id, now_ms


class MattermostModel:
    """Users, teams, channels and memberships; state is set by ``FakeMattermost``."""

    users: dict[str, dict[str, Any]]
    channels: dict[str, dict[str, Any]]
    teams: dict[str, dict[str, Any]]
    members: dict[str, list[str]]
    _tokens: dict[str, str]

    # -- seeding -----------------------------------------------------------------
    def add_user(self, id: str, username: str, *, locale: str = "nl", is_system_admin: bool = False,
                 is_bot: bool = False, token: str | None = None, **extra: Any) -> dict[str, Any]:
        roles = "system_admin system_user" if is_system_admin else "system_user"
        user = {"id": id, "username": username, "first_name": "", "last_name": "", "nickname": "",
                "email": f"{username}@example.test", "locale": locale, "roles": roles,
                "is_bot": is_bot, "create_at": now_ms(), "update_at": now_ms(), "delete_at": 0,
                "auth_service": "", "position": "", "props": {},
                "timezone": {"useAutomaticTimezone": "true",
                             "automaticTimezone": "Europe/Amsterdam",
                             "manualTimezone": ""}, **extra}
        self.users[id] = user
        if token:
            self._tokens[token] = id
        return user

    def deactivate_user(self, user_id: str) -> None:
        """A system admin deactivates an account (`DELETE /users/{id}`): `delete_at` is set,
        the account stays a channel member, and the server refuses posts in a DM with it."""
        self.users[user_id]["delete_at"] = now_ms()

    def add_channel(self, id: str, team_id: str = "", members: list[str] | None = None, *,
                    type: str = "O", name: str | None = None,
                    display_name: str | None = None) -> dict[str, Any]:
        chan = {"id": id, "create_at": now_ms(), "update_at": now_ms(), "delete_at": 0,
                "team_id": team_id, "type": type, "display_name": display_name or name or id,
                "name": name or id, "header": "", "purpose": "", "last_post_at": 0,
                "total_msg_count": 0, "creator_id": "", "group_constrained": None}
        self.channels[id] = chan
        self.members[id] = list(dict.fromkeys(members or []))
        if team_id and team_id not in self.teams:
            self.add_team(team_id, team_id)
        return chan

    def add_team(self, id: str, name: str) -> dict[str, Any]:
        """A team; `name` is the one in its URL (a slash command's `team_domain`)."""
        team = {"id": id, "name": name, "display_name": name, "type": "O", "delete_at": 0,
                "create_at": now_ms(), "update_at": now_ms()}
        self.teams[id] = team
        return team

    def add_direct_channel(self, user_a: str, user_b: str) -> dict[str, Any]:
        """The D channel between two users; same id every time (as the server dedupes)."""
        a, b = sorted((user_a, user_b))
        cid = new_id(f"dm:{a}:{b}")
        existing = self.channels.get(cid)
        return existing or self.add_channel(cid, "", [a, b], type="D", name=f"{a}__{b}")

    def user_for_token(self, token: str) -> str | None:
        return self._tokens.get(token)

    def user_for_auth_header(self, header: str | None) -> str | None:
        if header and header.lower().startswith("bearer "):
            return self._tokens.get(header[7:].strip())
        return None

    def archive_channel(self, channel_id: str) -> None:
        """Archive a channel (Mattermost keeps it, with ``delete_at`` set; posting is refused)."""
        self.channels[channel_id]["delete_at"] = now_ms()

    def is_member(self, channel_id: str, user_id: str) -> bool:
        return user_id in self.members.get(channel_id, [])

    # -- helpers -------------------------------------------------------------------
    def _is_admin(self, user_id: str) -> bool:
        return "system_admin" in self.users.get(user_id, {}).get("roles", "")

    def _require_member(self, channel_id: str, user_id: str, perm: str) -> dict[str, Any]:
        chan = self.channels.get(channel_id)
        if chan is None or not (self.is_member(channel_id, user_id) or self._is_admin(user_id)):
            raise forbidden(perm)  # the server does not reveal whether the channel exists
        return chan

    @staticmethod
    def _body(request: web.Request, kind: type, name: str) -> Any:
        body = request[RECORD].body
        if not isinstance(body, kind):
            raise bad_body(name)
        return body
