"""Moreel beraad over a year, with real team shapes, on the fake clock: table sizes,
who sat where, who facilitated how often, and whether each dilemma's owner was at the
table that discussed it (issue 16)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime
from typing import Any

from bot.simulation import advance
from rituals.moral_deliberation.texts import TEXTS as METHOD_TEXTS
from tests.conftest import AMS

START = datetime(2026, 11, 23, 8, 0, tzinfo=AMS)
A_YEAR_LATER = datetime(2027, 11, 3, 8, 0, tzinfo=AMS)  # after the twelfth session (2 November 2027)
MD = "moral_deliberation"


def _team(team_id: str, members: list[str], leaders: list[str], extra: str = "") -> str:
    return f"""
[[teams]]
id = "{team_id}"
platform = "local"
channel = "C-{team_id}"
admins = ["adm-{team_id}"]
leaders = {leaders!r}
members = {members!r}
[teams.rituals.moral_deliberation]
{extra}
""".replace("'", '"')


async def _run_year(h: Any, on_step: Any = None) -> dict[str, list[dict[str, Any]]]:
    """Every session's plan per team, read right after the session step fired."""
    plans: dict[str, list[dict[str, Any]]] = {}

    async def fired(plan: Any, due: datetime, status: str) -> None:
        if on_step is not None:
            await on_step(plan, due)
        if plan.step.name == "session":
            key = f"{due.astimezone(AMS):%Y-%m-%dT%H:%M}"
            state = await h.store.get_state(plan.team.id, MD, f"plan:{key}")
            discussed = await h.store.get_state(plan.team.id, MD, f"discussed:{key}")
            plans.setdefault(plan.team.id, []).append({**state, "key": key, "discussed": discussed})

    await advance(h.bot, h.clock, A_YEAR_LATER, fired)
    return plans


def _sizes(plan: dict[str, Any]) -> list[int]:
    return sorted(len(g["members"]) for g in plan["groups"])


async def test_a_year_of_team_shapes_nobody_alone_and_admins_told(make_harness) -> None:  # type: ignore[no-untyped-def]
    sep = "separate_leaders_and_reports = true"
    toml = 'language = "nl"\n' + "".join([
        _team("klein", ["l1", "l2", "k1"], ["l1", "l2"], sep),                       # 3 people, 2 leaders
        _team("solo", ["s0"] + [f"s{i}" for i in range(1, 8)], ["s0"], sep),         # 1 leader, no peers
        _team("eenling", ["e0"] + [f"e{i}" for i in range(1, 6)], ["e0"], sep + '\nleader_peers = "leiding"'),
        _team("paar", ["p0", "p1"] + [f"p{i}" for i in range(2, 8)], ["p0", "p1"], sep + '\nleader_peers = "leiding"'),
        _team("leiding", ["x1", "x2"], []),                                          # the leaders' peers
        _team("groot", [f"g{i:02d}" for i in range(25)], ["g00", "g01", "g02"], sep),  # 25 people, 3 leaders
    ])
    h = await make_harness(toml, start=START)
    plans = await _run_year(h)
    assert {team: len(p) for team, p in plans.items()} == dict.fromkeys(
        ["klein", "solo", "eenling", "paar", "leiding", "groot"], 12)

    for team, year in plans.items():
        for plan in year:
            assert all(len(g["members"]) >= 2 for g in plan["groups"]), (team, plan)  # nobody ever sits alone

    # 3 people, 2 leaders: one table of three every month (merged), the admin told why, each time.
    assert {tuple(_sizes(p)) for p in plans["klein"]} == {(3,)}
    told = [e for e in h.local.entries("dm", user="adm-klein")]
    assert len(told) == 12 and all("aan één tafel" in e.text and "te weinig teamleden (1)" in e.text for e in told)

    # One leader, no peers configured: 7 at the table, the leader apart, and the admin hears it every month.
    assert {tuple(_sizes(p)) for p in plans["solo"]} == {(7,)} and all(p["apart"] == ["s0"] for p in plans["solo"])
    told = h.local.entries("dm", user="adm-solo")
    assert len(told) == 12 and all("leader_peers" in e.text for e in told)

    # With leader_peers: the lone leader and the pair sit with their peers at 'leiding', every month.
    assert {tuple(_sizes(p)) for p in plans["eenling"]} == {(5,)} and {tuple(_sizes(p)) for p in plans["paar"]} == {(6,)}
    for plan in plans["leiding"]:
        assert [sorted(g["members"]) for g in plan["groups"]] == [["e0", "p0", "p1", "x1", "x2"]]
    assert len(h.local.entries("dm", user="e0")) >= 12 and "team leiding" in h.local.entries("dm", user="e0")[0].text
    assert not h.local.entries("dm", user="adm-leiding")  # nothing to report there: a table of five

    # 25 people, 3 leaders apart: 22 members in three tables of 7-8, the three leaders a small table of their own.
    for plan in plans["groot"]:
        assert _sizes(plan) == [3, 7, 7, 8]
        leaders_table = [g for g in plan["groups"] if {"g00", "g01", "g02"} & set(g["members"])]
        assert [sorted(g["members"]) for g in leaders_table] == [["g00", "g01", "g02"]]
    assert len(h.local.entries("dm", user="adm-groot")) == 12


