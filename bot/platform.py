"""The seam between rituals and chat platforms.

`ChatPlatform` is all a ritual sees of Slack, Mattermost or the local platform.
Inbound interactions are turned into the typed requests below at the edge
(`bot/platforms/`), so no platform dict travels past an adapter. Adapters hand those
requests to a `Dispatcher` (the app) and pass button values, form ids and form state
back verbatim: the core encodes which team and ritual they belong to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, runtime_checkable

from bot.messages import Form, ImageFile, Message, MessageRef

if TYPE_CHECKING:
    from bot.ports import BotPort


class NotDelivered(Exception):
    """The platform refused a request before acting on it (rate limit spent, service
    unavailable, no connection): nothing was posted, so trying again later is safe.

    Adapters raise it only when they are sure; any other error may mean "posted, but the
    answer got lost", and the engine will not try again then.
    """


@dataclass(frozen=True)
class Person:
    """Who a name or id an admin typed turned out to be on the platform.

    `user_id` is None when nobody by that name or id exists; `problem` says why this person
    cannot take part: "not_found", "inactive" (deactivated, deleted) or "bot".
    """

    user_id: str | None
    problem: Literal["not_found", "inactive", "bot"] | None = None


class PlatformTrouble(Exception):
    """The platform refused for a reason a person must fix; nothing was posted.

    `cause` is one of `TROUBLE_CAUSES`; `where` names the channel (or user) it concerns.
    The engine records it on the firing and tells the team's admins how to fix it.
    """

    def __init__(self, cause: str, where: str = "", detail: str = "") -> None:
        super().__init__(f"{cause} ({where}): {detail}" if detail else f"{cause} ({where})")
        self.cause, self.where, self.detail = cause, where, detail


TROUBLE_CAUSES = ("not_in_channel", "channel_gone", "channel_archived", "missing_scope", "bad_token")


class Unreachable(Exception):
    """The platform refused a DM because of who it is for: a deactivated or deleted account,
    a bot, someone the bot may not see (Slack `user_disabled`, `user_not_found`,
    `cannot_dm_bot`; Mattermost 403/404). Nothing was sent; trying again will not help,
    asking someone else will (the core's rotation does)."""

    def __init__(self, user_id: str, reason: str) -> None:
        super().__init__(f"cannot send a DM to {user_id}: {reason}")
        self.user_id = user_id
        self.reason = reason


Marked: TypeAlias = MessageRef | Literal[False] | None
"""What `find_marked` learned: the message found, False when certainly not there, None when
it cannot know."""

REPLAY_WINDOW = timedelta(minutes=10)  # Slack accepts a signed request for 5 minutes


@dataclass(frozen=True)
class Delivery:
    """What identifies one arrival of an interaction, and how long a replay of it may come.

    `key` is a hash (`bot.once.delivery`), so nobody's words or ids are stored in it. The
    core acts on the first arrival of a key only (`bot/once.py`).
    """

    key: str
    window: timedelta = REPLAY_WINDOW


Reply = Callable[[Message], Awaitable[None]]
"""Answer the acting user privately (ephemeral, command response or DM: the adapter knows)."""


@runtime_checkable
class ChatPlatform(Protocol):
    """What a ritual may ask of a chat platform."""

    name: str

    async def post(self, channel: str, message: Message, *, thread: MessageRef | None = None) -> MessageRef:
        """Post in a channel, or as a reply in `thread`."""
        ...

    async def send_dm(self, user_id: str, message: Message) -> MessageRef:
        """Send a direct message to one user; `Unreachable` when the account cannot get one."""
        ...

    async def post_ephemeral(self, channel: str, user_id: str, message: Message) -> None:
        """Show a message to one user in a channel, visible to nobody else."""
        ...

    async def update(self, ref: MessageRef, message: Message) -> None:
        """Replace a message the bot posted earlier (a clicked button shows its new state)."""
        ...

    async def open_form(self, trigger_id: str, user_id: str, form: Form) -> None:
        """Open a form for the user whose click or command produced `trigger_id`."""
        ...

    async def channel_members(self, channel: str) -> list[str]:
        """The human members of a channel (bots excluded)."""
        ...

    async def active_humans(self, user_ids: Sequence[str]) -> set[str]:
        """Which of these users are active human accounts: not deactivated, deleted,
        unknown to the platform or a bot. One batch, so the core can check a roster at once."""
        ...

    async def upload_image(self, channel: str, image: ImageFile, *, comment: str | None = None) -> None:
        """Upload an image (a chart) to a channel or DM channel."""
        ...

    async def user_locale(self, user_id: str) -> str | None:
        """The user's language code as the platform knows it, or None."""
        ...

    async def user_timezone(self, user_id: str) -> str | None:
        """The user's IANA timezone as the platform knows it, or None."""
        ...

    async def find_person(self, ref: str) -> Person:
        """The person an admin named: a user id, a platform mention, or `@name` / `name`."""
        ...

    async def find_marked(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None) -> Marked:
        """The message carrying `marker` the bot posted since `since` in `channel` (or in its
        DM with `user`): the reference `post` returned for it (its first top-level message
        with that marker), so a replica taking over can record what the firing would have;
        False when it is certainly not there; None when it cannot know (no right to read
        that history, or the platform did not answer)."""
        ...

    async def find_firing(self, marker: str, since: datetime, *, channel: str | None = None,
                          user: str | None = None, thread: MessageRef | None = None) -> dict[int, MessageRef] | None:
        """The bot's messages carrying `marker` since `since` in one place, by their number
        (`Message.number`): top-level ones in `channel` (or the DM with `user`), or the
        replies in `thread`. Each as `post` returned it (a message split in parts: that
        part); a marked message without a number (an older version posted it) as number 0.
        Empty when none is there; None when it cannot know (no right to read that history,
        or the platform did not answer). Used to run a taken-over step again (`bot/replay.py`)."""
        ...


@dataclass(frozen=True)
class CommandRequest:
    """`/ritual <text>` typed by a user."""

    platform: str
    user_id: str
    channel_id: str
    text: str
    reply: Reply
    trigger_id: str | None = None
    locale: str | None = None
    delivery: Delivery | None = None


@dataclass(frozen=True)
class ActionRequest:
    """A button click. `action` and `value` are exactly what the core put on the button."""

    platform: str
    user_id: str
    channel_id: str
    action: str
    value: str
    reply: Reply
    message: MessageRef | None = None
    trigger_id: str | None = None
    locale: str | None = None
    traceless: Reply | None = None
    delivery: Delivery | None = None


@dataclass(frozen=True)
class FormSubmission:
    """A submitted form. `form_id` and `state` are exactly what the core put on the form."""

    platform: str
    user_id: str
    form_id: str
    state: str
    values: dict[str, str | bool | None]
    reply: Reply
    channel_id: str | None = None
    locale: str | None = None
    traceless: Reply | None = None
    """A way back to the person that stores nothing (an ephemeral message), or None where
    the adapter has none: what an anonymous contribution is confirmed with, never a DM."""
    delivery: Delivery | None = None


@dataclass(frozen=True)
class FormResult:
    """Per-field errors to show in the form itself; empty means accepted and closed."""

    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class Dispatcher(Protocol):
    """What adapters call when something happens on their platform."""

    async def handle_command(self, request: CommandRequest) -> None: ...

    async def handle_action(self, request: ActionRequest) -> None: ...

    async def handle_form(self, request: FormSubmission) -> FormResult: ...


class Connector(Protocol):
    """The lifecycle side of an adapter: the app starts and stops it."""

    platform: ChatPlatform

    async def start(self, bot: BotPort) -> None:
        """Start listening; what people do goes to `bot`, which the adapter may also ask (bot/ports.py)."""
        ...

    def routes(self) -> list[Any]:
        """The aiohttp routes the platform calls (HTTP mode); empty when it calls nothing."""
        ...

    async def stop(self) -> None: ...

    async def health(self) -> str:
        """"connected", "connecting", or "listening" when the platform calls us (HTTP mode)."""
        ...
