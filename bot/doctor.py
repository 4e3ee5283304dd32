"""`ritualbot doctor`: per team, is everything in place on the chat platform?

It checks what makes firings fail at 14:00 on a Friday: the token works and has its
scopes, the team's channel exists, is not archived and has the bot in it, and every
admin, leader, confidant and listed member is a real, active account. It prints what to
fix for each team and returns how many problems it found (the command exits non-zero
then). It only reads; nothing is posted or stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.config import AppConfig, TeamConfig


@dataclass(frozen=True)
class Problem:
    """One thing to fix: what is wrong and what to do about it."""

    what: str
    fix: str
    fatal: bool = False  # nothing else can be checked (a dead token)
    optional: bool = False  # worth knowing, not wrong: shown, not counted


@dataclass
class TeamReport:
    team: str
    platform: str
    channel: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Probe(Protocol):
    """What the doctor asks one platform (Slack's and Mattermost's are in `bot/platforms/`)."""

    async def account(self) -> list[Problem]:
        """Does the token work, with the rights the bot needs? Problems found (empty: all well)."""
        ...

    async def channel(self, channel: str) -> list[Problem]:
        """Does the channel exist, not archived, with the bot in it?"""
        ...

    async def person(self, user_id: str, role: str) -> list[Problem]:
        """Is this a real, active person (`role` says which config key named them)?"""
        ...

    async def close(self) -> None: ...


class PersonChecks:
    """The part of a probe that checks people: each account is looked up once, however many
    teams and roles name it. A platform's probe supplies `_person`, which returns what is
    wrong with the account and the fix, both with a `{role}` placeholder (None: all well)."""

    def __init__(self) -> None:
        self._people: dict[str, tuple[str, str] | None] = {}

    async def person(self, user_id: str, role: str) -> list[Problem]:
        """Problems with `user_id` as named under `role` in config.toml (empty: a real, active person)."""
        if user_id not in self._people:
            self._people[user_id] = await self._person(user_id)
        found = self._people[user_id]
        if found is None:
            return []
        what, fix = found
        return [Problem(what.replace("{role}", role), fix.replace("{role}", role))]

    async def _person(self, user_id: str) -> tuple[str, str] | None:
        raise NotImplementedError


def people(team: TeamConfig) -> list[tuple[str, str]]:
    """`(user id, config key)` for everyone config.toml names in a team, once each."""
    named: dict[str, str] = {}
    for role in ("admins", "leaders"):
        for user in getattr(team, role):
            named.setdefault(user, role)
    if team.confidant:
        named.setdefault(team.confidant, "confidant")
    if isinstance(team.members, list):
        for user in team.members:
            named.setdefault(user, "members")
    return list(named.items())


_CREDENTIALS = {"slack": "SLACK_BOT_TOKEN", "mattermost": "MATTERMOST_URL and MATTERMOST_TOKEN"}
"""What the doctor needs in the environment to look at a platform (see each platform's probe)."""


async def examine(config: AppConfig, probes: Mapping[str, Probe | None]) -> list[TeamReport]:
    """Check every team on the probes of its platform (None: no credentials in the environment)."""
    reports: list[TeamReport] = []
    accounts: dict[str, list[Problem]] = {}
    for team in config.teams:
        report = TeamReport(team.id, team.platform, team.channel)
        reports.append(report)
        if team.platform == "local":
            report.notes.append("local platform: nothing to check")
            continue
        probe = probes.get(team.platform)
        if probe is None:
            report.problems.append(Problem(
                f"no {team.platform} credentials in the environment",
                f"set {_CREDENTIALS.get(team.platform, 'them')} as the README's install section for {team.platform} says"))
            continue
        if team.platform not in accounts:
            accounts[team.platform] = await probe.account()
        report.problems.extend(p for p in accounts[team.platform] if not p.optional)
        report.notes.extend(f"{p.what} ({p.fix})" for p in accounts[team.platform] if p.optional)
        if any(p.fatal for p in accounts[team.platform]):
            continue
        report.problems.extend(await probe.channel(team.channel))
        for user, role in people(team):
            report.problems.extend(await probe.person(user, role))
    return reports


def render(reports: list[TeamReport]) -> str:
    """The report as an operator reads it: per team, OK or each problem with its fix."""
    lines: list[str] = []
    for report in reports:
        state = "OK" if not report.problems else f"{len(report.problems)} to fix"
        lines.append(f"{report.team} ({report.platform}, channel {report.channel}): {state}")
        lines.extend(f"  - {note}" for note in report.notes)
        for problem in report.problems:
            lines.append(f"  ✗ {problem.what}")
            lines.append(f"    fix: {problem.fix}")
    total = sum(len(r.problems) for r in reports)
    lines.append("all teams OK" if not total else f"{total} problem(s) in {sum(1 for r in reports if r.problems)} team(s)")
    return "\n".join(lines)


async def run_doctor(config: AppConfig, env: Mapping[str, str]) -> tuple[int, str]:
    """Check `config` against the platforms in `env`; (problems found, the report text)."""
    from bot.platforms.mattermost.doctor import mattermost_probe
    from bot.platforms.slack.doctor import slack_probe

    platforms = {t.platform for t in config.teams}
    probes: dict[str, Probe | None] = {}
    if "slack" in platforms:
        probes["slack"] = slack_probe(env)
    if "mattermost" in platforms:
        probes["mattermost"] = mattermost_probe(env)
    try:
        reports = await examine(config, probes)
    finally:
        for probe in probes.values():
            if probe is not None:
                await probe.close()
    return sum(len(r.problems) for r in reports), render(reports)
