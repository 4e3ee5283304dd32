"""`config.toml`: global defaults and teams, validated with pydantic.

Every error names the file, the key path (`teams[2].rituals.walk_and_listen.schedule`)
and what is wrong, so an admin can fix it without reading code. Secrets never live in
this file: they come from environment variables only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import tomli  # tomllib's upstream, compiled: a 10,000-team config parses 2-3x faster (start-up)
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config_checks import SINGULAR_TEAM, LineFinder, singular_team_tables, team_id_problems, url_secret_problem
from bot.languages import language_problem
from bot.ritual import ContractError, check_steps
from bot.schedule import Schedule, ScheduleError, check_fires, check_often, parse_schedule
from bot.workingtime import DEFAULT_DAYS, DEFAULT_HOURS, parse_days, parse_hours


def _check_language(value: str) -> str:
    problem = language_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


Language = Annotated[str, AfterValidator(_check_language)]
"""A language code people can choose: one the core's catalog is installed in (`bot.i18n.supported_languages`)."""
PlatformName = Literal["slack", "mattermost", "local"]


class ConfigError(Exception):
    """One or more problems in a config file; `problems` are readable one-liners."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r} (use an IANA name such as 'Europe/Amsterdam')") from None
    return value


def _check_days(value: list[str] | None) -> list[str] | None:
    if value is not None:
        parse_days(value)
    return value


def _check_hours(value: str | None) -> str | None:
    if value is not None:
        parse_hours(value)
    return value


@lru_cache(maxsize=1024)
def _schedule_problem(value: str, today: date) -> str | None:
    """What is wrong with a schedule (checked from `today`), or None. 10,000 teams mostly
    share a few schedules, so each text is parsed and checked once (start-up time)."""
    try:
        # Which timezone does not change whether a schedule ever comes round.
        parsed, midnight = parse_schedule(value), datetime.combine(today, datetime.min.time(), UTC)
        check_fires(parsed, UTC, midnight)
        check_often(parsed, midnight)
    except ScheduleError as exc:
        return f"bad schedule: {exc}"
    return None


class RitualSettings(BaseModel):
    """`[teams.rituals.<id>]`: `enabled`, `schedule`, and the ritual's own options."""

    model_config = ConfigDict(extra="allow", frozen=True)

    enabled: bool = True
    schedule: str | None = None

    @field_validator("schedule")
    @classmethod
    def _schedule_parses(cls, value: str | None) -> str | None:
        if value is not None:
            problem = _schedule_problem(value, datetime.now(UTC).date())
            if problem is not None:
                raise ValueError(problem)
        return value

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class TeamConfig(_Strict):
    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    platform: PlatformName
    channel: str = Field(min_length=1)
    timezone: str | None = None
    language: Language | None = None
    country: str | None = None
    holidays: list[date] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)
    leaders: list[str] = Field(default_factory=list)
    members: list[str] | Literal["channel"] = "channel"
    confidant: str | None = None
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    working_days: list[str] | None = None
    working_hours: str | None = None
    rituals: dict[str, RitualSettings] = Field(default_factory=dict)

    _tz = field_validator("timezone")(lambda cls, v: v if v is None else _check_timezone(v))
    _days = field_validator("working_days")(lambda cls, v: _check_days(v))
    _hours = field_validator("working_hours")(lambda cls, v: _check_hours(v))

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in holidays_lib.list_supported_countries():
            raise ValueError(f"unknown country code {value!r} for public holidays (use e.g. 'NL', 'BE')")
        return None if value is None else value.upper()


class AppConfig(_Strict):
    language: Language = "nl"
    timezone: str = "Europe/Amsterdam"
    country: str = "NL"
    database_url: str = "sqlite:///ritualbot.db"
    grace_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    max_concurrent_posts: int = Field(default=64, ge=1, le=512)
    lease_seconds: int = Field(default=60, ge=3, le=3600)
    settings_check_seconds: int = Field(default=10, ge=1, le=30)
    command: str = Field(default="ritual", pattern=r"^[a-z0-9_-]{1,32}$")
    retention_days: int = Field(default=365, ge=1, le=3650)
    working_days: list[str] = Field(default_factory=lambda: list(DEFAULT_DAYS))
    working_hours: str = DEFAULT_HOURS
    teams: list[TeamConfig] = Field(default_factory=list)

    _tz = field_validator("timezone")(lambda cls, v: _check_timezone(v))
    _days = field_validator("working_days")(lambda cls, v: _check_days(v))
    _hours = field_validator("working_hours")(lambda cls, v: _check_hours(v))

    def team(self, team_id: str) -> TeamConfig:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)


@dataclass(frozen=True)
class ResolvedRitual:
    """A ritual as one team runs it: config merged with the ritual's defaults."""

    ritual_id: str
    enabled: bool
    schedule: Schedule
    options: BaseModel


