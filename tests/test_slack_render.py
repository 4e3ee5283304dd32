"""Block Kit rendering: escaping, splitting without cutting, forms as modals, errors mapped."""

from __future__ import annotations

import re

import pytest

from bot.messages import Bold, Button, Choice, FieldKind, Form, FormField, Mention, UserText, text
from bot.platforms.slack.render import (
    BLOCKS_MAX,
    SECTION_MAX,
    modal_errors,
    read_values,
    render_form,
    render_message,
    split_text,
)
from tests.fakes.slack_api import validate_blocks
from tests.fakes.slack_socket import validate_view


def _sections(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_user_text_cannot_smuggle_mentions_or_links() -> None:
    [msg] = render_message(text(("Said: ", UserText("<!channel> hi <@U0BOSS> & @here <https://x|y>"), " ",
                                 Mention("U0ANNA"), " ", Bold("a<b"))))
    [body] = _sections(msg.blocks)
    assert "<!channel>" not in body and "<@U0BOSS>" not in body and "<https" not in body
    assert "&lt;!channel&gt;" in body and "&amp;" in body
    assert "@\u200bhere" in body
    assert "<@U0ANNA>" in body  # a mention the bot itself made stays a mention
    assert "*a&lt;b*" in body
    assert msg.text == body  # the notification fallback is the same escaped text


def test_long_paragraph_is_split_over_sections_without_losing_a_character() -> None:
    words = " ".join(f"woord{i}" for i in range(2000))  # ~ 15,000 characters
    chunks = render_message(text(("", UserText(words))))
    sections = [s for c in chunks for s in _sections(c.blocks)]
    assert len(sections) > 4 and all(len(s) <= SECTION_MAX for s in sections)
    assert " ".join(s.strip() for s in sections).split() == words.split()
    for chunk in chunks:
        validate_blocks(chunk.blocks)
        assert len(chunk.text) <= 40_000


def test_over_fifty_blocks_becomes_several_messages_buttons_on_the_last() -> None:
    message = text(*[f"regel {i}" for i in range(120)], buttons=[Button("core:optin", "Ja", "t|1")])
    chunks = render_message(message)
    assert len(chunks) == 3
    assert all(len(c.blocks) <= BLOCKS_MAX for c in chunks)
    assert [s for c in chunks for s in _sections(c.blocks)] == [f"regel {i}" for i in range(120)]
    assert chunks[-1].blocks[-1]["type"] == "actions" and all(b["type"] == "section" for c in chunks[:-1] for b in c.blocks)


def test_a_code_fence_cut_in_two_is_closed_and_reopened() -> None:
    body = "```" + "\n".join(f'"key{i}": "value {i}",' for i in range(400)) + "```"
    pieces = split_text(body, SECTION_MAX)
    assert len(pieces) > 1
    assert all(p.count("```") % 2 == 0 and len(p) <= SECTION_MAX for p in pieces)


def test_buttons_pass_action_and_value_verbatim_and_duplicates_get_their_own_row() -> None:
    [msg] = render_message(text("x", buttons=[Button("r:vote", "A", "t|a", "primary"), Button("r:vote", "B", "t|b"),
                                              Button("r:other", "C")]))
    rows = [b for b in msg.blocks if b["type"] == "actions"]
    assert [[e["action_id"] for e in r["elements"]] for r in rows] == [["r:vote"], ["r:vote", "r:other"]]
    assert rows[0]["elements"][0]["value"] == "t|a" and rows[0]["elements"][0]["style"] == "primary"
    assert len({r["block_id"] for r in rows}) == 2
    validate_blocks(msg.blocks)


def test_form_becomes_a_valid_modal_and_values_come_back_typed() -> None:
    form = Form("ritual:answer", "A title that is far too long for Slack", (
        FormField("story", "Your story", FieldKind.MULTILINE, max_length=5000, placeholder="..."),
        FormField("mood", "Mood", FieldKind.CHOICE, choices=tuple(Choice(str(i), f"m{i}") for i in range(12)), default="3"),
        FormField("as", "As", FieldKind.CHOICE, choices=(Choice("named", "Named"), Choice("anon", "Anon")), default="named"),
        FormField("ok", "Agree", FieldKind.CHECKBOX, required=False),
    ), "Send", state="team|2026-12-04T14:00", intro="Take <your> time")
    view = render_form(form)
    validate_view(view, ("modal",))
    assert view["callback_id"] == "ritual:answer" and view["private_metadata"] == "team|2026-12-04T14:00"
    assert view["blocks"][0]["text"]["text"] == "*A title that is far too long for Slack*"
    assert "&lt;your&gt;" in view["blocks"][1]["text"]["text"]
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["story"]["element"]["max_length"] == 3000 and inputs["story"]["element"]["multiline"]
    assert inputs["mood"]["element"]["type"] == "static_select"
    assert inputs["as"]["element"]["type"] == "radio_buttons"
    assert inputs["as"]["element"]["initial_option"]["value"] == "named"
    assert inputs["ok"]["optional"] is True

    values = read_values({
        "story": {"value": {"type": "plain_text_input", "value": "hi"}},
        "mood": {"value": {"type": "static_select", "selected_option": {"value": "4"}}},
        "as": {"value": {"type": "radio_buttons", "selected_option": None}},
        "ok": {"value": {"type": "checkboxes", "selected_options": [{"value": "yes"}]}},
    })
    assert values == {"story": "hi", "mood": "4", "as": None, "ok": True}
    assert modal_errors(view, {"story": "Too short", "elsewhere": "Closed"}) == {"story": "Too short Closed"}


@pytest.mark.parametrize("label", ["x" * 200])
def test_overlong_button_label_is_shortened_visibly(label: str, caplog: pytest.LogCaptureFixture) -> None:
    [msg] = render_message(text("x", buttons=[Button("a", label)]))
    shown = msg.blocks[-1]["elements"][0]["text"]["text"]
    assert len(shown) <= 75 and shown.endswith("…")
    assert re.search("shortened", caplog.text)


def test_what_someone_wrote_cannot_dress_up_as_the_bots_own_words() -> None:
    """mrkdwn cannot escape `*`, `_`, `~` or a leading `>`: an anonymous dilemma titled
    "*Anna brengt in:*" showed a bold line that read as the bot's. A paragraph of people's
    words without formatting of ours goes out as plain_text, shown exactly as written."""
    [msg] = render_message(text((Bold("Iemand brengt anoniem in:"),), (UserText("*Anna brengt in:* _echt_"),),
                                ("Ging goed: ", UserText("> ~niets~ <!here>"))))
    head, title, answer = msg.blocks
    assert head["text"] == {"type": "mrkdwn", "text": "*Iemand brengt anoniem in:*"}
    assert title["text"] == {"type": "plain_text", "text": "*Anna brengt in:* _echt_", "emoji": True}
    assert answer["text"]["type"] == "plain_text" and answer["text"]["text"] == "Ging goed: > ~niets~ <!here>"
    assert "<!here>" not in msg.text and "&lt;!here&gt;" in msg.text  # the notification is mrkdwn: escaped
    validate_blocks(msg.blocks)
