"""Rendering the core's message model as Slack Block Kit, and reading modal input back.

Everything here is pure: no client, no I/O, so it is tested on its own and every
ritual's messages and forms can be checked against Slack's limits without a workspace.
Text is never silently cut: a paragraph over a section's 3000 characters is split over
several sections, and a message over 50 blocks or the text budget becomes several
messages. Text people wrote (`UserText`) is escaped so nobody can smuggle `<!channel>`
or `@here` through the bot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.messages import (
    Bold,
    Button,
    FieldKind,
    Form,
    FormField,
    Mention,
    Message,
    Segment,
    UserText,
    neutralise_mentions,
)
from bot.textsplit import split_text

log = logging.getLogger("ritualbot.slack")

SECTION_MAX = 3000  # characters of mrkdwn in one section block
BLOCKS_MAX = 50  # blocks in one message
MESSAGE_TEXT_BUDGET = 12_000  # our own cap per message; Slack truncates `text` at 40,000
BUTTONS_PER_BLOCK = 25  # elements in one actions block
BUTTON_LABEL_MAX = 75
VIEW_TITLE_MAX = 24
VIEW_BLOCKS_MAX = 100
INPUT_MAX = 3000  # plain_text_input max_length
PLACEHOLDER_MAX = 150
RADIO_MAX = 10
SELECT_MAX = 100
VALUE_ACTION = "value"  # action_id of every input element; the block_id is the field name


class SlackLimitError(ValueError):
    """Content Slack cannot show in one piece where splitting is not possible."""


@dataclass(frozen=True)
class SlackMessage:
    """One chat message: mrkdwn fallback `text` (for notifications) plus its blocks."""

    text: str
    blocks: list[dict[str, Any]]


def escape(raw: str) -> str:
    """Slack's three control characters, per its formatting docs: &, <, >."""
    return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_segment(segment: Segment) -> str:
    if isinstance(segment, Mention):
        return f"<@{escape(segment.user_id)}>"
    if isinstance(segment, Bold):
        return f"*{escape(segment.text)}*"
    if isinstance(segment, str):
        return escape(segment)
    return escape(neutralise_mentions(segment.text))


def render_paragraph(paragraph: tuple[Segment, ...]) -> str:
    return "".join(render_segment(s) for s in paragraph)


def _button(button: Button) -> dict[str, Any]:
    label = button.label
    if len(label) > BUTTON_LABEL_MAX:
        log.warning("button label over %d characters shortened: %r", BUTTON_LABEL_MAX, label)
        label = label[: BUTTON_LABEL_MAX - 1] + "…"
    out: dict[str, Any] = {"type": "button", "action_id": button.action,
                           "text": {"type": "plain_text", "text": label or "…", "emoji": True}}
    if button.value:
        out["value"] = button.value
    if button.style:
        out["style"] = button.style
    return out


def actions_blocks(buttons: tuple[Button, ...], prefix: str = "actions") -> list[dict[str, Any]]:
    """Buttons in rows; a repeated action id starts a new row (ids must be unique per block)."""
    rows: list[list[Button]] = []
    for button in buttons:
        row = rows[-1] if rows else None
        if row is None or len(row) >= BUTTONS_PER_BLOCK or any(b.action == button.action for b in row):
            rows.append([button])
        else:
            row.append(button)
    return [{"type": "actions", "block_id": f"{prefix}-{i}", "elements": [_button(b) for b in row]}
            for i, row in enumerate(rows)]


def section(mrkdwn: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


@dataclass(frozen=True)
class _Piece:
    """One section's text: mrkdwn, or plain_text shown exactly as written."""

    text: str
    plain: bool = False

    def block(self) -> dict[str, Any]:
        if self.plain:
            return {"type": "section", "text": {"type": "plain_text", "text": self.text, "emoji": True}}
        return section(self.text)

    def fallback(self) -> str:
        """For the message's `text` (notifications), which Slack reads as mrkdwn."""
        return escape(self.text) if self.plain else self.text


def _pieces(paragraph: tuple[Segment, ...]) -> list[_Piece]:
    """A paragraph as sections of at most SECTION_MAX characters. One that holds what someone
    wrote and no formatting of ours (a label and the text, a dilemma's title) goes out as
    plain_text: mrkdwn cannot escape `*`, `_`, `~`, a backtick or a leading `>`, so an
    anonymous text could set a bold "*Anna brengt in:*" of its own that reads as the bot's."""
    if any(isinstance(s, UserText) for s in paragraph) and all(isinstance(s, (str, UserText)) for s in paragraph):
        raw = "".join(s if isinstance(s, str) else neutralise_mentions(s.text) for s in paragraph
                      if isinstance(s, (str, UserText)))
        return [_Piece(piece, plain=True) for piece in split_text(raw, SECTION_MAX)]
    return [_Piece(piece) for piece in split_text(render_paragraph(paragraph), SECTION_MAX)]


def render_message(message: Message) -> list[SlackMessage]:
    """The message as one or more Slack messages, in order; buttons go on the last."""
    sections = [piece for para in message.paragraphs for piece in _pieces(para)]
    actions = actions_blocks(message.buttons)
    if len(actions) >= BLOCKS_MAX:
        raise SlackLimitError(f"{len(message.buttons)} buttons do not fit in one Slack message")
    out: list[SlackMessage] = []
    current: list[_Piece] = []
    size = 0
    for piece in sections:
        if current and (len(current) >= BLOCKS_MAX - len(actions) or size + len(piece.text) > MESSAGE_TEXT_BUDGET):
            out.append(_slack_message(current, []))
            current, size = [], 0
        current.append(piece)
        size += len(piece.text) + 2
    out.append(_slack_message(current, actions))
    return out


def _slack_message(pieces: list[_Piece], actions: list[dict[str, Any]]) -> SlackMessage:
    shown = [p for p in pieces if p.text.strip()]
    blocks = [p.block() for p in shown] + actions
    fallback = "\n\n".join(p.fallback() for p in shown)
    if not blocks:  # Slack refuses an empty message
        blocks, fallback = [section(" ")], " "
    return SlackMessage(fallback or " ", blocks)


# forms -----------------------------------------------------------------------------------------


def _plain(text: str, limit: int) -> dict[str, Any]:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text or "…", "emoji": True}


