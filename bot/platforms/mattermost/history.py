"""Finding a firing's posts in a channel listing (`GET /channels/{id}/posts?since=`), for a
replica taking over a dead one's work: the bot's own posts carry the firing's marker and
their number in the post's props."""

from __future__ import annotations

from typing import Any, Literal

from bot.messages import MessageRef

FIRING_MARKER = "ritualbot_firing"  # the firing a post belongs to, for a replica taking over a dead one's work
FIRING_NUMBER = "ritualbot_message"  # which of the firing's messages it is (`Message.number`)


def _posts(listing: dict[str, Any]) -> list[dict[str, Any]]:
    return list((listing.get("posts") or {}).values())


def _when(post: dict[str, Any]) -> tuple[int, str]:
    return int(post.get("create_at") or 0), str(post.get("id"))


def first_marked(listing: dict[str, Any], where: str, bot_user_id: str, marker: str) -> MessageRef | Literal[False]:
    """The bot's first top-level post of the firing `marker` in the listing (a reply if it has
    only replies there); False when the listing has none."""
    ours = [post for post in _posts(listing)
            if post.get("user_id") == bot_user_id and (post.get("props") or {}).get(FIRING_MARKER) == marker]
    if not ours:
        return False
    top = [post for post in ours if not post.get("root_id")] or ours
    first = min(top, key=_when)
    return MessageRef(channel=where, id=str(first["id"]), thread_id=str(first.get("root_id") or "") or None)


def firing_posts(listing: dict[str, Any], where: str, bot_user_id: str, marker: str,
                 root: str) -> dict[int, MessageRef]:
    """The firing's posts at the top of the channel (`root` "") or in the thread `root`, by
    number; a post split in parts counts as its last part, the one `post_in` returns; a post
    of an older version, without a number, counts as number 0."""
    last: dict[int, dict[str, Any]] = {}
    for post in _posts(listing):
        props = post.get("props") or {}
        if (post.get("user_id") != bot_user_id or props.get(FIRING_MARKER) != marker
                or (post.get("root_id") or "") != root or post.get("delete_at")):
            continue
        number = props.get(FIRING_NUMBER)
        number = number if isinstance(number, int) else 0
        seen = last.get(number)
        if seen is None or _when(post) > _when(seen):
            last[number] = post
    return {n: MessageRef(channel=where, id=str(p["id"]), thread_id=root or None) for n, p in last.items()}
