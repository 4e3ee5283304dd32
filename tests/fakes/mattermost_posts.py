"""Posts in the Mattermost fake: creating, reading, editing and deleting them.

In: ``POST /posts``, ``POST /posts/ephemeral``, ``GET /posts/{id}`` and its thread,
``PUT /posts/{id}`` (and ``/patch``), ``DELETE /posts/{id}``. Out: the post as the
server returns it, stored as people see it (``posts``, ``thread``) and pushed on the
websocket (``posted``, ``post_edited``, ``post_deleted``, ``ephemeral_message``).
Refusals are the server's: a deactivated DM partner, an archived channel, a bad root
id, too long a message.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .mattermost_kit import USER, ApiError, bad_body, forbidden, json_response, new_id, now_ms
from .mattermost_model import MattermostModel

if TYPE_CHECKING:
    from .mattermost_ws import WebsocketHub


class PostsHandlers(MattermostModel):
    """The post endpoints, and the post store the websocket and integrations use too."""

    all_posts: dict[str, dict[str, Any]]
    ephemeral_posts: list[dict[str, Any]]
    files: dict[str, dict[str, Any]]
    clock_ms: Callable[[], int]  # where posts' create_at comes from
    hub: WebsocketHub
    _emit_posted: Callable[[dict[str, Any]], Awaitable[None]]

    # -- inspection --------------------------------------------------------------
    def posts(self, channel_id: str) -> list[dict[str, Any]]:
        """Current (edited, undeleted) posts in a channel, oldest first: what people saw."""
        return [p for p in self.all_posts.values()
                if p["channel_id"] == channel_id and not p["delete_at"]]

    def thread(self, root_id: str) -> list[dict[str, Any]]:
        return [p for p in self.all_posts.values()
                if (p["id"] == root_id or p["root_id"] == root_id) and not p["delete_at"]]

    # -- the post store ------------------------------------------------------------
    def _post_or_404(self, post_id: str) -> dict[str, Any]:
        post = self.all_posts.get(post_id)
        if post is None or post["delete_at"]:
            raise ApiError(404, "app.post.get.app_error", "Unable to get the post.")
        return post

    def _store_post(self, data: dict[str, Any], user_id: str) -> dict[str, Any]:
        root_id = data.get("root_id") or ""
        if root_id:
            root = self.all_posts.get(root_id)
            if root is None or root["channel_id"] != data["channel_id"] or root["root_id"]:
                raise ApiError(400, "api.post.create_post.root_id.app_error",
                               "Invalid RootId parameter.")
        props = data.get("props") or {}
        if not isinstance(props, dict) or not isinstance(props.get("attachments", []), list):
            raise ApiError(400, "model.post.is_valid.props.app_error", "Invalid props.")
        if len(data.get("message") or "") > 16383:
            raise ApiError(400, "model.post.is_valid.msg.app_error", "Invalid Message.")
        for att in props.get("attachments", []):
            for action in (att or {}).get("actions") or []:
                action.setdefault("id", new_id()[:20])  # the server generates action ids
        file_ids = [f for f in data.get("file_ids") or [] if f in self.files  # others dropped
                    and self.files[f]["channel_id"] == data["channel_id"]
                    and not self.files[f]["post_id"]]
        ts = self.clock_ms()
        post = {"id": new_id(), "create_at": ts, "update_at": ts, "edit_at": 0, "delete_at": 0,
                "is_pinned": False, "user_id": user_id, "channel_id": data["channel_id"],
                "root_id": root_id, "original_id": "", "message": data.get("message") or "",
                "type": data.get("type") or "", "props": props, "hashtags": "",
                "file_ids": file_ids, "pending_post_id": data.get("pending_post_id") or "",
                "reply_count": 0, "last_reply_at": 0, "participants": None, "metadata": {}}
        for f in file_ids:
            self.files[f]["post_id"] = post["id"]
        self.all_posts[post["id"]] = post
        if root_id:
            self.all_posts[root_id]["reply_count"] += 1
            self.all_posts[root_id]["last_reply_at"] = ts
        chan = self.channels[post["channel_id"]]
        chan["last_post_at"], chan["total_msg_count"] = ts, chan["total_msg_count"] + 1
        return post

    async def _edited(self, post: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
        if "message" in changes and changes["message"] != post["message"]:
            post["edit_at"] = now_ms()
        for key in ("message", "props", "file_ids", "is_pinned"):
            if key in changes:
                post[key] = changes[key]
        post["update_at"] = now_ms()
        await self.hub.broadcast("post_edited", {"post": json.dumps(post)},
                                 channel_id=post["channel_id"])
        return post

    # -- handlers: posts -----------------------------------------------------------
    async def _create_post(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "post")
        if not isinstance(data.get("channel_id"), str) or not data["channel_id"]:
            raise bad_body("channel_id")
        channel = self._require_member(data["channel_id"], request[USER], "create_post")
        if channel.get("type") == "D":
            others = [u for u in str(channel.get("name", "")).split("__") if u != request[USER]]
            if any(self.users.get(u, {}).get("delete_at") for u in others):
                raise ApiError(403, "api.post.create_post.can_not_post_to_deactivated_user.error",
                               "Can not post to a deactivated user.")
        if channel["delete_at"]:
            raise ApiError(400, "api.post.create_post.can_not_post_to_deleted.error",
                           "Can not post to deleted channel.")
        post = self._store_post(data, request[USER])
        await self._emit_posted(post)
        return json_response(post, 201)

    async def _create_ephemeral(self, request: web.Request) -> web.Response:
        uid = request[USER]
        if not self._is_admin(uid):  # create_post_ephemeral: system admins only by default
            raise forbidden("create_post_ephemeral")
        data = self._body(request, dict, "ephemeral_post")
        post = data.get("post")
        if not data.get("user_id") or not isinstance(post, dict) or not post.get("channel_id"):
            raise bad_body("ephemeral_post")
        ts = now_ms()
        eph = {"id": new_id(), "create_at": ts, "update_at": ts, "edit_at": 0, "delete_at": 0,
               "user_id": uid, "channel_id": post["channel_id"], "root_id": post.get("root_id", ""),
               "message": post.get("message", ""), "type": "system_ephemeral",
               "props": post.get("props") or {}, "to_user_id": data["user_id"]}
        self.ephemeral_posts.append(eph)
        await self.hub.broadcast("ephemeral_message", {"post": json.dumps(eph)},
                                 user_id=data["user_id"])
        return json_response(eph, 201)

    async def _get_post(self, request: web.Request) -> web.Response:
        post = self._post_or_404(request.match_info["post_id"])
        self._require_member(post["channel_id"], request[USER], "read_channel")
        return json_response(post)

    async def _get_thread(self, request: web.Request) -> web.Response:
        post = self._post_or_404(request.match_info["post_id"])
        self._require_member(post["channel_id"], request[USER], "read_channel")
        posts = self.thread(post["root_id"] or post["id"])
        return json_response({"order": [p["id"] for p in posts],
                              "posts": {p["id"]: p for p in posts},
                              "next_post_id": "", "prev_post_id": "", "has_next": False})

    def _editable(self, request: web.Request) -> dict[str, Any]:
        post = self._post_or_404(request.match_info["post_id"])
        if post["user_id"] != request[USER] and not self._is_admin(request[USER]):
            raise forbidden("edit_others_posts")
        return post

    async def _update_post(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "post")
        if data.get("id") != request.match_info["post_id"]:
            raise bad_body("id")
        post = self._editable(request)
        changes = {"message": data.get("message", ""), "props": data.get("props") or {},
                   "file_ids": data.get("file_ids") or post["file_ids"],
                   "is_pinned": bool(data.get("is_pinned"))}
        return json_response(await self._edited(post, changes))

    async def _patch_post(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "patch")
        post = self._editable(request)
        return json_response(await self._edited(post, data))

    async def _delete_post(self, request: web.Request) -> web.Response:
        post = self._editable(request)
        post["delete_at"] = now_ms()
        await self.hub.broadcast("post_deleted", {"post": json.dumps(post)},
                                 channel_id=post["channel_id"])
        return json_response({"status": "OK"})
