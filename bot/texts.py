"""The core's own texts (commands, consent, refusals), in Dutch and English."""

from __future__ import annotations

from bot.i18n import Catalog

NOTICE_VERSION = 1
"""Bump when the consent notice below changes in substance: everyone is asked again."""

TEXTS: Catalog = {
    "help.title": {
        "nl": "Dit kun je aan mij vragen met /{command}:",
        "en": "This is what you can ask me with /{command}:",
    },
    "help.help": {"nl": "deze uitleg", "en": "this overview"},
    "help.status": {"nl": "de rituelen van dit team en wanneer ze weer langskomen", "en": "this team's rituals and when they come round next"},
    "help.optin": {"nl": "goed vinden dat ik bewaar wat je deelt", "en": "agree that I keep what you share"},
    "help.optout": {"nl": "niet meer bewaren wat je deelt", "en": "stop keeping what you share"},
    "help.mydata": {"nl": "alles zien wat ik over jou bewaar", "en": "see everything I keep about you"},
    "help.forget": {"nl": "alles wissen wat ik over jou bewaar", "en": "erase everything I keep about you"},
    "help.admin_title": {"nl": "Voor beheerders van dit team:", "en": "For this team's admins:"},
    "help.run": {"nl": "een ritueel nu starten", "en": "start a ritual now"},
    "help.pause": {"nl": "een ritueel pauzeren", "en": "pause a ritual"},
    "help.resume": {"nl": "een gepauzeerd ritueel hervatten", "en": "resume a paused ritual"},
    "help.skip": {"nl": "de volgende keer van een ritueel overslaan", "en": "skip a ritual's next occurrence"},
    "status.title": {"nl": "Rituelen van team {team}:", "en": "Rituals of team {team}:"},
    "status.line": {"nl": "{title} ({ritual}): volgende keer {when}", "en": "{title} ({ritual}): next on {when}"},
    "status.paused": {"nl": "{title} ({ritual}): gepauzeerd", "en": "{title} ({ritual}): paused"},
    "status.skipping": {"nl": " (de keer van {when} wordt overgeslagen)", "en": " (the one on {when} is skipped)"},
    "status.none": {"nl": "Er staan voor dit team geen rituelen aan.", "en": "No rituals are switched on for this team."},
    "status.consent_in": {"nl": "Jij hebt toestemming gegeven om te bewaren wat je deelt (sinds {when}).", "en": "You agreed that I keep what you share (since {when})."},
    "status.consent_out": {"nl": "Ik bewaar niets van wat je deelt.", "en": "I keep nothing of what you share."},
    "status.consent_unknown": {"nl": "Je hebt nog niet gekozen of ik bewaar wat je deelt; tot dan bewaar ik niets. Zie /{command} optin.", "en": "You have not yet chosen whether I keep what you share; until then I keep nothing. See /{command} optin."},
    "unknown_command": {"nl": "Dat ken ik niet: '{name}'. Probeer /{command} help.", "en": "I don't know '{name}'. Try /{command} help."},
    "no_team": {"nl": "Ik weet niet bij welk team je hoort. Gebruik deze opdracht in het kanaal van je team.", "en": "I don't know which team you belong to. Use this command in your team's channel."},
    "admin_only": {"nl": "Dat mag alleen een beheerder van dit team. Er is niets veranderd. Vraag gerust een van de beheerders: {admins}.", "en": "Only an admin of this team can do that. Nothing was changed. Feel free to ask one of the admins: {admins}."},
    "need_ritual": {"nl": "Welk ritueel bedoel je? Kies uit: {known}.", "en": "Which ritual do you mean? Choose from: {known}."},
    "unknown_ritual": {"nl": "Ritueel '{name}' ken ik niet. Kies uit: {known}.", "en": "I don't know the ritual '{name}'. Choose from: {known}."},
    "ritual_off": {"nl": "{ritual} staat voor dit team niet aan.", "en": "{ritual} is not switched on for this team."},
    "run.done": {"nl": "{ritual} is nu gestart.", "en": "{ritual} has been started now."},
    "run.failed": {"nl": "{ritual} kon niet starten: {reason}. Er is niets dubbel geplaatst.", "en": "{ritual} could not start: {reason}. Nothing was posted twice."},
    "pause.done": {"nl": "{ritual} is gepauzeerd tot iemand /{command} resume {ritual} typt.", "en": "{ritual} is paused until someone types /{command} resume {ritual}."},
    "resume.done": {"nl": "{ritual} loopt weer; de volgende keer is {when}.", "en": "{ritual} is running again; next time is {when}."},
    "skip.done": {"nl": "De keer van {when} van {ritual} wordt overgeslagen.", "en": "The {ritual} of {when} will be skipped."},
    "skip.none": {"nl": "{ritual} heeft geen volgende keer om over te slaan.", "en": "{ritual} has no next occurrence to skip."},
    "consent.notice": {
        "nl": ("Als je het goed vindt, bewaar ik wat je deelt in de rituelen van je team (je weeksucces en weekfout, "
               "dilemma's, reflecties), zodat het team er later op kan terugkijken. Anoniem gedeelde antwoorden bewaar ik "
               "zonder je naam. Ik bewaar het {days} dagen en daarna wis ik het vanzelf. Je team ziet alleen wat je zelf "
               "in het kanaal deelt; beheerders zien alleen aantallen, nooit wat je schreef of wie wat schreef. "
               "Je kunt altijd zien wat ik van je heb (/{command} mydata) en alles laten wissen (/{command} forget)."),
        "en": ("If you agree, I keep what you share in your team's rituals (your weekly success and mistake, dilemmas, "
               "reflections), so the team can look back on it later. Answers shared anonymously are kept without your "
               "name. I keep it for {days} days and then erase it by myself. Your team sees only what you share in the "
               "channel yourself; admins see counts only, never what you wrote or who wrote what. You can always see "
               "what I have of you (/{command} mydata) and have it all erased (/{command} forget)."),
    },
    "consent.optin_button": {"nl": "Ja, bewaar wat ik deel", "en": "Yes, keep what I share"},
    "consent.optout_button": {"nl": "Nee, liever niet", "en": "No, rather not"},
    "consent.opted_in": {"nl": "Dank je. Vanaf nu bewaar ik wat je deelt. Je kunt dit altijd terugdraaien met /{command} optout.", "en": "Thank you. From now on I keep what you share. You can undo this any time with /{command} optout."},
    "consent.opted_out": {"nl": "Goed. Vanaf nu bewaar ik niets meer van wat je deelt; je kunt gewoon blijven meedoen.", "en": "Fine. From now on I keep nothing of what you share; you can still take part as before."},
    "consent.erase_question": {"nl": "Wil je ook laten wissen wat ik eerder van je bewaarde?", "en": "Do you also want me to erase what I kept of you before?"},
    "forget.question": {"nl": "Weet je het zeker? Ik wis alles wat ik over jou bewaar in dit team: je antwoorden, je keuzes en wanneer je aan de beurt was. Dit kan niet ongedaan worden.", "en": "Are you sure? I will erase everything I keep about you in this team: your answers, your choices and when it was your turn. This cannot be undone."},
    "forget.confirm_button": {"nl": "Ja, wis alles", "en": "Yes, erase everything"},
    "forget.cancel_button": {"nl": "Nee, laat maar", "en": "No, leave it"},
    "forget.done": {"nl": "Gewist. Ik heb alleen genoteerd dat er gewist is, niet wat.", "en": "Erased. I only noted that an erasure happened, not what it was."},
    "forget.cancelled": {"nl": "Er is niets gewist.", "en": "Nothing was erased."},
    "mydata.title": {"nl": "Dit bewaar ik over jou in team {team}:", "en": "This is what I keep about you in team {team}:"},
    "mydata.consent": {"nl": "Toestemming: {state} (sinds {when}, versie {version} van de uitleg)", "en": "Consent: {state} (since {when}, version {version} of the notice)"},
    "mydata.responses": {"nl": "Antwoorden met je naam: {count}", "en": "Answers with your name: {count}"},
    "mydata.anonymous": {"nl": "Anonieme antwoorden zijn niet aan jou te koppelen, ook niet door mij, en staan hier dus niet bij.", "en": "Anonymous answers cannot be linked to you, not even by me, so they are not listed here."},
    "mydata.nothing": {"nl": "Ik bewaar niets over jou in team {team}.", "en": "I keep nothing about you in team {team}."},
    "mydata.json": {"nl": "Alles als JSON:", "en": "Everything as JSON:"},
    "form.too_long": {"nl": "Dit is te lang (hoogstens {max} tekens).", "en": "This is too long (at most {max} characters)."},
    "form.required": {"nl": "Vul dit in, alsjeblieft.", "en": "Please fill this in."},
    "action.stale": {"nl": "Deze knop hoort bij iets dat niet meer loopt.", "en": "This button belongs to something that is no longer running."},
    "action.failed": {"nl": "Er ging bij mij iets mis; er is niets opgeslagen of geplaatst. Probeer het zo nog eens.", "en": "Something went wrong on my side; nothing was stored or posted. Please try again in a moment."},
    "help.schedule": {"nl": "wanneer een ritueel komt, bijvoorbeeld 'fri 14:00'", "en": "when a ritual comes round, e.g. 'fri 14:00'"},
    "help.holidays": {"nl": "eigen vrije dagen zonder rituelen", "en": "the team's own days without rituals"},
    "help.leaders": {"nl": "leidinggevenden van het team", "en": "the team's leaders"},
    "help.members": {"nl": "leden van het team", "en": "the team's members"},
    "help.language": {"nl": "de taal van het team", "en": "the team's language"},
    "help.timezone": {"nl": "de tijdzone van het team", "en": "the team's timezone"},
    "schedule.current": {"nl": "{ritual} komt nu op: {when}. Wijzigen: /{command} schedule {ritual} fri 14:00", "en": "{ritual} now comes round: {when}. To change: /{command} schedule {ritual} fri 14:00"},
    "schedule.bad": {"nl": "Dat tijdstip begrijp ik niet: {reason}. Er is niets veranderd.", "en": "I can't read that schedule: {reason}. Nothing was changed."},
    "schedule.done": {"nl": "{ritual} komt voortaan op: {when}. De volgende keer is {next}.", "en": "{ritual} now comes round: {when}. Next time is {next}."},
    "holidays.list": {"nl": "Op de feestdagen van {country} en op deze eigen dagen zijn er geen rituelen: {dates}. Toevoegen: /{command} holidays add 2026-12-24", "en": "There are no rituals on the public holidays of {country} and on these days of the team's own: {dates}. To add: /{command} holidays add 2026-12-24"},
    "holidays.usage": {"nl": "Gebruik: /{command} holidays add 2026-12-24, of /{command} holidays remove 2026-12-24", "en": "Use: /{command} holidays add 2026-12-24, or /{command} holidays remove 2026-12-24"},
    "holidays.bad_date": {"nl": "'{value}' is geen datum; schrijf hem als jjjj-mm-dd. Er is niets veranderd.", "en": "'{value}' is not a date; write it as yyyy-mm-dd. Nothing was changed."},
    "holidays.added": {"nl": "Op {date} zijn er geen rituelen.", "en": "There will be no rituals on {date}."},
    "holidays.removeed": {"nl": "{date} is geen eigen vrije dag meer.", "en": "{date} is no longer one of the team's own days off."},
    "roster.leaders": {"nl": "Leidinggevenden: {users}", "en": "Leaders: {users}"},
    "roster.members": {"nl": "Leden: {users}", "en": "Members: {users}"},
    "roster.channel": {"nl": "iedereen in het kanaal", "en": "everyone in the channel"},
    "roster.usage": {"nl": "Gebruik: /{command} {key} add @iemand, of /{command} {key} remove @iemand", "en": "Use: /{command} {key} add @someone, or /{command} {key} remove @someone"},
    "roster.is_channel": {"nl": "Bij dit team doet iedereen in het kanaal mee; voeg mensen toe aan het kanaal zelf.", "en": "In this team everyone in the channel takes part; add people to the channel itself."},
    "roster.leader_not_member": {"nl": "{user} is geen lid van het team; voeg eerst toe met /{command} members add {user}. Er is niets veranderd.", "en": "{user} is not a member of the team; add them first with /{command} members add {user}. Nothing was changed."},
    "roster.member_is_leader": {"nl": "{user} is leidinggevende; haal dat eerst weg met /{command} leaders remove {user}. Er is niets veranderd.", "en": "{user} is a leader; remove that first with /{command} leaders remove {user}. Nothing was changed."},
    "roster.added": {"nl": "{user} is toegevoegd ({key}).", "en": "{user} was added ({key})."},
    "roster.removeed": {"nl": "{user} is weggehaald ({key}).", "en": "{user} was removed ({key})."},
    "language.usage": {"nl": "Gebruik: /{command} language nl, of /{command} language en", "en": "Use: /{command} language nl, or /{command} language en"},
    "language.done": {"nl": "De taal van het team is nu: {language}.", "en": "The team's language is now: {language}."},
    "timezone.bad": {"nl": "'{value}' is geen tijdzone die ik ken; gebruik bijvoorbeeld Europe/Amsterdam. Er is niets veranderd.", "en": "'{value}' is not a timezone I know; use e.g. Europe/Amsterdam. Nothing was changed."},
    "timezone.done": {"nl": "De tijdzone van het team is nu {timezone}; de rituelen volgen die meteen.", "en": "The team's timezone is now {timezone}; the rituals follow it at once."},
}
