"""Interactive dialogs in the Mattermost fake: trigger ids, the dialog rules, opening one.

A trigger id is minted when a user runs a command or clicks a button
(``new_trigger_id``); ``POST /actions/dialogs/open`` takes it once, within
``trigger_ttl`` seconds, checks the dialog the way the server's ``Dialog.IsValid``
does (``validate_dialog``) and pushes ``open_dialog`` to that user's websocket.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .mattermost_kit import ApiError, bad_body, json_response, new_id, now_ms

if TYPE_CHECKING:
    from .mattermost_ws import WebsocketHub

ELEMENT_TYPES = {"text", "textarea", "select", "bool", "radio", "date", "datetime"}
TEXT_SUBTYPES = {"", "text", "email", "number", "tel", "url", "password"}
DATA_SOURCES = {None, "", "users", "channels", "dynamic"}


def validate_dialog(dialog: Any) -> list[str]:
    """Problems the server's ``Dialog.IsValid`` would report (model/integration_action.go)."""
    if not isinstance(dialog, dict):
        return ["dialog must be an object"]
    errs: list[str] = []
    title = dialog.get("title") or ""
    if not title or len(title) > 24:
        errs.append(f"invalid dialog title {title!r} (1..24 chars)")
    elements = dialog.get("elements") or []
    if not isinstance(elements, list):
        return errs + ["elements must be a list"]
    seen: set[str] = set()
    for el in elements:
        if not isinstance(el, dict):
            errs.append("element must be an object")
            continue
        name, typ = el.get("name") or "", el.get("type")
        if name in seen:
            errs.append(f"duplicate dialog element {name!r}")
        seen.add(name)
        for key, limit in (("display_name", 24), ("name", 300), ("help_text", 150)):
            val = el.get(key) or ""
            if key != "help_text" and not val:
                errs.append(f"{name!r}: {key} cannot be empty")
            if len(val) > limit:
                errs.append(f"{name!r}: {key} longer than {limit}")
        if typ not in ELEMENT_TYPES:
            errs.append(f"{name!r}: invalid element type {typ!r}")
        if typ in ("text", "textarea") and el.get("subtype", "") not in TEXT_SUBTYPES:
            errs.append(f"{name!r}: invalid subtype {el.get('subtype')!r}")
        limit = {"text": 150, "textarea": 3000, "select": 3000}.get(typ or "")
        if limit and len(el.get("default") or "") > limit:
            errs.append(f"{name!r}: default longer than {limit}")
        min_len, max_len = el.get("min_length") or 0, el.get("max_length") or 0
        if min_len < 0 or min_len > max_len:
            errs.append(f"{name!r}: min_length must be 0..max_length")
        values = {o.get("value") for o in el.get("options") or [] if isinstance(o, dict)}
        if typ == "select" and el.get("data_source") not in DATA_SOURCES:
            errs.append(f"{name!r}: invalid data source {el.get('data_source')!r}")
        if typ in ("select", "radio") and not el.get("data_source") and el.get("default") \
                and el["default"] not in values:
            errs.append(f"{name!r}: default {el['default']!r} not in options")
        if typ == "bool" and el.get("default") not in (None, "", "true", "false"):
            errs.append(f"{name!r}: invalid default of bool")
    return errs


class DialogsMixin:
    """Trigger ids and ``POST /actions/dialogs/open``; mixed into FakeMattermost."""

    hub: WebsocketHub
    trigger_ttl: float
    strict_dialogs: bool
    max_dialog_elements: int | None
    dialogs: list[dict[str, Any]]
    dialog_warnings: list[str]
    _triggers: dict[str, tuple[str, float]]
    _body: Callable[[web.Request, type, str], Any]

    def new_trigger_id(self, user_id: str) -> str:
        """Mint a trigger id, as the server does when a user runs a command or clicks."""
        data = f"{new_id()}:{user_id}:{now_ms()}:"
        sig = base64.b64encode(hashlib.sha256(data.encode()).digest()).decode()
        trigger = base64.b64encode((data + sig).encode()).decode()
        self._triggers[trigger] = (user_id, time.monotonic())
        return trigger

    async def _open_dialog(self, request: web.Request) -> web.Response:
        data = self._body(request, dict, "dialog")
        if not data.get("url"):
            raise bad_body("url")
        trigger = data.get("trigger_id") or ""
        issued = self._triggers.pop(trigger, None)
        if issued is None:
            raise ApiError(400, "interactive_message.decode_trigger_id.verify_signature_failed",
                           "Unable to verify signature for trigger ID (unknown or already used).")
        user_id, minted = issued
        if time.monotonic() - minted > self.trigger_ttl:
            raise ApiError(400, "interactive_message.decode_trigger_id.expired",
                           f"Trigger ID for interactive dialog is expired. Maximum time for "
                           f"Trigger ID is {self.trigger_ttl}s.")
        problems = validate_dialog(data.get("dialog"))
        elements = (data.get("dialog") or {}).get("elements") or []
        if self.max_dialog_elements is not None and len(elements) > self.max_dialog_elements:
            problems.append(f"more than {self.max_dialog_elements} elements")
        if problems:
            self.dialog_warnings.extend(problems)
            if self.strict_dialogs:
                raise ApiError(400, "model.dialog.is_valid.app_error",
                               "Interactive dialog is invalid: " + "; ".join(problems))
        self.dialogs.append({"user_id": user_id, "url": data["url"], "dialog": data["dialog"]})
        await self.hub.broadcast("open_dialog", {"dialog": json.dumps(data)}, user_id=user_id)
        return json_response({"status": "OK"})