def load_config(path: Path, ritual_types: Mapping[str, Any]) -> AppConfig:
    """Read and validate `path`; raise ConfigError listing every problem found."""
    name = str(path)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{name}: file not found"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{name}: not UTF-8 text (save the file as UTF-8)"]) from None
    except OSError as exc:  # a directory, no permission to read it, ...
        raise ConfigError([f"{name}: cannot be read: {exc.strerror or exc}"]) from None
    try:
        raw = tomli.loads(source)
    except tomli.TOMLDecodeError as exc:
        singular = singular_team_tables(source)
        if singular is not None:  # `[[team]]` twice with rituals makes TOML itself complain
            raise ConfigError([f"{name}: {SINGULAR_TEAM} (line {singular})"]) from None
        raise ConfigError([f"{name}: not valid TOML: {exc}"]) from None
    return parse_config(raw, ritual_types, name, source=source)


Problem = tuple[tuple[Any, ...], str]
"""A key path (`("teams", 2, "admins", 0)`) and what is wrong there."""


def parse_config(raw: dict[str, Any], ritual_types: Mapping[str, Any], name: str = "config.toml", *,
                 source: str = "") -> AppConfig:
    """Validate already-parsed TOML, reporting every problem in one pass.

    Each problem names the file and key path, and, when `source` (the file's text) is given,
    the team's id and the line, e.g. `config.toml: teams[8].admins[0]: '@omar' is a user name,
    not an id: ... (team 'jeugdteam-zuid', line 42)`.
    """
    problems: list[Problem] = []
    if "team" in raw:  # alone or next to [[teams]]: the hint says what `team` should be
        problems.append((("team",), SINGULAR_TEAM))
        raw = {k: v for k, v in raw.items() if k != "team"}
    config: AppConfig | None = None
    try:
        config = AppConfig.model_validate(raw)
    except ValidationError as exc:
        problems += _pydantic_problems(exc.errors())
    teams_value = raw.get("teams")
    raw_teams: list[Any] = teams_value if isinstance(teams_value, list) else []
    if isinstance(raw.get("database_url"), str) and (secret := url_secret_problem(raw["database_url"])):
        problems.append((("database_url",), secret))
    for i, team in enumerate(raw_teams):
        if isinstance(team, dict):
            problems += [(("teams", i, *path), problem) for path, problem in team_id_problems(team)]
    # On the file as written, so these show in the same pass as what pydantic found.
    problems += _cross_check(raw_teams, ritual_types)
    if problems or config is None:
        raise ConfigError(_readable(problems, raw_teams, name, source))
    return config


ENV_MAX_CONCURRENT_POSTS = "RITUALBOT_MAX_CONCURRENT_POSTS"


def with_environment(config: AppConfig, env: Mapping[str, str]) -> AppConfig:
    """`config` with what the environment overrides: `RITUALBOT_MAX_CONCURRENT_POSTS`
    (1..512) for `max_concurrent_posts`; ConfigError naming the variable when it is bad."""
    raw = env.get(ENV_MAX_CONCURRENT_POSTS, "").strip()
    if not raw:
        return config
    low, high = 1, 512
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError([f"environment: {ENV_MAX_CONCURRENT_POSTS} must be a whole number from {low} to {high} "
                           f"(posts at once), got {raw!r}"])
    return config.model_copy(update={"max_concurrent_posts": int(raw)})


def _readable(problems: list[Problem], raw_teams: list[Any], name: str, source: str) -> list[str]:
    """One line per problem, in the order of the file."""
    lines = LineFinder(source) if source else None
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for path, problem in problems:
        where: list[str] = []
        if len(path) >= 2 and path[0] == "teams" and isinstance(path[1], int) and path[1] < len(raw_teams):
            team = raw_teams[path[1]]
            if isinstance(team, dict) and isinstance(team.get("id"), str):
                where.append(f"team {team['id']!r}")
        line = lines.line_of(path) if lines else None
        if line is not None:
            where.append(f"line {line}")
        text = f"{name}: {_loc(path)}: {problem}" + (f" ({', '.join(where)})" if where else "")
        if text not in seen:
            seen.add(text)
            out.append((line or 10**9, text))
    return [text for _, text in sorted(out, key=lambda item: item[0])]


def resolve_ritual(team: TeamConfig, ritual_type: Any) -> ResolvedRitual:
    """Merge a team's ritual table with the ritual's defaults (validated earlier)."""
    settings = team.rituals.get(ritual_type.id, RitualSettings(enabled=False))
    schedule = parse_schedule(settings.schedule or ritual_type.default_schedule)
    options = ritual_type.Options.model_validate(settings.options)
    return ResolvedRitual(ritual_type.id, settings.enabled, schedule, options)


