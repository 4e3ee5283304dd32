"""Channels and teams in the Mattermost fake: direct channels, members, a channel's posts.

In: ``POST /channels/direct``, ``GET /teams/{id}``, ``GET /channels/{id}`` with its
``/members``, ``/members/{user}`` and ``/posts``, ``GET /users/{id}/channels``. Out:
what the server answers, paged as it pages (``per_page`` capped at 200; ``since``
listings unpaged up to ``since_limit``); a channel the caller is not in is
``forbidden``, as the server does not reveal whether it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web

from .mattermost_kit import USER, ApiError, bad_body, forbidden, json_response, now_ms
from .mattermost_model import MattermostModel


class ChannelsHandlers(MattermostModel):
    """The channel and team endpoints."""

    since_limit: int  # posts a `since` listing returns at most
    posts: Callable[[str], list[dict[str, Any]]]

    # -- handlers: channels ----------------------------------------------------------
    async def _create_direct(self, request: web.Request) -> web.Response:
        ids = self._body(request, list, "user_ids")
        if len(ids) != 2 or not all(isinstance(i, str) and i for i in ids):
            raise bad_body("user_ids")
        uid = request[USER]
        if uid not in ids and not self._is_admin(uid):
            raise forbidden("manage_system")
        for i in ids:
            if i not in self.users:
                raise ApiError(400, "api.channel.create_direct_channel.invalid_user.app_error",
                               "Invalid user ID for direct channel creation.")
        return json_response(self.add_direct_channel(ids[0], ids[1]), 201)

    async def _get_team(self, request: web.Request) -> web.Response:
        """Like the server: a team is visible to its members (here: whoever is in one of its
        channels) and to system admins."""
        tid, uid = request.match_info["team_id"], request[USER]
        if tid not in self.teams:
            raise ApiError(404, "app.team.get.find.app_error", "We couldn't find the existing team.")
        in_team = any(c["team_id"] == tid and self.is_member(cid, uid) for cid, c in self.channels.items())
        if not in_team and not self._is_admin(uid):
            raise forbidden("view_team")
        return json_response(self.teams[tid])

    async def _get_channel(self, request: web.Request) -> web.Response:
        return json_response(self._require_member(request.match_info["channel_id"],
                                                  request[USER], "read_channel"))

    async def _get_channel_posts(self, request: web.Request) -> web.Response:
        """Newest first; ``since`` (ms) returns what was created or edited after it, unpaged, at
        most ``since_limit`` posts (1000, as the v4 reference says); pages of at most 200."""
        cid = request.match_info["channel_id"]
        self._require_member(cid, request[USER], "read_channel")
        posts = sorted(self.posts(cid), key=lambda p: p["create_at"], reverse=True)
        if "since" in request.query:  # at most since_limit posts, the newest by create time (the API's cap)
            since = int(request.query["since"])
            posts = [p for p in posts if max(p["create_at"], p["update_at"]) > since][:self.since_limit]
        else:
            page, per_page = int(request.query.get("page", 0)), min(int(request.query.get("per_page", 60)), 200)
            posts = posts[page * per_page:(page + 1) * per_page]
        return json_response({"order": [p["id"] for p in posts], "posts": {p["id"]: p for p in posts},
                              "next_post_id": "", "prev_post_id": "", "has_next": False})

    async def _get_member(self, request: web.Request) -> web.Response:
        cid, uid = request.match_info["channel_id"], request.match_info["user_id"]
        self._require_member(cid, request[USER], "read_channel")
        if not self.is_member(cid, uid):
            raise ApiError(404, "app.channel.get_member.missing.app_error", "No channel member found for that user ID and channel ID.")
        return json_response({"channel_id": cid, "user_id": uid, "roles": "channel_user", "last_viewed_at": 0,
                              "msg_count": 0, "mention_count": 0, "last_update_at": now_ms()})

    async def _get_my_channels(self, request: web.Request) -> web.Response:
        """Every channel of every team the user is in, DMs included (server 6.1+)."""
        uid = request.match_info["user_id"]
        uid = request[USER] if uid == "me" else uid
        if uid != request[USER] and not self._is_admin(request[USER]):
            raise forbidden("edit_other_users")
        deleted = str(request.query.get("include_deleted", "false")).lower() == "true"
        return json_response([c for cid, c in self.channels.items()
                              if self.is_member(cid, uid) and (deleted or not c["delete_at"])])

    async def _get_members(self, request: web.Request) -> web.Response:
        cid = request.match_info["channel_id"]
        self._require_member(cid, request[USER], "read_channel")
        try:
            page = int(request.query.get("page", 0))
            per_page = int(request.query.get("per_page", 60))
        except ValueError as e:
            raise ApiError(400, "api.context.invalid_url_param.app_error",
                           "Invalid or missing page/per_page parameter in request URL.") from e
        if page < 0 or per_page < 0:
            raise ApiError(400, "api.context.invalid_url_param.app_error", "Invalid paging.")
        per_page = min(per_page, 200)  # the server silently caps per_page at 200
        chunk = self.members[cid][page * per_page:(page + 1) * per_page]
        return json_response([{"channel_id": cid, "user_id": u, "roles": "channel_user",
                               "last_viewed_at": 0, "msg_count": 0, "mention_count": 0,
                               "notify_props": {"desktop": "default", "mark_unread": "all"},
                               "last_update_at": now_ms(), "scheme_user": True,
                               "scheme_admin": False} for u in chunk])
