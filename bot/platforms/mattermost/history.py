"""Finding a firing's posts in a channel listing (`GET /channels/{id}/posts?since=`), for a
replica taking over a dead one's work: the bot's own posts carry the firing's marker and
their number in the post's props."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from bot.messages import MessageRef

FIRING_MARKER = "ritualbot_firing"  # the firing a post belongs to, for a replica taking over a dead one's work
FIRING_NUMBER = "ritualbot_message"  # which of the firing's messages it is (`Message.number`)


SINCE_LIMIT = 1000  # `since` returns at most this many posts (Mattermost API v4, GetPostsForChannel)
PAGE = 200  # the server's largest per_page
MAX_PAGES = 50  # paging back further than 10,000 posts: the caller cannot know (admins are asked)

Call = Callable[[Callable[[Any], Any]], Awaitable[Any]]
"""The adapter's `call`: runs a mattermostdriver call (given the driver) with its retries."""


async def read_since(call: Call, channel: str, since_ms: int) -> dict[str, Any]:
    """Every post of `channel` created or edited after `since_ms` (Unix ms), as one listing
    (`{"posts": {id: post}}`). One `since` read, unless the server's cap of SINCE_LIMIT posts
    may have left some out: then pages of PAGE posts, newest first, back to `since_ms`.
    Raises what the driver raises, and LookupError past MAX_PAGES pages."""
    listing: dict[str, Any] = await call(lambda d: d.posts.get_posts_for_channel(channel, params={"since": since_ms}))
    if len(_posts(listing)) < SINCE_LIMIT:
        return listing
    found: dict[str, Any] = dict(listing.get("posts") or {})
    for page in range(MAX_PAGES):
        chunk: dict[str, Any] = await call(_page(channel, page))
        posts = _posts(chunk)
        found.update({str(post["id"]): post for post in posts})
        if len(posts) < PAGE or min(int(post.get("create_at") or 0) for post in posts) <= since_ms:
            return {"posts": found}
    raise LookupError(f"more than {MAX_PAGES * PAGE} posts in the channel since the firing began")


def _page(channel: str, page: int) -> Callable[[Any], Any]:
    """The driver call reading page `page` (newest first) of `channel`."""
    return lambda d: d.posts.get_posts_for_channel(channel, params={"page": page, "per_page": PAGE})


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
