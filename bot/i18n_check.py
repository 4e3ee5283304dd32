"""What can go wrong between code and catalogs, found without running anything.

For every domain (`<package>/locale/<language>/LC_MESSAGES/<domain>.po`) this finds:
- a key the code asks for that no catalog of its package has (a typo, or a text never written);
- a message no code uses (left behind when the code changed);
- a message empty in a language, or missing from a language's file, or only in a translation;
- placeholders that differ between languages (`{who}` in English, `{wie}` in Dutch);
- a language people can choose (the core's `core.po` has it) that a domain has no file for.

The code of a package is every `.py` file under its folder, except subpackages with their own
`locale/` folder. A key is used when it appears in that code as a string, or matches an f-string
or `"prefix." + name` built there (`f"roster.{done}.{key}"` uses every `roster.*.*` key). The
keys asked for are the literal first arguments of `t`, `team_t`, `user_t`, the second of
`translate` and `t_user`.

What a ritual says about itself (`ritual.title`, `ritual.keeps.*`, `ritual.step.<step>`, ...,
see `bot/ritual_words.py`) the core reads, not the ritual's code: for each ritual class whose
catalog is checked, those keys count as used, and a missing title, `keeps` or help line of a
command is a problem. An outside ritual package can run the same checks on its own catalog
with `problems(catalogs_in("my_pkg"), code_files("my_pkg"), rituals=[MyRitual])`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.i18n import PLURAL_COUNT, SOURCE_LANGUAGE, PoCatalog, placeholders, supported_languages
from bot.ritual_words import about

if TYPE_CHECKING:
    from bot.ritual import Ritual

KEY_ARGUMENT = {"t": 0, "team_t": 0, "user_t": 0, "translate": 1, "t_user": 1}
"""Functions whose argument at this position is a catalog key."""
MIN_PATTERN_TEXT = 4
"""An f-string with fewer fixed characters than this says nothing about which keys it builds."""


def package_dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def catalogs_in(package: str) -> list[PoCatalog]:
    """Every domain a package ships, found by its source-language `.po` files."""
    folder = resources.files(package) / "locale" / SOURCE_LANGUAGE / "LC_MESSAGES"
    if not folder.is_dir():
        return []
    return [PoCatalog(package, entry.name[: -len(".po")]) for entry in sorted(folder.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".po")]


def code_files(package: str) -> list[Path]:
    """The `.py` files whose keys belong to `package`'s domains."""
    root = package_dir(package)
    owned = [d for d in root.rglob("locale") if d.is_dir() and d.parent != root]
    return sorted(p for p in root.rglob("*.py") if not any(o.parent in p.parents for o in owned))


@dataclass
class Uses:
    """The keys code names: whole strings, patterns it builds, and what calls ask for."""

    strings: set[str] = field(default_factory=set)
    patterns: list[re.Pattern[str]] = field(default_factory=list)
    asked: list[tuple[str, int, str | re.Pattern[str]]] = field(default_factory=list)


def _pattern(node: ast.AST) -> re.Pattern[str] | None:
    """The keys an f-string or a `"prefix." + name` can build, as a regex (None: not such an expression)."""
    if isinstance(node, ast.JoinedStr):
        pieces: list[ast.expr] = list(node.values)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        pieces = [node.left, node.right]
    else:
        return None
    fixed = [p.value if isinstance(p, ast.Constant) and isinstance(p.value, str) else None for p in pieces]
    if isinstance(node, ast.BinOp) and all(f is None for f in fixed):
        return None
    regex = "".join(re.escape(f) if f is not None else ".+" for f in fixed)
    return re.compile(regex) if sum(len(f) for f in fixed if f) >= MIN_PATTERN_TEXT else None


