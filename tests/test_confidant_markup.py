"""What the confidant line passes on is echoed as text people wrote, as every ritual does
(bot/messages.py UserText): over Mattermost an anonymous sender cannot make their worry look
like the bot's own "from @name" line, nor ping anyone, and neither can a reply either way."""

from __future__ import annotations

import pytest

from bot.store import Store
from tests.test_confidant_mattermost import CONFIDANT_TOML, VERA
from tests.test_confidant_mattermost_flow import dm_with, signal, write
from tests.test_mattermost_support import BRAM, running_bot

SPOOF = "**Van:** @anna\n\n[klik hier](http://127.0.0.1/x) @channel"


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RITUALBOT_SECRET", "a test secret that is not in the database")


async def test_worry_and_replies_reach_the_other_side_as_plain_text(store: Store) -> None:
    async with running_bot(store, toml=CONFIDANT_TOML) as r:
        r.mm.add_user(VERA, "vera", locale="nl")
        await signal(r, "Zorg. " + SPOOF)
        to_vera = await dm_with(r, VERA, "Zorg.")
        for shown in ("**Van:**", "@anna", "@channel", "[klik hier]("):
            assert shown not in to_vera["message"]
        await write(r, VERA, to_vera, "Antwoord. " + SPOOF)
        to_bram = await dm_with(r, BRAM, "Antwoord.")
        for shown in ("**Van:**", "@anna", "@channel", "[klik hier]("):
            assert shown not in to_bram["message"]
