"""The App Home tab: what someone agreed to in each of their teams, and, for admins, the
team's rituals with their schedules and next firings in the team's local time.

The summary is the core's (`BotPort.overview`, bot/overview.py); `home_view` renders it
as a Slack `home` view. The buttons it carries are not
new behaviour: the adapter turns them into the core's own `/ritual optin|optout|mydata|
forget` commands, answered in the person's DM, and, where the team has a confidant, into
`/ritual signal`, which opens the same form as the command (issue 15).
"""

from __future__ import annotations

from typing import Any

from bot.i18n import translate
from bot.overview import SIGNAL, TeamSummary
from bot.platforms.slack.render import VIEW_BLOCKS_MAX, escape, section
from bot.platforms.slack.texts import TEXTS
from bot.store import Consent

HOME_ACTIONS = ("optin", "optout", "mydata", "forget")
HOME_PREFIX = "home:"


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