def _cross_check(raw_teams: list[Any], ritual_types: Mapping[str, Any]) -> list[Problem]:
    """What pydantic cannot see: duplicate ids, leaders outside members, ritual ids and
    options. Works on the teams as written (dicts), so a team with other problems is still
    checked: check-config reports everything in one pass."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    channels: dict[tuple[Any, str], int] = {}
    for i, team in enumerate(raw_teams):
        if not isinstance(team, dict):
            continue
        team_id = team.get("id")
        if isinstance(team_id, str):
            if team_id in seen:
                problems.append((("teams", i, "id"), f"duplicate team id {team_id!r} (also teams[{seen[team_id]}])"))
            seen.setdefault(team_id, i)
        channel = team.get("channel")
        if isinstance(channel, str):  # a command in a channel acts in its one team: a second is unreachable
            where = (team.get("platform"), channel)
            if where in channels:
                problems.append((("teams", i, "channel"), f"channel {channel!r} is already teams[{channels[where]}]'s: "
                                 "each team needs its own channel"))
            channels.setdefault(where, i)
        members, leaders = team.get("members", "channel"), team.get("leaders", [])
        if isinstance(members, list) and isinstance(leaders, list):
            for j, user in enumerate(leaders):
                if isinstance(user, str) and user not in members:
                    problems.append((("teams", i, "leaders", j), f"leader {user!r} is not in members"))
        rituals = team.get("rituals", {})
        for rid, settings in (rituals.items() if isinstance(rituals, dict) else ()):
            ritual_type = ritual_types.get(rid)
            if ritual_type is None:
                known = ", ".join(sorted(ritual_types)) or "none installed"
                problems.append((("teams", i, "rituals", rid), f"unknown ritual {rid!r} (known: {known})"))
                continue
            if not isinstance(settings, dict):
                continue  # pydantic said what is wrong with it
            options = {k: v for k, v in settings.items() if k not in ("enabled", "schedule")}
            errors = _option_errors(ritual_type.Options, options)
            for err in errors:
                problems.append((("teams", i, "rituals", rid, *err["loc"]), _describe(err)))
            if errors:
                continue
            try:
                check_steps(ritual_type, ritual_type.Options.model_validate(options))
            except ContractError as exc:
                problems.append((("teams", i, "rituals", rid), str(exc)))
    return problems


_QUOTED_NUMBER = ("int_type", "float_type", "bool_type")


def _option_errors(options_model: Any, options: dict[str, Any]) -> list[Any]:
    """What is wrong with a ritual's options; a number or yes/no written in quotes ("24",
    "true") counts too: a mistake to point out, not to guess at. (Only that is checked
    strictly: other types, such as a time written as text, keep pydantic's own parsing.)"""
    found: list[Any] = []
    for strict in (False, True):
        try:
            options_model.model_validate(options, strict=strict)
        except ValidationError as exc:
            found += [err for err in exc.errors() if not strict or (
                err["type"] in _QUOTED_NUMBER and isinstance(err.get("input"), str))]
    return found


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


# What pydantic's messages say in its own terms, said as a person editing the file needs it.
_ID_PATTERN = "^[A-Za-z0-9_.-]+$"
_UNIONS = {"members": "a list of user ids, or \"channel\" for everyone in the team's channel"}


def _pydantic_problems(errors: Sequence[Mapping[str, Any]]) -> list[Problem]:
    """One problem per key: a value that fits no form of a key with several (`members`) is one
    line saying which forms there are, not one line per form named by its Python type."""
    problems: list[Problem] = []
    for err in errors:
        loc = tuple(err["loc"])
        key = next((i for i, part in enumerate(loc) if part in _UNIONS), None)
        if key is not None and len(loc) == key + 2 and isinstance(loc[-1], str) and "[" in loc[-1]:
            path = loc[:-1]
            if all(seen != path for seen, _ in problems):
                problems.append((path, f"{_UNIONS[str(loc[key])]} (got {err.get('input')!r})"))
            continue
        problems.append((loc, _describe(err)))
    return problems


def _describe(err: Mapping[str, Any]) -> str:
    if err["type"] == "string_pattern_mismatch" and (err.get("ctx") or {}).get("pattern") == _ID_PATTERN:
        return f"use only letters, digits, '-', '_' and '.' (got {err.get('input')!r})"
    if err["type"] == "extra_forbidden":
        key = str(err["loc"][-1]).lower()
        if any(word in key for word in ("token", "secret", "password")):
            return "secrets do not belong in the config file: set them as environment variables"
        return "unknown key"
    if err["type"] == "missing":
        return "required key is missing"
    message = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if err["type"] in ("literal_error", "string_pattern_mismatch", "int_parsing", "bool_parsing", "int_type", "bool_type",
                       "float_type", "string_type", "date_from_datetime_parsing", "date_parsing"):
        return f"{message} (got {value!r})"
    return message
