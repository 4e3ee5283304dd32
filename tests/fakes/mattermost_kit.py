"""What every part of the Mattermost fake shares: ids, times and the server's error answer.

Mattermost answers a refused request with its AppError JSON body
(``{"id", "message", "detailed_error", "request_id", "status_code"}``); handlers
raise ``ApiError`` and the middleware renders it. ``json_response`` answers with the
exact ``application/json`` content type mattermostdriver compares verbatim.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from typing import Any

from aiohttp import web

API = "/api/v4"

# Typed request-storage keys (aiohttp >= 3.12 warns about plain string keys).
_Key = getattr(web, "RequestKey", None)
RECORD: Any = _Key("record", object) if _Key else "record"
USER: Any = _Key("user_id", str) if _Key else "user_id"


def new_id(seed: str | None = None) -> str:
    """A 26-char Mattermost-style id; deterministic when ``seed`` is given."""
    raw = hashlib.sha256(seed.encode()).digest()[:16] if seed else uuid.uuid4().bytes
    return base64.b32encode(raw).decode().lower().rstrip("=")


def now_ms() -> int:
    return int(time.time() * 1000)


class ApiError(Exception):
    """Raised inside handlers; rendered as Mattermost's AppError JSON body."""

    def __init__(self, status: int, err_id: str, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.status, self.err_id, self.message, self.detail = status, err_id, message, detail

    def body(self) -> dict[str, Any]:
        return {"id": self.err_id, "message": self.message, "detailed_error": self.detail,
                "request_id": new_id(), "status_code": self.status}


def bad_body(name: str) -> ApiError:
    return ApiError(400, "api.context.invalid_body_param.app_error",
                    f"Invalid or missing {name} in request body.")


def forbidden(perm: str) -> ApiError:
    return ApiError(403, "api.context.permissions.app_error",
                    "You do not have the appropriate permissions.", f"missing permission {perm}")


def json_response(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": mattermostdriver's Client.get compares it verbatim.
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})
