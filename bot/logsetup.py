"""How ritualbot logs: quiet by default, readable by an operator, JSON lines on request.

The default level is INFO for ritualbot's own loggers and WARNING for every library:
APScheduler would otherwise log two lines per job run and per sweep, and the chat
client libraries log whole requests (what people wrote) at debug level. `-v` shows
ritualbot's debug lines and APScheduler's; the chat libraries stay at warning even then.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class QuietLibraries(logging.Filter):
    """Drops the client libraries' records below warning, however they set their own levels
    (mattermostdriver resets its loggers to INFO whenever it makes a client)."""

    NOISY = ("slack_sdk", "slack_bolt", "mattermostdriver", "urllib3", "aiohttp.access", "websockets")

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.name.startswith(self.NOISY)


class JsonLines(logging.Formatter):
    """One JSON object per line: `time` (UTC, ISO 8601), `level`, `logger`, `message`,
    and `exception` when there is one; for log collectors (journald, Loki, ELK)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:  # the text a filter left (bot/logsafe.py: frames without the message) wins
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, verbose: bool = False, json_lines: bool = False, stream: TextIO | None = None) -> None:
    """Set up the root logger once for a CLI run (replaces handlers a previous call made)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines() if json_lines else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(QuietLibraries())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Libraries speak only when something is wrong, unless -v asks for details.
    for name in ("apscheduler", "alembic", "asyncio"):
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
