"""Translations as gettext catalogs (`.po` files, managed with Babel), one per language and domain.

A domain is one owner's texts: the core has a few (`core`, `trouble`, `guard`, ...), each ritual
has its own. Its files live next to the code that uses them, in the standard gettext layout::

    <package>/locale/<language>/LC_MESSAGES/<domain>.po

so an outside ritual package ships its catalog the same way (`PoCatalog("my_ritual_pkg", "my_ritual")`).
Message ids are stable keys (`help.title`); the English catalog is the source text and every other
language's entry carries the English as a translator comment (see docs/translating.md).

The `.po` files are read directly (`babel.messages.pofile.read_po`) and compiled in memory on
first use, so there is no build step: an editable install, a wheel and a source checkout all
read the same files through `importlib.resources`. Plural messages use the language's
`Plural-Forms` (gettext `ngettext`); their number is always the `count` placeholder.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from io import BytesIO
from string import Formatter

from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SOURCE_LANGUAGE = "en"
"""The language every other falls back to and translators translate from."""
CORE_PACKAGE, CORE_DOMAIN = "bot", "core"
"""The catalog whose languages are the ones people can choose (`supported_languages`)."""

Catalog = Mapping[str, Mapping[str, str]]
"""Anything `translate` reads: a `PoCatalog`, or a plain `key -> {"nl": ..., "en": ...}` dict."""

PLURAL_COUNT = "count"
"""The placeholder that chooses a plural form: `translate(texts, "digest.count", "nl", count=3)`."""

PLURAL_JOIN = "\n"
"""How the mapping view of a `PoCatalog` shows a plural message's forms (for reading, not for people)."""


def catalog_languages(package: str, domain: str) -> tuple[str, ...]:
    """The languages `<package>/locale/<language>/LC_MESSAGES/<domain>.po` exists for, sorted."""
    folder = resources.files(package) / "locale"
    if not folder.is_dir():
        return ()
    return tuple(sorted(entry.name for entry in folder.iterdir()
                        if (entry / "LC_MESSAGES" / f"{domain}.po").is_file()))


@cache
def supported_languages() -> tuple[str, ...]:
    """The languages people and teams can choose: those the core's catalog is installed in
    (`bot/locale/<code>/LC_MESSAGES/core.po`), sorted by code. The one list the config check,
    `/ritual language`, `ritualbot schedule --language` and the platforms' locales use, so a
    language is added by adding its `.po` files (docs/translating.md). Read once, on first use."""
    return catalog_languages(CORE_PACKAGE, CORE_DOMAIN)


def __getattr__(name: str) -> tuple[str, ...]:
    """`LANGUAGES`, the old name of `supported_languages()`, read when asked, not at import."""
    if name == "LANGUAGES":
        return supported_languages()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pick_language(*candidates: str | None, default: str = "nl") -> str:
    """The first supported language among candidates (`en-US` counts as `en`, and `de-DE` as
    `de` when a `de` catalog is installed); `default` when none is supported."""
    supported = supported_languages()
    for candidate in candidates:
        if candidate:
            code = candidate.replace("_", "-").split("-")[0].lower()
            if code in supported:
                return code
    return default


def language_name(code: str, language: str) -> str:
    """What `code` is called in `language`, from Babel's CLDR data ("nl" in "en": "Dutch"),
    so a new language needs no name written for it; the code itself when CLDR lacks it."""
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(language))
    except (ValueError, UnknownLocaleError):
        return code
    return name or code


def language_choices(language: str, say: str = "{code} ({name})") -> str:
    """The supported languages as one phrase in `language` ("en (Engels) of nl (Nederlands)"):
    each says `say` filled with its `code` and `name`, joined by CLDR's "or" list."""
    items = [say.format(code=code, name=language_name(code, language)) for code in supported_languages()]
    try:
        return format_list(items, style="or", locale=language)
    except (ValueError, UnknownLocaleError):
        return ", ".join(items)


