"""`MattermostPlatform`: the `ChatPlatform` rituals see, on top of `MattermostConnection`.

Every REST call passes a semaphore of its lane (`bot.lanes`), so a Friday 14:00 with
forty teams does not open forty connections against the server, and a person's
interaction never waits for a slot the schedule's posts hold. Creating a post is the one call that must be
neither lost nor doubled: the connection layer retries what the server certainly did
not process (429, 503, refused connections); for the ambiguous rest (a 500 or a dropped
connection after sending) we look in the channel for our own marker before trying again.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import itertools
import logging
import re
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from mattermostdriver import Driver
from mattermostdriver.exceptions import (
    InvalidOrMissingParameters,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)

from bot.lanes import INTERACTIONS, POSTS, current_lane
from bot.messages import Form, ImageFile, Message, MessageRef
from bot.metrics import Metrics
from bot.platform import Marked, NotDelivered, Person, PlatformTrouble, Unreachable
from bot.platforms.ids import checked_user, valid_mattermost_username
from bot.platforms.kit.users import UserCache
from bot.platforms.mattermost import history, render
from bot.platforms.mattermost.channels import DirectChannels
from bot.platforms.mattermost.connection import MattermostConnection
from bot.platforms.mattermost.history import FIRING_MARKER, FIRING_NUMBER
from bot.platforms.mattermost.retry import ambiguous, refused
from bot.platforms.mattermost.signing import Signer
from bot.textsplit import split_text

log = logging.getLogger("ritualbot.mattermost")
T = TypeVar("T")
MARKER = "ritualbot_post"  # a random id in props, to find a post whose creation we could not confirm
USER_TTL = 600.0
_MATTERMOST_ID = re.compile(r"^[a-z0-9]{26}$")


class MattermostPlatform:
    """Posts, DMs, ephemerals, dialogs and lookups for teams on Mattermost."""

    name = "mattermost"

    def __init__(self, connection: MattermostConnection, signer: Signer, public_url: str, *,
                 max_concurrency: int = 8, interaction_concurrency: int = 8, post_attempts: int = 4,
                 post_backoff: float = 0.5, metrics: Metrics | None = None) -> None:
        self.conn = connection
        self.metrics = metrics or Metrics()
        self.metrics.declare_platform("mattermost")
        self.signer = signer
        self.action_url = public_url.rstrip("/") + "/mattermost/actions"
        self.dialog_url = public_url.rstrip("/") + "/mattermost/dialogs"
        self._slots = {POSTS: asyncio.Semaphore(max_concurrency),
                       INTERACTIONS: asyncio.Semaphore(interaction_concurrency)}
        self.post_attempts, self.post_backoff = post_attempts, post_backoff
        self.users = UserCache(USER_TTL)
        self.direct = DirectChannels(self.call, lambda: self.bot_user_id)
        self.ephemeral_allowed: bool | None = None  # learned from the first 403
        # Post markers: a keyed hash of a per-process count. uuid4 per post read the OS's random
        # source each time, a system call that gives the GIL away mid fan-out (issue 9).
        self._marker_key, self._markers = secrets.token_bytes(16), itertools.count()

    def _new_marker(self) -> str:
        """32 hex digits, unique to this process and post: the post's `pending_post_id` and marker.

        Hashed, not the bare count: whoever receives two posts sees their props, and the gap
        between two counts told an admin how many posts (DMs to a confidant among them) the
        bot sent in between (issue 15 point 4)."""
        count = next(self._markers).to_bytes(8, "big")
        return hashlib.blake2b(count, key=self._marker_key, digest_size=16).hexdigest()

    @property
    def bot_user_id(self) -> str:
        return self.conn.user_id

    async def call(self, fn: Callable[[Driver], T]) -> T:
        """One REST call, bounded by the semaphore of the task's lane."""
        lane = INTERACTIONS if current_lane() == INTERACTIONS else POSTS
        async with self.metrics.waiting("mattermost", lane, self._slots[lane]):
            return await self.conn.call(fn)

    # rendering -----------------------------------------------------------------------------

    async def body(self, message: Message, *, channel: str, user: str | None) -> dict[str, Any]:
        """`message` and `props` for a post in `channel`; buttons bound to `user` if private."""
        return render.post_body(message, await self.usernames(render.mentioned(message)), self.signer,
                                self.action_url, channel=channel, user=user)

    async def usernames(self, ids: set[str]) -> dict[str, str]:
        """User names by id, for mentions; read at most every `USER_TTL` seconds (an old name
        stands when the server no longer returns the user)."""
        await self._users_by_ids([i for i in ids if not self.users.fresh(i)])
        records = {i: self.users.get(i, stale_ok=True) for i in ids}
        return {i: str(record["username"]) for i, record in records.items() if record is not None}

    async def resolve_mentions(self, line: str) -> str:
        """`@username` words in a command line become user ids, the way config.toml names people."""
        words = []
        for word in line.split():
            username = word[1:].lower()
            if word.startswith("@") and valid_mattermost_username(username):
                try:
                    user = await self.call(cast("Callable[[Driver], Any]",  # default-bound lambdas defeat inference
                                                lambda d, name=username: d.users.get_user_by_username(name)))
                    self.users.put(user["id"], user)
                    word = user["id"]
                except ResourceNotFound:
                    pass  # not a user: leave the word for the command to judge
            words.append(word)
        return " ".join(words)

    async def find_person(self, ref: str) -> Person:
        """A user id, or `@name`/`name` (the username); deactivated accounts and bots are not people here."""
        raw = ref.strip()
        name = raw.removeprefix("@")
        by_id = not raw.startswith("@") and _MATTERMOST_ID.match(raw) is not None

        def fetch(d: Driver) -> Any:
            return d.users.get_user(raw) if by_id else d.users.get_user_by_username(name)

        if not name:
            return Person(None, "not_found")
        try:
            user = await self.call(fetch)
        except (ResourceNotFound, InvalidOrMissingParameters):
            return Person(None, "not_found")
        self.users.put(user["id"], user)
        if user.get("delete_at"):
            return Person(str(user["id"]), "inactive")
        if user.get("is_bot"):
            return Person(str(user["id"]), "bot")
        return Person(str(user["id"]))

    async def user(self, user_id: str) -> dict[str, Any]:
        """The user's record, read at most every `USER_TTL` seconds."""
        checked_user(self.name, user_id)

        async def load() -> dict[str, Any]:
            found: dict[str, Any] = await self.call(lambda d: d.users.get_user(user_id))
            return found

        return await self.users.fetch(user_id, load)

    # posting ---------------------------------------------------------------------------------

    async def create_post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a post exactly once, even when the answer to our request gets lost."""
        marker = self._new_marker()
        data = {**data, "props": {**data.get("props", {}), MARKER: marker},
                "pending_post_id": f"{self.bot_user_id}:{marker}"}  # the server dedupes on this too
        since = int(time.time() * 1000) - 60_000
        attempt = 0
        while True:
            attempt += 1
            try:
                with self.metrics.posting("mattermost"):
                    created: dict[str, Any] = await self.call(lambda d: d.posts.create_post(data))
                return created
            except Exception as exc:
                if refused(exc):
                    raise NotDelivered(f"Mattermost did not take the post (HTTP {exc.response.status_code})") from exc  # type: ignore[attr-defined]
                if not ambiguous(exc) or attempt >= self.post_attempts:
                    raise
                log.warning("creating a post failed (%s); checking whether it arrived", type(exc).__name__)
                found = await self._find_marked(data["channel_id"], marker, since)
                if found is not None:
                    return found
                await asyncio.sleep(self.post_backoff * 2 ** (attempt - 1))

    async def diagnose(self, channel: str, exc: Exception) -> str | None:
        """Why a post to `channel` was refused, as a cause a person can fix; None if not that kind."""
        if isinstance(exc, NoAccessTokenProvided):
            return "bad_token"
        try:
            found = await self.call(lambda d: d.channels.get_channel(channel))
        except NoAccessTokenProvided:
            return "bad_token"
        except NotEnoughPermissions:
            return "not_in_channel"  # the server does not say whether a channel we may not see exists
        except ResourceNotFound:
            return "channel_gone"
        if found.get("delete_at"):
            return "channel_archived"
        try:
            await self.call(lambda d: d.channels.get_channel_member(channel, self.bot_user_id))
        except (NotEnoughPermissions, ResourceNotFound):
            return "not_in_channel"
        return None

    async def find_marked(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None) -> Marked:
        """Our first top-level post carrying the firing's marker in the channel (or DM) since `since`."""
        read = await self._posts_since(since, channel, user)
        return None if read is None else history.first_marked(read[1], read[0], self.bot_user_id, marker)

    async def find_firing(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None, thread: MessageRef | None = None) -> dict[int, MessageRef] | None:
        """The firing's posts in the channel (or DM), or in `thread`, by number; a post split in
        parts counts as its last part, the one `post_in` returns."""
        read = await self._posts_since(since, channel, user)
        root = "" if thread is None else (thread.thread_id or thread.id)
        return None if read is None else history.firing_posts(read[1], read[0], self.bot_user_id, marker, root)

    async def _posts_since(self, since: datetime, channel: str | None,
                           user: str | None) -> tuple[str, dict[str, Any]] | None:
        """(channel id, `GET /channels/{id}/posts?since=` listing) of the channel or the DM with
        `user`; None when it cannot be read (the caller cannot know what went out)."""
        try:
            where = channel if user is None else await self.dm_channel(user)
            assert where is not None
            since_ms = int(since.timestamp() * 1000)
            listing = await history.read_since(self.call, where, since_ms)
        except Exception:
            log.warning("cannot read a channel to check a firing", exc_info=True)
            return None
        return where, listing

    async def _find_marked(self, channel: str, marker: str, since: int) -> dict[str, Any] | None:
        listing = await history.read_since(self.call, channel, since)
        for post in (listing.get("posts") or {}).values():
            if post.get("user_id") == self.bot_user_id and (post.get("props") or {}).get(MARKER) == marker:
                return dict(post)
        return None

    async def post_in(self, channel: str, message: Message, *, user: str | None = None,
                      root_id: str = "") -> MessageRef:
        """Post, split over several posts when longer than the server takes; buttons on the last."""
        body = await self.body(message, channel=channel, user=user)
        *before, last = split_text(body["message"], render.POST_LIMIT)
        marked: dict[str, Any] = {FIRING_MARKER: message.marker} if message.marker else {}
        if message.marker and message.number is not None:
            marked[FIRING_NUMBER] = message.number
        parts = [{"message": piece, "props": dict(marked)} for piece in before] + [
            {**body, "message": last, "props": {**body["props"], **marked}}]
        created: dict[str, Any] = {}
        for i, part in enumerate(parts):
            try:
                created = await self.create_post({"channel_id": channel, "root_id": root_id, **part})
            except NotDelivered as exc:
                if i == 0:
                    raise
                raise RuntimeError("a long post stopped halfway: the first parts are posted") from exc
            except (NoAccessTokenProvided, NotEnoughPermissions, ResourceNotFound, InvalidOrMissingParameters) as exc:
                cause = await self.diagnose(channel, exc) if i == 0 else None
                if cause is not None:
                    raise PlatformTrouble(cause, channel, str(exc)) from exc
                raise
        return MessageRef(channel=channel, id=created["id"], thread_id=root_id or None)

    async def post(self, channel: str, message: Message, *, thread: MessageRef | None = None) -> MessageRef:
        root = (thread.thread_id or thread.id) if thread else ""
        try:
            user = await self.dm_user(channel)
        except (NoAccessTokenProvided, NotEnoughPermissions, ResourceNotFound) as exc:
            cause = await self.diagnose(channel, exc)
            if cause is not None:
                raise PlatformTrouble(cause, channel, str(exc)) from exc
            raise
        return await self.post_in(channel, message, user=user, root_id=root)

    async def dm_channel(self, user_id: str) -> str:
        checked_user(self.name, user_id)
        return await self.direct.channel_with(user_id)

    async def dm_user(self, channel: str) -> str | None:
        """The other person in a DM channel with the bot (buttons there are theirs only), else None."""
        return await self.direct.person_in(channel)

    def remember_dm(self, channel: str, user_id: str) -> None:
        self.direct.remember(channel, user_id)

    async def send_dm(self, user_id: str, message: Message) -> MessageRef:
        channel = await self.dm_channel(user_id)
        try:
            return await self.post_in(channel, message, user=user_id)
        except (NotEnoughPermissions, ResourceNotFound) as exc:
            # the server refuses posts in a DM with a deactivated account
            raise Unreachable(user_id, f"{type(exc).__name__}: {exc}") from exc

    async def post_ephemeral(self, channel: str, user_id: str, message: Message) -> None:
        """An ephemeral post if the bot may make one (system admins only by default), else a DM."""
        if not await self.ephemeral_only(channel, user_id, message):
            await self.send_dm(user_id, message)

    # the kit's private ways (bot/platforms/kit/private_reply.py): `post_in` splits long posts itself

    def pieces(self, message: Message) -> list[Message]:
        return [message]

    async def ephemeral_piece(self, channel: str, user_id: str, piece: Message) -> bool:
        return await self.ephemeral_only(channel, user_id, piece)

    async def dm_piece(self, user_id: str, piece: Message) -> None:
        await self.send_dm(user_id, piece)

    async def ephemeral_only(self, channel: str, user_id: str, message: Message) -> bool:
        """An ephemeral post, which Mattermost does not store; False when the bot may not make one.

        Never falls back to a DM: this is the way to confirm an anonymous contribution.
        """
        body = await self.body(message, channel=channel, user=user_id)
        if self.ephemeral_allowed is False or len(body["message"]) > render.POST_LIMIT:
            return False
        try:
            await self.call(lambda d: d.posts.create_ephemeral_post(
                {"user_id": user_id, "post": {"channel_id": channel, **body}}))
        except NotEnoughPermissions:
            log.info("no permission for ephemeral posts: private messages go by DM")
            self.ephemeral_allowed = False
            return False
        self.ephemeral_allowed = True
        return True

    async def update(self, ref: MessageRef, message: Message) -> None:
        body = await self.body(message, channel=ref.channel, user=await self.dm_user(ref.channel))
        await self.call(lambda d: d.posts.patch_post(ref.id, body))

    async def open_form(self, trigger_id: str, user_id: str, form: Form) -> None:
        dialog = render.dialog(form, self.signer, user=user_id)
        await self.call(lambda d: d.integration_actions.open_dialog(
            {"trigger_id": trigger_id, "url": self.dialog_url, "dialog": dialog}))

    # lookups ---------------------------------------------------------------------------------

    async def channel_members(self, channel: str) -> list[str]:
        ids: list[str] = []
        page = 0
        while True:
            params = {"page": page, "per_page": 200}
            chunk = await self.call(cast("Callable[[Driver], Any]",
                                         lambda d, p=params: d.channels.get_channel_members(channel, params=p)))
            ids.extend(m["user_id"] for m in chunk)
            if len(chunk) < 200:
                break
            page += 1
        return [user["id"] for user in await self._users_by_ids(ids)
                if not user.get("is_bot") and not user.get("delete_at") and user["id"] != self.bot_user_id]

    async def _users_by_ids(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """`POST /users/ids`, 200 at a time; what it returns is cached. Unknown ids are left out."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(ids), 200):
            batch = list(ids[start:start + 200])
            found += await self.call(cast("Callable[[Driver], Any]", lambda d, b=batch: d.users.get_users_by_ids(b)))
        for user in found:
            self.users.put(user["id"], user)
        return found

    async def active_humans(self, user_ids: Sequence[str]) -> set[str]:
        """One `POST /users/ids` per 200: not deactivated (`delete_at`), not a bot; ids the
        server does not return do not exist."""
        return {user["id"] for user in await self._users_by_ids(list(dict.fromkeys(user_ids)))
                if not user.get("is_bot") and not user.get("delete_at")}

    async def upload_image(self, channel: str, image: ImageFile, *, comment: str | None = None) -> None:
        files = {"files": (image.filename, io.BytesIO(image.data), image.mime)}
        attempt = 0
        while True:  # an upload whose answer got lost leaves an unused file, never a visible double
            attempt += 1
            try:
                uploaded = await self.call(lambda d: d.files.upload_file(channel, files))
                break
            except Exception as exc:
                if not ambiguous(exc) or attempt >= self.post_attempts:
                    raise
                files["files"][1].seek(0)
                await asyncio.sleep(self.post_backoff * 2 ** (attempt - 1))
        file_id = uploaded["file_infos"][0]["id"]
        await self.create_post({"channel_id": channel, "message": comment or image.title, "file_ids": [file_id]})

    async def user_locale(self, user_id: str) -> str | None:
        locale = (await self.user(user_id)).get("locale")
        return str(locale) if locale else None

    async def user_timezone(self, user_id: str) -> str | None:
        tz = (await self.user(user_id)).get("timezone") or {}
        automatic = str(tz.get("useAutomaticTimezone", "true")).lower() == "true"
        chosen = tz.get("automaticTimezone") if automatic else tz.get("manualTimezone")
        return str(chosen) if chosen else None