def _option(value: str, label: str) -> dict[str, Any]:
    return {"text": _plain(label, BUTTON_LABEL_MAX), "value": value}


def _element(field: FormField) -> dict[str, Any]:
    if field.kind in (FieldKind.TEXT, FieldKind.MULTILINE):
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE_ACTION,
                                   "multiline": field.kind is FieldKind.MULTILINE,
                                   "max_length": min(field.max_length, INPUT_MAX)}
        if field.placeholder:
            element["placeholder"] = _plain(field.placeholder, PLACEHOLDER_MAX)
        if field.default:
            element["initial_value"] = field.default[:INPUT_MAX]
        return element
    if field.kind is FieldKind.CHECKBOX:
        element = {"type": "checkboxes", "action_id": VALUE_ACTION, "options": [_option("yes", field.label)]}
        if field.default in ("true", "yes", "1"):
            element["initial_options"] = [_option("yes", field.label)]
        return element
    if len(field.choices) > SELECT_MAX:
        raise SlackLimitError(f"field {field.name!r} has {len(field.choices)} choices; Slack shows at most {SELECT_MAX}")
    options = [_option(c.value, c.label) for c in field.choices]
    kind = "radio_buttons" if len(options) <= RADIO_MAX else "static_select"
    element = {"type": kind, "action_id": VALUE_ACTION, "options": options}
    initial = next((o for o in options if o["value"] == field.default), None)
    if initial is not None:
        element["initial_option"] = initial
    return element


def render_form(form: Form) -> dict[str, Any]:
    """A modal: callback_id is the form id and private_metadata the state, both verbatim."""
    blocks: list[dict[str, Any]] = []
    if len(form.title) > VIEW_TITLE_MAX:  # the title bar is short; the whole title goes on top
        blocks.append(section(f"*{escape(form.title)}*"))
    if form.intro:
        blocks.extend(section(piece) for piece in split_text(escape(form.intro), SECTION_MAX))
    for field in form.fields:
        block: dict[str, Any] = {"type": "input", "block_id": field.name, "optional": not field.required,
                                 "label": _plain(field.label, 2000), "element": _element(field)}
        if field.hint:
            block["hint"] = _plain(field.hint, 2000)
        blocks.append(block)
    if len(blocks) > VIEW_BLOCKS_MAX:
        raise SlackLimitError(f"form {form.form_id!r} needs {len(blocks)} blocks; a Slack modal holds {VIEW_BLOCKS_MAX}")
    if len(form.state) > 3000:
        raise SlackLimitError(f"form {form.form_id!r} carries {len(form.state)} characters of state; Slack keeps 3000")
    return {"type": "modal", "callback_id": form.form_id, "private_metadata": form.state,
            "title": _plain(form.title, VIEW_TITLE_MAX), "submit": _plain(form.submit_label, VIEW_TITLE_MAX),
            "blocks": blocks}


def read_values(state_values: dict[str, dict[str, dict[str, Any]]]) -> dict[str, str | bool | None]:
    """Typed values from a view_submission's `view.state.values`, keyed by field name."""
    values: dict[str, str | bool | None] = {}
    for block_id, actions in state_values.items():
        element = actions.get(VALUE_ACTION)
        if element is None:
            continue
        kind = element.get("type")
        if kind == "plain_text_input":
            values[block_id] = element.get("value")
        elif kind == "checkboxes":
            values[block_id] = bool(element.get("selected_options"))
        else:
            selected = element.get("selected_option") or {}
            values[block_id] = selected.get("value")
    return values


def text_inputs(view: dict[str, Any], values: dict[str, str | bool | None]) -> dict[str, tuple[str, str]]:
    """The modal's text fields with what was typed in them: name -> (label, text).

    The labels are the modal's own, so a message about the fields names them as the person
    saw them. Choices and tick boxes are left out: nothing written is lost with them. A view
    without its blocks gives every text value under its field name.
    """
    if not view.get("blocks"):
        return {name: (name, value) for name, value in values.items() if isinstance(value, str)}
    written: dict[str, tuple[str, str]] = {}
    for block in view["blocks"]:
        name = block.get("block_id")
        value = values.get(name) if name else None
        if block.get("type") == "input" and (block.get("element") or {}).get("type") == "plain_text_input" \
                and isinstance(value, str):
            written[name] = ((block.get("label") or {}).get("text") or name, value)
    return written


def modal_errors(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """The core's per-field errors keyed by input block, so Slack shows them in the modal.

    An error for a name that is not an input block goes to the first input, so it is
    never lost.
    """
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input" and b.get("block_id")]
    out: dict[str, str] = {}
    for name, error in errors.items():
        target = name if name in inputs else (inputs[0] if inputs else name)
        out[target] = f"{out[target]} {error}" if target in out else error
    return out
