"""Bring texts written the old way into the `.po` catalogs: `python scripts/import_dicts.py [--ref REF] [--base BASE]`.

Texts used to be dicts `key -> {"nl": ..., "en": ...}` in the modules below, and a ritual's
`title`, `summary`, `keeps`, `step_descriptions` and `command_help` dicts on its class (now
the `ritual.*` messages of its catalog). Branches made
before the move to catalogs may still add or reword entries there. After merging such a branch
(keep this side's `NAME = PoCatalog(...)` line where the module conflicts), run

    python scripts/import_dicts.py --ref <that branch> --base <the commit it started from>

to take the entries that branch added or changed into the `.po` files (translations made in
the `.po` files since are kept for every other entry), then `python -m bot.i18n_tools check`.
Without `--ref` the modules are read from the working tree; without `--base` every entry is
taken. Pairs `K_one`/`K_many` (or `K_one`/`K`) and `one.K`/`many.K` become one plural message
(`K`, or `count.K`) whose number is `{count}`: change the call site to pass `count=`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.i18n_tools import DictSource, import_dicts  # noqa: E402

DICT_SOURCES = (
    DictSource("bot/texts.py", "TEXTS", "bot", "core"),
    DictSource("bot/trouble_texts.py", "TROUBLE_TEXTS", "bot", "trouble"),
    DictSource("bot/guard/texts.py", "TEXTS", "bot", "guard"),
    DictSource("bot/platforms/slack/texts.py", "TEXTS", "bot", "slack"),
    DictSource("bot/platforms/kit/texts.py", "TEXTS", "bot", "kit"),
    DictSource("bot/platforms/late_refusal.py", "TEXTS", "bot", "late_refusal"),
    DictSource("bot/insights.py", "TEXTS", "bot", "insights"),
    DictSource("rituals/weekly_success_mistake.py", "TEXTS", "rituals", "weekly_success_mistake"),
    DictSource("rituals/leader_checklist.py", "TEXTS", "rituals", "leader_checklist"),
    DictSource("rituals/walk_texts.py", "TEXTS", "rituals", "walk_and_listen"),
    DictSource("rituals/confidant_texts.py", "TEXTS", "rituals", "confidant_line"),
    DictSource("rituals/moral_deliberation/methods.py", "METHOD_TEXTS", "rituals.moral_deliberation",
               "moral_deliberation"),
    DictSource("rituals/moral_deliberation/texts.py", "TEXTS", "rituals.moral_deliberation", "moral_deliberation"),
    # what each ritual says about itself (title, summary, keeps, step descriptions, command help)
    DictSource("rituals/weekly_success_mistake.py", "WeeklySuccessMistake", "rituals", "weekly_success_mistake"),
    DictSource("rituals/leader_checklist.py", "LeaderChecklist", "rituals", "leader_checklist"),
    DictSource("rituals/walk_and_listen.py", "WalkAndListen", "rituals", "walk_and_listen"),
    DictSource("rituals/confidant_line.py", "ConfidantLine", "rituals", "confidant_line"),
    DictSource("rituals/moral_deliberation/ritual.py", "MoralDeliberation", "rituals.moral_deliberation",
               "moral_deliberation"),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ref", help="read the modules at this git revision (default: the working tree)")
    parser.add_argument("--base", help="take only entries that differ from this git revision")
    args = parser.parse_args(argv)
    out: list[str] = []
    import_dicts(DICT_SOURCES, args.ref, args.base, out)
    print("\n".join(out) or "no texts in the old form: nothing to import")
    return 0


if __name__ == "__main__":
    sys.exit(main())
