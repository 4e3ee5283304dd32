"""files.* of the Slack fake: the upload flow slack_sdk's files_upload_v2 takes.

files.getUploadURLExternal hands out an upload URL, the client POSTs the bytes there
(recorded as a ``Call`` to the pseudo method ``UPLOAD``), and
files.completeUploadExternal shares the files in a channel as one message.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .slack_model import UPLOAD, Call, Message, _rand_id
from .slack_transport import SlackTransport
from .slack_wire import BOT_USER_ID, SlackError, _bad, _json_arg


class FilesMethods(SlackTransport):
    """files.getUploadURLExternal, the upload URL, files.completeUploadExternal."""

    base_url: str
    files: dict[str, dict[str, Any]]

    async def _upload_url(self, a: dict[str, Any]) -> dict[str, Any]:
        if not a.get("filename") or not str(a.get("length", "")).isdigit():
            raise _bad("invalid_arguments", "missing required field: filename/length", "/")
        fid = _rand_id("F")
        self.files[fid] = {"id": fid, "name": a["filename"], "length": int(a["length"]),
                           "alt_txt": a.get("alt_txt"), "content": None, "title": None}  # fmt: skip
        return {"upload_url": f"{self.base_url}/upload/v1/{fid}", "file_id": fid}

    async def _upload(self, request: web.Request) -> web.Response:
        fid = request.match_info["file_id"]
        call = Call(UPLOAD, {"file_id": fid}, dict(request.headers), time.time())
        self.calls.append(call)
        fault = self._take_fault(UPLOAD)
        if fault is not None:
            return self._fault_response(call, fault)
        if request.content_type == "multipart/form-data":
            form = await request.post()
            part = form.get("file") or form.get("filename")
            data = part.file.read() if hasattr(part, "file") else str(part or "").encode()
        else:
            data = await request.read()
        if fid not in self.files:
            call.status = 404
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        self.files[fid]["content"] = data
        call.status, call.args["size"] = 200, len(data)
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    async def _complete_upload(self, a: dict[str, Any]) -> dict[str, Any]:
        items = _json_arg(a.get("files"), "invalid_arguments")
        if not isinstance(items, list) or not items:
            raise _bad("invalid_arguments", "missing required field: files", "/")
        out = []
        for item in items:
            f = self.files.get(item.get("id", "")) if isinstance(item, dict) else None
            if f is None or f["content"] is None:
                raise SlackError("file_not_found")
            f["title"] = item.get("title") or f["name"]
            out.append({"id": f["id"], "name": f["name"], "title": f["title"],
                        "size": len(f["content"]), "user": BOT_USER_ID,
                        "created": int(time.time()), "channels": []})  # fmt: skip
        legacy = str(a.get("channels") or "").split(",")
        targets = [a["channel_id"]] if a.get("channel_id") else legacy
        for target in filter(None, targets):
            ch = self._channel(target)
            if not ch.bot_is_member:
                raise SlackError("not_in_channel")
            for f in out:
                f["channels"].append(ch.id)
            text = str(a.get("initial_comment") or "")
            thread = self._thread_root(ch.id, a.get("thread_ts"))
            self._messages.append(Message(ch.id, self._next_ts(), text, None, thread, files=out))
        return {"files": out}
