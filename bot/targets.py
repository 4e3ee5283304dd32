"""Where a click or a form goes back to: button actions and form ids are namespaced by
ritual (`<ritual>:<name>`) and values carry their team (`<team>|<value>`), so adapters can
hand them back untouched and the core finds the ritual, handler and team again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.messages import Button

SEP = "|"


COMMAND_ACTION = "core:command"


def encode_button(ritual_id: str, team_id: str, button: Button) -> Button:
    """The button as it goes to the platform: its action and value namespaced (a
    `command_button` stays the core's)."""
    action = button.action if button.action == COMMAND_ACTION else f"{ritual_id}:{button.action}"
    return replace(button, action=action, value=f"{team_id}{SEP}{button.value}")


def command_button(command: str, label: str, style: Any = None) -> Button:
    """A button that runs `/ritual <command>` for whoever clicks it, in the same team (only
    commands a ritual lists in `Ritual.button_commands`): one ritual may offer another's
    form without knowing that ritual (the moral deliberation offering the confidant line)."""
    return Button(COMMAND_ACTION, label, command, style)


def decode_target(action: str, value: str) -> tuple[str, str, str, str]:
    """`(ritual_id, name, team_id, value)` from what an adapter handed back."""
    ritual_id, _, name = action.partition(":")
    team_id, _, inner = value.partition(SEP)
    return ritual_id, name, team_id, inner
