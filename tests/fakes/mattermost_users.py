"""Users in the Mattermost fake: looking them up, and deactivating one as an admin.

In: ``GET /users/{id}`` (``me`` for the caller), ``GET /users/username/{name}``,
``POST /users/ids``, ``DELETE /users/{id}``. Out: the server's user objects, 404
``app.user.missing_account.const`` for an unknown id, 403 for a non-admin deactivating.
"""

from __future__ import annotations

from aiohttp import web

from .mattermost_kit import USER, ApiError, bad_body, forbidden, json_response
from .mattermost_model import MattermostModel


class UsersHandlers(MattermostModel):
    """The user endpoints."""

    async def _get_user(self, request: web.Request) -> web.Response:
        uid = request.match_info["user_id"]
        uid = request[USER] if uid == "me" else uid
        if uid not in self.users:
            raise ApiError(404, "app.user.missing_account.const", "Unable to find the user.")
        return json_response(self.users[uid])

    async def _deactivate_user(self, request: web.Request) -> web.Response:
        uid = request.match_info["user_id"]
        if not self._is_admin(request[USER]):
            raise forbidden("edit_other_users")
        if uid not in self.users:
            raise ApiError(404, "app.user.missing_account.const", "Unable to find the user.")
        self.deactivate_user(uid)
        return json_response({"status": "OK"})

    async def _get_users_by_ids(self, request: web.Request) -> web.Response:
        ids = self._body(request, list, "user_ids")
        if not ids or not all(isinstance(i, str) for i in ids):
            raise bad_body("user_ids")
        return json_response([self.users[i] for i in dict.fromkeys(ids) if i in self.users])

    async def _get_user_by_name(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        for user in self.users.values():
            if user["username"] == name:
                return json_response(user)
        raise ApiError(404, "app.user.get_by_username.app_error",
                       "Unable to find an existing account matching your username.")
