"""Weekly success and mistake over months on the fake clock: passing a turn, leaving the
rotation, falling ill, and a digest that counts people, not posts (issues 14 and 16)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bot.simulation import advance
from rituals import weekly_turns
from tests.conftest import AMS, TEAM_TOML

START = datetime(2026, 11, 30, 8, 0, tzinfo=AMS)  # a Monday; sharer DMs go out on Thursdays at 14:00
WSM = "weekly_success_mistake"
TEAM = ["anna", "bram", "cor", "dewi", "eva"]


def _asked(entries: list[Any]) -> list[str]:
    return [e.user for e in entries if e.kind == "dm" and "aan de beurt" in e.text]


async def _weeks(h: Any, weeks: int, on_step: Any) -> None:
    """Run `weeks` weeks (and the last week's digest); `on_step` sees every step that ran
    (holidays such as Christmas and New Year's Day are skipped by the core)."""
    async def fired(plan: Any, due: datetime, status: str) -> None:
        if status == "done":
            await on_step(plan.step.name, due)

    await advance(h.bot, h.clock, START + timedelta(weeks=weeks, days=4), fired)


async def _turns(h: Any) -> Counter[str]:
    return Counter({user: times for user, (_, times) in (await h.store.rotation("noord", "sharer")).items()})


async def test_passing_a_turn_is_not_leaving_and_nobody_is_told(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=START)
    asked_per_week: list[list[str]] = []
    passes: list[tuple[str, list[Any]]] = []

    async def on_step(step: str, due: datetime) -> None:
        if step != "sharer":
            return
        week = len(asked_per_week)
        mark = len(h.local.transcript)
        asked_per_week.append(_asked(h.local.transcript[mark - 1:]))
        first = asked_per_week[-1][0]
        if week in (0, 3):  # the first one asked passes, in week 1 and week 4
            dm = h.local.last("dm", user=first)
            consent_before = await h.store.consent_record("noord", first)
            out = await h.local.click(first, dm, "pass")
            passes.append((first, out))
            assert await h.store.consent_record("noord", first) == consent_before  # passing is not withdrawing consent
            asked_per_week[-1] += _asked(out)

    await _weeks(h, 11, on_step)
    assert len(asked_per_week) == 10  # eleven weeks; Christmas and New Year's Day are skipped
    for (passer, out), week in zip(passes, (0, 3), strict=True):
        assert asked_per_week[week][0] == passer and len(asked_per_week[week]) == 2
        replacement = asked_per_week[week][1]
        # Only two things happen: a private word to the one who passed, the usual DM to the next one.
        assert sorted((e.kind, e.user) for e in out) == [("dm", replacement), ("reply", passer)]
        dm = next(e for e in out if e.kind == "dm")
        assert passer not in dm.text and "Niet deze week" in dm.message.buttons[0].label
        assert asked_per_week[week + 1][0] == passer  # the turn was not taken: first in line again the next week
    assert all(passer not in e.text for passer, _ in passes for e in h.local.entries("channel"))
    assert not [e for e in h.local.transcript if e.kind == "dm" and e.user == "anna" and "beurt" in e.text
                and "anna" not in sum(asked_per_week, [])]
    final = Counter(week[-1] for week in asked_per_week)
    assert final == Counter(dict.fromkeys(TEAM, 2))  # ten weeks, five people: two turns each, passes or not
    assert (await _turns(h)) + Counter([asked_per_week[-1][-1]]) == final  # a turn counts once its week is over


async def test_leaving_the_rotation_is_its_own_choice(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=START)
    asked: list[str] = []
    left: list[str] = []

    async def on_step(step: str, due: datetime) -> None:
        if step != "sharer":
            return
        who = h.local.last("dm").user
        asked.append(who)
        if not left:
            consent_before = await h.store.consent_record("noord", who)
            out = await h.local.click(who, h.local.last("dm", user=who), "leave")
            reply = next(e for e in out if e.kind == "reply")
            assert reply.user == who and "niet meer aan de beurt" in reply.text
            assert await h.store.consent_record("noord", who) == consent_before
            left.append(who)
            asked.append(h.local.last("dm").user)

    await _weeks(h, 10, on_step)
    leaver = left[0]
    assert asked.count(leaver) == 1 and len(asked) == 10 and set(asked) == set(TEAM)
    assert leaver not in (await _turns(h))
    out = await h.local.command(leaver, "sharer optin", channel="C1")
    assert "weer in het rooster" in out[-1].text
    await advance(h.bot, h.clock, h.clock.now() + timedelta(weeks=1))
    assert h.local.last("dm").user == leaver  # back, and first in line: never had a turn
    out = await h.local.command("cor", "sharer", channel="C1")
    assert "/ritual optout" in out[-1].text  # the help says it is separate from consent


async def test_a_sharer_who_falls_ill_is_replaced_and_keeps_their_turn(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=START)
    await advance(h.bot, h.clock, datetime(2026, 12, 3, 14, 1, tzinfo=AMS))  # Thursday: the DM
    ill = h.local.last("dm").user
    await h.store.set_away("noord", ill, True)
    await advance(h.bot, h.clock, datetime(2026, 12, 4, 14, 1, tzinfo=AMS))  # Friday: the prompt
    replacement = h.local.last("dm").user
    assert replacement != ill and "aan de beurt" in h.local.last("dm").text
    await h.store.set_away("noord", ill, False)
    await advance(h.bot, h.clock, datetime(2026, 12, 10, 14, 1, tzinfo=AMS))
    assert (await _turns(h)) == Counter({replacement: 1})
    assert h.local.last("dm").user == ill  # their turn was not counted


async def test_the_digest_counts_people_not_posts(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, start=START)
    rng = random.Random(14)
    expected: list[int] = []
    plans = [[("bram", "named"), ("bram", "anonymous"), ("cor", "anonymous")],  # the example: 2 people
             [("dewi", "named"), ("dewi", "named")], []]
    plans += [[(rng.choice(TEAM), rng.choice(["named", "anonymous"])) for _ in range(rng.randint(0, 6))] for _ in range(9)]

    async def on_step(step: str, due: datetime) -> None:
        if step != "prompt":
            return
        shares = plans[len(expected)]
        expected.append(_digest_says(shares))
        prompt = h.local.last("channel", "C1")
        for who, share_as in shares:
            await h.local.click(who, prompt, "share")
            result, _ = await h.local.submit(who, {"success": "Goed gesprek", "mistake": "Te laat", "share_as": share_as})
            assert result.ok
        key = prompt.button("share").value.split("|")[-1]
        held = await h.store.get_state("noord", WSM, f"people:{key}")
        assert not any(person in repr(held) for person in TEAM)  # no user ids
        # only what the thread shows: no fingerprints (their number would tell how many people),
        # and no key that would let a reader test a user id against them
        assert held is None or set(held) == {"posts", "anonymous"}

    await _weeks(h, 12, on_step)
    digests = [e.text for e in h.local.entries("channel", "C1") if "Terugblik" in e.text]
    assert len(digests) == len(expected) == 10  # twelve weeks, two holidays
    assert "2 mensen" in digests[0] and "één persoon" in digests[1] and "niets gedeeld" in digests[2]
    for text, count in zip(digests, expected, strict=True):
        said = (("people", 0) if "niets gedeeld" in text else ("people", 1) if "één persoon" in text
                else ("posts", int(text.split("er ")[1].split()[0])) if "keer gedeeld" in text
                else ("people", int(text.split("deelden ")[1].split()[0])))
        assert said == count
    assert await h.store.state_items("noord", WSM, "people:") == []  # nothing left once the digests are out


def _digest_says(shares: list[tuple[str, str]]) -> tuple[str, int]:
    """The digest's count, worked out from what the thread shows: people, unless that
    number would link an anonymous post to the named sharers or to another anonymous post."""
    people = len({who for who, _ in shares})
    named = len({who for who, how in shares if how == "named"})
    anonymous = sum(1 for _, how in shares if how == "anonymous")
    if anonymous and (people <= named or (named == 0 and people < anonymous)):
        return "posts", len(shares)
    return "people", people


async def test_the_digest_never_says_who_shared_anonymously(make_harness) -> None:  # type: ignore[no-untyped-def]
    """Found by trying it: @cor shared by name and once more anonymously, and the digest
    said "one person shared": the whole team knew the anonymous post was cor's."""
    h = await make_harness(TEAM_TOML, start=START)
    weeks = [[("cor", "named"), ("cor", "anonymous")],
             [("cor", "named"), ("dewi", "named"), ("cor", "anonymous")],
             [("bram", "anonymous"), ("bram", "anonymous")]]

    async def on_step(step: str, due: datetime) -> None:
        if step != "prompt" or not weeks:
            return
        prompt = h.local.last("channel", "C1")
        for who, share_as in weeks.pop(0):
            await h.local.click(who, prompt, "share")
            result, _ = await h.local.submit(who, {"success": "Goed gesprek", "mistake": "Te laat", "share_as": share_as})
            assert result.ok

    await _weeks(h, 3, on_step)
    digests = [e.text for e in h.local.entries("channel", "C1") if "Terugblik" in e.text]
    assert len(digests) == 3
    assert "2 keer gedeeld" in digests[0] and "persoon" not in digests[0]
    assert "3 keer gedeeld" in digests[1] and "2 mensen" not in digests[1]
    assert "2 keer gedeeld" in digests[2]


def test_a_fingerprint_counts_a_person_once_and_can_be_forgotten() -> None:
    key = weekly_turns.new_week_key()
    week = weekly_turns.with_person(None, "bram", key)
    week = weekly_turns.with_person(weekly_turns.with_person(week, "bram", key), "cor", key)
    assert weekly_turns.people(week) == 2 and weekly_turns.counted(week, "bram", key)
    assert weekly_turns.people(weekly_turns.without_person(week, "bram", key)) == 1
    other_key = weekly_turns.new_week_key()
    other = weekly_turns.with_person(None, "bram", other_key)
    assert other_key != key and other["prints"] != [weekly_turns.fingerprint(key, "bram")]
    # the key is never in the record: without it the fingerprints name nobody
    assert "key" not in week and not weekly_turns.counted(week, "bram", None)
