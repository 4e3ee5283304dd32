"""The client-data guard measured on a labelled corpus of Dutch texts (tests/data/guard_corpus.toml).

Recall: of the identifiers a careful reader marks, how many the guard finds. Precision: of
what the guard finds, how much a careful reader would mark. A finding counts when its kind
matches an expected one; `date` and `birth_date` count as one kind here, because whether a
date is called a birth date depends on a cue word and the author is asked either way.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.guard import KINDS, find_identifiers

CORPUS = Path(__file__).parent / "data" / "guard_corpus.toml"
RECALL = 0.95
PRECISION = 0.98
_SAME = {"birth_date": "date"}


@dataclass(frozen=True)
class Case:
    text: str
    kinds: tuple[str, ...]


def load_corpus() -> list[Case]:
    cases = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["case"]
    return [Case(c["text"], tuple(c["kinds"])) for c in cases]


def _family(kinds: list[str] | tuple[str, ...]) -> Counter[str]:
    return Counter(_SAME.get(k, k) for k in kinds)


def score(cases: list[Case]) -> tuple[int, int, int, list[str]]:
    """True positives, false negatives, false positives, and a line per case that is off."""
    tp = fn = fp = 0
    off = []
    for case in cases:
        found = [f.kind for f in find_identifiers(case.text)]
        expected, got = _family(case.kinds), _family(found)
        hit = sum((expected & got).values())
        tp, fn, fp = tp + hit, fn + sum(expected.values()) - hit, fp + sum(got.values()) - hit
        if expected != got:
            off.append(f"expected {sorted(case.kinds)}, found {sorted(found)}: {case.text!r}")
    return tp, fn, fp, off


def test_the_corpus_is_large_varied_and_half_clean() -> None:
    cases = load_corpus()
    clean = [c for c in cases if not c.kinds]
    assert len(cases) >= 150
    assert 0.4 <= len(clean) / len(cases) <= 0.6
    assert len({c.text for c in cases}) == len(cases), "a case is in the corpus twice"
    labelled = {k for c in cases for k in c.kinds}
    assert labelled == set(KINDS), f"kinds without an example: {set(KINDS) - labelled}"


def test_recall_and_precision_on_the_corpus() -> None:
    tp, fn, fp, off = score(load_corpus())
    recall, precision = tp / (tp + fn), tp / (tp + fp)
    report = f"recall {recall:.3f} ({tp}/{tp + fn}), precision {precision:.3f} ({tp}/{tp + fp})"
    print(report)
    print("\n".join(off))
    assert recall >= RECALL and precision >= PRECISION, report + "\n" + "\n".join(off)
