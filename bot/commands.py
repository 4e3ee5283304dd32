"""The core's own `/ritual` subcommands: help, status, consent and data rights, admin.

Built the way a ritual is: tagged handler methods, so `help` lists them and adding one is
one method. Admin subcommands check the role first; a refusal changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.command_context import CommandContext, core_button, people_line
from bot.i18n import translate
from bot.member_data import erase_member, export_member
from bot.messages import WHO, text
from bot.platform import CommandRequest, Reply
from bot.ritual_words import about
from bot.store import Consent
from bot.store.leases import UNCONFIRMED
from bot.teams import TeamView
from bot.texts import NOTICE_VERSION, TEXTS
from bot.trouble_texts import REPOST, TROUBLE_TEXTS, describe_cause

if TYPE_CHECKING:
    from bot.app import RitualBot

log = logging.getLogger("ritualbot.commands")


def core_command(name: str, *, admin: bool = False, usage: str = "") -> Callable[[Any], Any]:
    """Tag a method as the `/ritual <name>` subcommand; `usage` is shown in help."""
    def mark(func: Any) -> Any:
        func.__core_command__ = (name, admin, usage)
        return func

    return mark


def _collect(cls: type) -> dict[str, tuple[str, bool, str]]:
    found: dict[str, tuple[str, bool, str]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            tag = getattr(value, "__core_command__", None)
            if tag is not None:
                name, admin, usage = tag
                if name in found and found[name][0] != attr:
                    raise TypeError(f"two handlers for /ritual {name}")
                found[name] = (attr, admin, usage)
    return found


class BaseCommands:
    """Subcommands every team has, whatever rituals it runs."""

    def __init__(self, bot: RitualBot) -> None:
        self.bot = bot
        self.commands = _collect(type(self))

    @property
    def command(self) -> str:
        return self.bot.config.command

    async def run(self, ctx: CommandContext, name: str, args: list[str]) -> bool:
        """Handle `name` if it is a core command; False lets rituals try."""
        entry = self.commands.get(name)
        if entry is None:
            return False
        method, admin_only, _ = entry
        if admin_only and not ctx.team.is_admin(ctx.user_id):
            await self.bot.store.audit(ctx.team.id, ctx.user_id, "refused", f"/{self.command} {name}", self.bot.clock.now())
            log.info("refused admin command %r for a non-admin in team %s", name, ctx.team.id)
            if await self.bot.on_roster(ctx.team, ctx.user_id):  # who the admins are is the team's business
                await ctx.say(people_line(ctx.t("admin_only", admins=WHO), sorted(ctx.team.admins)))
            else:
                await ctx.say(ctx.t("admin_only.outsider"))
            return True
        await getattr(self, method)(ctx, args)
        return True

    # everyone ---------------------------------------------------------------------------------

    @core_command("help")
    async def help(self, ctx: CommandContext, args: list[str]) -> None:
        lines = [ctx.t("help.title", command=self.command)]
        for name, (_, admin, usage) in self.commands.items():
            if not admin:
                lines.append(f"• /{self.command} {name}{usage} – {ctx.t('help.' + name)}")
        for rid in self.bot.enabled_rituals(ctx.team.id):
            ritual = self.bot.rituals[rid]
            for name, help_text in about(ritual).command_help(ctx.language).items():
                lines.append(f"• /{self.command} {name} – {help_text}")
        if ctx.team.is_admin(ctx.user_id):
            lines.append(ctx.t("help.admin_title"))
            for name, (_, admin, usage) in self.commands.items():
                if admin:
                    lines.append(f"• /{self.command} {name}{usage} – {ctx.t('help.' + name)}")
        await ctx.say("\n".join(lines))

    @core_command("status")
    async def status(self, ctx: CommandContext, args: list[str]) -> None:
        lines = [ctx.t("status.title", team=ctx.team.id)]
        enabled = self.bot.enabled_rituals(ctx.team.id)
        if not enabled:
            lines.append(ctx.t("status.none"))
        for rid in enabled:
            ritual = self.bot.rituals[rid]
            title = about(ritual).title(ctx.language)
            state = await self.bot.store.ritual_state(ctx.team.id, rid)
            if state.paused:
                lines.append("• " + ctx.t("status.paused", title=title))
                continue
            nxt = self.bot.next_firing(ctx.team.id, rid, skipping=state.skip_occurrence)
            when = ctx.local(nxt) if nxt else "-"
            line = "• " + ctx.t("status.line", title=title, when=when)
            if state.skip_occurrence:
                line += ctx.t("status.skipping", when=ctx.occurrence(state.skip_occurrence))
            lines.append(line)
            lines.extend(await self._last_trouble(ctx, rid))
        consent, since, _ = await self.bot.store.consent_record(ctx.team.id, ctx.user_id)
        if consent is Consent.IN and since:
            lines.append(ctx.t("status.consent_in", when=ctx.local(since)))
        elif consent is Consent.OUT:
            lines.append(ctx.t("status.consent_out"))
        else:
            lines.append(ctx.t("status.consent_unknown", command=self.command))
        await ctx.say("\n".join(lines))

    @core_command("optin")
    async def optin(self, ctx: CommandContext, args: list[str]) -> None:
        await self.offer_consent(ctx.team, ctx.user_id, ctx.reply, ctx.language)

    async def offer_consent(self, team: TeamView, user_id: str, reply: Reply, language: str,
                            lead: str | None = None) -> None:
        """The consent notice with buttons; also offered from rituals' own messages."""
        def t(key: str, **values: object) -> str:
            return translate(TEXTS, key, language, **values)

        paragraphs = ([lead] if lead else []) + [t("consent.notice", days=team.retention_days, command=self.command)]
        paragraphs.append("\n".join([t("consent.rituals"), *self._what_rituals_keep(language)]))
        await reply(text(*paragraphs, buttons=(
            core_button(team.id, "optin", t("consent.optin_button"), str(NOTICE_VERSION), "primary"),
            core_button(team.id, "optout", t("consent.optout_button")))))

    def _what_rituals_keep(self, language: str) -> list[str]:
        """One line per installed ritual: what it keeps with consent, and what it needs to work."""
        lines = []
        for ritual in self.bot.rituals.values():
            title = about(ritual).title(language)
            said = about(ritual).keeps(language)
            if said.get("consent") and said.get("needed"):
                lines.append(translate(TEXTS, "consent.ritual", language, title=title, **said))
            else:
                lines.append(translate(TEXTS, "consent.ritual_silent", language, title=title))
        return lines

    @core_command("optout")
    async def optout(self, ctx: CommandContext, args: list[str]) -> None:
        await self._opt_out(ctx)

    @core_command("mydata")
    async def mydata(self, ctx: CommandContext, args: list[str]) -> None:
        export = await export_member(self.bot, ctx.team, ctx.user_id)
        if export["consent"]["state"] == "unknown" and not any(export[k] for k in ("responses", "stored", "rituals")):
            await ctx.say(ctx.t("mydata.nothing", team=ctx.team.id))
            return
        c = export["consent"]
        # What is said is in the person's words (the JSON below keeps the ids and ISO times).
        when = ctx.local(datetime.fromisoformat(c["at"])) if c["at"] else "-"
        readable = [ctx.t("mydata.title", team=ctx.team.id),
                    ctx.t("mydata.consent", state=ctx.t(f"mydata.state.{c['state']}"), when=when,
                          version=c["notice_version"] or "-"),
                    ctx.t("mydata.responses", count=len(export["responses"]))]
        for r in export["responses"]:
            ritual = self.bot.rituals.get(r["ritual"])
            said = [about(ritual).stored(k, str(v), ctx.language) if ritual is not None else (k, str(v))
                    for k, v in r["content"].items()]
            readable.append(f"• {ctx.local(datetime.fromisoformat(r['created_at']))} {ctx.title(r['ritual'])}: "
                            + "; ".join(f"{k}: {v}" for k, v in said))
        readable.append(ctx.t("mydata.anonymous"))
        await ctx.say("\n".join(readable), ctx.t("mydata.json") + "\n```" + json.dumps(export, ensure_ascii=False, indent=1) + "```")

    @core_command("forget")
    async def forget(self, ctx: CommandContext, args: list[str]) -> None:
        await ctx.say(ctx.t("forget.question"),
                      buttons=(core_button(ctx.team.id, "forget_confirm", ctx.t("forget.confirm_button"), "", "danger"),
                               core_button(ctx.team.id, "forget_cancel", ctx.t("forget.cancel_button"))))

    # admins ----------------------------------------------------------------------------------

    async def _ritual_arg(self, ctx: CommandContext, args: list[str]) -> str | None:
        known = ", ".join(ctx.t("ritual_choice", id=rid, title=ctx.title(rid)) for rid in self.bot.rituals)
        if not args:
            await ctx.say(ctx.t("need_ritual", known=known))
            return None
        rid = args[0]
        if rid not in self.bot.rituals:
            await ctx.say(ctx.t("unknown_ritual", name=rid, known=known))
            return None
        if rid not in self.bot.enabled_rituals(ctx.team.id):
            await ctx.say(ctx.t("ritual_off", ritual=ctx.title(rid)))
            return None
        return rid

    async def _audit(self, ctx: CommandContext, action: str, detail: str) -> None:
        await self.bot.store.audit(ctx.team.id, ctx.user_id, action, detail, self.bot.clock.now())

    @core_command("run", admin=True, usage=" <ritual>")
    async def run_now(self, ctx: CommandContext, args: list[str]) -> None:
        rid = await self._ritual_arg(ctx, args)
        if rid is None:
            return
        await self._audit(ctx, "run", rid)
        outcome = await self.bot.run_now_outcome(ctx.team.id, rid)
        if outcome.status == "done":
            await ctx.say(ctx.t("run.done", ritual=ctx.title(rid)))
            return
        reason_key = f"run.reason.{outcome.status}" if f"run.reason.{outcome.status}" in TEXTS else "run.reason.other"
        failed = (ctx.t("run.unconfirmed", ritual=ctx.title(rid)) if outcome.status == UNCONFIRMED
                  else ctx.t("run.failed", ritual=ctx.title(rid), reason=ctx.t(reason_key, status=outcome.status)))
        if outcome.cause:
            await ctx.say(failed, describe_cause(outcome.cause, ctx.language, channel=ctx.team.channel, ritual=rid,
                                                 command=self.command))
        else:
            await ctx.say(failed)

    async def _last_trouble(self, ctx: CommandContext, rid: str) -> list[str]:
        """The ritual's latest firing when it failed or is unconfirmed: when, and why."""
        trouble = await self.bot.store.last_trouble(ctx.team.id, rid)
        if trouble is None:
            return []
        when = ctx.local(trouble.due_at)
        title = translate(TROUBLE_TEXTS, "status.trouble", ctx.language, when=when, step=trouble.step)
        return ["  " + title + " " + describe_cause(trouble.cause, ctx.language, channel=ctx.team.channel,
                                                     ritual=rid, command=self.command)]

    @core_command("pause", admin=True, usage=" <ritual>")
    async def pause(self, ctx: CommandContext, args: list[str]) -> None:
        rid = await self._ritual_arg(ctx, args)
        if rid is None:
            return
        await self.bot.store.set_paused(ctx.team.id, rid, True)
        await self._audit(ctx, "pause", rid)
        await ctx.say(ctx.t("pause.done", ritual=ctx.title(rid), id=rid, command=self.command))

    @core_command("resume", admin=True, usage=" <ritual>")
    async def resume(self, ctx: CommandContext, args: list[str]) -> None:
        rid = await self._ritual_arg(ctx, args)
        if rid is None:
            return
        await self.bot.store.set_paused(ctx.team.id, rid, False)
        await self._audit(ctx, "resume", rid)
        skipping = (await self.bot.store.ritual_state(ctx.team.id, rid)).skip_occurrence
        nxt = self.bot.next_firing(ctx.team.id, rid, skipping=skipping)
        await ctx.say(ctx.t("resume.done", ritual=ctx.title(rid), when=ctx.local(nxt) if nxt else "-"))

    @core_command("skip", admin=True, usage=" <ritual>")
    async def skip(self, ctx: CommandContext, args: list[str]) -> None:
        rid = await self._ritual_arg(ctx, args)
        if rid is None:
            return
        key = self.bot.engine.next_occurrence_key(ctx.team.id, rid)
        if key is None:
            await ctx.say(ctx.t("skip.none", ritual=ctx.title(rid)))
            return
        await self.bot.store.set_skip(ctx.team.id, rid, key)
        await self._audit(ctx, "skip", f"{rid} {key}")
        await ctx.say(ctx.t("skip.done", ritual=ctx.title(rid), when=ctx.occurrence(key)))

    # buttons the core owns -----------------------------------------------------------------------

    async def action(self, ctx: CommandContext, name: str, value: str) -> None:
        store, now = self.bot.store, self.bot.clock.now()
        if name == "optin":
            version = int(value) if value.isdigit() else NOTICE_VERSION
            await store.set_consent(ctx.team.id, ctx.user_id, Consent.IN, now, version)
            await ctx.say(ctx.t("consent.opted_in", command=self.command))
        elif name == "optout":
            await self._opt_out(ctx)
        elif name == "forget_confirm":
            await erase_member(self.bot, ctx.team, ctx.user_id)
            await ctx.say(ctx.t("forget.done"))
        elif name == "forget_cancel":
            await ctx.say(ctx.t("forget.cancelled"))
        elif name == REPOST:
            await self._repost(ctx, value)
        elif name == "command":
            await self._command_button(ctx, value)
        else:
            await ctx.say(ctx.t("action.stale"))

    async def _command_button(self, ctx: CommandContext, command: str) -> None:
        """A `command_button`: the subcommand runs as if the clicker typed it in the team's channel."""
        allowed = {name for rid in self.bot.enabled_rituals(ctx.team.id) for name in self.bot.rituals[rid].button_commands}
        if command not in allowed:
            await ctx.say(ctx.t("action.stale"))
            return
        await self.bot.handle_command(CommandRequest(
            platform=ctx.team.platform, user_id=ctx.user_id, channel_id=ctx.team.channel, text=command, reply=ctx.reply,
            trigger_id=ctx.trigger_id, locale=ctx.locale))

    async def _repost(self, ctx: CommandContext, value: str) -> None:
        """An admin's "post it now" for a firing nobody could confirm (see bot/takeover.py)."""
        def tt(key: str, **values: object) -> str:
            return translate(TROUBLE_TEXTS, key, ctx.language, **values)

        if not ctx.team.is_admin(ctx.user_id):
            await ctx.say(ctx.t("admin_only", admins=", ".join(sorted(ctx.team.admins)) or "-"))
            return
        firing = await self.bot.store.leased_firing(int(value)) if value.isdigit() else None
        if firing is None or firing.team_id != ctx.team.id:
            await ctx.say(ctx.t("action.stale"))
            return
        await self._audit(ctx, "repost", f"{firing.ritual_id} {firing.step} {firing.occurrence}")
        outcome = await self.bot.takeover.repost(firing.id)
        if outcome.status == "done":
            await ctx.say(tt("repost.done"))
        elif outcome.status == "taken":
            await ctx.say(tt("repost.gone"))
        else:
            await ctx.say(tt("repost.failed", cause=describe_cause(outcome.cause, ctx.language,
                                                                   channel=ctx.team.channel,
                                                                   ritual=firing.ritual_id, command=self.command)))

    async def _opt_out(self, ctx: CommandContext) -> None:
        had = await self.bot.store.responses(ctx.team.id, author_id=ctx.user_id)
        await self.bot.store.set_consent(ctx.team.id, ctx.user_id, Consent.OUT, self.bot.clock.now(), NOTICE_VERSION)
        if had:
            await ctx.say(ctx.t("consent.opted_out"), ctx.t("consent.erase_question"),
                          buttons=(core_button(ctx.team.id, "forget_confirm", ctx.t("forget.confirm_button"), "", "danger"),
                                   core_button(ctx.team.id, "forget_cancel", ctx.t("forget.cancel_button"))))
        else:
            await ctx.say(ctx.t("consent.opted_out"))
