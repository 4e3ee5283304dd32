"""Block Kit and view rules as the Slack Web API enforces them, and views as it returns them.

In: the ``blocks`` or ``view`` argument of chat.* and views.* calls (already parsed from
JSON). Out: the same value when valid, or a ``SlackError`` like Slack's
(``invalid_blocks`` / ``invalid_arguments`` with a json-pointer message). ``view_object``
builds a view in both directions: views.* answers and view_submission payloads.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from .slack_wire import APP_ID, BOT_ID, TEAM_ID, SlackError, _bad


def validate_blocks(blocks: Any, limit: int = 50, pointer: str = "/blocks") -> list[dict]:
    """The Block Kit limits Slack enforces that a ritual bot can plausibly hit."""
    if not isinstance(blocks, list):
        raise SlackError("invalid_blocks_format")
    if len(blocks) > limit:
        raise _bad("invalid_blocks", f"no more than {limit} items allowed", pointer)
    seen: set[str] = set()
    for i, b in enumerate(blocks):
        where = f"{pointer}/{i}"
        if not isinstance(b, dict) or not isinstance(b.get("type"), str):
            raise _bad("invalid_blocks", "missing required field: type", where)
        bid = b.get("block_id")
        if bid is not None:
            if bid in seen or len(str(bid)) > 255:
                raise _bad("invalid_blocks", "invalid or duplicate block_id", f"{where}/block_id")
            seen.add(bid)
        text = b.get("text")
        if b["type"] == "section":
            if text is None and not b.get("fields"):
                raise _bad("invalid_blocks", "must provide text or fields", where)
            if isinstance(text, dict) and len(text.get("text", "")) > 3000:
                raise _bad("invalid_blocks", "must be less than 3001 characters", f"{where}/text")
            if len(b.get("fields") or []) > 10:
                raise _bad("invalid_blocks", "no more than 10 items allowed", f"{where}/fields")
        if b["type"] == "header" and len((text or {}).get("text", "")) > 150:
            raise _bad("invalid_blocks", "must be less than 151 characters", f"{where}/text")
    return blocks


def validate_view(view: Any, kinds: tuple[str, ...]) -> dict[str, Any]:
    """views.open/update/publish checks; failures are ``invalid_arguments`` with messages."""
    bad = "invalid_arguments"
    if not isinstance(view, dict):
        raise _bad(bad, "missing required field: view", "/view")
    if view.get("type") not in kinds:
        raise _bad(bad, f"must be one of {list(kinds)}", "/view/type")
    blocks = view.get("blocks")
    if blocks is None:
        raise _bad(bad, "missing required field: blocks", "/view")
    try:
        validate_blocks(blocks, limit=100, pointer="/view/blocks")
    except SlackError as e:
        raise SlackError(bad, e.messages) from None
    if view["type"] == "modal":
        title = view.get("title")
        if not isinstance(title, dict) or title.get("type") != "plain_text":
            raise _bad(bad, "missing required field: title", "/view")
        if len(title.get("text", "")) > 24:
            raise _bad(bad, "must be less than 25 characters", "/view/title/text")
        if any(b["type"] == "input" for b in blocks) and "submit" not in view:
            raise _bad(bad, "missing required field: submit", "/view")
    if len(view.get("private_metadata", "")) > 3000:
        raise _bad(bad, "must be less than 3001 characters", "/view/private_metadata")
    return view


def view_object(view: dict[str, Any], view_id: str, team_id: str = TEAM_ID) -> dict[str, Any]:
    """A view as Slack returns it (views.* answers) and sends it (view_submission)."""
    return {
        "id": view_id,
        "team_id": team_id,
        "type": view.get("type", "modal"),
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": view.get("state", {"values": {}}),
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": view.get("title"),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": view.get("external_id", ""),
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }
