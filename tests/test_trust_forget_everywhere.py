"""`/ritual forget` reaches every place a user id can sit (issue 11), runtime rosters included.

A marker user goes through every flow of `test_trust_data_rights.every_flow`, and an admin
also puts them on runtime rosters (`members add`, and a `leaders add` of someone else made
while config.toml lists the marker as a leader, so the marker sits in the change's base).
`mydata` shows those rows; after `forget` a scan of every column of every table finds the
marker nowhere, the only trace left being the erasure fact without the id; and the
rituals keep working, after a restart too, with the admin's changes still standing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.store.models import AuditRow, FiringRow
from tests.conftest import AMS
from tests.test_trust_data_rights import CHANNELS, MARK, START, TOML, dump, every_flow, mydata, naming


async def test_forget_takes_the_person_off_runtime_rosters_and_leaves_no_id_anywhere(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=START, channels=CHANNELS)
    await every_flow(h)
    await h.local.command("anna", f"members add @{MARK}", channel="C2")
    await h.local.command("anna", "leaders add @bram", channel="C1")  # config.toml lists the marker as leader
    assert MARK in h.bot.teams["zuid"].configured_members and "bram" in h.bot.teams["noord"].leaders

    shown = {"noord": await mydata(h, "C1"), "zuid": await mydata(h, "C2")}
    assert any(MARK in row["value"] for row in shown["zuid"]["stored"]["team_setting"]), "mydata misses the roster entry"
    assert any(MARK in row["base"] for row in shown["noord"]["stored"]["team_setting"]), "mydata misses the roster base"

    for channel in ("C1", "C2"):
        out = await h.local.command(MARK, "forget", channel=channel)
        await h.local.click(MARK, out[-1], "forget_confirm")

    leftovers = {table: rows for table, rows in dump(h.store).items()
                 if any(MARK in value for row in rows for value in row.values())}
    assert leftovers == {}, f"the marker is still in: {leftovers}"
    assert naming(h.store, MARK) == {}
    with Session(h.store.engine) as s:
        erasures = s.exec(select(AuditRow).where(AuditRow.action == "erasure")).all()
    assert len(erasures) == 2 and all(r.actor_id is None and MARK not in r.detail for r in erasures)

    # this replica dropped them at once; the admin's changes still stand, after a restart too
    assert MARK not in h.bot.teams["zuid"].configured_members and MARK not in h.bot.teams["noord"].leaders
    assert "bram" in h.bot.teams["noord"].leaders
    await h.bot.load()
    assert MARK not in h.bot.teams["zuid"].configured_members and MARK not in h.bot.teams["noord"].leaders
    assert set(h.bot.teams["noord"].leaders) == {"anna", "bram"}
    assert set(h.bot.teams["zuid"].configured_members or ()) == {"anna", "bram"}

    # and the rituals go on: a month of walks, deliberation and weekly rounds without a failure
    before = datetime(2026, 12, 7, 9, 1, tzinfo=AMS)
    await h.advance_to(before + timedelta(days=35))
    with Session(h.store.engine) as s:
        firings = s.exec(select(FiringRow).where(FiringRow.due_at > before)).all()
    assert firings and not [f for f in firings if f.status not in ("done", "holiday", "skipped")], \
        [(f.ritual_id, f.step, f.status, f.cause) for f in firings if f.status != "done"]
