"""Admin subcommands that change a running team: schedule, holidays, leaders, members,
language, timezone. Each change persists in the database, survives restarts (see
`bot/overrides.py` for how it combines with config.toml), takes effect at once and lands
in the audit log.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.command_context import CommandContext, people_line
from bot.commands import BaseCommands, core_command
from bot.config import TeamConfig
from bot.dates import spoken_day, spoken_schedule
from bot.i18n import language_choices, language_name, supported_languages
from bot.languages import lacking, person_language
from bot.messages import WHO, mentioning, parse_user_ref
from bot.overrides import SCHEDULE_PREFIX, config_value
from bot.platforms.ids import valid_user_id
from bot.reports import send_insights
from bot.schedule import NeverFires, ScheduleError, check_fires, check_often, parse_schedule
from bot.schedule_change import record_change


class CoreCommands(BaseCommands):
    """The core's subcommands, the team-admin ones included."""

    def _file_team(self, team_id: str) -> TeamConfig:
        return self.bot.file_config.team(team_id)

    def _effective_team(self, team_id: str) -> TeamConfig:
        return self.bot.config.team(team_id)

    async def _change(self, ctx: CommandContext, key: str, value: Any) -> None:
        """Persist an admin's change with its config.toml baseline, audit it, apply it now."""
        now = self.bot.clock.now()
        base = config_value(self._file_team(ctx.team.id), key)
        await self.bot.store.put_team_setting(ctx.team.id, key, value, base, ctx.user_id, now)
        await self.bot.store.audit(ctx.team.id, ctx.user_id, f"set {key}", _short(value), now)
        await self.bot.reload()
        ctx.team = self.bot.teams[ctx.team.id]

    @core_command("schedule", admin=True, usage=" <ritual> <when>")
    async def schedule(self, ctx: CommandContext, args: list[str]) -> None:
        rid = await self._ritual_arg(ctx, args[:1])
        if rid is None:
            return
        when = " ".join(args[1:])
        if not when:
            current = spoken_schedule(self.bot.resolved[(ctx.team.id, rid)].schedule, ctx.language)
            await ctx.say(ctx.t("schedule.current", ritual=ctx.title(rid), id=rid, when=current, command=self.command))
            return
        try:
            parsed = parse_schedule(when)
            # looking up to 400 days ahead is CPU work: off the event loop
            await asyncio.to_thread(check_fires, parsed, ctx.team.tz, self.bot.clock.now())
            check_often(parsed, self.bot.clock.now())
        except NeverFires as exc:
            await ctx.say(ctx.t("schedule.never", when=when, days=exc.days))
            return
        except ScheduleError as exc:
            await ctx.say(ctx.t("schedule.bad", reason=exc.translated(ctx.language)))
            return
        old = self.bot.resolved[(ctx.team.id, rid)].schedule.source
        await record_change(self.bot.store, ctx.team, rid, old, self.bot.clock.now(), when)
        await self._change(ctx, SCHEDULE_PREFIX + rid, when)
        nxt = self.bot.engine.next_firing(ctx.team.id, rid, current_only=True)
        await ctx.say(ctx.t("schedule.done", ritual=ctx.title(rid), when=spoken_schedule(parsed, ctx.language),
                            next=ctx.local(nxt) if nxt else "-"))
        open_round = self.bot.engine.open_round_end(ctx.team.id, rid)
        if open_round is not None:
            await ctx.say(ctx.t("schedule.open_round", next=ctx.local(open_round)))

    @core_command("holidays", admin=True, usage=" [add|remove <yyyy-mm-dd>]")
    async def holidays(self, ctx: CommandContext, args: list[str]) -> None:
        own = sorted(d.isoformat() for d in ctx.team.extra_holidays)
        if not args:
            listed = ", ".join(spoken_day(d, ctx.language, year=True) for d in sorted(ctx.team.extra_holidays)) or "-"
            await ctx.say(ctx.t("holidays.list", country=ctx.team.country, dates=listed, command=self.command))
            return
        if len(args) != 2 or args[0] not in ("add", "remove"):
            await ctx.say(ctx.t("holidays.usage", command=self.command))
            return
        try:
            parsed = date.fromisoformat(args[1])
        except ValueError:
            await ctx.say(ctx.t("holidays.bad_date", value=args[1]))
            return
        day = parsed.isoformat()
        if args[0] == "remove" and day not in own:  # nothing to remove: no change, no audit
            await ctx.say(ctx.t("holidays.absent", date=spoken_day(parsed, ctx.language, year=True)))
            return
        dates = sorted(set(own) | {day}) if args[0] == "add" else [d for d in own if d != day]
        await self._change(ctx, "holidays", dates)
        done = "added" if args[0] == "add" else "removed"
        await ctx.say(ctx.t(f"holidays.{done}", date=spoken_day(parsed, ctx.language, year=True)))

    @core_command("leaders", admin=True, usage=" add|remove <user>")
    async def leaders(self, ctx: CommandContext, args: list[str]) -> None:
        await self._roster(ctx, "leaders", args)

    @core_command("members", admin=True, usage=" add|remove <user>")
    async def members(self, ctx: CommandContext, args: list[str]) -> None:
        await self._roster(ctx, "members", args)

    async def _roster(self, ctx: CommandContext, key: str, args: list[str]) -> None:
        team = self._effective_team(ctx.team.id)
        current = getattr(team, key)
        if not args:
            if current == "channel":
                await ctx.say(ctx.t(f"roster.{key}", users=ctx.t("roster.channel")))
            else:
                await ctx.say(people_line(ctx.t(f"roster.{key}", users=WHO), current))
            return
        if args[0] not in ("add", "remove") or len(args) != 2 or parse_user_ref(args[1]) is None:
            await ctx.say(ctx.t("roster.usage", command=self.command, key=key))
            return
        if current == "channel":
            await ctx.say(ctx.t("roster.is_channel"))
            return
        person = await self.bot.platform_for(ctx.team).find_person(args[1])
        if args[0] == "add" and person.problem is not None:
            # Someone who does not exist or cannot take part would be added, then every DM would bounce.
            await ctx.say(ctx.t(f"roster.{person.problem}", ref=args[1], platform=ctx.team.platform.title()))
            return
        user = person.user_id or parse_user_ref(args[1]) or args[1]  # removing: also who has left since
        if not valid_user_id(ctx.team.platform, user):  # it is stored, and later sent to the platform
            await ctx.say(ctx.t("roster.bad_user", value=args[1], platform=ctx.team.platform.capitalize(),
                                   command=self.command, key=key))
            return
        members = team.members if isinstance(team.members, list) else None
        if key == "leaders" and args[0] == "add" and members is not None and user not in members:
            await ctx.say(mentioning(ctx.t("roster.leader_not_member", user=WHO, command=self.command), user))
            return
        if key == "members" and args[0] == "remove" and user in team.leaders:
            await ctx.say(mentioning(ctx.t("roster.member_is_leader", user=WHO, command=self.command), user))
            return
        if (user in current) == (args[0] == "add"):  # already there, or not there to remove: no change, no audit
            gone = "already" if args[0] == "add" else "absent"
            await ctx.say(mentioning(ctx.t(f"roster.{gone}.{key}", user=WHO), user))
            return
        updated = sorted(set(current) | {user}) if args[0] == "add" else [u for u in current if u != user]
        await self._change(ctx, key, updated)
        done = "added" if args[0] == "add" else "removed"
        await ctx.say(mentioning(ctx.t(f"roster.{done}.{key}", user=WHO), user))

    @core_command("insights", admin=True, usage=" [monthly on|off]")
    async def insights(self, ctx: CommandContext, args: list[str]) -> None:
        key = f"insights_monthly:{ctx.user_id}"
        if args[:1] == ["monthly"] and args[1:] in (["on"], ["off"]):
            on = args[1] == "on"
            store = self.bot.store
            if on:
                await store.put_state(ctx.team.id, "core", key, True, self.bot.clock.now())
            else:
                await store.delete_state(ctx.team.id, "core", key)
            await ctx.say(ctx.t("insights.monthly_on" if on else "insights.monthly_off"))
            return
        if args:
            await ctx.say(ctx.t("insights.usage", command=self.command))
            return
        await send_insights(self.bot, ctx.team, ctx.user_id, ctx.language, self.bot.clock.now())
        await ctx.say(ctx.t("insights.sent"))

    async def send_monthly_insights(self) -> int:
        """On the first working day of the month, in working hours (team time; issue 14: nothing
        the bot sends on its own lands on a holiday, in the weekend or at night), DM the report
        to the admins who asked for it, once."""
        now, sent = self.bot.clock.now(), 0
        for team in self.bot.teams.values():
            local = now.astimezone(team.tz)
            month_start = datetime.combine(local.date().replace(day=1), time(), tzinfo=team.tz)
            first = team.next_working_moment(month_start)
            if first is None or team.next_working_moment(now) != now or local.date() != first.date():
                continue
            for admin in sorted(team.admins):
                if not await self.bot.store.get_state(team.id, "core", f"insights_monthly:{admin}"):
                    continue
                month = f"{local:%Y-%m}"
                if await self.bot.store.claim_firing(team.id, "core", f"insights:{admin}", month, now, "done",
                                               self.bot.engine.worker, now) is None:
                    continue
                language = await person_language(self.bot.store, self.bot.platform_for(team), team, admin)
                await send_insights(self.bot, team, admin, language, now)
                sent += 1
        return sent

    @core_command("language", admin=True, usage=" <language>")
    async def language(self, ctx: CommandContext, args: list[str]) -> None:
        choices = language_choices(ctx.language, f"/{self.command} language {{code}} ({{name}})")
        if len(args) != 1:
            await ctx.say(ctx.t("language.usage", choices=choices))
            return
        code = args[0].lower()
        if code not in supported_languages():
            await ctx.say(ctx.t("language.unknown", value=args[0], choices=choices))
            return
        await self._change(ctx, "language", code)
        done = ctx.t("language.done", language=language_name(code, ctx.language))
        enabled = [self.bot.rituals[rid] for rid in self.bot.enabled_rituals(ctx.team.id)]
        english = [ctx.title(ritual.id) for ritual in lacking(enabled, code)]
        if english:
            done += " " + ctx.t("language.partly", count=len(english), rituals=", ".join(english),
                                language=language_name(code, ctx.language))
        await ctx.say(done)

    @core_command("timezone", admin=True, usage=" <Area/City>")
    async def timezone(self, ctx: CommandContext, args: list[str]) -> None:
        try:
            if len(args) != 1:
                raise ValueError
            ZoneInfo(args[0])
        except (ValueError, ZoneInfoNotFoundError):
            await ctx.say(ctx.t("timezone.bad", value=" ".join(args) or "-"))
            return
        await self._change(ctx, "timezone", args[0])
        await ctx.say(ctx.t("timezone.done", timezone=args[0]))


def _short(value: Any) -> str:
    return value if isinstance(value, str) else ", ".join(map(str, value)) if isinstance(value, list) else repr(value)
