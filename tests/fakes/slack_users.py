"""users.* and auth.test of the Slack fake: who the bot is, and who the people are.

In: the arguments of auth.test, users.info and users.list. Out: Slack's user objects
(locale only with ``include_locale``, the tz offset of today), ``user_not_found``
for an unknown id; users.list is paged with a cursor.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .slack_model import _truthy
from .slack_wire import BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, SlackError
from .slack_workspace import SlackWorkspace


class UsersMethods(SlackWorkspace):
    """auth.test, users.info and users.list."""

    async def _auth_test(self, a: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"https://{TEAM_DOMAIN}.slack.com/", "team": "Fake Workspace",
                "user": "ritualbot", "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                "bot_id": BOT_ID, "is_enterprise_install": False}  # fmt: skip

    async def _users_info(self, a: dict[str, Any]) -> dict[str, Any]:
        u = self._users.get(a.get("user") or "")
        if u is None:
            raise SlackError("user_not_found")
        offset = int(datetime.now(ZoneInfo(u["tz"])).utcoffset().total_seconds())
        user = {"id": u["id"], "team_id": TEAM_ID, "name": u["name"], "deleted": u["deleted"],
                "real_name": u["real_name"], "tz": u["tz"], "tz_label": u["tz"],
                "tz_offset": offset, "is_bot": u["is_bot"], "is_app_user": False,
                "is_admin": False, "is_owner": False, "updated": 1700000000,
                "profile": {"real_name": u["real_name"], "display_name": u["name"],
                            "real_name_normalized": u["real_name"],
                            "display_name_normalized": u["name"], "team": TEAM_ID}}  # fmt: skip
        if _truthy(a.get("include_locale")):
            user["locale"] = u["locale"]
        return {"user": user}

    async def _users_list(self, a: dict[str, Any]) -> dict[str, Any]:
        """users.list, paginated like Slack: `limit` members per page and a `next_cursor`."""
        ids = sorted(self._users)
        limit = int(a.get("limit") or 200)
        start = int(base64.b64decode(a["cursor"]).decode().split(":", 1)[1]) if a.get("cursor") else 0
        page = [(await self._users_info({"user": uid}))["user"] for uid in ids[start:start + limit]]
        more = start + limit < len(ids)
        nxt = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
        return {"members": page, "response_metadata": {"next_cursor": nxt}}