def placeholders(template: str) -> set[str]:
    """The `{names}` a template fills (format specs and conversions left out)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in Formatter().parse(template) if name}


class PoCatalog(Mapping[str, Mapping[str, str]]):
    """One gettext domain: `<package>/locale/<language>/LC_MESSAGES/<domain>.po` for each language.

    Nothing is read at import: the files are parsed on first use and kept. As a mapping it is a
    read-only view `key -> {language: text}` (plural forms joined by a newline), so code and
    tests that read texts as data keep working; people's texts go through `translate`.
    """

    def __init__(self, package: str, domain: str, languages: tuple[str, ...] | None = None) -> None:
        self.package = package
        self.domain = domain
        self._languages = languages
        self._lock = threading.Lock()
        self._po: dict[str, BabelCatalog] | None = None
        self._translations: dict[str, Translations] = {}

    def __repr__(self) -> str:
        return f"PoCatalog({self.package!r}, {self.domain!r})"

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this domain has a `.po` file for (or was given); a language people
        can choose that is missing here reads this domain in English."""
        if self._languages is None:
            self._languages = catalog_languages(self.package, self.domain)
        return self._languages

    def missing_languages(self) -> tuple[str, ...]:
        """The supported languages (`supported_languages`) this domain has no `.po` file for."""
        return tuple(code for code in supported_languages() if code not in self.languages)

    def path(self, language: str) -> resources.abc.Traversable:
        """Where this domain's `.po` file for `language` lives (inside the installed package)."""
        return resources.files(self.package) / "locale" / language / "LC_MESSAGES" / f"{self.domain}.po"

    def read(self, language: str) -> BabelCatalog:
        """The parsed `.po` file of one language; FileNotFoundError when the language has none."""
        with self.path(language).open("rb") as handle:
            return read_po(handle, locale=language, domain=self.domain)

    def _load(self) -> dict[str, BabelCatalog]:
        with self._lock:
            if self._po is None:
                po = {language: self.read(language) for language in self.languages}
                source = self._compiled(po[SOURCE_LANGUAGE])
                for language, catalog in po.items():
                    compiled = source if language == SOURCE_LANGUAGE else self._compiled(catalog)
                    if language != SOURCE_LANGUAGE:
                        compiled.add_fallback(source)  # an untranslated message says it in English
                    self._translations[language] = compiled
                self._po = po
            return self._po

    def _compiled(self, catalog: BabelCatalog) -> Translations:
        """The catalog as gettext reads it, its untranslated messages left out so they fall back
        to English (Babel's `write_mo` would put a plural message's key in its empty forms)."""
        translated = BabelCatalog(locale=catalog.locale, domain=catalog.domain, charset=catalog.charset, fuzzy=False)
        translated.mime_headers = catalog.mime_headers  # Plural-Forms among them
        for message in catalog:
            forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
            if message.id and all(forms):
                translated[message.id] = message
        buffer = BytesIO()
        write_mo(buffer, translated)
        buffer.seek(0)
        return Translations(fp=buffer, domain=self.domain)

    def po(self, language: str) -> BabelCatalog:
        """The parsed catalog of one of this domain's languages (for checks and tools)."""
        return self._load()[language]

    def is_plural(self, key: str) -> bool:
        message = self._load()[SOURCE_LANGUAGE].get(key)
        return message is not None and message.pluralizable

    def text(self, key: str, language: str, count: int | None = None) -> str:
        """The template for `key` in `language` (English when it has no translation yet).

        Raises KeyError for a key the source catalog lacks (a bug), and for a plural
        message asked for without `count`.
        """
        po = self._load()
        message = po[SOURCE_LANGUAGE].get(key)
        if message is None:
            raise KeyError(f"{key!r} is not in the {self.domain} catalog")
        translations = self._translations.get(language) or self._translations[SOURCE_LANGUAGE]
        source = self._translations[SOURCE_LANGUAGE]
        if not message.pluralizable:
            return translations.gettext(key) or source.gettext(key)
        if count is None:
            raise KeyError(f"{key!r} in the {self.domain} catalog is a plural message: pass count=")
        return translations.ngettext(key, key, count) or source.ngettext(key, key, count)

    def forms(self, key: str, language: str) -> tuple[str, ...]:
        """Every form of `key` in `language` as written in the `.po` file ('' when untranslated)."""
        message = self._load()[language].get(key)
        if message is None:
            return ()
        string = message.string
        return tuple(str(s or "") for s in string) if isinstance(string, (tuple, list)) else (str(string or ""),)

    def __getitem__(self, key: str) -> Mapping[str, str]:
        if self._load()[SOURCE_LANGUAGE].get(key) is None:
            raise KeyError(key)
        return {language: PLURAL_JOIN.join(self.forms(key, language)) for language in self.languages}

    def __iter__(self) -> Iterator[str]:
        return (str(message.id if isinstance(message.id, str) else message.id[0])
                for message in self._load()[SOURCE_LANGUAGE] if message.id)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._load()[SOURCE_LANGUAGE].get(key) is not None


def translate(catalog: Catalog, key: str, language: str, /, **values: object) -> str:
    """Look a text up and fill its `{placeholders}`; a missing key is a bug, so it raises.

    A plural message takes its number as `count` and picks the form by the language's
    Plural-Forms. A plain dict catalog (the old form) is still read, in one form only.
    """
    if isinstance(catalog, PoCatalog):
        count = values.get(PLURAL_COUNT)
        template = catalog.text(key, language, count if isinstance(count, int) else None)
    else:
        entry = catalog[key]
        template = entry.get(language) or entry[SOURCE_LANGUAGE]
    return template.format(**values) if values else template


def missing_translations(catalog: Catalog) -> list[str]:
    """`key:language` for every text that is empty in a language (a plural form counts)."""
    if isinstance(catalog, PoCatalog):
        return [f"{key}:{language}" for key in catalog for language in catalog.languages
                if not catalog.forms(key, language) or not all(catalog.forms(key, language))]
    return [f"{key}:{lang}" for key, entry in catalog.items() for lang in supported_languages() if not entry.get(lang)]
