"""File uploads in the Mattermost fake: ``POST /files`` (multipart), as the server takes them.

Out: ``file_infos`` for each uploaded file; a post then attaches them by ``file_ids``
(``mattermost_posts``). Refused without a channel, without files, or in a channel the
uploader is not in.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .mattermost_kit import RECORD, USER, ApiError, bad_body, json_response, new_id, now_ms
from .mattermost_model import MattermostModel


class FilesHandlers(MattermostModel):
    """The file upload endpoint."""

    files: dict[str, dict[str, Any]]
    file_contents: dict[str, bytes]

    async def _upload_file(self, request: web.Request) -> web.Response:
        if not request.content_type.startswith("multipart/"):
            raise ApiError(400, "api.file.upload_file.incorrect_content_type.app_error",
                           "Unable to upload file(s). Unsupported Content-Type.")
        channel_id, uploads = request.query.get("channel_id", ""), []
        async for part in await request.multipart():
            if part.name == "channel_id":
                channel_id = (await part.text()).strip()  # type: ignore[union-attr]
            elif part.name == "files":
                uploads.append((part.filename or "file", await part.read()))  # type: ignore[union-attr]
        request[RECORD].body = {"channel_id": channel_id, "files": [n for n, _ in uploads]}
        if not channel_id:
            raise bad_body("channel_id")
        if not uploads:
            raise ApiError(400, "api.file.upload_file.no_files.app_error", "No files uploaded.")
        self._require_member(channel_id, request[USER], "upload_file")
        infos = []
        for name, content in uploads:
            fid, ext = new_id(), name.rsplit(".", 1)[-1].lower() if "." in name else ""
            info = {"id": fid, "user_id": request[USER], "channel_id": channel_id,
                    "post_id": "", "create_at": now_ms(), "update_at": now_ms(), "delete_at": 0,
                    "name": name, "extension": ext, "size": len(content),
                    "mime_type": "text/plain" if ext in ("txt", "md", "csv")
                    else "application/octet-stream",
                    "width": 0, "height": 0, "has_preview_image": False, "mini_preview": None}
            self.files[fid], self.file_contents[fid] = info, content
            infos.append(info)
        return json_response({"file_infos": infos, "client_ids": []}, 201)
