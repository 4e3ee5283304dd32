"""Catalog upkeep for people who don't write Python: `python -m bot.i18n_tools COMMAND`.

    new-language CODE
        Start a language: an untranslated `.po` file in every domain, each entry with the
        English as a comment and the language's Plural-Forms from Babel's CLDR data.
    check
        Everything the test suite checks about the catalogs (missing, unused, untranslated,
        placeholders that differ); exit status 1 when something is wrong.

`import_dicts` brings texts still written the old way (`key -> {"nl": ..., "en": ...}` dicts)
into the `.po` files; `scripts/import_dicts.py` runs it over this repository's modules.

Writing goes through Babel (`read_po` / `write_po`), so the files stay what Poedit and
`msgfmt --check` expect.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog as BabelCatalog
from babel.messages.pofile import read_po, write_po

from bot.i18n import PLURAL_COUNT, SOURCE_LANGUAGE, supported_languages

ROOT = Path(__file__).resolve().parent.parent
FORMAT_FLAG = "python-brace-format"
ENGLISH = "English: "


@dataclass(frozen=True)
class DictSource:
    """Where a domain's texts were written as a dict, for `import-dicts`."""

    path: str  # relative to the repository root
    variable: str
    package: str
    domain: str


Entry = dict[str, str | tuple[str, ...]]
"""language -> text, or the plural forms."""


def po_path(package: str, domain: str, language: str, root: Path = ROOT) -> Path:
    return root.joinpath(*package.split("."), "locale", language, "LC_MESSAGES", f"{domain}.po")


