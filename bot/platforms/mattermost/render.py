"""Turning the message model into Mattermost posts and dialogs, and submissions back.

Pure functions: no network. Mentions are rendered from a `usernames` map the platform
fetched beforehand, and button contexts / dialog states come signed from a `Signer`.
Limits follow the server's own validation (`model/integration_action.go`): dialog
titles and labels 24 characters, help texts 150, text inputs 150, text areas 3000.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.messages import (
    Bold,
    FieldKind,
    Form,
    FormField,
    Mention,
    Message,
    Segment,
    neutralise_mentions,
)
from bot.platforms.mattermost.signing import Signer

POST_LIMIT = 16383
TITLE_LIMIT = 24
LABEL_LIMIT = 24
HELP_LIMIT = 150
TEXT_LIMIT = 150
TEXTAREA_LIMIT = 3000
RADIO_MAX = 5

# Markdown that could make echoed text look like the bot's own formatting or a link.
_INLINE = re.compile(r"([\\`*_~\[\]#>|<])")
_LINE_START = re.compile(r"^(\s*)(\d*)([-+=.)])", re.MULTILINE)


def escape_user_text(raw: str) -> str:
    """Echoed user text: no mention notifies anyone, no Markdown takes effect."""
    escaped = _LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\\" + m.group(3), _INLINE.sub(r"\\\1", raw))
    return neutralise_mentions(escaped)


def _segment(segment: Segment, usernames: Mapping[str, str]) -> str:
    if isinstance(segment, str):
        return segment
    if isinstance(segment, Bold):
        return f"**{segment.text}**"
    if isinstance(segment, Mention):
        name = usernames.get(segment.user_id)
        return f"@{name}" if name else "someone"
    return escape_user_text(segment.text)


def mentioned(message: Message) -> set[str]:
    """User ids the platform must resolve to usernames before rendering."""
    return {s.user_id for para in message.paragraphs for s in para if isinstance(s, Mention)}


def message_text(message: Message, usernames: Mapping[str, str]) -> str:
    """The post's Markdown text, whole; `bot.textsplit` splits it over posts when too long."""
    return "\n\n".join("".join(_segment(s, usernames) for s in para) for para in message.paragraphs)


def attachments(message: Message, signer: Signer, action_url: str, *, channel: str,
                user: str | None) -> list[dict[str, Any]]:
    """One attachment holding the buttons (none without buttons)."""
    if not message.buttons:
        return []
    actions = [{
        "id": f"btn{i}",  # the webapp puts it in a URL path: letters and digits only
        "name": button.label,
        "type": "button",
        "style": button.style or "default",
        "integration": {"url": action_url,
                        "context": signer.button_context(button.action, button.value, channel=channel, user=user)},
    } for i, button in enumerate(message.buttons)]
    return [{"fallback": message.plain_text()[:200], "actions": actions}]


def post_body(message: Message, usernames: Mapping[str, str], signer: Signer, action_url: str, *,
              channel: str, user: str | None) -> dict[str, Any]:
    """`message` + `props` of a post; buttons bound to `channel` (and `user` for private ones)."""
    body: dict[str, Any] = {"message": message_text(message, usernames)}
    found = attachments(message, signer, action_url, channel=channel, user=user)
    body["props"] = {"attachments": found} if found else {}
    return body


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _element(field: FormField) -> dict[str, Any]:
    label = field.label.strip()
    helps = [h for h in (label if len(label) > LABEL_LIMIT else None, field.hint) if h]
    element: dict[str, Any] = {"name": field.name, "display_name": _cut(label, LABEL_LIMIT),
                               "optional": not field.required}
    if helps:
        element["help_text"] = _cut(" ".join(helps), HELP_LIMIT)
    if field.placeholder:
        element["placeholder"] = _cut(field.placeholder, TEXT_LIMIT)
    if field.kind in (FieldKind.TEXT, FieldKind.MULTILINE):
        # A short text that may be long becomes a text area: never cut what people want to say.
        short = field.kind is FieldKind.TEXT and field.max_length <= TEXT_LIMIT
        element["type"] = "text" if short else "textarea"
        if short:
            element["subtype"] = "text"
        element["max_length"] = min(field.max_length, TEXT_LIMIT if short else TEXTAREA_LIMIT)
        if field.default:
            element["default"] = field.default[: element["max_length"]]
    elif field.kind is FieldKind.CHOICE:
        element["type"] = "radio" if len(field.choices) <= RADIO_MAX else "select"
        element["options"] = [{"text": c.label, "value": c.value} for c in field.choices]
        if field.default and any(c.value == field.default for c in field.choices):
            element["default"] = field.default
    else:
        element["type"] = "bool"
        element["default"] = "true" if field.default in ("true", "1", "yes") else "false"
        element["optional"] = True  # an unticked box is an answer, not a missing one
        element["placeholder"] = _cut(field.hint or label, TEXT_LIMIT)
    return element


def dialog(form: Form, signer: Signer, *, user: str) -> dict[str, Any]:
    """The `dialog` object for `/actions/dialogs/open`, its state bound to `user`."""
    body: dict[str, Any] = {
        "callback_id": form.form_id,
        "title": _cut(form.title, TITLE_LIMIT),
        "submit_label": _cut(form.submit_label, LABEL_LIMIT),
        "notify_on_cancel": False,
        "state": signer.dialog_state(form.form_id, form.state, user=user),
        "elements": [_element(f) for f in form.fields],
    }
    intro = [p for p in (form.title if len(form.title) > TITLE_LIMIT else None, form.intro) if p]
    if intro:
        body["introduction_text"] = "\n\n".join(intro)
    return body


def submission_values(submission: Any) -> dict[str, str | bool | None]:
    """Dialog values as the core expects them: text, a tick box's bool, or None when empty."""
    values: dict[str, str | bool | None] = {}
    if not isinstance(submission, dict):
        return values
    for name, value in submission.items():
        if isinstance(value, bool) or value is None:
            values[str(name)] = value
        elif isinstance(value, (str, int, float)):
            values[str(name)] = str(value)
    return values


def dialog_errors(errors: Mapping[str, str], submitted: Mapping[str, Any]) -> dict[str, Any]:
    """The submission response: per-field errors, and any others as the dialog's general error."""
    body: dict[str, Any] = {"errors": dict(errors)}
    stray = [msg for name, msg in errors.items() if name not in submitted]
    if stray:
        body["error"] = " ".join(stray)
    return body