def _asked(node: ast.expr) -> list[str | re.Pattern[str]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _asked(node.body) + _asked(node.orelse)
    pattern = _pattern(node)
    return [pattern] if pattern else []


def scan(files: Iterable[Path]) -> Uses:
    """Every string, key pattern and asked-for key in `files`."""
    uses = Uses()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                uses.strings.add(node.value)
            elif (pattern := _pattern(node)) is not None:
                uses.patterns.append(pattern)
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                position = KEY_ARGUMENT.get(name)
                if position is not None and len(node.args) > position:
                    uses.asked += [(str(path), node.lineno, key) for key in _asked(node.args[position])]
    return uses


def _forms(catalog: PoCatalog, key: str, language: str) -> tuple[str, ...]:
    return catalog.forms(key, language)


def catalog_problems(catalog: PoCatalog, uses: Uses, read: frozenset[str] = frozenset()) -> list[str]:
    """What is wrong inside one domain, and which of its messages neither `uses` names nor
    the core reads (`read`: a ritual's `ritual.*` words)."""
    found: list[str] = []
    name = f"{catalog.package}:{catalog.domain}"
    keys = set(catalog)
    found += [f"{name}: no {language} catalog at {catalog.path(language)} (people can choose {language}; "
              f"`python -m bot.i18n_tools new-language {language}` starts it)"
              for language in catalog.missing_languages()]
    for language in catalog.languages:
        try:
            po = catalog.po(language)
        except FileNotFoundError:
            found.append(f"{name}: no {language} catalog at {catalog.path(language)}")
            continue
        extra = {str(m.id if isinstance(m.id, str) else m.id[0]) for m in po if m.id} - keys
        found += [f"{name}: {key!r} is in the {language} catalog only, not in {SOURCE_LANGUAGE}" for key in sorted(extra)]
    for key in sorted(keys):
        said = {language: _forms(catalog, key, language) for language in catalog.languages}
        for language, forms in said.items():
            if not forms or not all(forms):
                found.append(f"{name}: {key!r} is not translated in {language}")
            elif catalog.is_plural(key) and len(forms) != catalog.po(language).num_plurals:
                found.append(f"{name}: {key!r} has {len(forms)} plural forms in {language}, "
                             f"its Plural-Forms want {catalog.po(language).num_plurals}")
        fields = {language: set().union(*(placeholders(f) for f in forms)) - ({PLURAL_COUNT} if catalog.is_plural(key) else set())
                  for language, forms in said.items() if forms and all(forms)}
        if len({frozenset(f) for f in fields.values()}) > 1:
            shown = ", ".join(f"{language} {sorted(f)}" for language, f in sorted(fields.items()))
            found.append(f"{name}: {key!r} has different placeholders: {shown}")
        if key not in read and key not in uses.strings and not any(p.fullmatch(key) for p in uses.patterns):
            found.append(f"{name}: {key!r} is used nowhere in the code")
    return found


def _same(a: PoCatalog, b: object) -> bool:
    return isinstance(b, PoCatalog) and (a.package, a.domain) == (b.package, b.domain)


def problems(catalogs: Sequence[PoCatalog], files: Sequence[Path],
             rituals: Sequence[type[Ritual[Any]]] = ()) -> list[str]:
    """Everything wrong between `catalogs` (one package's domains), the code in `files` and
    the words the core reads for `rituals` (the ritual classes whose `texts` are among them)."""
    uses = scan(files)
    found = []
    for catalog in catalogs:
        mine = [cls for cls in rituals if _same(catalog, cls.texts)]
        read = frozenset().union(*(about(cls).used_keys() for cls in mine))
        found += catalog_problems(catalog, uses, read)
        for cls in mine:
            found += [f"{catalog.package}:{catalog.domain}: ritual {cls.id!r} needs {key!r}, which its catalog lacks"
                      for key in sorted(about(cls).required_keys() - set(catalog))]
    keys = {key for catalog in catalogs for key in catalog}
    for path, line, key in uses.asked:
        if isinstance(key, str):
            if key not in keys:
                found.append(f"{path}:{line}: asks for {key!r}, which no catalog of this package has")
        elif not any(key.fullmatch(k) for k in keys):
            found.append(f"{path}:{line}: builds keys like {key.pattern!r}, and no catalog of this package has one")
    return found


def all_problems(packages: Sequence[str] | None = None) -> list[str]:
    """`problems` for every package with catalogs: the core, ours, and installed rituals'."""
    from bot.registry import discover

    rituals = [cls for cls in discover().values() if isinstance(cls.texts, PoCatalog)]
    if packages is None:
        packages = sorted({"bot"} | {cls.texts.package for cls in rituals if isinstance(cls.texts, PoCatalog)})
    return [p for package in packages for p in problems(catalogs_in(package), code_files(package), rituals)]


__all__ = ["supported_languages", "catalogs_in", "code_files", "problems", "all_problems", "scan"]