def _source_text(path: str, ref: str | None, root: Path) -> str | None:
    if ref is None:
        file = root / path
        return file.read_text(encoding="utf-8") if file.exists() else None
    shown = subprocess.run(["git", "show", f"{ref}:{path}"], cwd=root, capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else None


def _literal_entries(value: ast.Dict) -> dict[str, dict[str, str]]:
    """The literal `key -> {language: text}` entries of a dict expression."""
    found: dict[str, dict[str, str]] = {}
    for key, entry in zip(value.keys, value.values, strict=True):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            continue
        try:
            literal = ast.literal_eval(entry)
        except ValueError:
            continue
        if isinstance(literal, dict) and all(isinstance(t, str) for t in literal.values()):
            found[key.value] = literal
    return found


def _assignments(body: list[ast.stmt]) -> dict[str, ast.expr]:
    """`name -> value` of the plain assignments in a module's or class's body."""
    found: dict[str, ast.expr] = {}
    for node in body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(target, ast.Name) and value is not None:
            found[target.id] = value
    return found


RITUAL_WORDS = {"title": "ritual.title", "summary": "ritual.summary", "keeps": "ritual.keeps.",
                "step_descriptions": "ritual.step.", "command_help": "ritual.command."}
"""A ritual class's old attributes -> the catalog keys that hold them now (`bot/ritual_words.py`)."""


def _ritual_words(cls: ast.ClassDef) -> dict[str, dict[str, str]]:
    """A ritual class's `title`, `summary`, `keeps`, `step_descriptions` and `command_help`
    dicts, as entries under their `ritual.*` keys."""
    found: dict[str, dict[str, str]] = {}
    for attribute, value in _assignments(cls.body).items():
        key = RITUAL_WORDS.get(attribute)
        if key is None or not isinstance(value, ast.Dict):
            continue
        if key.endswith("."):
            found.update({key + name: entry for name, entry in _literal_entries(value).items()})
        else:
            try:
                literal = ast.literal_eval(value)
            except ValueError:
                continue
            if isinstance(literal, dict) and all(isinstance(t, str) for t in literal.values()):
                found[key] = literal
    return found


def read_dict(source: str, variable: str) -> dict[str, dict[str, str]]:
    """The literal `key -> {"nl": ..., "en": ...}` entries of the module-level dict `variable`,
    or, when `variable` names a ritual class, its words declared as attributes (under their
    `ritual.*` keys, see `RITUAL_WORDS`).

    `**spread` entries and entries that are not literal are left out; a module where
    `variable` is not a dict or a class (any more) gives nothing.
    """
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == variable:
            return _ritual_words(node)
    value = _assignments(tree.body).get(variable)
    return _literal_entries(value) if isinstance(value, ast.Dict) else {}


def _plural_pairs(entries: dict[str, dict[str, str]]) -> dict[str, Entry]:
    """Join `K_one`/`K_many` (or `K_one`/`K`) and `one.K`/`many.K` into plural messages."""
    result: dict[str, Entry] = {key: dict(entry) for key, entry in entries.items()}
    for key in list(entries):
        if key.endswith("_one"):
            stem = key[: -len("_one")]
            many, plural = (f"{stem}_many", stem) if f"{stem}_many" in entries else (stem, stem)
        elif key.startswith("one."):
            many, plural = "many." + key[len("one."):], "count." + key[len("one."):]
        else:
            continue
        if many not in entries:
            continue
        one_entry, many_entry = entries[key], entries[many]
        result.pop(key, None)
        result.pop(many, None)
        result[plural] = {lang: (one_entry.get(lang, ""), many_entry.get(lang, "").replace("{n}", "{" + PLURAL_COUNT + "}"))
                          for lang in set(one_entry) | set(many_entry)}
    return result


def _form_of(key: str) -> tuple[str, int]:
    """Which plural message and form an old-style key names: `K_one` -> (K, 0), `many.K` -> (count.K, -1)."""
    for suffix, index in (("_one", 0), ("_many", -1)):
        if key.endswith(suffix):
            return key[: -len(suffix)], index
    for prefix, index in (("one.", 0), ("many.", -1)):
        if key.startswith(prefix):
            return "count." + key[len(prefix):], index
    return key, -1


def _into_plurals(entries: dict[str, Entry], package: str, domain: str, root: Path) -> dict[str, Entry]:
    """A reworded half of an old `_one`/`_many` pair goes into its form of the plural message.

    Without this a branch that rewords only `digest.count` would replace the plural message
    with a plain one.
    """
    catalogs = {language: _load_po(po_path(package, domain, language, root), language, domain) for language in supported_languages()}
    result: dict[str, Entry] = {}
    for key, entry in entries.items():
        target, index = _form_of(key)
        existing = catalogs[SOURCE_LANGUAGE].get(target)
        if isinstance(next(iter(entry.values()), ""), tuple) or existing is None or not existing.pluralizable:
            result[key] = entry
            continue
        merged: Entry = dict(result.get(target, {}))
        for language, catalog in catalogs.items():
            held = merged.get(language) or catalog[target].string
            forms = list(held) if isinstance(held, (tuple, list)) else [str(held)]
            said = entry.get(language)
            if isinstance(said, str):
                forms[index] = said.replace("{n}", "{" + PLURAL_COUNT + "}")
            merged[language] = tuple(str(f or "") for f in forms)
        result[target] = merged
    return result


def _load_po(path: Path, language: str, domain: str) -> BabelCatalog:
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=language, domain=domain)
    return BabelCatalog(locale=language, domain=domain, project="ritualbot", fuzzy=False)


HEADER = """\
# The {domain} texts of ritualbot in {language}.
# Message ids are keys; the English text stands in a comment above each entry.
# Placeholders such as {{who}} stay as they are; see docs/translating.md.
#"""


def _save_po(catalog: BabelCatalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    language = catalog.locale.english_name if catalog.locale else str(catalog.locale_identifier)
    catalog.header_comment = HEADER.format(domain=catalog.domain, language=language)
    catalog.msgid_bugs_address = ""
    catalog.last_translator = ""
    catalog.language_team = ""
    for message in catalog:  # Babel judges the flag by the msgid, which is a key here: set it by the text
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if message.id and any("{" in (form or "") for form in forms):
            message.flags.add(FORMAT_FLAG)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False, sort_output=False)


