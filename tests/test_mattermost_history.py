"""A replica taking over on Mattermost reads a channel listing for the firing's posts."""

from __future__ import annotations

from typing import Any

from bot.messages import MessageRef
from bot.platforms.mattermost.history import FIRING_MARKER, FIRING_NUMBER, firing_posts, first_marked

BOT, ANNA, CH = "b" * 26, "a" * 26, "c" * 26


def post(pid: str, at: int, *, user: str = BOT, marker: str | None = "f1", number: int | None = None,
         root: str = "", deleted: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if marker:
        props[FIRING_MARKER] = marker
    if number is not None:
        props[FIRING_NUMBER] = number
    return {"id": pid, "create_at": at, "user_id": user, "root_id": root, "props": props,
            "delete_at": 5 if deleted else 0}


def listing(*posts: dict[str, Any]) -> dict[str, Any]:
    return {"posts": {p["id"]: p for p in posts}, "order": [p["id"] for p in posts]}


def test_a_firings_posts_are_found_by_number_at_the_top_and_in_a_thread() -> None:
    found = listing(
        post("head", 1, number=1),
        post("part1", 2, number=2, root="head"), post("part2", 3, number=2, root="head"),  # one message in two parts
        post("step3", 4, number=3, root="head"),
        post("other", 5, marker="f2", number=4, root="head"),     # another firing
        post("forged", 6, user=ANNA, number=5, root="head"),      # a person's post with our props
        post("gone", 7, number=6, root="head", deleted=True),     # deleted
        post("old", 8, root="head"),                              # an older version's, without a number
    )
    assert firing_posts(found, CH, BOT, "f1", "") == {1: MessageRef(CH, "head")}
    assert firing_posts(found, CH, BOT, "f1", "head") == {
        2: MessageRef(CH, "part2", "head"), 3: MessageRef(CH, "step3", "head"), 0: MessageRef(CH, "old", "head")}


def test_the_first_marked_post_is_the_earliest_top_level_one() -> None:
    found = listing(post("reply", 1, root="top2"), post("top2", 3), post("top1", 2), post("mine?", 0, user=ANNA))
    assert first_marked(found, CH, BOT, "f1") == MessageRef(CH, "top1")
    assert first_marked(listing(post("reply", 1, root="x")), CH, BOT, "f1") == MessageRef(CH, "reply", "x")
    assert first_marked(found, CH, BOT, "nope") is False


async def test_the_platform_reads_a_firings_posts_back_from_the_server(store) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime, timedelta

    from bot.messages import Message
    from tests.test_mattermost_support import CHAN, running_bot

    def said(text: str, number: int, marker: str = "f1") -> Message:
        return Message(((text,),), marker=marker, number=number)

    async with running_bot(store) as r:
        platform = r.connector.platform
        since = datetime.now(UTC) - timedelta(minutes=1)
        head = await platform.post(CHAN, said("groep 1 van 2", 1))
        first = await platform.post(CHAN, said("Stap 1", 2), thread=head)
        await platform.post(CHAN, said("another firing's", 2, marker="f2"), thread=head)
        second = await platform.post(CHAN, said("Stap 2", 3), thread=head)
        assert await platform.find_firing("f1", since, channel=CHAN) == {1: head}
        assert await platform.find_firing("f1", since, channel=CHAN, thread=head) == {
            2: MessageRef(CHAN, first.id, head.id), 3: MessageRef(CHAN, second.id, head.id)}
        assert await platform.find_marked("f1", since, channel=CHAN) == head
        assert await platform.find_firing("f1", since, channel="nochannel0000000000000000x") is None


async def test_a_busy_channel_past_the_servers_since_cap_is_read_back_page_by_page(store) -> None:  # type: ignore[no-untyped-def]
    """`since` returns at most 1000 posts, the newest (Mattermost API v4): in a channel where
    more were written after the firing began, its own post was not in the listing, and a
    replica taking over would have posted it again."""
    from datetime import UTC, datetime, timedelta

    from bot.messages import Message
    from tests.test_mattermost_support import BRAM, CHAN, running_bot

    async with running_bot(store) as r:
        platform = r.connector.platform
        since = datetime.now(UTC) - timedelta(minutes=1)
        head = await platform.post(CHAN, Message((("groep 1 van 2",),), marker="f1", number=1))
        created = r.mm.all_posts[head.id]["create_at"]
        for n in range(1, 1101):  # people keep talking: 1100 posts after ours
            chatter = r.mm._store_post({"channel_id": CHAN, "message": f"bericht {n}"}, BRAM)
            chatter["create_at"] = chatter["update_at"] = created + n
        assert await platform.find_firing("f1", since, channel=CHAN) == {1: head}
        assert await platform.find_marked("f1", since, channel=CHAN) == head
        pages = [c for c in r.mm.calls_to("GET", f"/api/v4/channels/{CHAN}/posts") if "page" in c.query]
        assert pages  # read back page by page, not once more with `since`
