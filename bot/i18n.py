"""Translations as plain catalogs: `key -> {"nl": ..., "en": ...}`.

Each ritual carries its own catalog in its module; the core has one in `bot/texts.py`.
A test checks that every key has every language, so no user ever sees a missing text.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("nl", "en")
Catalog = Mapping[str, Mapping[str, str]]


def pick_language(*candidates: str | None, default: str = "nl") -> str:
    """The first supported language among candidates (`en-US` counts as `en`)."""
    for candidate in candidates:
        if candidate:
            code = candidate.replace("_", "-").split("-")[0].lower()
            if code in LANGUAGES:
                return code
    return default


def translate(catalog: Catalog, key: str, language: str, /, **values: object) -> str:
    """Look a text up and fill its `{placeholders}`; a missing key is a bug, so it raises."""
    entry = catalog[key]
    template = entry.get(language) or entry["en"]
    return template.format(**values) if values else template


def missing_translations(catalog: Catalog) -> list[str]:
    return [f"{key}:{lang}" for key, entry in catalog.items() for lang in LANGUAGES if not entry.get(lang)]