def _english(text: str | tuple[str, ...]) -> list[str]:
    forms = (text,) if isinstance(text, str) else text
    return [ENGLISH + " | ".join(forms).replace("\n", "\\n")]


def merge(package: str, domain: str, entries: dict[str, Entry], root: Path = ROOT,
          languages: tuple[str, ...] | None = None) -> int:
    """Write `entries` into the domain's `.po` files (added or replaced), in `languages`
    (default: every supported language); returns how many."""
    for language in languages or supported_languages():
        path = po_path(package, domain, language, root)
        catalog = _load_po(path, language, domain)
        for key, entry in entries.items():
            english = entry.get(SOURCE_LANGUAGE, "")
            text = entry.get(language, "")
            plural = isinstance(english, tuple)
            if plural and isinstance(text, str):
                text = (text,) * catalog.num_plurals
            comments = [] if language == SOURCE_LANGUAGE else _english(english)
            if key in catalog:
                del catalog[key]
            catalog.add((key, key) if plural else key, text, auto_comments=comments)
        _save_po(catalog, path)
    return len(entries)


def import_dicts(sources: Sequence[DictSource], ref: str | None, base: str | None, out: list[str],
                 root: Path = ROOT) -> None:
    """Every `sources` dict (at git revision `ref`, or in the working tree) into its domain's `.po` files."""
    per_domain: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    for source in sources:
        text = _source_text(source.path, ref, root)
        entries = read_dict(text, source.variable) if text is not None else {}
        if base is not None and entries:
            before_text = _source_text(source.path, base, root)
            before = read_dict(before_text, source.variable) if before_text is not None else {}
            entries = {key: entry for key, entry in entries.items() if before.get(key) != entry}
        per_domain.setdefault((source.package, source.domain), {}).update(entries)
    for (package, domain), entries in per_domain.items():
        if entries:
            count = merge(package, domain, _into_plurals(_plural_pairs(entries), package, domain, root), root)
            out.append(f"{domain}: {count} message(s) from the old dicts: {', '.join(sorted(entries))}")


def new_language(code: str, out: list[str]) -> None:
    """`new-language`: an untranslated `.po` for `code` next to every domain's English one."""
    for english_file in sorted(ROOT.glob(f"**/locale/{SOURCE_LANGUAGE}/LC_MESSAGES/*.po")):
        target = english_file.parent.parent.parent / code / "LC_MESSAGES" / english_file.name
        if target.exists():
            out.append(f"{target.relative_to(ROOT)} exists; left alone")
            continue
        with english_file.open("rb") as handle:
            source = read_po(handle, locale=SOURCE_LANGUAGE)
        catalog = BabelCatalog(locale=code, domain=english_file.stem, project="ritualbot", fuzzy=False)
        for message in source:
            if message.id:
                empty: str | tuple[str, ...] = ("",) * catalog.num_plurals if message.pluralizable else ""
                english = message.string
                said = tuple(str(s) for s in english) if isinstance(english, (tuple, list)) else str(english or "")
                catalog.add(message.id, empty, auto_comments=_english(said))
                if "{" in str(said):
                    catalog[message.id].flags.add(FORMAT_FLAG)
        _save_po(catalog, target)
        out.append(f"wrote {target.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n_tools", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    language = commands.add_parser("new-language", help="start a language")
    language.add_argument("code")
    commands.add_parser("check", help="missing, unused and untranslated messages, placeholders")
    args = parser.parse_args(argv)
    out: list[str] = []
    status = 0
    if args.command == "new-language":
        new_language(args.code, out)
    else:
        from bot.i18n_check import all_problems

        out = all_problems()
        status = 1 if out else 0
        out = out or ["all catalogs complete, used and consistent"]
    print("\n".join(out))
    return status


if __name__ == "__main__":
    sys.exit(main())
