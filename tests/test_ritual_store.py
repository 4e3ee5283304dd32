"""The ritual side of the narrow seams (issue 13, point 3): a store bound to one team and
one ritual with atomic updates, and a context that reaches no raw platform, store or bot."""

from __future__ import annotations

import ast
import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.context import RitualContext
from bot.messages import Button, text
from bot.ritual import ContractError
from bot.ritual_store import RitualStore
from bot.store import Consent, Store
from tests.conftest import TEAM_TOML

ROOT = Path(__file__).parent.parent
NOW = datetime(2026, 12, 4, 13, 0, tzinfo=UTC)


def _bound(store: Store, team: str = "noord", ritual: str = "checkin") -> RitualStore:
    return RitualStore(store, team, ritual, lambda: NOW)


async def test_increment_is_atomic_under_concurrent_callers(store: Store) -> None:
    mine = _bound(store)
    assert await mine.increment("count") == 1
    results = await asyncio.gather(*(mine.increment("count") for _ in range(20)))
    assert await mine.get("count") == 21
    assert sorted(results) == list(range(2, 22))  # every caller saw its own new value
    assert await mine.increment("count", by=-1) == 20


async def test_compare_and_set_lets_exactly_one_of_racing_callers_win(store: Store) -> None:
    mine = _bound(store)
    won = await asyncio.gather(*(mine.compare_and_set("facilitator", None, f"user{i}") for i in range(8)))
    assert won.count(True) == 1
    winner = await mine.get("facilitator")
    assert winner == f"user{won.index(True)}"
    assert not await mine.compare_and_set("facilitator", "somebody else", "eva")
    assert await mine.compare_and_set("facilitator", winner, {"user": "eva", "since": "2026-12-04"})
    assert await mine.compare_and_set("facilitator", {"since": "2026-12-04", "user": "eva"}, None)  # key order is no difference
    assert await mine.get("facilitator") is None


async def test_put_many_sets_several_keys_at_once_beside_other_writers(store: Store) -> None:
    """What a step writes after posting (a prompt's message and the open round) in one commit;
    run at the same moment as other teams' writes and reads, as a fan-out does."""
    teams = [_bound(store, team=f"t{i}") for i in range(6)]
    await teams[0].put("open", "old")
    await asyncio.gather(*(t.put_many({"prompt:w1": {"channel": "C1", "id": str(i)}, "open": "w1"})
                           for i, t in enumerate(teams)), teams[1].put("other", 1), teams[2].get("open"))
    for i, t in enumerate(teams):
        assert await t.get("prompt:w1") == {"channel": "C1", "id": str(i)}
        assert await t.get("open") == "w1"
    assert await teams[1].get("other") == 1
    await teams[0].put_many({})  # nothing to write: nothing happens
    assert await teams[0].items("") == [("open", "w1"), ("prompt:w1", {"channel": "C1", "id": "0"})]


async def test_a_bound_store_sees_only_its_own_team_and_ritual(store: Store) -> None:
    mine, other_team, other_ritual = _bound(store), _bound(store, team="zuid"), _bound(store, ritual="walks")
    await mine.put("open", "2026-12-04T14:00")
    await other_team.put("open", "elsewhere")
    assert await mine.get("open") == "2026-12-04T14:00" and await other_ritual.get("open") is None
    assert [k for k, _ in await mine.items("")] == ["open"]
    await store.set_consent("zuid", "bram", Consent.IN, NOW, store.notice_version)
    theirs = await store.save_response("zuid", "checkin", author_id="bram", anonymous=False, kind="answer",
                                       content={"a": "b"}, occurrence=None, at=NOW)
    assert await mine.response(theirs) is None and await mine.responses() == []
    assert [r.id for r in await other_team.responses()] == [theirs]


def test_ritual_code_reaches_no_raw_platform_store_or_bot() -> None:
    context = (ROOT / "bot" / "context.py").read_text()
    assert "bot: Any" not in context and "self.platform =" not in context
    forbidden = {"platform", "_platform", "_store", "_core", "_bot", "bot"}
    for path in (ROOT / "rituals").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ctx":
                assert node.attr not in forbidden, f"{path.name} uses ctx.{node.attr}"
            if isinstance(node, ast.ImportFrom):
                names = {a.name for a in node.names}
                assert not names & {"Store", "ChatPlatform", "RitualBot"}, f"{path.name} imports {names}"


async def test_a_button_for_no_handler_fails_when_posted_not_when_clicked(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    ritual = h.bot.rituals["weekly_success_mistake"]
    ctx: RitualContext = h.bot.team_context(ritual, h.bot.teams["noord"])
    assert isinstance(ctx.store, RitualStore) and not hasattr(ctx, "platform")
    with pytest.raises(ContractError, match="ritual 'weekly_success_mistake' has no @action\\('shar'\\) handler"):
        await ctx.post(text("Deel", buttons=(Button("shar", "Delen"),)))
    assert h.local.transcript == []
