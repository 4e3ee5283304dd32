"""The message for a form the core refused after the platform stopped waiting.

Slack closes a modal when its 3 seconds are up; if the core refuses the answer after that,
the adapter tells the person by DM and gives back what they wrote, so nothing is lost.
A DM is a stored message, so what the client-data guard flags is never echoed into it:
such a field is named with what was found (in the person's language), and the rest of
its text comes back with neutral placeholders (`[telefoonnummer]`) where the identifiers
were. Platform-neutral: the adapter renders the `Message` like any other.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.guard import find_identifiers, listed, redact
from bot.i18n import PoCatalog, translate
from bot.messages import Message, Segment, UserText, text

TEXTS = PoCatalog("bot", "late_refusal")
"""Texts in bot/locale/<language>/LC_MESSAGES/late_refusal.po"""


def late_refusal(errors: Mapping[str, str], written: Mapping[str, str], labels: Mapping[str, str],
                 language: str) -> Message:
    """A private message: why the form was refused, then each text field the person wrote.

    `errors` are the core's per-field errors (already in the person's language), `written`
    the text fields by name (empty ones are left out), `labels` the fields' labels as the
    person saw them (the name is used when a label is missing).
    """
    head = translate(TEXTS, "refused", language, errors=" ".join(errors.values()))
    paragraphs: list[str | tuple[Segment, ...]] = [head]
    for name, value in written.items():
        if not value.strip():
            continue
        label = labels.get(name) or name
        findings = find_identifiers(value)
        if findings:
            note = translate(TEXTS, "withheld", language, items=listed(findings, language))
            paragraphs.append((f"{label} {note}: ", UserText(redact(value, findings, language))))
        else:
            paragraphs.append((f"{label}: ", UserText(value)))
    return text(*paragraphs)
