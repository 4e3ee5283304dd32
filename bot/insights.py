"""Participation insights for admins: how many took part per week, never who or what.

Admins of a team see, for the last quarter, a count per week per ritual (or sub-group),
as a PNG chart and as text. The point is to notice a ritual fading, not to watch people,
so the module is built around what it must never show:

- No names, user ids or content ever enter it: the input is counts and group sizes.
- A group with fewer than `MINIMUM_GROUP` (5) members is not broken down; its series is
  dropped and only the *number* of hidden groups is mentioned, not which ones. Folding small
  groups into an "other" series was rejected: the same people take part in several rituals,
  so "other" has no honest size and could still be small.
- A team smaller than the minimum shows nothing at all, whatever sizes its groups claim.
- No total over groups is computed: total minus the shown groups would reveal the hidden ones.
  For the same reason, when one sub-group of a parent is hidden, all its siblings are hidden
  too (the parent stays), or parent minus siblings would give the hidden one away.
- Small counts (1-4) in a group of 5 or more are shown. A count says "few took part", not
  who; blanking them would empty most weeks of a small team and a blank would itself say
  "between 1 and 4". Participation in a team ritual is visible to the team anyway.
- The minimum can be raised per call but never lowered below 5; a `Report` refuses to hold
  a series for a smaller group, so nothing that renders a report can leak one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

from bot.dates import formatted
from bot.i18n import PoCatalog, translate

MINIMUM_GROUP = 5
WEEKS_PER_QUARTER = 13
CHART_SIZE = (800, 450)
"""Width and height of the chart in pixels."""


def quarter_weeks(today: date, *, include_current: bool = False) -> list[date]:
    """The Mondays of the last 13 weeks, oldest first.

    By default the current week is left out: it is still running, and a half-counted week
    would look like a drop in participation.
    """
    monday = today - timedelta(days=today.weekday())
    last = monday if include_current else monday - timedelta(weeks=1)
    return [last - timedelta(weeks=n) for n in range(WEEKS_PER_QUARTER - 1, -1, -1)]


@dataclass(frozen=True)
class GroupCounts:
    """Counts per week for one ritual or sub-group (`parent` names the group it is part of)."""

    group: str
    size: int
    counts: tuple[int, ...]
    parent: str | None = None


@dataclass(frozen=True)
class ParticipationData:
    """What the store knows: per group, a count for each week in `weeks`."""

    weeks: tuple[date, ...]
    team_size: int
    groups: tuple[GroupCounts, ...]

    def __post_init__(self) -> None:
        if any(w.weekday() != 0 for w in self.weeks) or list(self.weeks) != sorted(set(self.weeks)):
            raise ValueError("weeks must be distinct Mondays, oldest first")
        names = [g.group for g in self.groups]
        if len(names) != len(set(names)):
            raise ValueError("each group may appear once")
        for g in self.groups:
            if len(g.counts) != len(self.weeks) or any(c < 0 for c in g.counts) or g.size < 0:
                raise ValueError(f"group {g.group!r}: one count (0 or more) per week and a size")


def participation_data(weeks: Iterable[date], counts: Mapping[str, Mapping[str, int]],
                       group_sizes: Mapping[str, int], team_size: int,
                       parents: Mapping[str, str] | None = None) -> ParticipationData:
    """Build the input from the store's `{group: {"2025-03-03": count}}`.

    A week without a row counts 0. A group with counts but no known size gets size 0 and is
    therefore hidden: when in doubt, show less.
    """
    weeks = tuple(weeks)
    parents = parents or {}
    groups = tuple(
        GroupCounts(group=g, size=group_sizes.get(g, 0),
                    counts=tuple(counts.get(g, {}).get(w.isoformat(), 0) for w in weeks),
                    parent=parents.get(g))
        for g in sorted(set(group_sizes) | set(counts))
    )
    return ParticipationData(weeks=weeks, team_size=team_size, groups=groups)


@dataclass(frozen=True)
class Report:
    """What an admin may see; it refuses to hold a series for a group below the minimum."""

    weeks: tuple[date, ...]
    series: tuple[GroupCounts, ...]
    hidden_groups: int = 0
    team_hidden: bool = False
    minimum: int = MINIMUM_GROUP

    def __post_init__(self) -> None:
        if self.minimum < MINIMUM_GROUP:
            raise ValueError(f"the minimum group size is at least {MINIMUM_GROUP}")
        if any(s.size < self.minimum for s in self.series) or (self.team_hidden and self.series):
            raise ValueError("a report may not break down a group smaller than the minimum")


def suppress_small_groups(data: ParticipationData, minimum: int = MINIMUM_GROUP) -> Report:
    """The report admins may see: groups under `minimum` dropped, with their number noted."""
    if minimum < MINIMUM_GROUP:
        raise ValueError(f"the minimum group size is at least {MINIMUM_GROUP}")
    if data.team_size < minimum:
        return Report(weeks=data.weeks, series=(), hidden_groups=len(data.groups),
                      team_hidden=True, minimum=minimum)
    # A group claiming more members than the team has is inconsistent: show less, not more.
    small = {g.group for g in data.groups if g.size < minimum or g.size > data.team_size}
    # One hidden sub-group hides its siblings, or parent minus siblings would reveal it.
    orphaned = {g.parent for g in data.groups if g.group in small and g.parent is not None}
    hidden = small | {g.group for g in data.groups if g.parent in orphaned}
    shown = tuple(g for g in data.groups if g.group not in hidden)
    return Report(weeks=data.weeks, series=shown, hidden_groups=len(data.groups) - len(shown),
                  minimum=minimum)


TEXTS = PoCatalog("bot", "insights")
"""Texts in bot/locale/<language>/LC_MESSAGES/insights.po"""

_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe-Ito: readable for colour-blind admins, and fixed so charts don't vary run to run."""


