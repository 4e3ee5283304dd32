"""Moreel beraad, in small modules: `ritual.py` (the steps), `interactions.py` (buttons
and forms), `seating.py`, `facilitation.py` and `dilemmas.py` (pure rules), `methods.py`
and `texts.py` (what it says), `rounds.py` (one occurrence's state), `options.py`.

The entry point stays `rituals.moral_deliberation:MoralDeliberation`.
"""

from rituals.moral_deliberation.dilemmas import choose_dilemma
from rituals.moral_deliberation.methods import METHODS
from rituals.moral_deliberation.options import Options
from rituals.moral_deliberation.ritual import MoralDeliberation
from rituals.moral_deliberation.seating import seat, split_groups

__all__ = ["METHODS", "MoralDeliberation", "Options", "choose_dilemma", "seat", "split_groups"]
