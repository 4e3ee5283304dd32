"""The ritual plugin contract. A ritual is one module in `rituals/` with one subclass of
`Ritual[Options]`, registered in the `ritualbot.rituals` entry-point group.

A ritual declares, as data on its class:
- `id`, `default_schedule` and its `Options` pydantic model, which is also its type
  parameter: `class Checkin(Ritual[Options])`, so handlers see `ctx.options` as an
  `Options` (no `isinstance` checks);
- `texts`: its catalog (`PoCatalog`, docs/translating.md), which also holds what it says
  about itself: its title, summary, what it keeps, its steps and its commands, as
  `ritual.*` messages (`bot/ritual_words.py`);
- `steps(options)`: the named moments of one occurrence, as offsets from its scheduled time
  (a call for dilemmas a week before, a digest six days after). A step runs the `@step`
  handler of its name, or the one it names with `runs=`, so one handler can serve a family
  of generated steps (`Step("propose+1h", timedelta(hours=1), runs="propose")`);
- handlers, tagged with the decorators below: `@step(name)`, `@action(name)`,
  `@form(name)`, `@command(name)`. mypy checks each handler's signature against its kind.

Buttons and forms name their handler by reference, not by string: `button(self.share, ...)`
and `form_id(self.answer)`, so a typo is a mypy error and an untagged method an error when
the message is built. What is still named by string (steps, `runs=`, the `ritual.step.*`
and `ritual.command.*` messages) is checked against the handlers at start-up
(`check_contract`): a typo stops the bot with the ritual's id and the name, before anyone clicks.

Handlers receive a context bound to the team (and, for interactions, to the user), which
is all they see of the platform, the store and the clock: `ctx.store` is a store bound to
this team and ritual (`bot/ritual_store.py`). Everything that reaches the database or the
platform is a coroutine: `await ctx.store.get(...)`, `await ctx.post(...)`.
Texts the team sees are `ctx.team_t(...)`, texts for the acting person alone
`ctx.user_t(...)`, a DM to someone `await ctx.t_user(user, ...)`.

Forms: fields declare `required`, `max_length` and `guarded` (the client-data guard, on by
default for text), the form whether it may be shared anonymously. The core checks all of
it, and the roster, before a `@form` handler runs (`bot/contribution.py`); the handler reads
`ctx.share_as` / `ctx.anonymous` and thanks with `ctx.confirm(...)`, which never leaves a
stored trace of an anonymous contribution. `ritual.keeps.*` says, for the consent notice,
what the ritual keeps.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict

from bot.i18n import Catalog
from bot.messages import Button
from bot.ritual_words import about
from bot.schedule import ScheduleError, check_often, parse_schedule

if TYPE_CHECKING:
    from bot.context import InteractionContext, Occurrence, RitualContext
    from bot.messages import MessageRef
    from bot.platform import FormResult
    from bot.store.ritual_tables import RitualTable
    from bot.teams import TeamView

OptionsT = TypeVar("OptionsT", bound=BaseModel)

# What each kind of handler looks like, as a method (`self` first). The decorators are typed
# with these, so mypy refuses a handler with the wrong parameters or return type.
StepMethod = Callable[[Any, "RitualContext[Any]", "Occurrence"], Awaitable[None]]
ActionMethod = Callable[[Any, "InteractionContext[Any]", str], Awaitable[None]]
FormMethod = Callable[[Any, "InteractionContext[Any]", str, dict[str, Any]], Awaitable["FormResult"]]
CommandMethod = Callable[[Any, "InteractionContext[Any]", list[str]], Awaitable[None]]
SM = TypeVar("SM", bound=StepMethod)
AM = TypeVar("AM", bound=ActionMethod)
FM = TypeVar("FM", bound=FormMethod)
CM = TypeVar("CM", bound=CommandMethod)

# The same handlers bound to their ritual, as `button(...)` and `form_id(...)` take them.
ActionHandler = Callable[["InteractionContext[Any]", str], Awaitable[None]]
FormHandler = Callable[["InteractionContext[Any]", str, dict[str, Any]], Awaitable["FormResult"]]

Kind = Literal["step", "action", "form", "command"]
# Parameters after `self` each kind of handler takes (checked at start-up for rituals that
# were not type-checked).
ARITY: dict[str, int] = {"step": 2, "action": 2, "form": 3, "command": 2}


class ContractError(TypeError):
    """A ritual whose declarations do not match its handlers; names the ritual and the name."""


class NoOptions(BaseModel):
    """For rituals without options of their own; unknown keys are still errors."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Step:
    """A named moment of an occurrence, `offset` after (or before) its scheduled time.

    It runs the `@step` handler named `runs`, by default the one named like the step: several
    steps (the same moment seen from other hours) can share one handler that way.
    """

    name: str
    offset: timedelta = timedelta(0)
    runs: str | None = None

    @property
    def handler(self) -> str:
        """The name of the `@step` handler that runs this step."""
        return self.runs or self.name


