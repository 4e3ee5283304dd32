"""A line to the confidant: raise a worry privately, anonymously if you want (issue 15).

After seed 002 (suggestion 6: the way to the *vertrouwenspersoon* is "a very big step")
and seed 001 (point 5: a signal only helps when follow-up is quick and visible).

`/ritual signal` opens a form; the team's `confidant` gets it by DM with buttons to answer
or close; the sender reads answers privately, can reply, close, or reveal their name.
A conversation lives in the ritual's state under a random id. For an anonymous sender it
holds only a sealed route (`rituals/confidant_route.py`, key from `RITUALBOT_SECRET`), never
a name or an id. Nothing of it reaches insights, admins or the team.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.messages import WHO, Button, Choice, FieldKind, Form, FormField, Segment, UserText, mentioning, text
from bot.platform import FormResult, Unreachable
from bot.ritual import Ritual, action, button, command, form, form_id, step
from bot.teams import TeamView
from rituals.confidant_route import opens_to, seal, sealer
from rituals.confidant_texts import TEXTS

log = logging.getLogger("ritualbot")

PREFIX = "conv:"
MAX_TEXT = 3000
STATES = ("received", "read", "answered", "closed")


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reminder_days: int = Field(default=5, ge=1, le=30, description="working days without action before the one reminder")
    retention_days: int = Field(default=90, ge=1, le=730, description="days a closed conversation is kept")
    other_routes: str = Field(default="", max_length=1000, description="the organisation's other routes (HR, external confidant)")
    close_idle_days: int = Field(default=180, ge=14, le=730,
                                 description="days without a word from either side after which an open conversation closes")


def working_days_between(team: TeamView, start: datetime, end: datetime) -> int:
    """Working days (Mon-Fri, not the team's holidays) after `start`'s day up to `end`'s day."""
    day, last, count = start.astimezone(team.tz).date(), end.astimezone(team.tz).date(), 0
    while day < last:
        day += timedelta(days=1)
        if day.weekday() < 5 and not team.is_holiday(day):
            count += 1
    return count


class ConfidantLine(Ritual[Options]):
    in_insights = False  # even a count could expose someone in a small team
    discreet = True  # no audit row or log line tells that a conversation exists
    needs_team = ("confidant",)  # without one, check-config and the start-up log say so
    id = "confidant_line"
    default_schedule = "0 9 * * 1-5"  # the daily look at open conversations: reminders, retention
    texts = TEXTS
    # its title, summary, what it keeps, its steps and commands: the `ritual.*` messages of TEXTS

    button_commands = frozenset({"signal"})  # the Slack App Home and the deliberation's reflection offer it
    expiring_state = (PREFIX,)  # closed conversations go after retention, also while the line is paused

    def acts_outside_roster(self, team: TeamView, user_id: str) -> bool:
        return bool(team.confidant) and user_id == team.confidant

    # raising a worry ----------------------------------------------------------------------

    @command("signal")
    async def signal(self, ctx: InteractionContext[Options], args: list[str]) -> None:
        if args and args[0].lower() == "status":
            await self._status(ctx)
            return
        if not ctx.team.confidant:
            await ctx.reply(text(ctx.user_t("no_confidant")))
            return
        await ctx.open_form(Form(form_id(self.receive), ctx.user_t("form.title"), (
            FormField("worry", ctx.user_t("form.worry"), FieldKind.MULTILINE, max_length=MAX_TEXT),
            FormField("answer", ctx.user_t("form.answer"), FieldKind.CHOICE, default="yes",
                      choices=(Choice("yes", ctx.user_t("yes")), Choice("no", ctx.user_t("no")))),
        ), ctx.user_t("form.submit"), intro=ctx.user_t("form.intro"), anonymous=True))

    @form("signal")
    async def receive(self, ctx: InteractionContext[Options], state: str, values: dict[str, Any]) -> FormResult:
        confidant = ctx.team.confidant
        if not confidant:
            return FormResult({"worry": ctx.user_t("no_confidant")})
        conv: dict[str, Any] = {"status": "received", "anonymous": ctx.anonymous, "confidant": confidant,
                                "answer": values.get("answer") != "no", "opened": ctx.now().isoformat(),
                                "changed": ctx.now().isoformat(), "reminded": False, "told": False,
                                "messages": [{"by": "sender", "text": str(values["worry"])}]}
        cipher = sealer()
        if ctx.anonymous:
            if cipher is None:
                log.warning("confidant_line: an anonymous signal was refused: RITUALBOT_SECRET is not set")
                return FormResult({"worry": ctx.user_t("no_secret")})
            conv["route"] = seal(cipher, ctx.user_id)
        else:
            conv["sender"] = ctx.user_id
        conv_id = secrets.token_urlsafe(9)
        # The sender sees another name for the conversation than the confidant: the platform
        # keeps both DMs, and one id in both would let whoever reads DMs there (a compliance
        # export, a server admin) link an anonymous sender to their conversation.
        conv["ref"] = secrets.token_urlsafe(9)
        await ctx.put_state(PREFIX + conv_id, conv)
        try:
            await self._to_confidant(ctx, conv_id, conv, "to_confidant.new", UserText(str(values["worry"])))
        except Unreachable:
            await ctx.delete_state(PREFIX + conv_id)
            return FormResult({"worry": ctx.user_t("confidant_unreachable")})
        await ctx.confirm(text(ctx.user_t("sent", id=conv["ref"]), ctx.user_t("notice")))
        return FormResult()

    # the conversation ---------------------------------------------------------------------

    async def _party(self, ctx: InteractionContext[Options], conv: dict[str, Any] | None) -> str | None:
        """'confidant', 'sender' or None: who the acting person is in this conversation."""
        if conv is None:
            return None
        if ctx.user_id == conv["confidant"] and ctx.user_id == ctx.team.confidant:
            return "confidant"
        if conv.get("sender") == ctx.user_id or opens_to(sealer(), conv.get("route", "")) == ctx.user_id:
            return "sender"
        return None

    def _sender(self, conv: dict[str, Any]) -> str | None:
        return conv.get("sender") or opens_to(sealer(), conv.get("route", ""))

    async def _open(self, ctx: InteractionContext[Options], value: str) -> tuple[str, dict[str, Any] | None, str | None]:
        """The conversation a button or form names (by the confidant's id or the sender's
        `ref`), and who the acting person is in it; the name must match their side."""
        conv = await ctx.get_state(PREFIX + value)
        if conv is not None:
            party = await self._party(ctx, conv)
            return value, conv, party if party == "confidant" or value == _ref(value, conv) else None
        for key, found in await ctx.state_items(PREFIX):
            if found.get("ref") == value:
                party = await self._party(ctx, found)
                return key[len(PREFIX):], found, party if party == "sender" else None
        return value, None, None

    async def _to_confidant(self, ctx: RitualContext[Options], conv_id: str, conv: dict[str, Any], key: str,
                            body: Segment) -> None:
        """DM the confidant; `body` is what the sender wrote (a `UserText`, escaped on every platform)."""
        confidant = conv["confidant"]
        head = await ctx.t_user(confidant, key, id=conv_id)
        who = (mentioning(await ctx.t_user(confidant, "from.named", who=WHO), conv["sender"]) if conv.get("sender")
               else (await ctx.t_user(confidant, "from.anonymous"),))
        buttons = () if conv["status"] == "closed" else (
            button(self.open_reply, await ctx.t_user(confidant, "button.reply"), conv_id, "primary"),
            button(self.close, await ctx.t_user(confidant, "button.close"), conv_id))
        paragraphs: list[Any] = [head, who] + ([(body,)] if body else [])
        if key == "to_confidant.new" and not conv["answer"]:
            paragraphs.append(await ctx.t_user(confidant, "no_answer_wanted"))
        await ctx.dm(confidant, text(*paragraphs, buttons=buttons))

    async def _to_sender(self, ctx: RitualContext[Options], conv_id: str, conv: dict[str, Any], key: str,
                         body: Segment = "") -> None:
        """DM the sender; `body` is the confidant's words (a `UserText`) or the configured routes."""
        sender = self._sender(conv)
        if sender is None:
            return
        ref = _ref(conv_id, conv)
        buttons: tuple[Button, ...] = ()
        if conv["status"] != "closed":
            buttons = (button(self.open_reply, await ctx.t_user(sender, "button.reply"), ref, "primary"),
                       button(self.close, await ctx.t_user(sender, "button.close"), ref))
            if conv["anonymous"]:
                buttons += (button(self.reveal, await ctx.t_user(sender, "button.reveal"), ref),)
        paragraphs: list[Any] = [await ctx.t_user(sender, key, id=ref)] + ([(body,)] if body else [])
        try:
            await ctx.dm(sender, text(*paragraphs, buttons=buttons))
        except Unreachable:
            pass  # noted by `dm`, without a name

    async def _left_behind(self, ctx: InteractionContext[Options], conv_id: str, conv: dict[str, Any]) -> bool:
        """True, with the conversation closed and the acting sender told, when its confidant
        no longer serves the team: the former one must receive nothing more of it (not a
        reply, not the sender's name), and the new one was never chosen by the sender."""
        if conv["confidant"] == ctx.team.confidant:
            return False
        await self._change(ctx, conv_id, lambda c: {**c, "status": "closed", "changed": ctx.now().isoformat()})
        await ctx.reply(text(ctx.user_t("update.confidant_changed", id=_ref(conv_id, conv))))
        return True

    async def _change(self, ctx: InteractionContext[Options], conv_id: str, change: Any) -> dict[str, Any] | None:
        def apply(old: Any) -> Any:
            return None if old is None else change(dict(old))
        new: dict[str, Any] | None = await ctx.update_state(PREFIX + conv_id, apply)
        return new

    @action("reply")
    async def open_reply(self, ctx: InteractionContext[Options], value: str) -> None:
        conv_id, conv, party = await self._open(ctx, value)
        if party is None or conv is None or conv["status"] == "closed":
            await ctx.reply(text(ctx.user_t("gone")))
            return
        if await self._left_behind(ctx, conv_id, conv):
            return
        if party == "confidant" and conv["status"] == "received":
            await self._change(ctx, conv_id, lambda c: {**c, "status": "read", "changed": ctx.now().isoformat()})
            await self._to_sender(ctx, conv_id, {**conv, "status": "read"}, "update.read")
        # anonymous: neither side's words may come back in their own DM (a late refusal), or the
        # same words in the sender's DM and the confidant's would tie the sender to it
        await ctx.open_form(Form(form_id(self.receive_reply), ctx.user_t("reply.title"), (
            FormField("message", ctx.user_t("reply.field"), FieldKind.MULTILINE, max_length=MAX_TEXT),
        ), ctx.user_t("form.submit"), state=value, traceless=bool(conv.get("anonymous"))))

    @form("reply")
    async def receive_reply(self, ctx: InteractionContext[Options], value: str, values: dict[str, Any]) -> FormResult:
        conv_id, conv, party = await self._open(ctx, value)
        if party is None or conv is None or conv["status"] == "closed":
            return FormResult({"message": ctx.user_t("gone")})
        if await self._left_behind(ctx, conv_id, conv):
            return FormResult()
        message = str(values["message"])
        status = "answered" if party == "confidant" else conv["status"]
        conv = await self._change(ctx, conv_id, lambda c: {
            **c, "status": status, "changed": ctx.now().isoformat(),
            "messages": [*c["messages"], {"by": party, "text": message}]})
        if conv is None:
            return FormResult({"message": ctx.user_t("gone")})
        if party == "confidant":
            await self._to_sender(ctx, conv_id, conv, "update.answered", UserText(message))
        else:
            await self._to_confidant(ctx, conv_id, conv, "to_confidant.reply", UserText(message))
        await ctx.reply(text(ctx.user_t("reply.sent")))
        return FormResult()

    @action("close")
    async def close(self, ctx: InteractionContext[Options], value: str) -> None:
        conv_id, conv, party = await self._open(ctx, value)
        if party is None or conv is None or conv["status"] == "closed":
            await ctx.reply(text(ctx.user_t("gone")))
            return
        if await self._left_behind(ctx, conv_id, conv):
            return
        conv = await self._change(ctx, conv_id, lambda c: {**c, "status": "closed", "changed": ctx.now().isoformat()})
        if conv is None:
            return
        if party == "confidant":
            await self._to_sender(ctx, conv_id, conv, "update.closed")
        else:
            await self._to_confidant(ctx, conv_id, conv, "to_confidant.closed", "")
        await ctx.reply(text(ctx.user_t("closed", id=value)))

    @action("reveal")
    async def reveal(self, ctx: InteractionContext[Options], value: str) -> None:
        """Only the sender can show their name; nothing lets the confidant ask for it."""
        conv_id, conv, party = await self._open(ctx, value)
        if party != "sender" or conv is None or conv["status"] == "closed":
            await ctx.reply(text(ctx.user_t("gone")))
            return
        if await self._left_behind(ctx, conv_id, conv):
            return
        user = ctx.user_id
        conv = await self._change(ctx, conv_id, lambda c: {
            **{k: v for k, v in c.items() if k != "route"}, "anonymous": False, "sender": user})
        if conv is None:
            return
        await self._to_confidant(ctx, conv_id, conv, "to_confidant.revealed", "")
        await ctx.reply(text(ctx.user_t("revealed")))

    # follow-up ----------------------------------------------------------------------------

    async def _status(self, ctx: InteractionContext[Options]) -> None:
        mine = [(key[len(PREFIX):], conv) for key, conv in await ctx.state_items(PREFIX)
                if await self._party(ctx, conv) == "sender"]
        if not mine:
            await ctx.reply(text(ctx.user_t("status.none")))
            return
        lines = [ctx.user_t("status.line", id=_ref(conv_id, conv), state=ctx.user_t(f"state.{conv['status']}"))
                 for conv_id, conv in sorted(mine, key=lambda m: str(m[1]["opened"]))]
        await ctx.reply(text(ctx.user_t("status.title"), "\n".join(lines)))

    @step("main")
    async def look(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        """Once a working day: one reminder to the confidant after `reminder_days` without
        action, then an honest word to the sender; a conversation silent on both sides for
        `close_idle_days` closes (both are told); closed ones go after retention."""
        options = ctx.options
        # Sent now, never held for someone's working time: a held DM (bot/outbox.py) would
        # keep an anonymous sender's id next to this conversation's id in the database.
        ctx.on_own = False
        now = ctx.now()
        for key, conv in await ctx.state_items(PREFIX):
            conv_id = key[len(PREFIX):]
            changed = datetime.fromisoformat(conv["changed"])
            if conv["status"] == "closed":
                if self.expired(key, conv, now, options):
                    await ctx.delete_state(key)
                continue
            if conv["confidant"] != ctx.team.confidant:  # a new confidant, or none: see _left_behind
                await ctx.update_state(key, lambda c: None if c is None else {**c, "status": "closed", "changed": now.isoformat()})
                await self._to_sender(ctx, conv_id, {**conv, "status": "closed"}, "update.confidant_changed")
                continue
            if now - changed >= timedelta(days=options.close_idle_days):  # then retention counts, as for any close
                await ctx.update_state(key, lambda c: None if c is None else {**c, "status": "closed", "changed": now.isoformat()})
                closed = {**conv, "status": "closed"}
                await self._to_sender(ctx, conv_id, closed, "update.idle_closed", "")
                try:
                    await self._to_confidant(ctx, conv_id, closed, "to_confidant.idle_closed", "")
                except Unreachable:
                    pass
                continue
            if conv["status"] == "answered":
                continue
            idle = working_days_between(ctx.team, changed, now)
            if idle >= options.reminder_days and not conv["reminded"]:
                await ctx.update_state(key, lambda c: {**c, "reminded": True, "changed": now.isoformat()})
                try:
                    await self._to_confidant(ctx, conv_id, conv, "to_confidant.reminder", "")
                except Unreachable:
                    pass
            elif idle >= options.reminder_days and conv["reminded"] and not conv["told"]:
                await ctx.update_state(key, lambda c: {**c, "told": True})
                sender = self._sender(conv)
                if sender is not None:
                    routes = options.other_routes or await ctx.t_user(sender, "routes.none")
                    await self._to_sender(ctx, conv_id, conv, "update.no_action", routes)

    def expired(self, key: str, value: Any, now: datetime, options: Options) -> bool:
        """A closed conversation, `retention_days` after its last change (the core's daily
        retention asks this too, so a paused or switched-off line keeps nothing longer)."""
        return (isinstance(value, dict) and value.get("status") == "closed"
                and now - datetime.fromisoformat(value["changed"]) >= timedelta(days=options.retention_days))

    # data rights --------------------------------------------------------------------------

    async def personal_data(self, ctx: RitualContext[Options], user_id: str) -> dict[str, Any]:
        """The conversations someone sent (all of it) or answers as confidant (never an
        anonymous sender's route, and no sender at all for an anonymous conversation)."""
        sent, answered = [], []
        cipher = sealer()
        for key, conv in await ctx.state_items(PREFIX):
            visible = {k: v for k, v in conv.items() if k not in ("route", "reminded", "told")}
            if conv.get("sender") == user_id or opens_to(cipher, conv.get("route", "")) == user_id:
                sent.append({**{k: v for k, v in visible.items() if k != "ref"}, "id": _ref(key[len(PREFIX):], conv)})
            elif conv["confidant"] == user_id:
                answered.append({**{k: v for k, v in visible.items() if k != "ref"}, "id": key[len(PREFIX):]})
        return {k: v for k, v in (("signals_sent", sent), ("signals_as_confidant", answered)) if v}

    def stored_view(self, key: str, value: Any, user_id: str) -> Any:
        """The confidant's rows show no anonymous sender's route nor the sender's name for it."""
        if not key.startswith(PREFIX) or not isinstance(value, dict) or value.get("sender") == user_id:
            return value
        return {k: v for k, v in value.items() if k not in ("route", "ref")}

    async def forget_person(self, ctx: RitualContext[Options], user_id: str) -> None:
        """A sender's conversations go entirely; a confidant's own words are removed and the
        conversation closed (the sender keeps theirs until they forget or it expires), and
        each sender is told privately, not left to find "closed" in the status."""
        cipher = sealer()
        for key, conv in await ctx.state_items(PREFIX):
            if conv.get("sender") == user_id or opens_to(cipher, conv.get("route", "")) == user_id:
                await ctx.delete_state(key)
            elif conv["confidant"] == user_id:
                closed = {**conv, "status": "closed", "confidant": "", "changed": ctx.now().isoformat(),
                          "messages": [m for m in conv["messages"] if m["by"] != "confidant"]}
                await ctx.put_state(key, closed)
                was_open = conv["status"] != "closed"
                if was_open:
                    await self._to_sender(ctx, key[len(PREFIX):], closed, "update.confidant_forgot")


def _ref(conv_id: str, conv: dict[str, Any]) -> str:
    """The sender's name for a conversation (conversations opened before there was one
    keep their single id)."""
    return str(conv.get("ref") or conv_id)
