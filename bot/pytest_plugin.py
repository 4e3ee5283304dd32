"""The pytest plugin of the ritual authors' test kit (`bot/testing.py`), registered through
the `pytest11` entry point, so any package that installs ritualbot has the fixture:

    async def test_story(ritual_team) -> None:
        team = await ritual_team(MyRitual, members=["anna", "bram"])

Each team is closed (its database released) after the test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from bot.testing import RitualTeam


@pytest.fixture
def ritual_team() -> Iterator[Callable[..., Awaitable[RitualTeam]]]:
    """`await ritual_team(RitualClass, members=[...], **RitualTeam.start options)` -> RitualTeam."""
    started: list[RitualTeam] = []

    async def start(ritual: Any, **kwargs: Any) -> RitualTeam:
        team = await RitualTeam.start(ritual, **kwargs)
        started.append(team)
        return team

    yield start
    for team in started:
        team.close()