async def test_facilitation_rotates_and_leaders_do_not_lead_by_default(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = 'language = "nl"\n' + "".join([
        _team("acht", ["a0"] + [f"a{i}" for i in range(1, 8)], ["a0"]),                 # 8 people, 1 leader
        _team("gretig", ["b0"] + [f"b{i}" for i in range(1, 8)], ["b0"]),               # b1 volunteers every month
        _team("zeventien", [f"c{i:02d}" for i in range(17)], ["c00", "c01"]),           # three tables a month
    ])
    h = await make_harness(toml, start=START)

    async def volunteer(plan: Any, due: datetime) -> None:
        if plan.team.id == "gretig" and plan.step.name == "call":
            call = h.local.last("channel", "C-gretig")
            await h.local.click("b1", call, "facilitate")

    plans = await _run_year(h, volunteer)

    def counts(team: str) -> Counter[str]:
        return Counter(g["facilitator"] for p in plans[team] for g in p["groups"])

    acht = counts("acht")
    assert sum(acht.values()) == 12 and acht["a0"] == 0  # the leader never facilitates by default
    assert sorted(acht.values()) == [1, 1, 2, 2, 2, 2, 2] and max(acht.values()) <= 2 * 12 / 8

    gretig = counts("gretig")
    assert sum(gretig.values()) == 12 and gretig["b0"] == 0
    assert gretig["b1"] == 3  # volunteers first, but never more than about twice the fair share (12 / 8 × 2)
    assert max(gretig.values()) <= 2 * 12 / 8 and len(gretig) == 7

    zeventien = counts("zeventien")
    assert sum(zeventien.values()) == 36 and zeventien["c00"] == zeventien["c01"] == 0
    assert max(zeventien.values()) <= 2 * 36 / 17 and min(zeventien[f"c{i:02d}"] for i in range(2, 17)) >= 2
    for plan in plans["zeventien"]:  # one person never facilitates two tables at once
        facilitators = [g["facilitator"] for g in plan["groups"]]
        assert len(set(facilitators)) == 3 and all(f in g["members"] for f, g in zip(facilitators, plan["groups"], strict=True))


async def test_the_owner_of_a_named_dilemma_is_at_the_table_that_discusses_it(make_harness) -> None:  # type: ignore[no-untyped-def]
    people = [f"m{i:02d}" for i in range(17)]
    h = await make_harness('language = "nl"\n' + _team("zeventien", people, ["m00"]), start=START)
    rng = random.Random(16)
    owners: dict[str, dict[int, str | None]] = {}

    async def bring_and_vote(plan: Any, due: datetime) -> None:
        if plan.step.name != "call":
            return
        call = h.local.last("channel", "C-zeventien")
        key = call.button("bring").value.split("|")[-1]  # the session's occurrence
        bringers = rng.sample(people, 4)
        owners[key] = {}
        for n, who in enumerate(bringers, 1):
            share_as = "anonymous" if n == 4 else "named"
            await h.local.click(who, call, "bring")
            result, out = await h.local.submit(who, {"title": f"Dilemma van {who}", "story": "Wat speelde", "share_as": share_as})
            assert result.ok, result.errors
            owners[key][n] = None if share_as == "anonymous" else who
        posts = [e for e in h.local.entries("thread", "C-zeventien") if e.ref and e.ref.thread_id == call.ref.id]
        for voter in people:
            await h.local.click(voter, rng.choice(posts), "vote")

    plans = await _run_year(h, bring_and_vote)
    discussed_named = 0
    for plan in plans["zeventien"]:
        assert _sizes(plan) == [5, 6, 6]
        per_table = plan["discussed"]
        assert len(per_table) == 3 and all(n is not None for n in per_table)
        for table, n in zip(plan["groups"], per_table, strict=True):
            owner = owners[plan["key"]][n]
            if owner is not None:
                discussed_named += 1
                assert owner in table["members"], (plan["key"], n, owner, table)
        named = [n for n in per_table if owners[plan["key"]][n] is not None]
        assert len(named) == len(set(named))  # a named dilemma is discussed at one table: its owner's
    heads = [e.text for e in h.local.entries("channel", "C-zeventien") if "bespreken dilemma" in e.text]
    assert len(heads) == 36
    for head in heads:  # shown as they chose, though none of them opted in to storage
        n = int(head.split("bespreken dilemma ")[1].split(",")[0])
        assert ("anoniem ingebracht" in head) == (n == 4) and (n == 4 or "ingebracht door @m" in head)
    assert discussed_named >= 12


async def test_an_anonymous_dilemma_says_which_steps_change(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness('language = "nl"\n' + _team("zes", [f"z{i}" for i in range(6)], ["z0"]), start=START)
    await h.advance_to(datetime(2026, 11, 24, 14, 1, tzinfo=AMS))
    call = h.local.last("channel", "C-zes")
    await h.local.click("z3", call, "bring")
    await h.local.submit("z3", {"title": "Zeg ik het of niet?", "story": "Wat speelde", "share_as": "anonymous"})
    await h.advance_to(datetime(2026, 12, 1, 14, 1, tzinfo=AMS))
    head = [e for e in h.local.entries("channel", "C-zes") if "bespreken dilemma 1" in e.text][-1]
    assert "anoniem ingebracht" in head.text and "Stap 2: de begeleider leest de casus voor" in head.text
    assert "@z3" not in head.text.split("bespreken")[1]


def test_the_step_texts_follow_the_published_methods() -> None:
    unrush = METHOD_TEXTS["cura2.ask"]
    assert "eerste reactie" in unrush["nl"] and "oordeel" in unrush["nl"] and "gevoel" in unrush["nl"]
    assert "opzij" in unrush["nl"] and "set it aside" in unrush["en"] and "weet je nog niet" not in unrush["nl"]
    assert METHOD_TEXTS["dm3.ask"]["nl"].startswith("De inbrenger verwoordt het dilemma")
    assert "nodig" in METHOD_TEXTS["dm7.ask"]["nl"] and "need" in METHOD_TEXTS["dm7.ask"]["en"]


async def test_a_heavy_session_is_answered_in_place_every_month(make_harness) -> None:  # type: ignore[no-untyped-def]
    toml = 'language = "nl"\n' + _team("vp", [f"v{i}" for i in range(6)], ["v0"]).replace(
        'admins = ["adm-vp"]', 'admins = ["adm-vp"]\nconfidant = "vera"') + _team("zonder", [f"w{i}" for i in range(5)], ["w0"])
    h = await make_harness(toml, start=START)
    answers: list[tuple[str, list[Any]]] = []

    async def heavy(plan: Any, due: datetime) -> None:
        if plan.step.name != "reflection":
            return
        team = plan.team.id
        prompt = h.local.last("channel", f"C-{team}")
        user = f"{'v' if team == 'vp' else 'w'}{len(answers) % 4 + 1}"  # members only: the core refuses others
        await h.local.click(user, prompt, "reflect")
        result, out = await h.local.submit(user, {"how": "heavy", "note": "", "share_as": "private"})
        assert result.ok
        answers.append((team, out))

    await _run_year(h, heavy)
    assert len(answers) == 24
    for team, out in answers:
        assert [e.kind for e in out] == ["reply"] and out[0].message.buttons == ()  # in place, no consent buttons
        said = out[0].text
        assert "bedrijfsarts" in said and "kleinere eerste stap" in said and "zwaar" in said
        assert ("@vera" in said) == (team == "vp") and "vertrouwenspersoon" in said
        assert "bewaren" not in said and "toestemming" not in said.split("bedrijfsarts")[0]  # no consent notice
    assert not h.local.entries("dm", user="vera")
