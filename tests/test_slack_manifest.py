"""The install kit kept honest: the manifest asks for exactly the scopes the code uses,
and the features the connector relies on are switched on. Plus an image upload, the one
call that needs files:write.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import AppConfig
from bot.messages import ImageFile
from bot.store import Store
from tests.test_slack_support import CH, running_bot

ROOT = Path(__file__).parent.parent
MANIFEST = (ROOT / "slack-app-manifest.yaml").read_text()

# Web API method (as slack_sdk names it) -> the bot scope it needs; None: no scope needed.
SCOPES = {
    "auth_test": None, "chat_postMessage": "chat:write", "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write", "conversations_open": "im:write", "users_info": "users:read",
    "conversations_members": ("channels:read", "groups:read"), "views_open": None, "views_publish": None,
    "files_upload_v2": "files:write", "conversations_history": ("channels:history", "groups:history"),
    "conversations_replies": ("channels:history", "groups:history"),  # a firing's thread replies, after a takeover
    "conversations_info": ("channels:read", "groups:read"),
    "users_list": "users:read",
    "apps_connections_open": None,  # with the app-level token (connections:write), not a bot scope
}


def _methods_called() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "bot" / "platforms" / "slack").glob("*.py"):
        found |= set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", path.read_text()))
    return found


def _manifest_scopes() -> set[str]:
    block = MANIFEST.split("    bot:\n", 1)[1].split("\n\n", 1)[0]
    return set(re.findall(r"^\s+- ([a-z:.]+)", block, flags=re.M))


def test_manifest_scopes_are_exactly_what_the_code_calls() -> None:
    called = _methods_called()
    assert called, "found no Web API calls: the scan is broken"
    assert called <= set(SCOPES), f"a new Web API call needs its scope in SCOPES: {called - set(SCOPES)}"
    needed: set[str] = {"commands"}
    for method in called:
        scope = SCOPES[method]
        needed |= set(scope) if isinstance(scope, tuple) else ({scope} if scope else set())
    assert _manifest_scopes() == needed


def test_manifest_switches_on_what_the_connector_relies_on() -> None:
    assert f"- command: /{AppConfig().command}\n" in MANIFEST
    assert "should_escape: true" in MANIFEST  # admin subcommands get user ids, not bare names
    assert "socket_mode_enabled: true" in MANIFEST
    assert "home_tab_enabled: true" in MANIFEST
    assert re.search(r"interactivity:\n\s+is_enabled: true", MANIFEST)
    assert re.search(r"bot_events:\n\s+- app_home_opened\n", MANIFEST)
    assert re.search(r"bot_user:\n\s+display_name:", MANIFEST)
    for documented in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "/slack/events"):
        assert documented in (ROOT / "README.md").read_text()


async def test_an_image_is_uploaded_with_files_upload_v2(store: Store) -> None:
    async with running_bot(store) as r:
        png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
        await r.connector.platform.upload_image(CH, ImageFile("chart.png", png, "Deelname"), comment="Per week")
        [file] = r.slack.files.values()
        assert file["content"] == png and file["title"] == "Deelname"
        [message] = r.slack.messages(CH)
        assert message.text == "Per week" and message.files[0]["id"] == file["id"]
