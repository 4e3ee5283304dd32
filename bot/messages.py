"""The platform-neutral message model that rituals speak.

Rituals never build Slack blocks or Mattermost attachments: they compose these small
frozen objects and each adapter renders them. Text that came from a user is wrapped in
`UserText`, so every adapter escapes it and nobody can smuggle a mass mention through
the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


@dataclass(frozen=True)
class Mention:
    """A mention of one user, rendered the platform's way (`<@U1>` or `@name`)."""

    user_id: str


@dataclass(frozen=True)
class UserText:
    """Text written by a user and echoed by the bot: always escaped when rendered."""

    text: str


@dataclass(frozen=True)
class Bold:
    """Bot-authored emphasis; the only formatting rituals need."""

    text: str


Segment = str | Mention | UserText | Bold


@dataclass(frozen=True)
class Button:
    """A button; `action` is ritual-local, the core prefixes it with the ritual id."""

    action: str
    label: str
    value: str = ""
    style: Literal["primary", "danger"] | None = None


class FieldKind(StrEnum):
    TEXT = "text"
    MULTILINE = "multiline"
    CHOICE = "choice"
    CHECKBOX = "checkbox"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FormField:
    """One typed input of a form."""

    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    choices: tuple[Choice, ...] = ()
    default: str | None = None
    placeholder: str | None = None
    max_length: int = 2000
    hint: str | None = None
    # The client-data guard checks free text before it is posted or stored. None means the
    # default: on for text fields. Turning it off takes an explicit `guarded=False`.
    guarded: bool | None = None

    @property
    def checked_by_guard(self) -> bool:
        """Whether the core runs the client-data guard on this field's value."""
        if self.guarded is None:
            return self.kind in (FieldKind.TEXT, FieldKind.MULTILINE)
        return self.guarded


@dataclass(frozen=True)
class Form:
    """A form (Slack modal, Mattermost dialog). `form_id` is ritual-local."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str
    state: str = ""
    intro: str | None = None
    # May this be shared anonymously? Then the core adds the "how do you share" choice
    # (named or anonymous, plus `share_choices` of the ritual's own, such as "private").
    anonymous: bool = False
    share_choices: tuple[Choice, ...] = ()
    # What is written here must never come back where the platform keeps it (a DM), as in an
    # anonymous conversation; so is a form whose author chose to share anonymously.
    traceless: bool = False

    @property
    def guarded(self) -> bool:
        """Whether any field is checked by the client-data guard."""
        return any(f.checked_by_guard for f in self.fields)


@dataclass(frozen=True)
class Message:
    """A message: paragraphs of segments plus an optional row of buttons."""

    paragraphs: tuple[tuple[Segment, ...], ...]
    buttons: tuple[Button, ...] = ()
    # Set by the engine on a firing's messages; adapters attach it invisibly (Slack message
    # metadata, Mattermost props) so a replica taking over can tell whether it went out;
    # `number` says which of the firing's messages it is (1, 2, ... in the order the step
    # sends them), so a step run again after a takeover posts only what is missing.
    marker: str | None = None
    number: int | None = None

    def plain_text(self) -> str:
        """The message as readable text, used by the local platform and for fallbacks."""
        return "\n\n".join("".join(_plain(s) for s in para) for para in self.paragraphs)


def _plain(segment: Segment) -> str:
    if isinstance(segment, str):
        return segment
    if isinstance(segment, Mention):
        return f"@{segment.user_id}"
    if isinstance(segment, Bold):
        return f"*{segment.text}*"
    return neutralise_mentions(segment.text)


def text(*paragraphs: str | tuple[Segment, ...] | list[Segment], buttons: tuple[Button, ...] | list[Button] = ()) -> Message:
    """Build a message from paragraphs; a paragraph is a string or a sequence of segments."""
    paras: list[tuple[Segment, ...]] = []
    for p in paragraphs:
        paras.append((p,) if isinstance(p, str) else tuple(p))
    return Message(paragraphs=tuple(paras), buttons=tuple(buttons))


WHO = "\0"
"""Put this where a mention goes: `t("x", who=WHO)`, then `mentioning(that, user)`."""


def mentioning(template: str, user_id: str) -> tuple[Segment, ...]:
    """A translated text with every `WHO` placeholder turned into a mention of `user_id`."""
    parts = template.split(WHO)
    out: list[Segment] = [parts[0]]
    for part in parts[1:]:
        out += [Mention(user_id), part]
    return tuple(p for p in out if p != "")


_USER_REF = re.compile(r"^<@([A-Za-z0-9_.-]+)(?:\|[^>]*)?>$|^@?([A-Za-z0-9_.-]+)$")


def parse_user_ref(raw: str) -> str | None:
    """A user from a command argument: `<@U123|name>` (Slack's escaped mention), `@name` or `name`."""
    match = _USER_REF.match(raw.strip())
    return None if match is None else (match.group(1) or match.group(2))


_ZERO_WIDTH = "\u200b"


def neutralise_mentions(raw: str) -> str:
    """Break every `@word` so no platform turns echoed user text into a notification."""
    return raw.replace("@", "@" + _ZERO_WIDTH)


@dataclass(frozen=True)
class MessageRef:
    """Where a posted message lives, so it can be updated or replied to in a thread."""

    channel: str
    id: str
    thread_id: str | None = None


@dataclass(frozen=True)
class ImageFile:
    """A PNG (or other) file a ritual or report wants to upload."""

    filename: str
    data: bytes
    title: str
    mime: str = "image/png"