def _tag(kind: Kind, name: str) -> Callable[[Any], Any]:
    def mark(func: Any) -> Any:
        func.__ritual_handler__ = (kind, name)
        return func

    return mark


def step(name: str) -> Callable[[SM], SM]:
    """`async def handler(self, ctx: RitualContext[Options], occ: Occurrence) -> None`."""
    return _tag("step", name)


def action(name: str) -> Callable[[AM], AM]:
    """`async def handler(self, ctx: InteractionContext[Options], value: str) -> None`."""
    return _tag("action", name)


def form(name: str) -> Callable[[FM], FM]:
    """`async def handler(self, ctx: InteractionContext[Options], state: str, values: dict) -> FormResult`."""
    return _tag("form", name)


def command(name: str) -> Callable[[CM], CM]:
    """`async def handler(self, ctx: InteractionContext[Options], args: list[str]) -> None` for `/ritual <name>`."""
    return _tag("command", name)


def handler_name(handler: Callable[..., Any], kind: Kind) -> str:
    """The declared name of a tagged handler (a method, bound or not); `ContractError` for
    a method that is not a handler of that kind."""
    tag = getattr(handler, "__ritual_handler__", None)
    if tag is None or tag[0] != kind:
        raise ContractError(f"{getattr(handler, '__qualname__', handler)!r} is not an @{kind} handler")
    name: str = tag[1]
    return name


def button(handler: ActionHandler, label: str, value: str = "",
           style: Literal["primary", "danger"] | None = None) -> Button:
    """A button whose click runs `handler` (an `@action` method of this ritual, bound)."""
    return Button(handler_name(handler, "action"), label, value, style)


def form_id(handler: FormHandler) -> str:
    """The id of a form whose submission runs `handler` (a `@form` method, bound)."""
    return handler_name(handler, "form")


