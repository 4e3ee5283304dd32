"""The running bot: teams, rituals, platforms, store and clock wired together.

`RitualBot` is the `Dispatcher` every adapter calls. It resolves which team an
interaction belongs to, builds the handler's context and routes to the ritual or to the
core's own commands. Nothing here knows a ritual by name.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot import outbox, purge, run_now, team_lookup
from bot.admin import CoreCommands
from bot.clock import Clock
from bot.command_context import CommandContext
from bot.config import AppConfig
from bot.context import InteractionContext, RitualContext
from bot.contribution import Contribution, StaleForm, check, split_rules
from bot.engine import Engine, Outcome, Planned
from bot.i18n import pick_language, translate
from bot.messages import text
from bot.metrics import Metrics
from bot.once import Once, busy_message, patient_reply
from bot.overrides import apply_overrides
from bot.overview import TeamSummary, summarise, teams_of
from bot.people import People
from bot.planning import Planning, plan_all
from bot.platform import ActionRequest, ChatPlatform, CommandRequest, Delivery, FormResult, FormSubmission, Reply
from bot.ritual import Ritual
from bot.roster import RosterWatch
from bot.schedule_change import CORE as CORE_STATE
from bot.schedule_change import PREFIX as HISTORY_PREFIX
from bot.store import DatabaseBusy, Store
from bot.store.waits import BRIEF, brief_waits, current_waits
from bot.takeover import Takeover
from bot.targets import decode_target
from bot.teams import TeamView
from bot.texts import TEXTS
from bot.trouble import AdminNotices

log = logging.getLogger("ritualbot")

CORE = "core"


class RitualBot:
    """Dispatches interactions and owns the engine that fires scheduled steps."""

    def __init__(self, config: AppConfig, rituals: Mapping[str, Ritual], platforms: Mapping[str, ChatPlatform],
                 store: Store, clock: Clock, metrics: Metrics | None = None) -> None:
        self.file_config = config
        self.rituals = dict(rituals)
        self.platforms = dict(platforms)
        self.store = store
        # the tables installed rituals own: data rights and retention cover them (bot/store/ritual_tables.py)
        store.adopt_tables({rid: ritual.tables for rid, ritual in self.rituals.items()})
        self.clock = clock
        self.people = People(clock)
        self.roster = RosterWatch(self)
        self.on_reload: list[Callable[[], None]] = []
        self._histories: dict[str, dict[str, Any]] = {}  # team -> its schedule changes (bot/schedule_change.py)
        self.engine = Engine(store, clock, [], self._step_context,
                             grace=timedelta(minutes=config.grace_minutes),
                             max_concurrent=config.max_concurrent_posts, metrics=metrics,
                             lease=timedelta(seconds=config.lease_seconds))
        self.notices = AdminNotices(self)
        self.engine.report_trouble = self.notices
        self.takeover = Takeover(self.engine, self.platform_for, held=partial(outbox.resume, self))
        self._settings_version = ""
        self._settings_checked = time.monotonic()
        self._derived_from: tuple[object, ...] | None = None  # what the plans were last derived from
        self._building = asyncio.Lock()
        self._derive(config)
        self.core = CoreCommands(self)
        self.once = Once(store, clock)

    async def load(self) -> None:
        """Apply the admins' runtime changes stored in the database (once, before starting);
        changes that no longer apply to config.toml are dropped."""
        self._settings_version = await self.store.settings_version()
        await self._build(drop_stale=True)

    async def _build(self, *, drop_stale: bool = False) -> None:
        """Derive teams, rituals and plans from config.toml plus the admins' runtime changes."""
        async with self._building:  # one at a time, so an older derivation never lands last
            stale: list[tuple[str, str]] = []
            drop = (lambda team_id, key: stale.append((team_id, key))) if drop_stale else None
            stored = await self.store.state_items_by_team(CORE_STATE, HISTORY_PREFIX)  # one query for all teams
            self._histories = {t.id: dict(stored.get(t.id, ())) for t in self.file_config.teams}
            settings = await self.store.team_settings()
            config = apply_overrides(self.file_config, settings, drop) if settings else self.file_config
            source = self._source(config)
            if not self._unchanged(source):
                # 10,000 teams take a while to plan: on a worker thread, so people are answered meanwhile.
                planning = await asyncio.to_thread(plan_all, config, self.rituals, self._histories, source[2])
                self._apply(source, planning)
            for team_id, key in stale:
                await self.store.delete_team_setting(team_id, key)

    def _source(self, config: AppConfig) -> tuple[AppConfig, dict[str, Any], frozenset[str]]:
        """What the plans are derived from: the config, the schedule histories and the platforms."""
        return config, {k: v for k, v in self._histories.items() if v}, frozenset(self.platforms)

    def _unchanged(self, source: tuple[AppConfig, dict[str, Any], frozenset[str]]) -> bool:
        """True when none of `source` changed since the plans were last derived (start-up would
        otherwise build 20,000 plans twice)."""
        last = self._derived_from
        return last is not None and source[0] is last[0] and source[1:] == last[1:]

    def _derive(self, config: AppConfig) -> None:
        """Teams, rituals, plans and lookups from `config`, here and now (at construction)."""
        source = self._source(config)
        if not self._unchanged(source):
            self._apply(source, plan_all(config, self.rituals, self._histories, source[2]))

    def _apply(self, source: tuple[AppConfig, dict[str, Any], frozenset[str]], planning: Planning) -> None:
        self._derived_from = source
        self.config = source[0]
        self.teams: dict[str, TeamView] = planning.teams
        self.resolved = planning.resolved
        self.plans = planning.plans
        self.engine.plans = self.plans
        self._by_channel = planning.by_channel
        self._enabled = planning.enabled

    async def reload(self) -> None:
        """Apply an admin's change now; the scheduler re-plans its jobs."""
        self._settings_version = await self.store.settings_version()
        await self._build()
        for listener in self.on_reload:
            listener()

    async def refresh_settings(self, *, at_most_every: float = 0.0) -> bool:
        """Reload when another replica changed a team's settings; True when it did.

        Called on a short interval and before each firing, so every replica obeys an
        admin's change made through any of them (a settings version in the database).
        """
        if time.monotonic() - self._settings_checked < at_most_every:
            return False
        self._settings_checked = time.monotonic()
        version = await self.store.settings_version()
        if version == self._settings_version:
            return False
        log.info("team settings changed on another replica: reloading")
        await self.reload()
        return True

    # contexts ---------------------------------------------------------------------------------

    def platform_for(self, team: TeamView) -> ChatPlatform:
        return self.platforms[team.platform]

    def _step_context(self, plan: Planned, now: datetime) -> RitualContext:
        return RitualContext(ritual=plan.ritual, team=plan.team, options=plan.resolved.options,
                             platform=self.platform_for(plan.team), store=self.store, now=now, core=self, on_own=True)

    def team_context(self, ritual: Ritual, team: TeamView) -> RitualContext:
        """A ritual's context for a team outside any firing (data rights, reports)."""
        return RitualContext(ritual=ritual, team=team, options=self.resolved[(team.id, ritual.id)].options,
                             platform=self.platform_for(team), store=self.store, now=self.clock.now(), core=self)

    async def interaction_context(self, ritual: Ritual, team: TeamView, user_id: str, reply: Reply,
                                  **extra: Any) -> InteractionContext:
        chosen = await self.store.language(team.id, user_id)
        return InteractionContext(ritual=ritual, team=team, options=self.resolved[(team.id, ritual.id)].options,
                                  platform=self.platform_for(team), store=self.store, now=self.clock.now(),
                                  core=self, user_id=user_id, reply=reply, chosen_language=chosen, **extra)

    def peer_contexts(self, ritual: Ritual[Any], team: TeamView) -> list[RitualContext[Any]]:
        """A ritual's contexts for the other teams where it is enabled (`bot/seams.py`)."""
        return [self.team_context(ritual, t) for t in self.teams.values()
                if t.id != team.id and ritual.id in self.enabled_rituals(t.id)]

    async def offer_consent(self, team: TeamView, user_id: str, reply: Reply, language: str,
                            lead: str | None = None) -> None:
        """The core's consent offer, for a ritual's context (`bot/seams.py`)."""
        await self.core.offer_consent(team, user_id, reply, language, lead)

    def enabled_rituals(self, team_id: str) -> list[str]:
        return list(self._enabled.get(team_id, []))

    def next_firing(self, team_id: str, ritual_id: str, *, skipping: str | None = None) -> datetime | None:
        """When the ritual comes round next (`Engine.next_firing`), past an occurrence it skips."""
        return self.engine.next_firing(team_id, ritual_id, skipping=skipping)

    def offers_command(self, team_id: str, name: str) -> bool:
        return any(name in self.rituals[rid].button_commands for rid in self.enabled_rituals(team_id))

    def team_for(self, platform: str, channel_id: str | None, user_id: str) -> TeamView | None:
        """The team an interaction belongs to (`bot.team_lookup.team_for`)."""
        return team_lookup.team_for(self._by_channel, self.teams.values(), platform, channel_id, user_id)

    # the adapters' port (bot/ports.py) -----------------------------------------------------------

    async def language_of(self, platform: str, user_id: str, locale: str | None, *,
                          channel_id: str | None = None) -> str:
        """`BotPort.language_of`: the person's chosen language in their team, else locale, team, install."""
        team = self.team_for(platform, channel_id, user_id)
        if team is None:
            return pick_language(locale, default=self.config.language)
        try:
            chosen = await self.store.language(team.id, user_id)
        except Exception:  # an error text must reach the person even when the database does not answer
            log.warning("the language of a person could not be read; their locale decides", exc_info=True)
            chosen = None
        return pick_language(chosen, locale, default=team.language)

    def command_team(self, platform: str, channel_id: str, user_id: str) -> str | None:
        """`BotPort.command_team`: the team `handle_command` acts in (`team_for`)."""
        team = self.team_for(platform, channel_id, user_id)
        return team.id if team is not None else None

    def team_channel(self, platform: str, team_id: str) -> str | None:
        """`BotPort.team_channel`."""
        team = self.teams.get(team_id)
        return team.channel if team is not None and team.platform == platform else None

    async def overview(self, platform: str, user_id: str, locale: str | None) -> list[TeamSummary]:
        """`BotPort.overview`: the person's teams on `platform` (bot/overview.py)."""
        return await summarise(self, user_id, await teams_of(self, platform, user_id), locale)

    # dispatch ---------------------------------------------------------------------------------

    async def handle_command(self, request: CommandRequest) -> None:
        """`/ritual …`: once per delivery, all or nothing when the database is busy (`bot/once.py`)."""
        team = self.team_for(request.platform, request.channel_id, request.user_id)
        if team is None:  # someone in several teams names one last: `/ritual mydata zuid`
            team, words, _ = team_lookup.named_last(self.teams.values(), request.platform, request.user_id,
                                                    request.text.split())
            request = replace(request, text=" ".join(words))
        with brief_waits():
            try:
                await self._command(replace(request, reply=patient_reply(request.reply)), team)
            except DatabaseBusy as exc:
                await self._busy(exc, request.delivery, request.reply, request.locale, team)

    async def _busy(self, exc: DatabaseBusy, arrival: Delivery | None, reply: Reply, locale: str | None,
                    team: TeamView | None) -> None:
        """The database stayed busy: when nothing went out yet, give the delivery back and
        ask the person to try again; after something went out, it is an ordinary failure."""
        if current_waits() is not BRIEF:
            raise exc
        await self.once.give_back(arrival)
        await reply(busy_message(pick_language(locale, default=team.language if team else self.config.language)))

    async def _command(self, request: CommandRequest, team: TeamView | None) -> None:
        language = pick_language(request.locale, default=self.config.language)
        if team is None:
            _, _, ids = team_lookup.named_last(self.teams.values(), request.platform, request.user_id, [])
            await request.reply(text(translate(TEXTS, "several_teams", language, teams=", ".join(ids),
                                               command=self.config.command,
                                               example=" ".join([*request.text.split(), ids[0]]))
                                     if ids else translate(TEXTS, "no_team", language)))
            return
        if not await self.once.take(request.delivery):
            return
        words = request.text.split()
        name, args = (words[0].lower(), words[1:]) if words else ("help", [])
        ctx = await CommandContext.create(self, team, request.user_id, request.reply, request.locale,
                                          request.trigger_id, request.channel_id)
        if await self.core.run(ctx, name, args):
            return
        for ritual in self.rituals.values():
            handler = ritual.handler("command", name)
            if handler is not None and ritual.id in self.enabled_rituals(team.id):
                ictx = await self.interaction_context(ritual, team, request.user_id, request.reply,
                                                trigger_id=request.trigger_id, channel_id=request.channel_id,
                                                locale=request.locale)
                await handler(ictx, args)
                return
        await request.reply(text(ctx.t("unknown_command", name=name, command=self.config.command)))

    async def counted_members(self, team: TeamView) -> list[str]:
        """The members a group size is counted from: people the platform has in the team's channel.

        A configured roster counts only those of its ids who are really in the channel, so
        made-up ids on the roster never make a group look big enough to break it down.
        """
        present = set(await self.platform_for(team).channel_members(team.channel))
        if team.configured_members is None:
            return sorted(present)
        return [m for m in team.configured_members if m in present]

    async def on_roster(self, team: TeamView, user_id: str) -> bool:
        """Only members on a team's roster (and its leaders and admins) contribute to its rituals."""
        if team.is_admin(user_id) or team.is_leader(user_id):
            return True
        if team.configured_members is not None:
            return user_id in team.configured_members
        return user_id in await self.platform_for(team).channel_members(team.channel)

    async def handle_action(self, request: ActionRequest) -> None:
        """A click: once per delivery, all or nothing when the database is busy (`bot/once.py`)."""
        team = self.teams.get(decode_target(request.action, request.value)[2])
        traceless = patient_reply(request.traceless) if request.traceless is not None else None
        with brief_waits():
            try:
                await self._action(replace(request, reply=patient_reply(request.reply), traceless=traceless))
            except DatabaseBusy as exc:
                await self._busy(exc, request.delivery, request.reply, request.locale, team)

    async def _action(self, request: ActionRequest) -> None:
        ritual_id, name, team_id, value = decode_target(request.action, request.value)
        team = self.teams.get(team_id)
        if team is None:
            log.warning("action for unknown team %r ignored", team_id)
            return
        if not await self.once.take(request.delivery):
            return
        if ritual_id == CORE:
            core_ctx = await CommandContext.create(self, team, request.user_id, request.reply, request.locale,
                                                   request.trigger_id, request.channel_id)
            await self.core.action(core_ctx, name, value)
            return
        ritual = self.rituals.get(ritual_id)
        handler = None if ritual is None else ritual.handler("action", name)
        if ritual is None or handler is None or ritual.id not in self.enabled_rituals(team.id):
            await request.reply(text(translate(TEXTS, "action.stale", team.language)))
            return
        if not await self.on_roster(team, request.user_id) and not ritual.acts_outside_roster(team, request.user_id):
            language = pick_language(await self.store.language(team.id, request.user_id), request.locale,
                                     default=team.language)
            await request.reply(text(translate(TEXTS, "roster.not_member", language)))
            return
        ctx = await self.interaction_context(ritual, team, request.user_id, request.reply, trigger_id=request.trigger_id,
                                       channel_id=request.channel_id, message=request.message, locale=request.locale,
                                       traceless=request.traceless)
        await handler(ctx, value)

    async def handle_form(self, request: FormSubmission) -> FormResult:
        """A submitted form: once per delivery (a repeat closes the form calmly), all or nothing
        when the database is busy (the form stays open with "try again"; `bot/once.py`)."""
        team = self.teams.get(decode_target(request.form_id, request.state)[2])
        traceless = patient_reply(request.traceless) if request.traceless is not None else None
        with brief_waits():
            try:
                return await self._form(replace(request, reply=patient_reply(request.reply), traceless=traceless))
            except DatabaseBusy:
                if current_waits() is not BRIEF:
                    raise
                await self.once.give_back(request.delivery)
                language = pick_language(request.locale, default=team.language if team else self.config.language)
                return FormResult({next(iter(request.values), "form"): translate(TEXTS, "busy.try_again", language)})

    async def _form(self, request: FormSubmission) -> FormResult:
        ritual_id, name, team_id, state = decode_target(request.form_id, request.state)
        team = self.teams.get(team_id)
        ritual = self.rituals.get(ritual_id)
        handler = None if ritual is None else ritual.handler("form", name)
        if team is None or ritual is None or handler is None:
            log.warning("form %r for team %r has no handler", request.form_id, team_id)
            return FormResult()
        language = pick_language(await self.store.language(team.id, request.user_id), request.locale, default=team.language)
        first = next(iter(request.values), "form")
        try:
            rules, state = split_rules(state)
        except StaleForm as exc:
            log.warning("form %r of team %s refused: %s", request.form_id, team.id, exc)
            return FormResult({first: translate(TEXTS, "form.reopen", language)})
        if not await self.on_roster(team, request.user_id) and not ritual.acts_outside_roster(team, request.user_id):
            return FormResult({rules[0].name if rules else first: translate(TEXTS, "roster.not_member", language)})
        checked = check(rules, dict(request.values), language)
        if not isinstance(checked, Contribution):
            return FormResult(checked)
        if not await self.once.take(request.delivery):
            return FormResult()  # the first arrival posts; this one closes the form calmly
        ctx = await self.interaction_context(ritual, team, request.user_id, request.reply,
                                       channel_id=request.channel_id, locale=request.locale,
                                       traceless=request.traceless, share_as=checked.share_as)
        result: FormResult = await handler(ctx, state, checked.values)
        return result

    async def run_now(self, team_id: str, ritual_id: str) -> str:
        """Fire a ritual's main step now (admin `run`); claimed like any firing, so never twice."""
        return (await self.run_now_outcome(team_id, ritual_id)).status

    async def run_now_outcome(self, team_id: str, ritual_id: str) -> Outcome:
        """`run_now` with the cause when it failed (bot/run_now.py)."""
        return await run_now.run_now_outcome(self, team_id, ritual_id)

    async def purge_expired(self, *, dry_run: bool = False) -> dict[str, int]:
        """Retention: answers older than each team's period (counted per team), dated facts
        about people as old, round state no ritual needs any more, and everything of teams no
        longer in the config (counted as rows under their id). See bot/purge.py."""
        return await purge.purge_expired(self, dry_run=dry_run)
