"""Participation insights: counts only, no breakdown for groups under 5, chart and text."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest

from bot.insights import (
    CHART_SIZE,
    GroupCounts,
    ParticipationData,
    Report,
    participation_data,
    quarter_weeks,
    render_chart,
    summary_text,
    suppress_small_groups,
)

WEEKS = quarter_weeks(date(2025, 3, 20))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _data(sizes: dict[str, int], team_size: int = 12, parents: dict[str, str] | None = None) -> ParticipationData:
    counts = {g: {w.isoformat(): (i + n) % 5 for i, w in enumerate(WEEKS)} for n, g in enumerate(sizes)}
    return participation_data(WEEKS, counts, sizes, team_size, parents)


@pytest.mark.parametrize(("today", "first", "last"), [
    (date(2025, 3, 20), date(2024, 12, 16), date(2025, 3, 10)),  # a Thursday
    (date(2025, 3, 17), date(2024, 12, 16), date(2025, 3, 10)),  # a Monday: this week still runs
    (date(2025, 1, 5), date(2024, 9, 30), date(2024, 12, 23)),  # a Sunday: its week still runs
])
def test_quarter_weeks_are_the_13_completed_weeks(today: date, first: date, last: date) -> None:
    weeks = quarter_weeks(today)
    assert len(weeks) == 13 and weeks[0] == first and weeks[-1] == last
    assert all(w.weekday() == 0 for w in weeks) and weeks == sorted(weeks)
    assert all((b - a).days == 7 for a, b in zip(weeks, weeks[1:], strict=False))


def test_quarter_weeks_can_include_the_current_week() -> None:
    assert quarter_weeks(date(2025, 3, 20), include_current=True)[-1] == date(2025, 3, 17)


def test_participation_data_from_the_store_shape() -> None:
    data = participation_data(WEEKS[:3], {"walk_and_listen": {WEEKS[1].isoformat(): 4}},
                              {"walk_and_listen": 6, "moral_deliberation": 7}, team_size=7)
    assert data.groups == (
        GroupCounts("moral_deliberation", 7, (0, 0, 0)),
        GroupCounts("walk_and_listen", 6, (0, 4, 0)),
    )


def test_a_group_with_counts_but_no_known_size_is_hidden() -> None:
    data = participation_data(WEEKS, {"mystery": {WEEKS[0].isoformat(): 9}}, {}, team_size=10)
    assert data.groups[0].size == 0
    assert suppress_small_groups(data).series == ()


@pytest.mark.parametrize("bad", [
    lambda: ParticipationData((date(2025, 3, 4),), 5, ()),  # not a Monday
    lambda: ParticipationData((WEEKS[1], WEEKS[0]), 5, ()),  # not in order
    lambda: ParticipationData(tuple(WEEKS), 5, (GroupCounts("a", 5, (1,)),)),  # wrong length
    lambda: ParticipationData((WEEKS[0],), 5, (GroupCounts("a", 5, (-1,)),)),
    lambda: ParticipationData((WEEKS[0],), 5, (GroupCounts("a", 5, (1,)), GroupCounts("a", 6, (1,)))),
])
def test_inconsistent_data_is_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        bad()  # type: ignore[operator]


@pytest.mark.parametrize(("sizes", "team_size", "shown", "hidden"), [
    ({"weekly_success_mistake": 12, "walk_and_listen": 5}, 12, ["walk_and_listen", "weekly_success_mistake"], 0),
    ({"weekly_success_mistake": 12, "walk_and_listen": 4}, 12, ["weekly_success_mistake"], 1),
    ({"weekly_success_mistake": 4, "walk_and_listen": 1, "moral_deliberation": 0}, 12, [], 3),
    ({"weekly_success_mistake": 20}, 12, [], 1),  # claims more members than the team has
    ({"weekly_success_mistake": 4, "walk_and_listen": 4}, 4, [], 2),  # the team itself is too small
    ({"weekly_success_mistake": 9}, 4, [], 1),  # a small team hides even a big-looking group
])
def test_no_breakdown_for_a_group_under_five(sizes: dict[str, int], team_size: int,
                                             shown: list[str], hidden: int) -> None:
    report = suppress_small_groups(_data(sizes, team_size))
    assert [s.group for s in report.series] == shown
    assert report.hidden_groups == hidden
    assert all(s.size >= 5 for s in report.series)
    assert report.team_hidden is (team_size < 5)


def test_a_hidden_sub_group_hides_its_siblings_so_subtraction_reveals_nothing() -> None:
    sizes = {"moral_deliberation": 10, "md_north": 7, "md_south": 3, "walk_and_listen": 6, "w_a": 3, "w_b": 3}
    parents = {"md_north": "moral_deliberation", "md_south": "moral_deliberation"}
    report = suppress_small_groups(_data(sizes, 12, parents))
    assert [s.group for s in report.series] == ["moral_deliberation", "walk_and_listen"]
    assert report.hidden_groups == 4


def test_a_higher_minimum_is_allowed_a_lower_one_never() -> None:
    data = _data({"weekly_success_mistake": 6, "walk_and_listen": 9})
    assert [s.group for s in suppress_small_groups(data, minimum=8).series] == ["walk_and_listen"]
    with pytest.raises(ValueError):
        suppress_small_groups(data, minimum=3)
    with pytest.raises(ValueError):
        Report(weeks=tuple(WEEKS), series=(), minimum=2)


def test_a_report_cannot_be_made_to_carry_a_small_group() -> None:
    with pytest.raises(ValueError):
        Report(weeks=tuple(WEEKS), series=(GroupCounts("walk_and_listen", 4, (1,) * 13),))
    with pytest.raises(ValueError):
        Report(weeks=tuple(WEEKS), series=(GroupCounts("walk_and_listen", 9, (1,) * 13),), team_hidden=True)


def test_small_counts_in_a_large_enough_group_are_kept() -> None:
    data = participation_data(WEEKS[:2], {"walk_and_listen": {WEEKS[0].isoformat(): 1}}, {"walk_and_listen": 8}, 8)
    assert suppress_small_groups(data).series[0].counts == (1, 0)


LABELS = {"weekly_success_mistake": "Succes & fout", "walk_and_listen": "Wandelen"}


def test_summary_text_in_dutch() -> None:
    data = participation_data(WEEKS[:2], {"weekly_success_mistake": {WEEKS[0].isoformat(): 6, WEEKS[1].isoformat(): 4},
                                          "walk_and_listen": {WEEKS[1].isoformat(): 2}},
                              {"weekly_success_mistake": 9, "walk_and_listen": 3}, 9)
    assert summary_text(suppress_small_groups(data), "nl", labels=LABELS) == (
        "Deelname per week, afgelopen kwartaal:\n"
        "Succes & fout (9 mensen)\n"
        "- week van 16 dec: Succes & fout 6\n"
        "- week van 23 dec: Succes & fout 4\n"
        "1 groep is niet apart getoond, omdat die kleiner is dan 5 mensen."
    )


def test_summary_text_in_english_and_when_nothing_may_be_shown() -> None:
    report = suppress_small_groups(_data({"weekly_success_mistake": 6, "walk_and_listen": 7}))
    text = summary_text(report, "en")
    assert text.startswith("Participation per week, last quarter:\n")
    assert "walk_and_listen (7 people), weekly_success_mistake (6 people)" in text
    assert "- week of 10 Mar: walk_and_listen " in text and "not shown" not in text
    assert len(text.splitlines()) == 2 + 13
    small_team = summary_text(suppress_small_groups(_data({"walk_and_listen": 3}, team_size=3)), "en")
    assert "fewer than 5 people" in small_team and "week of" not in small_team
    none_big = summary_text(suppress_small_groups(_data({"a": 3, "b": 4, "c": 2})), "nl")
    assert "Geen groep is groot genoeg" in none_big and "3 groepen zijn niet apart getoond" in none_big


def test_nothing_about_a_hidden_group_reaches_text_or_chart() -> None:
    data = _data({"weekly_success_mistake": 9, "secret_small_group": 3})
    report = suppress_small_groups(data)
    for language in ("nl", "en"):
        assert "secret_small_group" not in summary_text(report, language)
        assert b"secret_small_group" not in render_chart(report, language)
    assert "secret_small_group" not in repr(report)


def _image_size(png: bytes) -> tuple[int, int]:
    image = pytest.importorskip("PIL.Image")
    with image.open(BytesIO(png)) as opened:
        width, height = opened.size
        return int(width), int(height)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("sizes", [
    {"weekly_success_mistake": 9, "walk_and_listen": 6, "moral_deliberation": 3},  # some hidden
    {"weekly_success_mistake": 9},
    {"walk_and_listen": 2},  # nothing to show: still a chart that says so
])
def test_render_chart_is_a_png_of_the_expected_size(language: str, sizes: dict[str, int]) -> None:
    png = render_chart(suppress_small_groups(_data(sizes)), language, labels=LABELS)
    assert png.startswith(PNG_SIGNATURE)
    assert 5_000 < len(png) < 500_000
    assert _image_size(png) == CHART_SIZE


def test_render_chart_is_deterministic() -> None:
    report = suppress_small_groups(_data({"weekly_success_mistake": 9, "walk_and_listen": 6}))
    assert render_chart(report, "nl") == render_chart(report, "nl")
    assert render_chart(report, "nl") != render_chart(report, "en")


def test_importing_and_rendering_leaves_global_matplotlib_state_alone() -> None:
    import matplotlib

    from bot import insights

    before = dict(matplotlib.rcParams)
    render_chart(suppress_small_groups(_data({"walk_and_listen": 6})), "en")
    assert dict(matplotlib.rcParams) == before
    source = open(insights.__file__, encoding="utf-8").read()
    for touch in ("matplotlib.pyplot", "import pyplot", "matplotlib.use(", "rcParams[", "rcParams.update"):
        assert touch not in source
