"""What a ritual says about itself: its title, summary, what it keeps, its steps and its commands.

The core shows these words in the consent notice, `/ritual help`, `/ritual status`, the dry run,
the admin overview and the insights. They are messages in the ritual's own catalog (`texts`),
under keys the kit fixes, so a translator finds them next to everything else the ritual says:

    ritual.title              the ritual as people know it ("Weekly success and mistake")
    ritual.summary            one sentence on what it is
    ritual.keeps.consent      what it keeps only for people who opted in (consent notice)
    ritual.keeps.needed       what it keeps for everyone, to work, only as long as needed
    ritual.step.<step>        what people receive at that step (dry run); steps without one
                              are variants the dry run does not list
    ritual.command.<command>  the `/ritual help` line of a subcommand the ritual owns

`ritual.title`, both `ritual.keeps.*` and a help line per `@command` are required; the catalog
check (`bot/i18n_check.py`) fails without them, and on a `ritual.*` message the kit would never
read (a step or command without a handler).

An outside ritual may instead still declare them as class attributes, dicts per language
(`title = {"nl": ..., "en": ...}`, `keeps = {"consent": {...}, "needed": {...}}`,
`command_help`, `step_descriptions`, `summary`): an attribute it sets wins over its catalog.
Either way a language without the text gets the English one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.i18n import SOURCE_LANGUAGE, PoCatalog, translate

if TYPE_CHECKING:
    from bot.ritual import Ritual

PREFIX = "ritual."
TITLE = "ritual.title"
SUMMARY = "ritual.summary"
KEEPS = ("consent", "needed")
"""What the consent notice says per ritual: kept with consent, kept to work."""
KEEPS_KEY = "ritual.keeps."
STEP_KEY = "ritual.step."
COMMAND_KEY = "ritual.command."
FIELD_KEY = "ritual.field."  # + a stored answer's field: its name in /ritual mydata
VALUE_KEY = "ritual.value."  # + a stored choice (`yes`, `heavy`): how people read it there


def _pick(entry: Mapping[str, str], language: str) -> str | None:
    return entry.get(language) or entry.get(SOURCE_LANGUAGE) or None


class RitualWords:
    """The words of one ritual class (or instance), from its attributes or its catalog."""

    def __init__(self, ritual: type[Ritual[Any]] | Ritual[Any]) -> None:
        self.cls = ritual if isinstance(ritual, type) else type(ritual)
        self.texts = self.cls.texts

    def _declared(self, attribute: str) -> Mapping[str, Any]:
        declared: Mapping[str, Any] = getattr(self.cls, attribute, None) or {}
        return declared

    def _said(self, key: str, language: str) -> str | None:
        if key not in self.texts:
            return None
        if not isinstance(self.texts, PoCatalog) and not _pick(self.texts[key], language):
            return None  # a dict entry in no language we can show
        return translate(self.texts, key, language) or None

    def title(self, language: str) -> str:
        """The ritual's name in `language`; its id when it has none."""
        declared = self._declared("title")
        said = _pick(declared, language) if declared else self._said(TITLE, language)
        return said or self.cls.id

    def has_title(self) -> bool:
        return bool(self._declared("title")) or TITLE in self.texts

    def summary(self, language: str) -> str | None:
        declared = self._declared("summary")
        return _pick(declared, language) if declared else self._said(SUMMARY, language)

    def keeps(self, language: str) -> dict[str, str]:
        """`consent` and `needed` -> what the ritual keeps, for those it says."""
        declared = self._declared("keeps")
        if declared:
            return {kind: text for kind, entry in declared.items() if (text := _pick(entry, language))}
        return {kind: text for kind in KEEPS if (text := self._said(KEEPS_KEY + kind, language))}

    def command_help(self, language: str) -> dict[str, str]:
        """Subcommand -> its `/ritual help` line, for each command that has one."""
        declared = self._declared("command_help")
        if declared:
            return {name: text for name, entry in declared.items() if (text := _pick(entry, language))}
        return {name: text for name in self.cls.handler_names("command")
                if (text := self._said(COMMAND_KEY + name, language))}

    def step(self, name: str, language: str) -> str | None:
        """What people receive at step `name` (None: a variant the dry run does not list)."""
        declared = self._declared("step_descriptions")
        if declared:
            entry = declared.get(name)
            return _pick(entry, language) if entry else None
        return self._said(STEP_KEY + name, language)

    def stored(self, field: str, value: str, language: str) -> tuple[str, str]:
        """A stored answer's field and value as people read them in `/ritual mydata`, from the
        catalog's `ritual.field.<field>` and `ritual.value.<value>`; each as stored when the
        catalog has no words for it (the JSON export keeps them as stored anyway)."""
        return (self._said(FIELD_KEY + field, language) or field,
                self._said(VALUE_KEY + value, language) or value if value.isidentifier() else value)

    def described(self, kind: str) -> list[str]:
        """The steps (`kind` "step") or commands ("command") the ritual has words for."""
        attribute, prefix = ("step_descriptions", STEP_KEY) if kind == "step" else ("command_help", COMMAND_KEY)
        declared = self._declared(attribute)
        if declared:
            return list(declared)
        return [key[len(prefix):] for key in self.texts if key.startswith(prefix)]

    def used_keys(self) -> set[str]:
        """The `ritual.*` messages of its catalog the kit reads (an attribute it sets wins)."""
        keys = {TITLE: "title", SUMMARY: "summary", **{KEEPS_KEY + kind: "keeps" for kind in KEEPS},
                **{STEP_KEY + name: "step_descriptions" for name in self.cls.handler_names("step")},
                **{COMMAND_KEY + name: "command_help" for name in self.cls.handler_names("command")}}
        stored = {key for key in self.texts if key.startswith((FIELD_KEY, VALUE_KEY))}  # read by any answer's words
        return {key for key, attribute in keys.items() if not self._declared(attribute)} | stored

    def required_keys(self) -> set[str]:
        """The `ritual.*` messages its catalog must have: a title, what it keeps, a help line
        per command (unless declared as attributes)."""
        optional = {SUMMARY} | {STEP_KEY + name for name in self.cls.handler_names("step")}
        return self.used_keys() - optional


def about(ritual: type[Ritual[Any]] | Ritual[Any]) -> RitualWords:
    """`about(ritual).title("nl")`: what a ritual says about itself."""
    return RitualWords(ritual)
