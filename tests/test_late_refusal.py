"""The DM after a late refusal: what the person wrote comes back, what the guard flags does not."""

from __future__ import annotations

from bot.messages import UserText
from bot.platforms.late_refusal import late_refusal
from bot.platforms.slack.render import text_inputs


def test_flagged_fields_are_named_with_what_was_found_and_given_back_without_it() -> None:
    message = late_refusal({"story": "Je tekst lijkt gegevens te bevatten."},
                           {"title": "Te laat gebeld", "story": "Mevrouw Jansen, bsn 111222333, belde", "note": " "},
                           {"title": "Titel", "story": "Wat gebeurde er?"}, "nl")
    head, title, story = message.paragraphs
    assert head == ("Je formulier is niet verwerkt: Je tekst lijkt gegevens te bevatten. "
                    "Dit had je ingevuld, zodat je niets kwijt bent:",)
    assert title == ("Titel: ", UserText("Te laat gebeld"))
    assert story == ("Wat gebeurde er? (hierin stond een achternaam en een burgerservicenummer; dat herhaal ik "
                     "hier niet, want dit bericht wordt bewaard): ", UserText("Mevrouw [naam], bsn [bsn], belde"))
    assert "111222333" not in message.plain_text() and "Jansen" not in message.plain_text()


def test_a_field_without_a_label_is_named_by_its_name() -> None:
    message = late_refusal({}, {"note": "bel 06-12345678"}, {}, "en")
    assert message.paragraphs[1][0].startswith("note (this held a phone number;")


def test_only_the_modals_text_inputs_come_back_under_their_labels() -> None:
    view = {"blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "intro"}},
        {"type": "input", "block_id": "story", "label": {"type": "plain_text", "text": "Wat gebeurde er?"},
         "element": {"type": "plain_text_input", "action_id": "value"}},
        {"type": "input", "block_id": "share_as", "label": {"type": "plain_text", "text": "Delen als"},
         "element": {"type": "radio_buttons", "action_id": "value"}},
        {"type": "input", "block_id": "empty", "label": {"type": "plain_text", "text": "Leeg"},
         "element": {"type": "plain_text_input", "action_id": "value"}},
    ]}
    values: dict[str, str | bool | None] = {"story": "tekst", "share_as": "named", "empty": None}
    assert text_inputs(view, values) == {"story": ("Wat gebeurde er?", "tekst")}
    assert text_inputs({}, values) == {"story": ("story", "tekst"), "share_as": ("share_as", "named")}
