"""The adapter kit (bot/platforms/kit): error texts once and translated, the private ways back
to a person, the user cache, the answer window; and the port (bot/ports.py) the adapters use."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.i18n import missing_translations
from bot.messages import Message, text
from bot.platforms.kit import texts as kit_texts
from bot.platforms.kit.private_reply import dm_reply, private_reply, traceless_reply
from bot.platforms.kit.users import UserCache, locale_or_none
from bot.platforms.kit.window import Background, in_window
from bot.store import Store
from tests.test_mattermost_support import ANNA, COR, TOML, running_bot

COR_ADMIN = TOML.replace(f'admins = ["{ANNA}"]', f'admins = ["{ANNA}", "{COR}"]')


# the texts ------------------------------------------------------------------------------------------


def test_every_kit_text_is_in_dutch_and_english() -> None:
    assert missing_translations(kit_texts.TEXTS) == []
    assert kit_texts.say("request.bad_token", "nl", command="ritual").startswith("Dit /ritual-commando")


async def test_mattermost_refusals_speak_the_installs_language(store: Store) -> None:
    """A wrong command token and malformed ids were answered in English only."""
    async with running_bot(store) as r:  # language = "nl"
        refused = await r.command(ANNA, "status", token="wrong-token")
        assert refused.status == 401
        assert refused.json["error"] == kit_texts.say("request.bad_token", "nl", command="ritual")
        malformed = await r.command("not-an-id", "status", channel="nor-this")
        assert malformed.status == 400 and malformed.json["error"].startswith("user_id en channel_id moeten")
    async with running_bot(store, toml=TOML.replace('language = "nl"', 'language = "en"')) as r:
        refused = await r.command(ANNA, "status", token="wrong-token")
        assert refused.status == 401 and "is not known to ritualbot" in refused.json["error"]


async def test_a_failure_on_mattermost_is_told_in_the_language_the_person_chose(store: Store) -> None:
    """Cor's Mattermost is in English, but he chose Dutch in his team: the apology is Dutch
    (it used to follow the locale only, with its own English-only text)."""
    async with running_bot(store, toml=COR_ADMIN) as r:
        await r.store.set_language("noord", COR, "nl")
        r.mm.fail_next("GET", "/api/v4/users/username/fleur", 403, times=5)  # the core's look-up fails
        response = await r.command(COR, "members add fleur")
        assert response.status == 200
        assert response.json["text"] == kit_texts.say("error.generic", "nl")
        r.mm.fail_next("GET", "/api/v4/users/username/fleur", 403, times=5)  # the adapter's look-up of @fleur
        mentioned = await r.command(COR, "members add @fleur")  # was an HTTP 500, and no word to Cor
        assert mentioned.status == 200 and mentioned.json["text"] == kit_texts.say("error.generic", "nl")


# the private ways back --------------------------------------------------------------------------------


@dataclass
class Ways:
    """A platform for the kit: what it showed whom, and which ways it refuses."""

    name: str = "test"
    ephemeral_ok: bool = True
    dm_ok: bool = True
    shown: list[tuple[str, str, str]] = field(default_factory=list)

    def pieces(self, message: Message) -> list[str]:
        return message.plain_text().split("|")

    async def ephemeral_piece(self, channel: str, user_id: str, piece: str) -> bool:
        if self.ephemeral_ok:
            self.shown.append(("ephemeral", user_id, piece))
        return self.ephemeral_ok

    async def dm_piece(self, user_id: str, piece: str) -> None:
        if not self.dm_ok:
            raise ConnectionError("no DM today")
        self.shown.append(("dm", user_id, piece))


async def test_a_private_reply_goes_the_first_way_that_works_piece_by_piece() -> None:
    ways = Ways()
    taken: list[str] = []

    async def first(piece: str) -> bool:  # the interaction's own answer takes one piece only
        if taken:
            return False
        taken.append(piece)
        return True

    await private_reply(ways, "C1", "anna", first=first)(text("one|two"))
    assert taken == ["one"] and ways.shown == [("ephemeral", "anna", "two")]
    ways.ephemeral_ok = False
    await private_reply(ways, "C1", "anna")(text("three"))
    await dm_reply(ways, "anna")(text("four"))
    assert ways.shown[1:] == [("dm", "anna", "three"), ("dm", "anna", "four")]


async def test_a_private_reply_never_raises() -> None:
    ways = Ways(ephemeral_ok=False, dm_ok=False)

    async def broken(piece: str) -> bool:
        raise LookupError("response_url expired")

    await private_reply(ways, "C1", "anna", first=broken)(text("thank you"))
    assert ways.shown == []


async def test_a_traceless_reply_never_falls_back_to_a_dm() -> None:
    ways = Ways(ephemeral_ok=False)
    reply = traceless_reply(ways, "C1", "anna")
    assert reply is not None
    await reply(text("your anonymous answer is in"))
    assert ways.shown == []
    assert traceless_reply(ways, None, "anna") is None  # no channel: no traceless way at all
    ways.ephemeral_ok = True
    await reply(text("shown"))
    assert ways.shown == [("ephemeral", "anna", "shown")]


# the user cache and the locale -------------------------------------------------------------------------


async def test_user_records_are_kept_for_their_ttl_and_bounded() -> None:
    now = [0.0]
    cache = UserCache(60, limit=2, now=lambda: now[0])
    reads: list[str] = []

    async def load(user: str) -> dict[str, str]:
        reads.append(user)
        return {"id": user}

    for user in ("a", "a", "b"):
        await cache.fetch(user, lambda u=user: load(u))  # type: ignore[misc]
    assert reads == ["a", "b"]
    now[0] = 61
    assert cache.get("a") is None and cache.get("a", stale_ok=True) == {"id": "a"}
    cache.put("c", {"id": "c"})
    assert cache.get("a", stale_ok=True) is None  # the oldest went when a third came


async def test_a_locale_that_cannot_be_read_is_none() -> None:
    async def failing(user: str) -> str | None:
        raise TimeoutError("users.info")

    async def dutch(user: str) -> str | None:
        return "nl_NL"

    assert await locale_or_none(failing, "anna", platform="test") is None
    assert await locale_or_none(dutch, "anna", platform="test") == "nl_NL"


# the window ---------------------------------------------------------------------------------------------


async def test_work_that_outlasts_the_window_finishes_in_the_background() -> None:
    background = Background("test")
    release = asyncio.Event()
    late: list[str] = []

    async def slow() -> str:
        await release.wait()
        return "refused"

    async def quick() -> str:
        return "ok"

    async def told(task: asyncio.Task[str]) -> None:
        late.append(task.result())

    done = await in_window(background, 5.0, quick(), told)
    assert done is not None and done.result() == "ok"
    assert await in_window(background, 0.0, slow(), told) is None
    release.set()
    await background.drain(5.0)
    assert late == ["refused"] and not background.tasks
