"""Slack's HTTP mode refuses a body that is not a Slack payload with 400 and one log line,
whether it is signed or not (found by trying it: slack-bolt parsed the body before checking
its signature, so anyone could get a 500 and a traceback in the log with `payload={not json`)."""

from __future__ import annotations

import logging
import urllib.parse

import pytest

from bot.store import Store
from tests.fakes.slack_api import sign_request
from tests.test_slack_support import SECRET, running_bot

FORM = "application/x-www-form-urlencoded"
BODIES = [("payload=" + urllib.parse.quote(raw), FORM) for raw in ("{not json", "[1, 2]", "null", '"x"')] + [
    ("{not json", "application/json"), ("[1]", "application/json"),
    # a slash command that names nobody: slack-bolt logged an error and never answered it
    ("command=%2Fritual&text=help&channel_id=C0E2ETEAM01&team_id=T0E2E", FORM),
    ("command=%2Fritual&text=help&user_id=&channel_id=C0E2ETEAM01", FORM),
    # JSON nested deeper than Python reads (RecursionError, not ValueError: a 500 with a traceback)
    ("payload=" + "[" * 100_000, FORM), ("{" + '"a":[' * 100_000, "application/json")]


async def test_a_body_that_is_no_slack_payload_gets_400_signed_and_401_unsigned(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with running_bot(store) as r:
        for body, content_type in BODIES:
            signed = sign_request(SECRET, body, None, content_type)
            async with r.http.post(r.base + "/slack/events", data=body.encode(), headers=signed) as resp:
                assert resp.status == 400, body[:60]
            forged = sign_request("not the secret", body, None, content_type)
            async with r.http.post(r.base + "/slack/events", data=body.encode(), headers=forged) as resp:
                assert resp.status == 401, body[:60]
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    refused = [rec.getMessage() for rec in caplog.records if rec.name == "ritualbot.slack" and "400" in rec.getMessage()]
    assert len(refused) == len(BODIES) and not any("not json" in m for m in refused)


@pytest.mark.parametrize("timestamp", ["abc", "", "1.5e9", "9" * 400])
async def test_a_signature_timestamp_that_is_no_number_gets_401_not_500(
        store: Store, caplog: pytest.LogCaptureFixture, timestamp: str) -> None:
    """slack_sdk's verifier turns the header into a number without asking: anyone could get a
    500 and an error in the log by sending `X-Slack-Request-Timestamp: abc` (found by trying it)."""
    caplog.set_level(logging.INFO)
    body = "command=%2Fritual&text=help"
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=00"}
    async with running_bot(store) as r:
        async with r.http.post(r.base + "/slack/events", data=body.encode(), headers=headers) as resp:
            assert resp.status == 401
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]


async def test_a_body_that_is_no_utf8_gets_401_signed_or_not(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """aiohttp refuses to read such a body as text: anyone could get a 500 and an error in the log.
    Slack signs UTF-8 only, and slack_sdk cannot check a signature over other bytes: refused."""
    caplog.set_level(logging.INFO)
    body = b"command=%2Fritual&text=\xff\xfe"
    async with running_bot(store) as r:
        async with r.http.post(r.base + "/slack/events", data=body,
                               headers={"Content-Type": FORM, "X-Slack-Signature": "v0=00",
                                        "X-Slack-Request-Timestamp": "1"}) as resp:
            assert resp.status == 401
        signed = sign_request(SECRET, body, None, FORM)
        async with r.http.post(r.base + "/slack/events", data=body, headers=signed) as resp:
            assert resp.status == 401
        latin = sign_request(SECRET, "command=%2Fritual", None, FORM + "; charset=no-such-charset")
        async with r.http.post(r.base + "/slack/events", data=b"command=%2Fritual", headers=latin) as resp:
            assert resp.status == 400
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