def _week_label(monday: date, language: str) -> str:
    return formatted(monday, "week_of", language)


def _label(group: str, labels: Mapping[str, str] | None) -> str:
    return (labels or {}).get(group, group)


def _note(report: Report, language: str) -> str | None:
    """Why some or all numbers are missing, or None when everything is shown."""
    if report.team_hidden:
        return translate(TEXTS, "team_hidden", language, minimum=report.minimum)
    if report.hidden_groups:
        return translate(TEXTS, "hidden", language, count=report.hidden_groups, minimum=report.minimum)
    return None


def render_chart(report: Report, language: str = "nl", *,
                 labels: Mapping[str, str] | None = None) -> bytes:
    """The report as an 800x450 PNG: one line per shown group, weeks along the bottom.

    Uses a private `Figure` with the Agg canvas, so no global matplotlib state (pyplot,
    the chosen backend, rcParams) is touched. `labels` maps group ids to display titles.
    matplotlib is imported here, on the first chart, not when the bot starts (it costs
    seconds and tens of MiB that most runs never need).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    width, height = CHART_SIZE
    figure = Figure(figsize=(width / 100, height / 100), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.08, 0.25, 0.9, 0.65))
    positions = list(range(len(report.weeks)))
    for index, series in enumerate(report.series):
        axes.plot(positions, series.counts, marker="o", linewidth=2, color=_COLOURS[index % len(_COLOURS)],
                  label=translate(TEXTS, "legend", language, label=_label(series.group, labels), size=series.size))
    axes.set_xticks(positions, [_week_label(w, language) for w in report.weeks], rotation=45, ha="right", fontsize=8)
    axes.set_xlim(-0.5, max(len(positions) - 0.5, 0.5))
    top = max((c for s in report.series for c in s.counts), default=0)
    axes.set_ylim(0, max(top, 1) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(translate(TEXTS, "y_label", language))
    axes.set_title(translate(TEXTS, "title", language))
    axes.grid(axis="y", alpha=0.3)
    if report.series:
        axes.legend(loc="upper left", fontsize=8, frameon=False)
    else:
        axes.text(0.5, 0.5, translate(TEXTS, "nothing_shown", language), transform=axes.transAxes,
                  ha="center", va="center", color="#555555")
    note = _note(report, language)
    if note:
        figure.text(0.01, 0.02, note, fontsize=8, color="#333333", wrap=True)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
    return buffer.getvalue()


def summary_text(report: Report, language: str = "nl", *,
                 labels: Mapping[str, str] | None = None) -> str:
    """The report as plain text, for platforms without images and for screen readers."""
    lines = [translate(TEXTS, "title", language) + ":"]
    if report.series:
        lines.append(", ".join(translate(TEXTS, "legend", language, label=_label(s.group, labels), size=s.size)
                               for s in report.series))
        for i, week in enumerate(report.weeks):
            values = " · ".join(f"{_label(s.group, labels)} {s.counts[i]}" for s in report.series)
            lines.append("- " + translate(TEXTS, "week_line", language, week=_week_label(week, language), values=values))
    elif not report.team_hidden:
        lines.append(translate(TEXTS, "nothing_shown", language))
    note = _note(report, language)
    if note:
        lines.append(note)
    return "\n".join(lines)
