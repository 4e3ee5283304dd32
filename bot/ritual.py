"""The ritual plugin contract. A ritual is one module in `rituals/` with one subclass of
`Ritual`, registered in the `ritualbot.rituals` entry-point group.

A ritual declares:
- `id`, `title` (per language), `default_schedule` and an `Options` pydantic model;
- `steps()`: the named moments of one occurrence, as offsets from its scheduled time
  (a call for dilemmas a week before, a digest six days after);
- handlers, tagged with the decorators below: `@step(name)`, `@action(name)`,
  `@form(name)`, `@command(name)`.

Handlers receive a context bound to the team (and, for interactions, to the user), which
is all they see of the platform, the store and the clock. Everything that reaches the
database or the platform is a coroutine: `await ctx.get_state(...)`, `await ctx.post(...)`.
Texts the team sees are `ctx.team_t(...)`, texts for the acting person alone
`ctx.user_t(...)`, a DM to someone `await ctx.t_user(user, ...)`.

Forms: fields declare `required`, `max_length` and `guarded` (the client-data guard, on by
default for text), the form whether it may be shared anonymously. The core checks all of
it, and the roster, before a `@form` handler runs (`bot/contribution.py`); the handler reads
`ctx.share_as` / `ctx.anonymous` and thanks with `ctx.confirm(...)`, which never leaves a
stored trace of an anonymous contribution. `keeps` says, for the consent notice, what the
ritual keeps.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from bot.i18n import Catalog

if TYPE_CHECKING:
    from bot.context import InteractionContext, Occurrence, RitualContext
    from bot.messages import MessageRef
    from bot.platform import FormResult
    from bot.teams import TeamView

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


class NoOptions(BaseModel):
    """For rituals without options of their own; unknown keys are still errors."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Step:
    """A named moment of an occurrence, `offset` after (or before) its scheduled time."""

    name: str
    offset: timedelta = timedelta(0)


def _tag(kind: str, name: str) -> Callable[[F], F]:
    def mark(func: F) -> F:
        func.__ritual_handler__ = (kind, name)  # type: ignore[attr-defined]
        return func

    return mark


def step(name: str) -> Callable[[F], F]:
    """`async def handler(self, ctx: RitualContext, occ: Occurrence) -> None`."""
    return _tag("step", name)


def action(name: str) -> Callable[[F], F]:
    """`async def handler(self, ctx: InteractionContext, value: str) -> None`."""
    return _tag("action", name)


def form(name: str) -> Callable[[F], F]:
    """`async def handler(self, ctx: InteractionContext, state: str, values: dict) -> FormResult`."""
    return _tag("form", name)


def command(name: str) -> Callable[[F], F]:
    """`async def handler(self, ctx: InteractionContext, args: list[str]) -> None` for `/ritual <name>`."""
    return _tag("command", name)


StepHandler = Callable[["RitualContext", "Occurrence"], Awaitable[None]]
ActionHandler = Callable[["InteractionContext", str], Awaitable[None]]
FormHandler = Callable[["InteractionContext", str, dict[str, Any]], Awaitable["FormResult"]]
CommandHandler = Callable[["InteractionContext", list[str]], Awaitable[None]]


class Ritual:
    """Base class of every ritual. Subclasses set the class attributes and tag handlers."""

    id: ClassVar[str]
    title: ClassVar[dict[str, str]]
    summary: ClassVar[dict[str, str]] = {}
    default_schedule: ClassVar[str]
    Options: ClassVar[type[BaseModel]] = NoOptions
    texts: ClassVar[Catalog] = {}
    # Help lines for ritual-owned subcommands: name -> {"nl": ..., "en": ...}
    command_help: ClassVar[dict[str, dict[str, str]]] = {}
    # False for rituals whose answers are private to one person: never in admins' insights.
    in_insights: ClassVar[bool] = True
    # What people receive at each step, for the dry run (`ritualbot schedule`): step name ->
    # {"nl": ..., "en": ...}. Steps without one are variants the dry run does not list.
    step_descriptions: ClassVar[dict[str, dict[str, str]]] = {}
    # What this ritual keeps, in plain words per language, for the consent notice:
    # "consent": only for people who opted in; "needed": what it needs to work, for everyone,
    # and only as long as it needs it. Every ritual says so; the core lists it in the notice.
    keeps: ClassVar[dict[str, dict[str, str]]] = {}

    _handlers: ClassVar[dict[tuple[str, str], str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[tuple[str, str], str] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                tag = getattr(value, "__ritual_handler__", None)
                if tag is not None:
                    if tag in handlers and handlers[tag] != attr:
                        raise TypeError(f"{cls.__name__}: two handlers for {tag[0]} {tag[1]!r}")
                    handlers[tag] = attr
        cls._handlers = handlers

    def steps(self, options: BaseModel) -> list[Step]:
        """The moments of one occurrence; the default is one step at the scheduled time."""
        return [Step("main")]

    async def personal_data(self, ctx: RitualContext, user_id: str) -> dict[str, Any]:
        """What this ritual keeps about one person besides stored answers (for `/ritual mydata`)."""
        return {}

    async def forget_person(self, ctx: RitualContext, user_id: str) -> None:
        """Erase what `personal_data` reports (for `/ritual forget`)."""

    async def people_left(self, ctx: RitualContext, present: frozenset[str]) -> None:
        """Drop everyone not in `present` (who left the platform or the channel) from what
        this ritual planned: walks, groups, turns. Called by the core (`bot/roster.py`) when
        someone has gone, and once after every start; must be safe to call again."""

    async def recovered(self, ctx: RitualContext, occ: Occurrence, posted: MessageRef) -> None:
        """A step's post went out but its replica died before the step finished (`bot/takeover.py`
        found it on the platform): record what the step writes after posting, from `posted`
        (the step's first message, as `ctx.post` returned it; `occ.step` says which step).
        Not posted again. Default: nothing to record. Must be safe to call again."""

    def acts_outside_roster(self, team: TeamView, user_id: str) -> bool:
        """True for someone off the team's roster whom this ritual lets use its buttons and
        forms (the team's confidant, who may work elsewhere). Default: nobody."""
        return False

    def handler(self, kind: str, name: str) -> Callable[..., Awaitable[Any]] | None:
        attr = self._handlers.get((kind, name))
        return None if attr is None else getattr(self, attr)

    def handler_names(self, kind: str) -> list[str]:
        return sorted(name for k, name in self._handlers if k == kind)
