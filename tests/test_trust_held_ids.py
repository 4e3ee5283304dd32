"""A held DM's id tells nobody who it was for (found by an attacker test).

A DM held for someone's working time (`bot/outbox.py`) is claimed once under an id made
from the step's firing, the person and a count, so a replica taking the step over holds
it once. That id was a plain SHA-256: everything else in it (team, ritual, step,
occurrence) is in the database, so after `/ritual forget` hashing each member's id
showed, in a small team, who got the held DM (the week's sharer). Now it is keyed with
the bot's secret (`RITUALBOT_SECRET`), which the database does not hold.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from sqlmodel import Session, select

from bot.store.models import FiringRow
from tests.conftest import AMS, TEAM_TOML
from tests.test_trust_data_rights import dump

MEMBERS = ("anna", "bram")


def _guesses(marker: str) -> dict[str, str]:
    """What someone with a copy of the database computes: each member's id with the marker."""
    return {hashlib.sha256(f"{marker}|{who}|{n}".encode()).hexdigest()[:12]: who
            for who in MEMBERS for n in range(1, 4)}


async def test_after_forget_no_stored_value_matches_a_member_by_hashing_their_id(
        make_harness, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RITUALBOT_SECRET", "a-secret-the-database-never-sees-0123456789")
    toml = TEAM_TOML.replace('members = ["anna", "bram", "cor", "dewi", "eva"]', 'members = ["anna", "bram"]')
    toml = toml.replace('"fri 14:00"', '"fri 09:00"')  # the sharer's DM: Thursday 09:00 Amsterdam
    zones = {who: "America/Curacao" for who in MEMBERS}  # 04:00 there: the DM is held
    h = await make_harness(toml, start=datetime(2026, 12, 2, 9, 0, tzinfo=AMS), timezones=zones)
    await h.advance_to(datetime(2026, 12, 3, 13, 1, tzinfo=AMS))  # 08:00 in Curaçao: sent
    (dm,) = h.local.entries("dm")
    for who in MEMBERS:
        out = await h.local.command(who, "forget", channel="C1")
        await h.local.click(who, out[-1], "forget_confirm")

    with Session(h.store.engine) as s:
        markers = {"/".join((f.team_id, f.ritual_id, f.step, f.occurrence)) for f in s.exec(select(FiringRow)).all()}
    guesses = {g: who for marker in markers for g, who in _guesses(marker).items()}
    values = {value for rows in dump(h.store).values() for row in rows for value in row.values()}
    found = {guesses[g] for g in guesses if any(g in value for value in values)}
    assert found == set(), f"a held DM's id names {found}"
    assert [f for f in markers if "/core/outbox/" in f]  # the held DM's claim is still there: sent once
