"""A team as the running bot sees it: its config, with the roles admins changed at runtime.

`TeamView` is what rituals read; `Directory` builds them. Runtime role changes (issue
"consent, privacy and admin") layer on top of `config.toml` here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from bot.config import AppConfig, TeamConfig
from bot.workingtime import WorkingTime


@dataclass(frozen=True)
class TeamView:
    id: str
    platform: str
    channel: str
    timezone: str
    language: str
    country: str
    admins: frozenset[str]
    leaders: frozenset[str]
    configured_members: tuple[str, ...] | None  # None: everyone in the channel
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    confidant: str | None = None
    retention_days: int = 365
    working: WorkingTime = field(default_factory=WorkingTime)

    @property
    def tz(self) -> tzinfo:
        return ZoneInfo(self.timezone)

    def is_admin(self, user_id: str) -> bool:
        return user_id in self.admins

    def is_leader(self, user_id: str) -> bool:
        return user_id in self.leaders

    def is_holiday(self, day: date) -> bool:
        """A public holiday of the team's country, or a date of the team's own."""
        return day in self.extra_holidays or day in _country_holidays(self.country, day.year)

    def next_working_moment(self, moment: datetime, tz: tzinfo | None = None) -> datetime | None:
        """`moment`, or the next working moment of this team (in `tz`, default the team's),
        holidays excluded; None when none comes within `bot.workingtime.MAX_SHIFT`."""
        return self.working.next_moment(moment, tz or self.tz, self.is_holiday)


_HOLIDAY_CACHE: dict[tuple[str, int], holidays_lib.HolidayBase] = {}


def _country_holidays(country: str, year: int) -> holidays_lib.HolidayBase:
    key = (country, year)
    if key not in _HOLIDAY_CACHE:
        _HOLIDAY_CACHE[key] = holidays_lib.country_holidays(country, years=year)
    return _HOLIDAY_CACHE[key]


_NAMED_HOLIDAYS: dict[tuple[str, int, str | None], holidays_lib.HolidayBase] = {}


def holiday_name(country: str, day: date, language: str) -> str | None:
    """The name of `country`'s public holiday on `day` in `language` (a ritualbot language
    code such as "nl" or "en"), or None when `day` is no holiday. The holidays library
    names a holiday in the languages its country module knows ("nl", "en_US", ...): the
    exact code first, then any of its variants ("en" → "en_US"), else the country's own."""
    if day not in _country_holidays(country, day.year):
        return None
    table = _country_holidays(country, day.year)
    known: tuple[str, ...] = tuple(getattr(table, "supported_languages", ()) or ())
    chosen = language if language in known else next((k for k in known if k.split("_")[0] == language),
                                                     getattr(table, "default_language", None))
    key = (country, day.year, chosen)
    if key not in _NAMED_HOLIDAYS:
        _NAMED_HOLIDAYS[key] = holidays_lib.country_holidays(country, years=day.year, language=chosen)
    return _NAMED_HOLIDAYS[key].get(day)


def warm_holidays(countries: Iterable[str], year: int) -> None:
    """Build the holiday tables of `countries` for `year` and the next one. The first table of
    a country imports its module and takes about 0.3 s: done off the event loop at start-up
    (`bot.wiring.build_bot`), never in the middle of a firing."""
    for country in countries:
        for y in (year, year + 1):
            _country_holidays(country, y)


def team_view(config: AppConfig, team: TeamConfig) -> TeamView:
    """Fill a team's blanks with the global defaults."""
    return TeamView(
        id=team.id,
        platform=team.platform,
        channel=team.channel,
        timezone=team.timezone or config.timezone,
        language=team.language or config.language,
        country=team.country or config.country,
        admins=frozenset(team.admins),
        leaders=frozenset(team.leaders),
        configured_members=None if team.members == "channel" else tuple(team.members),
        extra_holidays=frozenset(team.holidays),
        confidant=team.confidant,
        retention_days=team.retention_days or config.retention_days,
        working=WorkingTime.parse(team.working_days or config.working_days, team.working_hours or config.working_hours),
    )
