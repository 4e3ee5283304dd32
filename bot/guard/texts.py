"""What the guard says: placeholders for `redact`, and the private question of `describe`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.guard.kinds import Finding
from bot.i18n import PoCatalog, translate

TEXTS = PoCatalog("bot", "guard")
"""Texts in bot/locale/<language>/LC_MESSAGES/guard.po"""


def _merged(findings: Iterable[Finding]) -> list[Finding]:
    """Overlapping findings joined into one span, named after the one that starts first."""
    merged: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, f.start - f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Finding(last.kind, last.start, max(last.end, f.end))
        else:
            merged.append(f)
    return merged


def redact(text: str, findings: Sequence[Finding], language: str = "nl") -> str:
    """`text` with each finding replaced by a neutral placeholder such as `[telefoonnummer]`.

    Overlapping findings (only possible when they were not made by `find_identifiers`) are
    replaced together by one placeholder, so no part of either is left behind.
    """
    parts: list[str] = []
    position = 0
    for f in _merged(findings):
        parts += [text[position:f.start], translate(TEXTS, f"placeholder.{f.kind}", language)]
        position = f.end
    return "".join(parts) + text[position:]


def listed(findings: Sequence[Finding], language: str = "nl") -> str:
    """The kinds found, counted and joined ("een telefoonnummer en 2 e-mailadressen"); never the values.

    Empty when nothing was found.
    """
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    items = [translate(TEXTS, f"count.{kind}", language, count=n) for kind, n in counts.items()]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {translate(TEXTS, 'and', language)} {items[-1]}"


def describe(findings: Sequence[Finding], language: str = "nl") -> str:
    """The private question to the author: which kinds were found, never the values.

    Empty when nothing was found, so callers can simply skip the question.
    """
    items = listed(findings, language)
    return translate(TEXTS, "ask", language, items=items) if items else ""
