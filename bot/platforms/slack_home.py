"""The App Home tab: what someone agreed to in each of their teams, and, for admins, the
team's rituals with their schedules and next firings in the team's local time.

`summarise` is platform-neutral (it reads the bot and the store, nothing of Slack);
`home_view` renders the summary as a Slack `home` view. The buttons it carries are not
new behaviour: the adapter turns them into the core's own `/ritual optin|optout|mydata|
forget` commands, answered in the person's DM, and, where the team has a confidant, into
`/ritual signal`, which opens the same form as the command (issue 15).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.commands import format_local
from bot.dates import spoken_schedule
from bot.i18n import pick_language, translate
from bot.platforms.slack_render import VIEW_BLOCKS_MAX, escape, section
from bot.platforms.slack_texts import TEXTS
from bot.store import Consent

if TYPE_CHECKING:
    from bot.app import RitualBot

HOME_ACTIONS = ("optin", "optout", "mydata", "forget")
# Opened like `/ritual signal` (issue 15): shown for a team with a confidant and a ritual that offers it.
SIGNAL = "signal"
HOME_PREFIX = "home:"


@dataclass(frozen=True)
class RitualLine:
    title: str
    schedule: str
    next_local: str | None
    paused: bool


@dataclass(frozen=True)
class TeamSummary:
    team_id: str
    language: str
    consent: Consent
    consent_since: str | None
    is_admin: bool
    rituals: tuple[RitualLine, ...]
    signal: bool = False  # a button to raise a worry with the team's confidant


async def summarise(bot: RitualBot, user_id: str, team_ids: Iterable[str], locale: str | None) -> list[TeamSummary]:
    """One summary per team, in the person's language; rituals only for the team's admins."""
    out = []
    for team_id in team_ids:
        team = bot.teams[team_id]
        language = pick_language(await bot.store.language(team.id, user_id), locale, default=team.language)
        consent, since, _ = await bot.store.consent_record(team.id, user_id)
        rituals: list[RitualLine] = []
        if team.is_admin(user_id):
            for rid in bot.enabled_rituals(team.id):
                ritual = bot.rituals[rid]
                nxt = bot.next_firing(team.id, rid)
                rituals.append(RitualLine(
                    title=ritual.title.get(language, rid), schedule=spoken_schedule(bot.resolved[(team.id, rid)].schedule, language),
                    next_local=format_local(nxt, team, language) if nxt else None,
                    paused=(await bot.store.ritual_state(team.id, rid)).paused))
        signal = bool(team.confidant) and any(SIGNAL in bot.rituals[rid].button_commands
                                              for rid in bot.enabled_rituals(team.id))
        out.append(TeamSummary(team.id, language, consent,
                               format_local(since, team, language) if since else None,
                               team.is_admin(user_id), tuple(rituals), signal))
    return out


def home_view(summaries: list[TeamSummary], language: str, command: str) -> dict[str, Any]:
    """The `home` view; teams that would not fit in Slack's 100 blocks are pointed to, not dropped silently."""
    def t(key: str, lang: str = language, **values: object) -> str:
        return translate(TEXTS, key, lang, **values)

    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": t("home.title")}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(t("home.intro"))}]},
    ]
    if not summaries:
        blocks.append(section(escape(t("home.no_team"))))
    for i, summary in enumerate(summaries):
        team_blocks = _team_blocks(summary)
        if len(blocks) + len(team_blocks) + 1 > VIEW_BLOCKS_MAX:
            blocks.append(section(escape(t("home.more", count=len(summaries) - i, command=command))))
            break
        blocks.extend(team_blocks)
    return {"type": "home", "blocks": blocks}


def _team_blocks(s: TeamSummary) -> list[dict[str, Any]]:
    def t(key: str, **values: object) -> str:
        return translate(TEXTS, key, s.language, **values)

    if s.consent is Consent.IN:
        consent = t("home.consent_in", when=s.consent_since or "-")
    elif s.consent is Consent.OUT:
        consent = t("home.consent_out")
    else:
        consent = t("home.consent_unknown")
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        section(f"*{escape(t('home.team', team=s.team_id))}*\n{escape(consent)}"),
        {"type": "actions", "block_id": f"home-{s.team_id}", "elements": [
            {"type": "button", "action_id": HOME_PREFIX + name, "value": s.team_id,
             "text": {"type": "plain_text", "text": t("home." + name)},
             **({"style": "danger"} if name == "forget" else {})}
            for name in (*HOME_ACTIONS, *((SIGNAL,) if s.signal else ()))
            if not (name == "optin" and s.consent is Consent.IN)]},
    ]
    if s.is_admin:
        lines = [t("home.paused" if r.paused else "home.ritual", title=r.title, schedule=r.schedule,
                   when=r.next_local or "-") for r in s.rituals]
        body = "\n".join("• " + escape(line) for line in lines) or escape(t("home.no_rituals"))
        blocks.append(section(f"{escape(t('home.admin'))}\n{body}"))
    return blocks
