"""The Slack adapter's own texts (App Home); its error texts are the kit's (bot/platforms/kit/texts.py)."""

from __future__ import annotations

from bot.i18n import Catalog

TEXTS: Catalog = {
    "home.title": {"nl": "Jouw teamrituelen", "en": "Your team rituals"},
    "home.intro": {
        "nl": "Hier zie je waar je toestemming voor gaf, per team. Antwoorden op deze knoppen krijg je in een privébericht.",
        "en": "Here you see what you agreed to, per team. Answers to these buttons arrive in a direct message.",
    },
    "home.no_team": {
        "nl": "Je zit (nog) niet in een team dat ritualbot gebruikt.",
        "en": "You are not (yet) in a team that uses ritualbot.",
    },
    "home.team": {"nl": "Team {team}", "en": "Team {team}"},
    "home.consent_in": {
        "nl": "Je gaf toestemming om te bewaren wat je deelt (sinds {when}).",
        "en": "You agreed that I keep what you share (since {when}).",
    },
    "home.consent_out": {"nl": "Ik bewaar niets van wat je deelt.", "en": "I don't keep anything you share."},
    "home.consent_unknown": {
        "nl": "Je hebt nog niet gekozen; tot dan bewaar ik niets van wat je deelt.",
        "en": "You have not chosen yet; until then I don't keep anything you share.",
    },
    "home.optin": {"nl": "Toestemming geven", "en": "Agree"},
    "home.optout": {"nl": "Toestemming intrekken", "en": "Withdraw consent"},
    "home.mydata": {"nl": "Mijn gegevens", "en": "My data"},
    "home.forget": {"nl": "Wis mijn gegevens", "en": "Erase my data"},
    "home.signal": {"nl": "Zorg melden bij de vertrouwenspersoon", "en": "Raise a worry with the confidant"},
    "home.admin": {"nl": "Rituelen van dit team (je bent beheerder):", "en": "This team's rituals (you are an admin):"},
    "home.ritual": {"nl": "{title}: {schedule}; volgende keer {when}", "en": "{title}: {schedule}; next on {when}"},
    "home.paused": {"nl": "{title}: {schedule}; gepauzeerd", "en": "{title}: {schedule}; paused"},
    "home.no_rituals": {"nl": "Er staan geen rituelen aan.", "en": "No rituals are switched on."},
    "home.more": {"nl": "…en nog {count} teams. Typ /{command} status in het kanaal van een team.",
                  "en": "…and {count} more teams. Type /{command} status in a team's channel."},
}
