"""The rituals' words (issue 14, "Words that invite"): warm je/jij Dutch and natural
English; no shame every week, no teacher's tone, no anglicisms or calques."""

from __future__ import annotations

import re

from bot.registry import discover

LOUD = [r"nieuwe kans", r"new chance", r"Gemengd", r"No, rather not", r"by myself", r"what I have of you",
        r"dit kan niet ongedaan worden"]


def _catalogs() -> dict[str, dict[str, dict[str, str]]]:
    return {rid: dict(cls.texts) for rid, cls in discover().items()}


def test_no_teacher_tone_no_calques_no_anglicisms() -> None:
    for rid, texts in _catalogs().items():
        for key, languages in texts.items():
            for lang, said in languages.items():
                for pattern in LOUD:
                    assert not re.search(pattern, said, re.IGNORECASE), (rid, key, lang, said)


def test_dutch_says_je_and_jij_never_u() -> None:
    for rid, texts in _catalogs().items():
        for key, languages in texts.items():
            assert not re.search(r"\b(u|uw)\b", languages["nl"]), (rid, key, languages["nl"])


def test_the_weekly_prompt_does_not_mention_shame_every_week() -> None:
    texts = _catalogs()["weekly_success_mistake"]
    for key in ("prompt", "prompt.body", "prompt.privacy", "sharer.dm"):
        assert "schaam" not in texts[key]["nl"] and "ashamed" not in texts[key]["en"] and "shame" not in texts[key]["en"]
    assert _catalogs()["moral_deliberation"]["reflect.mixed"]["nl"] == "Dubbel"
