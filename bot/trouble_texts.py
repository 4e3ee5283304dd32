"""The words for a firing's trouble: each cause and its fix, in Dutch and English.

Used for the admins' private message (`bot/trouble.py`), `/ritual status` and `/ritual run`.
"""

from __future__ import annotations

from bot.i18n import Catalog, translate

REPOST = "repost"  # the core button that posts an unconfirmed firing now

TROUBLE_TEXTS: Catalog = {
    "trouble.title": {
        "nl": "{ritual} ({step}) van {when} is niet geplaatst in team {team}.",
        "en": "{ritual} ({step}) of {when} was not posted in team {team}.",
    },
    "trouble.unconfirmed_title": {
        "nl": "Ik weet niet zeker of {ritual} ({step}) van {when} in team {team} is geplaatst.",
        "en": "I am not sure whether {ritual} ({step}) of {when} was posted in team {team}.",
    },
    "trouble.held_unconfirmed": {
        "nl": ("Een privébericht van {ritual} in team {team}, dat wachtte op iemands werktijd ({when}), is misschien "
               "niet aangekomen: de bot die het verstuurde viel uit en ik kan niet nagaan of het verstuurd is. Ik stuur "
               "het niet nog eens, want twee keer is erger. Vraag zo nodig in het team of iemand een bericht van {ritual} mist."),
        "en": ("A private message of {ritual} in team {team}, which waited for someone's working time ({when}), may not "
               "have arrived: the bot sending it stopped and I cannot check whether it went out. I am not sending it "
               "again, since twice is worse. If need be, ask the team whether anyone is missing a message of {ritual}."),
    },
    "cause.not_in_channel": {
        "nl": "Oorzaak: ik ben geen lid van het teamkanaal {channel}. Oplossing: nodig me uit, typ in dat kanaal /invite @ritualbot.",
        "en": "Cause: I am not a member of the team channel {channel}. Fix: invite me, type /invite @ritualbot in that channel.",
    },
    "cause.channel_gone": {
        "nl": "Oorzaak: het teamkanaal {channel} bestaat niet (meer) of ik kan het niet zien. Oplossing: zet het juiste kanaal-ID bij `channel` in config.toml, of nodig me uit in het kanaal.",
        "en": "Cause: the team channel {channel} does not exist (any more) or I cannot see it. Fix: put the right channel ID as `channel` in config.toml, or invite me to the channel.",
    },
    "cause.channel_archived": {
        "nl": "Oorzaak: het teamkanaal {channel} is gearchiveerd. Oplossing: haal het uit het archief, of zet een ander kanaal in config.toml.",
        "en": "Cause: the team channel {channel} is archived. Fix: unarchive it, or put another channel in config.toml.",
    },
    "cause.missing_scope": {
        "nl": "Oorzaak: mijn token mist een recht ({detail}). Oplossing: voeg het toe in de instellingen van de app en installeer de app opnieuw.",
        "en": "Cause: my token lacks a permission ({detail}). Fix: add it in the app's settings and reinstall the app.",
    },
    "cause.bad_token": {
        "nl": "Oorzaak: mijn token werkt niet (meer). Oplossing: zet een geldig token in de omgeving en herstart mij.",
        "en": "Cause: my token does not work (any more). Fix: set a valid token in the environment and restart me.",
    },
    "cause.may_have_posted": {
        "nl": "Oorzaak: het proces dat het plaatste viel midden in het werk weg, en ik kan niet nagaan of het bericht er al staat. Ik plaats het niet zelf opnieuw, om het niet dubbel te zetten. Oplossing: kijk in het kanaal; staat het er niet, druk dan op de knop.",
        "en": "Cause: the process posting it stopped halfway, and I cannot check whether the message is there. I do not post it again myself, so it does not appear twice. Fix: look in the channel; if it is not there, press the button.",
    },
    "cause.owner_died": {
        "nl": "Oorzaak: het proces dat het zou plaatsen viel weg en daarna was het te laat. Oplossing: start het zelf met /{command} run {ritual} als het nog zin heeft.",
        "en": "Cause: the process that was to post it stopped, and afterwards it was too late. Fix: start it yourself with /{command} run {ritual} if it still makes sense.",
    },
    "cause.stopped_halfway": {
        "nl": "Oorzaak: het platform weigerde halverwege; een deel is geplaatst.",
        "en": "Cause: the platform refused halfway; part of it was posted.",
    },
    "cause.error": {
        "nl": "Oorzaak: een fout in de bot (zie het serverlog).",
        "en": "Cause: an error in the bot (see the server log).",
    },
    "cause.plan_gone": {
        "nl": "Oorzaak: het ritueel staat niet meer aan voor dit team.",
        "en": "Cause: the ritual is no longer switched on for this team.",
    },
    "cause.no_handler": {
        "nl": "Oorzaak: het ritueel kent deze stap niet.",
        "en": "Cause: the ritual does not know this step.",
    },
    "cause.unknown": {"nl": "Oorzaak: {cause}.", "en": "Cause: {cause}."},
    "status.trouble": {
        "nl": "Laatste keer ({step}, {when}) niet gelukt.",
        "en": "Last time ({step}, {when}) did not work.",
    },
    "repost.button": {"nl": "Nu plaatsen", "en": "Post it now"},
    "repost.done": {"nl": "Geplaatst.", "en": "Posted."},
    "repost.gone": {
        "nl": "Dit is al afgehandeld (door een andere beheerder of eerder); er is niets dubbel geplaatst.",
        "en": "This has already been dealt with (by another admin or earlier); nothing was posted twice.",
    },
    "repost.failed": {"nl": "Plaatsen lukte niet. {cause}", "en": "Posting did not work. {cause}"},
}


def describe_cause(cause: str | None, language: str, *, channel: str = "", detail: str = "", ritual: str = "",
                   command: str = "ritual") -> str:
    """The cause of a failed firing and its fix, in `language`, for admins and `/ritual status`.

    A cause may carry its detail after a colon (`missing_scope:chat:write`).
    """
    cause, _, carried = (cause or "").partition(":")
    detail = detail or carried
    key = f"cause.{cause}"
    if key not in TROUBLE_TEXTS:
        return translate(TROUBLE_TEXTS, "cause.unknown", language, cause=cause or "-")
    return translate(TROUBLE_TEXTS, key, language, channel=channel, detail=detail or "-", ritual=ritual,
                     command=command)
