"""No log level, platform mode or exception path writes what people wrote, or who wrote
something anonymous (issue 11). Every flow runs at DEBUG, with every library at DEBUG as
`-v` would have it, and the log the bot writes is searched for marker texts."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot import logsafe
from bot.registry import discover
from bot.simulation import advance
from bot.store import Store
from tests.conftest import AMS, TEAM_TOML

MARK = "Zwartkoplijster"  # in every text people write below
BSN = "111222333"
LIBRARIES = ("slack_sdk", "slack_bolt", "mattermostdriver", "aiohttp", "websockets", "urllib3")


@pytest.fixture
def bot_log() -> Iterator[io.StringIO]:
    """What `ritualbot -v run` writes: root at DEBUG, libraries at DEBUG, the bot's handler."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logsafe.install(handler)
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in LIBRARIES}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)


def _clean(log: str, *secrets: str) -> None:
    assert log, "nothing was logged at all: the test would prove nothing"
    for secret in (MARK, BSN, *secrets):
        assert secret not in log, f"{secret!r} is in the log"


async def _opt_in(h, user: str) -> None:  # type: ignore[no-untyped-def]
    out = await h.local.command(user, "optin", channel="C1")
    await h.local.click(user, out[-1], "optin")


async def test_every_local_flow_keeps_content_out_of_the_log(make_harness, bot_log: io.StringIO) -> None:  # type: ignore[no-untyped-def]
    h = await make_harness(TEAM_TOML)
    await h.advance_to(datetime(2026, 12, 4, 14, 1, tzinfo=AMS))
    await _opt_in(h, "eva")
    prompt = h.local.last("channel", "C1")
    for user, share_as in (("eva", "named"), ("dewi", "anonymous"), ("bram", "named")):
        await h.local.click(user, prompt, "share")
        refused, _ = await h.local.submit(user, {"success": f"{MARK} BSN {BSN}", "mistake": MARK, "share_as": share_as})
        assert refused.errors
        result, _ = await h.local.submit(user, {"success": f"{MARK} goed", "mistake": f"{MARK} mis",
                                                "lesson": f"{MARK} les", "share_as": share_as})
        assert result.ok
    await h.local.command("eva", "mydata", channel="C1")
    await h.advance(timedelta(days=6))
    _clean(bot_log.getvalue(), "dewi")


async def test_moral_deliberation_keeps_content_out_of_the_log(make_harness, bot_log: io.StringIO) -> None:  # type: ignore[no-untyped-def]
    if "moral_deliberation" not in discover():
        pytest.skip("moral_deliberation is not installed")
    from tests.test_ritual_moral_deliberation import CALL, REFLECTION, START, TOML

    h = await make_harness(TOML.format(extra=""), start=START)
    await h.advance_to(CALL)
    call = h.local.entries("channel", "C1")[0]
    await h.local.click("cor", call, "bring")
    result, _ = await h.local.submit("cor", {"title": f"{MARK} titel", "story": f"{MARK} verhaal", "share_as": "anonymous"})
    assert result.ok
    await h.advance_to(REFLECTION)
    await h.local.click("eva", h.local.last("channel", "C1"), "reflect")
    await h.local.submit("eva", {"how": "heavy", "note": f"{MARK} notitie", "share_as": "anonymous"})
    _clean(bot_log.getvalue(), "cor", "eva")


