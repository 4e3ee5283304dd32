"""The consent notice lists what each installed ritual declares it keeps (issue 13 point 3),
and says that without consent only what a ritual needs is kept, only as long as needed."""

from __future__ import annotations

from bot.registry import discover
from bot.ritual_words import about
from tests.conftest import TEAM_TOML


def test_every_installed_ritual_says_what_it_keeps_in_both_languages() -> None:
    for rid, ritual in discover().items():
        for kind in ("consent", "needed"):
            for language in ("nl", "en"):
                assert about(ritual).keeps(language).get(kind), f"{rid} does not say what it keeps ({kind}, {language})"


async def test_the_notice_lists_each_installed_ritual(make_harness) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML, locales={"cor": "en"})
    out = await h.local.command("bram", "optin", channel="C1")
    notice = out[-1].text
    assert "alleen zolang het dat nodig heeft" in notice
    for ritual in discover().values():
        said = about(ritual)
        assert f"• {said.title('nl')}: met je ja: {said.keeps('nl')['consent']}." in notice
        assert said.keeps("nl")["needed"] in notice
    out = await h.local.command("cor", "optin", channel="C1")
    for ritual in discover().values():
        assert about(ritual).keeps("en")["consent"] in out[-1].text
