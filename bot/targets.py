"""Where a click or a form goes back to: button actions and form ids are namespaced by
ritual (`<ritual>:<name>`) and values carry their team (`<team>|<value>`), so adapters can
hand them back untouched and the core finds the ritual, handler and team again."""

from __future__ import annotations

from dataclasses import replace

from bot.messages import Button

SEP = "|"


def encode_button(ritual_id: str, team_id: str, button: Button) -> Button:
    """The button as it goes to the platform: its action and value namespaced."""
    return replace(button, action=f"{ritual_id}:{button.action}", value=f"{team_id}{SEP}{button.value}")


def decode_target(action: str, value: str) -> tuple[str, str, str, str]:
    """`(ritual_id, name, team_id, value)` from what an adapter handed back."""
    ritual_id, _, name = action.partition(":")
    team_id, _, inner = value.partition(SEP)
    return ritual_id, name, team_id, inner
