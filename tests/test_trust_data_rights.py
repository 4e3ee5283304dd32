"""Data rights tested by construction (issue 11): a marker user goes through every flow;
then `/ritual mydata` holds every database row that names them, and after `/ritual forget`
a full dump of the database does not contain the marker anywhere."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import inspect, text

from bot.store import Store
from tests.conftest import AMS

MARK = "qxmarker"
TOML = f"""
language = "nl"
[[teams]]
id = "noord"
platform = "local"
channel = "C1"
admins = ["{MARK}", "anna"]
leaders = ["{MARK}", "anna"]
members = "channel"
[teams.rituals.weekly_success_mistake]
[teams.rituals.moral_deliberation]
[teams.rituals.leader_checklist]
[teams.rituals.walk_and_listen]

[[teams]]
id = "zuid"
platform = "local"
channel = "C2"
admins = ["anna"]
members = ["anna", "bram"]
[teams.rituals.weekly_success_mistake]
"""
CHANNELS = {"C1": ["anna", "bram", "cor", "dewi", MARK], "C2": ["anna", "bram", MARK]}
START = datetime(2026, 11, 23, 8, 0, tzinfo=AMS)  # Monday; moral deliberation on Tuesday 1 December


def dump(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as dicts of text."""
    out = {}
    with store.engine.connect() as conn:
        for table in inspect(store.engine).get_table_names():
            out[table] = [{k: str(v) for k, v in r._mapping.items()} for r in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return out


def rows_naming(store: Store, marks: tuple[str, ...]) -> list[str]:
    """Every row of every table, every column as text, that holds one of `marks`, as `table: row`."""
    return [f"{table}: {row}" for table, rows in dump(store).items() for row in rows
            if any(mark in value for value in row.values() for mark in marks)]


def naming(store: Store, who: str) -> dict[str, list[dict[str, Any]]]:
    return {t: [r for r in rows if any(who in v for v in r.values())] for t, rows in dump(store).items()
            if any(who in v for r in rows for v in r.values())}


def primary_key(store: Store, table: str, row: dict[str, Any]) -> tuple[str, ...]:
    columns = inspect(store.engine).get_pk_constraint(table)["constrained_columns"]
    return tuple(str(row[c]) for c in columns)


async def mydata(h, team_channel: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    out = await h.local.command(MARK, "mydata", channel=team_channel)
    body = out[-1].text
    return dict(json.loads(body[body.index("```") + 3:body.rindex("```")]))


async def every_flow(h) -> None:  # type: ignore[no-untyped-def]
    local, say = h.local, h.local.command
    out = await say(MARK, "optin", channel="C1")
    await local.click(MARK, out[-1], "optin")
    await say(MARK, "insights monthly on", channel="C1")
    await say(MARK, "holidays add 2026-12-24", channel="C1")
    await say(MARK, "timezone Europe/Amsterdam", channel="C1")
    await say(MARK, "pause weekly_success_mistake", channel="C1")
    await say(MARK, "resume weekly_success_mistake", channel="C1")
    await say(MARK, "schedule weekly_success_mistake fri 14:00", channel="C1")
    await say("anna", f"members add @{MARK}", channel="C2")  # another admin names them
    await say("anna", f"members remove @{MARK}", channel="C2")
    # walks: the marker leads (passes someone over) and is walked with
    await h.advance_to(START + timedelta(hours=1, minutes=1))
    proposal = local.last("dm", user=MARK)
    await local.click(MARK, proposal, "other")
    await local.click(MARK, proposal, "planned")
    await say(MARK, "walks with @bram", channel="C1")
    # moral deliberation: a named dilemma, a vote, volunteering
    await h.advance_to(datetime(2026, 11, 24, 14, 1, tzinfo=AMS))
    call = [e for e in local.entries("channel", "C1") if e.message and any(b.action.endswith(":bring") for b in e.message.buttons)][-1]
    await local.click(MARK, call, "bring")
    await local.submit(MARK, {"title": "Melden of niet?", "story": "Een verhaal", "share_as": "named"})
    dilemma = [e for e in local.entries("thread") if e.message and e.message.buttons][-1]
    await local.click(MARK, dilemma, "vote")
    await local.click(MARK, call, "facilitate")
    # the weekly ritual: named and anonymous
    await h.advance_to(datetime(2026, 11, 27, 14, 1, tzinfo=AMS))
    prompt = [e for e in local.entries("channel", "C1") if "weeksucces" in e.text.lower()][-1]
    for share_as in ("named", "anonymous"):
        await local.click(MARK, prompt, "share")
        await local.submit(MARK, {"success": "Goed", "mistake": "Mis", "lesson": "Les", "share_as": share_as})
    # groups, the session, a reflection; the monthly report
    await h.advance_to(datetime(2026, 12, 1, 17, 1, tzinfo=AMS))
    await h.bot.core.send_monthly_insights()
    reflect = [e for e in local.entries("channel", "C1") if e.message and any(b.action.endswith(":reflect") for b in e.message.buttons)][-1]
    await local.click(MARK, reflect, "reflect")
    await local.submit(MARK, {"how": "good", "note": "Fijn", "share_as": "named"})
    # the leader's checklist
    await h.advance_to(datetime(2026, 12, 2, 10, 1, tzinfo=AMS))
    await local.click(MARK, local.last("dm", user=MARK), "open")
    await local.submit(MARK, {"name_behaviour": "yes", "ask_experiences": "yes", "recognise_doubt": "partly",
                              "share_own": "not_yet", "listen": "yes", "stand_behind": "yes", "note": "Noot"})
    await say(MARK, "walks optout", channel="C1")
    # which bot replica answered a Mattermost DM (bot/platforms/mattermost/connector.py)
    await h.store.setting_or_create(f"mattermost:dm:{MARK}:p1", lambda: "replica-a")
    await h.advance_to(datetime(2026, 12, 7, 9, 1, tzinfo=AMS))  # another week of walks and rotations


async def test_mydata_holds_every_row_naming_a_person_and_forget_leaves_nothing(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TOML, start=START, channels=CHANNELS)
    await every_flow(h)
    named = naming(h.store, MARK)
    for table in ("member", "response", "rotation", "walk", "audit_log", "team_setting", "ritual_data", "firing",
                  "setting"):
        assert table in named, f"the flows left no {table} row naming the marker: the test would prove less"

    exports = {"noord": await mydata(h, "C1"), "zuid": await mydata(h, "C2")}
    shown = {(table, primary_key(h.store, table, {k: str(v) for k, v in row.items()}))
             for export in exports.values() for table, rows in export["stored"].items() for row in rows}
    for table, rows in named.items():
        for row in rows:
            assert (table, primary_key(h.store, table, row)) in shown, f"mydata misses {table} {row}"

    for channel in ("C1", "C2"):
        out = await h.local.command(MARK, "forget", channel=channel)
        await h.local.click(MARK, out[-1], "forget_confirm")
    assert naming(h.store, MARK) == {}
