"""The contexts handed to ritual handlers: everything a ritual may touch, bound to a team.

`RitualContext[Options]` is for scheduled steps; `InteractionContext[Options]` adds the
acting user and a private `reply`. Both are generic over the ritual's options model, so
`ctx.options` is typed. A context reaches the platform and the database only through its own
methods and `ctx.store`, a store bound to its team and ritual (`bot/ritual_store.py`); what
it needs of the core goes through a small port (`bot/seams.py`), never the whole bot. Button
actions and form ids are namespaced on the way out (`bot/targets.py`), so adapters can pass
them back untouched.

This module is where rituals, tests and the core import them from; they are defined in
bot/ritual_context.py (`RitualContext`, `Occurrence`) and bot/interaction_context.py.
"""

from bot.interaction_context import InteractionContext
from bot.ritual_context import Occurrence, OptionsT, RitualContext

__all__ = ["InteractionContext", "Occurrence", "OptionsT", "RitualContext"]
