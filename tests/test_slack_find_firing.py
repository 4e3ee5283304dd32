"""A replica taking over a firing on Slack finds which of its messages went out: at the top of
the channel (conversations.history) and in a thread (conversations.replies), by number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.messages import Message, MessageRef
from bot.store.store import Store
from tests.test_slack_support import CH, running_bot

MARKER = "firing-test-1"


def said(text: str, number: int | None = None, marker: str | None = MARKER) -> Message:
    return Message(((text,),), marker=marker, number=number)


async def test_a_firings_thread_messages_are_found_by_number_and_others_are_not(store: Store) -> None:
    async with running_bot(store) as r:
        platform = r.connector.platform
        since = datetime.now(UTC) - timedelta(minutes=1)
        head = await platform.post(CH, said("groep 1 van 2", 1))
        first = await platform.post(CH, said("Stap 1", 2), thread=head)
        await platform.post(CH, said("another firing's reply", 2, marker="firing-other"), thread=head)
        await platform.post(CH, said("an unmarked reply", marker=None), thread=head)
        second = await platform.post(CH, said("Stap 2", 3), thread=head)

        in_thread = await platform.find_firing(MARKER, since, channel=CH, thread=head)
        assert in_thread == {2: MessageRef(CH, first.id, head.id), 3: MessageRef(CH, second.id, head.id)}
        at_top = await platform.find_firing(MARKER, since, channel=CH)
        assert at_top is not None and set(at_top) == {1} and at_top[1].id == head.id
        assert [c for c in r.slack.calls if c.method == "conversations.replies"]


async def test_a_thread_that_is_gone_means_the_bot_cannot_know(store: Store) -> None:
    async with running_bot(store) as r:
        since = datetime.now(UTC) - timedelta(minutes=1)
        gone = MessageRef(CH, "1700000000.000100")
        assert await r.connector.platform.find_firing(MARKER, since, channel=CH, thread=gone) is None