class Ritual(Generic[OptionsT]):
    """Base class of every ritual. Subclasses set the class attributes and tag handlers."""

    id: ClassVar[str]
    # What the ritual says about itself (title, summary, what it keeps, step descriptions,
    # command help) is in its catalog as `ritual.*` messages (`bot/ritual_words.py`). An
    # outside ritual may still set them here as dicts per language, which win over the catalog:
    title: ClassVar[dict[str, str]] = {}
    summary: ClassVar[dict[str, str]] = {}
    default_schedule: ClassVar[str]
    # The options model: taken from the type parameter (`Ritual[Options]`), NoOptions without one.
    Options: ClassVar[type[BaseModel]] = NoOptions
    # The ritual's words: a `PoCatalog(package, domain)` reading `<package>/locale/<language>/
    # LC_MESSAGES/<domain>.po` (docs/translating.md). A plain `key -> {"nl", "en"}` dict still works.
    texts: ClassVar[Catalog] = {}
    # Help lines for ritual-owned subcommands (or `ritual.command.<name>`): name -> {"nl", "en"}
    command_help: ClassVar[dict[str, dict[str, str]]] = {}
    # False for rituals whose answers are private to one person: never in admins' insights.
    in_insights: ClassVar[bool] = True
    # What people receive at each step, for the dry run (`ritualbot schedule`), or
    # `ritual.step.<name>`: step name -> {"nl", "en"}. Steps without one are variants the dry
    # run does not list.
    step_descriptions: ClassVar[dict[str, dict[str, str]]] = {}
    # What this ritual keeps, in plain words per language, for the consent notice (or
    # `ritual.keeps.consent` / `ritual.keeps.needed`): "consent": only for people who opted
    # in; "needed": what it needs to work, for everyone, and only as long as it needs it.
    # Every ritual says so; the core lists it in the notice.
    keeps: ClassVar[dict[str, dict[str, str]]] = {}
    # True for a ritual whose traffic is between two people and must stay invisible to
    # everyone else (the confidant line, issue 15): the core then writes no audit row and
    # no log line about whom its messages reached or failed to reach.
    discreet: ClassVar[bool] = False
    # State about people that a round needs only while it runs (votes, turns, fingerprints):
    # key prefix -> how long after the round's occurrence (the key's last `:` part, an
    # occurrence like `2026-11-27T14:00` or an ISO week like `2026-W48`) it may be kept.
    # The ritual deletes it itself when the round closes; the retention job
    # (`bot/store/retention.py`) deletes what is older, when a closing step never ran.
    state_lifetime: ClassVar[dict[str, timedelta]] = {}
    # State whose end the ritual judges from its value, not from a round in its key (a closed
    # conversation kept for its retention): the prefixes whose values the core's daily
    # retention hands to `expired`, also while the ritual is paused or switched off.
    expiring_state: ClassVar[tuple[str, ...]] = ()
    # Tables this ritual owns (`bot/store/ritual_tables.py`): its SQLModel models, which
    # columns name a person (mydata/forget) and which column dates a row (retention). The
    # core covers them in data rights and retention without naming the ritual; a ritual
    # reads and writes them through `ctx.store.rows` / `ctx.store.upsert`.
    tables: ClassVar[tuple[RitualTable, ...]] = ()
    # Team config keys this ritual cannot reach anyone without ("confidant" for the
    # confidant line): a team that runs it without one is named in a warning at start-up and
    # by check-config (`bot/team_needs.py`), not refused, as admins may add it later.
    needs_team: ClassVar[tuple[str, ...]] = ()
    # Subcommands a button elsewhere may open for the person who clicks it, as if they typed
    # `/ritual <name>` (the Slack App Home, another ritual's private answer): `command_button`.
    button_commands: ClassVar[frozenset[str]] = frozenset()

    _handlers: ClassVar[dict[tuple[str, str], str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        handlers: dict[tuple[str, str], str] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                tag = getattr(value, "__ritual_handler__", None)
                if tag is not None:
                    if tag in handlers and handlers[tag] != attr:
                        raise ContractError(f"{cls.__name__}: two handlers for {tag[0]} {tag[1]!r}")
                    handlers[tag] = attr
        cls._handlers = handlers
        declared = _type_parameter(cls)
        if declared is not None and "Options" not in vars(cls) and issubclass(declared, BaseModel):
            cls.Options = declared  # `class Checkin(Ritual[Options])` is the whole declaration

    def steps(self, options: OptionsT) -> list[Step]:
        """The moments of one occurrence; the default is one step at the scheduled time."""
        return [Step("main")]

    async def personal_data(self, ctx: RitualContext[OptionsT], user_id: str) -> dict[str, Any]:
        """What this ritual keeps about one person besides stored answers (for `/ritual mydata`)."""
        return {}

    def expired(self, key: str, value: Any, now: datetime, options: OptionsT) -> bool:
        """Whether a state value under one of `expiring_state`'s prefixes has outlived what
        this ritual may keep (`now` aware, the team's `options`); the core deletes it."""
        return False

    def stored_view(self, key: str, value: Any, user_id: str) -> Any:
        """How one of this ritual's state values (`key`, JSON `value`) that names `user_id`
        is shown to them among the rows of `/ritual mydata`; by default whole. A ritual
        hides here what its `personal_data` keeps from that person (the confidant line: an
        anonymous sender's sealed route and their name for the conversation)."""
        return value

    async def forget_person(self, ctx: RitualContext[OptionsT], user_id: str) -> None:
        """Erase what `personal_data` reports (for `/ritual forget`)."""

    async def people_left(self, ctx: RitualContext[OptionsT], present: frozenset[str]) -> None:
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

    def step_handler(self, st: Step) -> Callable[..., Awaitable[Any]] | None:
        """The `@step` handler that runs `st` (see `Step.runs`); None when there is none."""
        return self.handler("step", st.handler)

    @classmethod
    def handler_names(cls, kind: str) -> list[str]:
        return sorted(name for k, name in cls._handlers if k == kind)


def check_contract(cls: type[Ritual[Any]]) -> None:
    """Check what a ritual declares against its handlers; `ContractError` naming the ritual
    and the name at the first mismatch. Run once per ritual when it is loaded
    (`bot/registry.py`); the steps of a team's own options are checked with `check_steps`."""
    rid = getattr(cls, "id", None) or cls.__name__
    if not hasattr(cls, "default_schedule"):
        raise ContractError(f"ritual {rid!r} declares no default_schedule")
    try:
        check_often(parse_schedule(cls.default_schedule), datetime.now(UTC))
    except ScheduleError as exc:
        raise ContractError(f"ritual {rid!r}: default_schedule: {exc}") from None
    said = about(cls)
    if not said.has_title():
        raise ContractError(f"ritual {rid!r} declares no title (`ritual.title` in its catalog, or `title`)")
    if not (isinstance(cls.Options, type) and issubclass(cls.Options, BaseModel)):
        raise ContractError(f"ritual {rid!r}: Options must be a pydantic model")
    declared = _type_parameter(cls)
    if declared is not None and not issubclass(cls.Options, declared):
        raise ContractError(f"ritual {rid!r}: Options is {cls.Options.__name__} but the ritual is "
                            f"Ritual[{declared.__name__}]")
    for (kind, name), attr in cls._handlers.items():
        func = getattr(cls, attr)
        params = list(inspect.signature(func).parameters.values())[1:]
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if not inspect.iscoroutinefunction(func) or len(positional) != ARITY[kind]:
            raise ContractError(f"ritual {rid!r}: @{kind}({name!r}) handler {attr} must be "
                                f"`async def {attr}(self, {_PARAMS[kind]})`")
    for kind in ("step", "command"):
        for name in said.described(kind):
            if (kind, name) not in cls._handlers:
                raise ContractError(f"ritual {rid!r} describes {kind} {name!r} but has no @{kind}({name!r}) handler")
    try:
        defaults = cls.Options()
    except ValueError:  # options without defaults: each team's own are checked by `check_steps`
        return
    check_steps(cls, defaults)


def check_steps(cls: type[Ritual[Any]], options: BaseModel) -> None:
    """Every step `steps(options)` names has an `@step` handler (`ContractError` if not)."""
    ritual = cls()
    for st in ritual.steps(options):
        if ritual.step_handler(st) is None:
            raise ContractError(f"ritual {cls.id!r} has step {st.name!r} but no @step({st.handler!r}) handler")


_PARAMS = {"step": "ctx, occ", "action": "ctx, value", "form": "ctx, state, values", "command": "ctx, args"}


def _type_parameter(cls: type) -> type | None:
    """The options class in `Ritual[Options]` among a ritual's bases (None when not given)."""
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            args = get_args(base)
            if getattr(base, "__origin__", None) is Ritual and args and isinstance(args[0], type):
                found: type = args[0]
                return found
    return None
