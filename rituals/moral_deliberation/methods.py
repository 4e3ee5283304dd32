"""The two conversation methods: their steps, minutes and texts.

Sources (see docs/rituals.md): the dilemma method of moral case deliberation (Stolper,
Molewijk & Widdershoven, BMC Medical Ethics 17:45, 2016) and CURA (Metselaar, van Schaik,
Widdershoven & Pasman, Nursing Ethics 29(7-8), 2022; van Schaik et al., BMC Medical Ethics
23:32, 2022). The wording of the questions is ours; the order and the purpose of each step
are the published ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MethodStep:
    key: str
    minutes: int


METHODS: dict[str, tuple[MethodStep, ...]] = {
    "dilemmamethode": tuple(MethodStep(f"dm{i}", m) for i, m in enumerate((5, 10, 10, 10, 15, 5, 10, 15, 5, 5), 1)),
    "cura": tuple(MethodStep(f"cura{i}", m) for i, m in enumerate((5, 10, 15, 10), 1)),
}

# The steps' titles and questions are in the ritual's catalog (texts.py): `<step key>.title`, `<step key>.ask`.
