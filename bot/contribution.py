"""The contribution path the core owns: what a form declares, checked before any ritual sees it.

A ritual opens a `Form` whose fields declare `required`, `max_length` and `guarded`, and
whose form says once whether it may be shared anonymously. The core writes those rules
into the form's state (which the platform hands back untouched and, on Mattermost,
signed), so that on submission, on any replica and after a restart, it can:

1. check every declared field (required, length, a known choice) and drop undeclared ones;
2. run the client-data guard (`bot.guard.find_identifiers`) on every guarded field, unless
   the author ticked "share anyway" after being asked;
3. read how the author shares (named, anonymous, or a ritual's own choice like "private").

Errors come back per field, in the author's language, shown in the form itself; nothing
of the text is stored or logged while the author decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bot.guard import describe, find_identifiers
from bot.i18n import translate
from bot.messages import Choice, FieldKind, Form, FormField
from bot.texts import TEXTS

POST_ANYWAY = "post_anyway"
SHARE_AS = "share_as"
NAMED, ANONYMOUS = "named", "anonymous"


class StaleForm(ValueError):
    """A submitted form carries no rules the core wrote (opened before an update, or forged)."""


@dataclass(frozen=True)
class Rule:
    """What one field of a submitted form must satisfy."""

    name: str
    kind: str
    required: bool
    max_length: int
    guarded: bool
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contribution:
    """A submission that passed the core's checks: clean values and how it is shared."""

    values: dict[str, Any]
    share_as: str = NAMED

    @property
    def anonymous(self) -> bool:
        return self.share_as == ANONYMOUS


def ticked(value: object) -> bool:
    """Checkbox values arrive as bools, strings or lists depending on the platform."""
    if isinstance(value, str):
        return value.lower() in ("true", "on", "1", "yes", POST_ANYWAY)
    return bool(value)


def complete(form: Form, language: str) -> Form:
    """The form as the person sees it: the core's share choice and "share anyway" box added."""
    fields = list(form.fields)
    if form.anonymous or form.share_choices:
        choices: tuple[Choice, ...] = (Choice(NAMED, translate(TEXTS, "share.named", language)),)
        if form.anonymous:
            choices += (Choice(ANONYMOUS, translate(TEXTS, "share.anonymous", language)),)
        choices += form.share_choices
        fields.append(FormField(SHARE_AS, translate(TEXTS, "share.as", language), FieldKind.CHOICE,
                                required=False, default=NAMED, choices=choices, guarded=False))
    if form.guarded:
        fields.append(FormField(POST_ANYWAY, translate(TEXTS, "guard.post_anyway", language), FieldKind.CHECKBOX,
                                required=False, guarded=False))
    return replace(form, fields=tuple(fields))


def encode_rules(form: Form) -> str:
    """The rules of a completed form as compact JSON, put in front of the form's own state."""
    rules = [[f.name, f.kind.value, int(f.required), f.max_length, int(f.checked_by_guard),
              [c.value for c in f.choices]] for f in form.fields]
    return json.dumps({"r": rules, **({"t": 1} if form.traceless else {})}, separators=(",", ":"), ensure_ascii=False)


def leaves_no_trace(state: str, submitted: Mapping[str, Any]) -> bool:
    """Whether what was written in a submitted form must never come back in a DM: its author
    chose to share it anonymously, or the form says so (`Form.traceless`). `state` is the
    form's state as the platform handed it back (`team|rules...`); unreadable rules: False."""
    if submitted.get(SHARE_AS) == ANONYMOUS:
        return True
    start = state.find("{")
    try:
        rules, _ = json.JSONDecoder().raw_decode(state, start) if start >= 0 else ({}, 0)
    except ValueError:
        return False
    return isinstance(rules, dict) and bool(rules.get("t"))


def split_rules(state: str) -> tuple[list[Rule], str]:
    """`(rules, the ritual's own state)` from what `encode_rules` wrote; StaleForm without rules."""
    if not state.startswith("{"):
        raise StaleForm("the form's state carries no rules")
    try:
        raw, end = json.JSONDecoder().raw_decode(state)
        rules = [Rule(str(n), str(k), bool(r), int(m), bool(g), tuple(str(c) for c in cs))
                 for n, k, r, m, g, cs in raw["r"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise StaleForm(f"the form's rules are unreadable: {type(exc).__name__}") from None
    return rules, state[end:]


def check(rules: list[Rule], submitted: dict[str, Any], language: str) -> Contribution | dict[str, str]:
    """A clean `Contribution`, or per-field errors in `language` to show in the form.

    Undeclared values are dropped; text is stripped; the guard runs on guarded fields
    unless the author ticked "share anyway".
    """
    def t(key: str, **values: object) -> str:
        return translate(TEXTS, key, language, **values)

    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for rule in rules:
        raw = submitted.get(rule.name)
        if rule.kind == FieldKind.CHECKBOX.value:
            values[rule.name] = ticked(raw)
            continue
        value = "" if raw is None else str(raw).strip()
        if not value:
            if rule.required:
                errors[rule.name] = t("form.required")
        elif len(value) > rule.max_length:
            errors[rule.name] = t("form.too_long", max=rule.max_length)
        elif rule.choices and value not in rule.choices:
            errors[rule.name] = t("form.bad_choice")
        values[rule.name] = value
    if not values.get(POST_ANYWAY):
        for rule in rules:
            checked = rule.guarded and rule.name not in errors
            findings = find_identifiers(values.get(rule.name) or "") if checked else []
            if findings:
                errors[rule.name] = describe(findings, language) + " " + t("guard.how")
    if errors:
        return errors
    share_as = values.pop(SHARE_AS, "") or NAMED
    values.pop(POST_ANYWAY, None)
    return Contribution(values, share_as)
