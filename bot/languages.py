"""Which languages ritualbot speaks, and where a ritual does not speak one of them yet.

A language is supported when the core's catalog is installed in it
(`bot/locale/<code>/LC_MESSAGES/core.po`, see `bot.i18n.supported_languages`): adding a
language is adding `.po` files (docs/translating.md), no Python. A ritual whose catalog lacks
a supported language still runs in it, in English (`PoCatalog.text` falls back); the config
check says so, and so does `/ritual language`, so nobody is surprised by an English ritual.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from bot.i18n import SOURCE_LANGUAGE, PoCatalog, pick_language, supported_languages

if TYPE_CHECKING:
    from bot.platform import ChatPlatform
    from bot.store import Store
    from bot.teams import TeamView

log = logging.getLogger("ritualbot.languages")

MAX_NAMED = 5
"""Teams named in one warning line; the rest are counted."""


async def person_language(store: Store, platform: ChatPlatform, team: TeamView, user_id: str) -> str:
    """The language to write to `user_id` in, unasked (a DM from a scheduled step, a notice to
    an admin): the one they chose in `team`, else their platform's locale, else the team's; as
    an answer to their own click would be. A locale the platform cannot give now is no reason
    not to write: the team's language then."""
    chosen = await store.language(team.id, user_id)
    locale = None
    if pick_language(chosen, default="") == "":
        try:
            locale = await platform.user_locale(user_id)
        except Exception as exc:  # noqa: BLE001 - logged in one line; the DM goes out in the team's language
            log.info("no locale for a person (%s): the team's language", type(exc).__name__)
    return pick_language(chosen, locale, default=team.language)


def language_problem(code: str) -> str | None:
    """Why `code` cannot be a team's or the install's language (None: it can), naming the ones
    that can; English, like every config check (see `bot/config.py`)."""
    supported = supported_languages()
    if code in supported:
        return None
    base = code.replace("_", "-").split("-")[0].strip().lower()
    if base in supported:  # "NL", "nl-NL", "nl_NL": a language code, written as a locale
        return f"unknown language {code!r}: write the language code alone, in lower case: {base!r}"
    return (f"unknown language {code!r}: ritualbot speaks {', '.join(supported)}; another language is added "
            f"with its .po files (docs/translating.md)")


def ritual_languages(ritual_type: Any) -> frozenset[str]:
    """The languages a ritual's texts are written in: its catalog's `.po` files, or the
    languages its old-style `key -> {language: text}` dict uses."""
    texts = getattr(ritual_type, "texts", None)
    if isinstance(texts, PoCatalog):
        return frozenset(texts.languages)
    if isinstance(texts, Mapping):
        return frozenset(code for entry in texts.values() if isinstance(entry, Mapping) for code in entry)
    return frozenset({SOURCE_LANGUAGE})


def lacking(ritual_types: Iterable[Any], language: str) -> list[Any]:
    """The rituals among `ritual_types` with no texts in `language` (they speak English there)."""
    return [cls for cls in ritual_types if language not in ritual_languages(cls)]


def named_teams(teams: list[str]) -> str:
    """`'noord', 'zuid' and 3 more`: at most MAX_NAMED team ids for a log line, then a count."""
    return ", ".join(repr(t) for t in teams[:MAX_NAMED]) + (
        f" and {len(teams) - MAX_NAMED} more" if len(teams) > MAX_NAMED else "")


def language_gaps(config: Any, ritual_types: Mapping[str, Any]) -> list[str]:
    """One line per language and set of rituals that some teams run without texts in their
    language, e.g. `team 'noord' speaks de; walk_and_listen has no de texts yet and speaks en
    there` (teams grouped, so 10,000 teams give a few lines, not 10,000)."""
    speaks = {rid: ritual_languages(cls) for rid, cls in ritual_types.items()}
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for team in config.teams:
        language = team.language or config.language
        missing = tuple(sorted(rid for rid, settings in team.rituals.items()
                               if settings.enabled and rid in speaks and language not in speaks[rid]))
        if missing:
            grouped.setdefault((language, missing), []).append(team.id)
    found = []
    for (language, missing), teams in grouped.items():
        named = named_teams(teams)
        one = len(missing) == 1
        found.append(f"{'team' if len(teams) == 1 else 'teams'} {named} {'speaks' if len(teams) == 1 else 'speak'} "
                     f"{language}; {', '.join(missing)} {'has' if one else 'have'} no {language} texts yet and "
                     f"{'speaks' if one else 'speak'} {SOURCE_LANGUAGE} there")
    return found


def warn_gaps(config: Any, ritual_types: Mapping[str, Any]) -> list[str]:
    """`language_gaps`, each logged as a warning (at start-up and by check-config); returned."""
    gaps = language_gaps(config, ritual_types)
    for gap in gaps:
        log.warning("%s", gap)
    return gaps