@pytest.mark.parametrize("socket_mode", [False, True], ids=["http", "socket-mode"])
async def test_slack_keeps_content_and_anonymous_authors_out_of_the_log(store: Store, bot_log: io.StringIO,
                                                                         socket_mode: bool) -> None:
    from tests.test_slack_support import BRAM, CH, COR, running_bot, until

    async with running_bot(store, socket_mode=socket_mode) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.slack.messages(CH)
        share = next(e for b in prompt.blocks or [] if b["type"] == "actions" for e in b["elements"]
                     if e["action_id"].endswith(":share"))
        anonymous = {"type": "radio_buttons", "selected_option": {"value": "anonymous"}}
        answers = ({"success": f"{MARK} BSN {BSN}", "mistake": MARK, "share_as": anonymous},
                   {"success": f"{MARK} goed", "mistake": f"{MARK} mis", "share_as": anonymous})
        if socket_mode:
            click = r.slack.block_actions_payload(action_id=share["action_id"], value=share["value"], user_id=BRAM,
                                                  channel_id=CH, message=prompt.to_api())
            await asyncio.wait_for(await r.slack.socket_send_envelope("interactive", click), timeout=5)
            await until(lambda: r.slack.calls_to("views.open"), "the modal")
            view = r.slack.calls_to("views.open")[0].response["view"]
            for values in answers:
                state = {k: {"value": v if isinstance(v, dict) else {"type": "plain_text_input", "value": v}}
                         for k, v in values.items()}
                submission = {"type": "view_submission", "user": {"id": BRAM}, "team": {"id": "T0FAKE0001"},
                              "view": {**view, "state": {"values": state}}}
                await asyncio.wait_for(await r.slack.socket_send_envelope("interactive", submission), timeout=5)
        else:
            assert await r.click(BRAM, prompt, "share") == 200
            await until(lambda: r.slack.calls_to("views.open"), "the modal")
            view = r.slack.calls_to("views.open")[0].response["view"]
            for values in answers:
                await r.submit(BRAM, view, values)
        await until(lambda: r.slack.thread(CH, prompt.ts), "the anonymous answer")
        await r.command(COR, "mydata")
    _clean(bot_log.getvalue(), BRAM)


async def test_mattermost_keeps_content_and_anonymous_authors_out_of_the_log(store: Store, bot_log: io.StringIO) -> None:
    from tests.test_mattermost_support import BRAM, CHAN, running_bot

    async with running_bot(store) as r:
        await advance(r.bot, r.clock, r.clock.now() + timedelta(days=4, hours=6, minutes=1))
        [prompt] = r.bot_posts(CHAN)
        await r.click(BRAM, prompt, "Deel je succes")
        [opened] = r.mm.dialogs
        refused = await r.submit(BRAM, opened, {"success": f"{MARK} BSN {BSN}", "mistake": MARK, "share_as": "anonymous"})
        assert refused.json["errors"]
        await r.submit(BRAM, opened, {"success": f"{MARK} goed", "mistake": f"{MARK} mis", "lesson": None,
                                      "share_as": "anonymous"})
        assert [p for p in r.bot_posts(CHAN) if p["root_id"]]
    _clean(bot_log.getvalue(), BRAM)


def test_an_exception_that_quotes_a_value_loses_its_message_not_its_frames(bot_log: io.StringIO) -> None:
    def handler(note: str) -> None:
        raise ValueError(f"cannot use {note!r}")

    try:
        handler(f"{MARK} BSN {BSN}")
    except ValueError:
        logging.getLogger("ritualbot").exception("a form submission failed")
    logging.getLogger("slack_bolt.ritualbot").warning("Unhandled request (%s)", {"text": MARK})
    log = bot_log.getvalue()
    assert "a form submission failed" in log and "in handler" in log and "ValueError" in log
    assert "slack_bolt.ritualbot" in log
    _clean(log)


def test_a_mattermost_retry_line_names_the_path_not_the_person() -> None:
    """A retry used to log `/users/<id>` and `/channels/direct` ids: the shape is enough."""
    from bot.platforms.mattermost.connection import _path_shape

    person = "qxsender000000000000000000"
    assert _path_shape(f"/users/{person}/status") == "/users/:id/status"
    assert _path_shape("/posts/search") == "/posts/search"  # an endpoint without ids stays


def test_json_lines_lose_an_exceptions_message_too() -> None:
    """`--log-format json` formatted the traceback from the exception itself, message and all:
    what the filter had taken out came back in the `exception` field."""
    from bot.logsetup import configure_logging

    out = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        configure_logging(verbose=True, json_lines=True, stream=out)
        for handler in root.handlers:
            logsafe.install(handler)  # as `ritualbot` does
        try:
            raise ValueError(f"cannot use '{MARK} BSN {BSN}'")
        except ValueError:
            logging.getLogger("ritualbot").exception("a form submission failed")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    log = out.getvalue()
    assert "a form submission failed" in log and "ValueError" in log and "Traceback" in log
    _clean(log)
