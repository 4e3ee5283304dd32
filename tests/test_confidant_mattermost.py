"""The confidant line against the Mattermost fake (issue 15): an anonymous signal over real
HTTP to a confidant outside the team, who answers in a dialog; the sender reads it by DM;
the confidant's DM carries no name or id of the sender."""

from __future__ import annotations

import pytest

from bot.store import Store
from tests.test_mattermost_support import BRAM, TOML, running_bot, wait_until

VERA = "vera0000000000000000000000"
CONFIDANT_TOML = TOML.replace('[teams.rituals.weekly_success_mistake]\nschedule = "fri 14:00"',
                              f'confidant = "{VERA}"\n[teams.rituals.confidant_line]')


async def test_anonymous_signal_and_answer_over_mattermost(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RITUALBOT_SECRET", "a test secret that is not in the database")
    async with running_bot(store, toml=CONFIDANT_TOML) as r:
        r.mm.add_user(VERA, "vera", locale="nl")
        assert (await r.command(BRAM, "signal")).status == 200
        await wait_until(lambda: r.mm.dialogs)
        [opened] = r.mm.dialogs
        assert r.mm.dialog_warnings == []
        accepted = await r.submit(BRAM, opened, {"worry": "Er wordt geroddeld over een collega.", "answer": "yes",
                                                 "share_as": "anonymous"})
        assert accepted.status == 200 and not (accepted.json or {}).get("errors")
        await wait_until(lambda: r.bot_posts(r.dm(VERA)))
        [to_vera] = r.bot_posts(r.dm(VERA))
        assert "geroddeld" in to_vera["message"] and BRAM not in str(to_vera) and "bram" not in to_vera["message"]
        assert (await r.click(VERA, to_vera, "Beantwoorden")).status == 200  # off the roster, the team's confidant
        await wait_until(lambda: len(r.mm.dialogs) == 2)
        answered = await r.submit(VERA, r.mm.dialogs[-1], {"message": "Dank je, ik spreek de teamleider."},
                                  channel=r.dm(VERA))
        assert answered.status == 200 and not (answered.json or {}).get("errors")
        await wait_until(lambda: any("teamleider" in p["message"] for p in r.bot_posts(r.dm(BRAM))))
