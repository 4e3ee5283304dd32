"""Wandelen en luisteren: each week a leader walks with one team member, only to listen.

Steps of one occurrence (default Monday 09:00):
- `propose` (and, within `leader_timezone_window_hours`, hourly variants `propose-2h`,
  `propose+1h`, ...): each leader gets a DM naming one member, at 09:00 in the leader's own
  timezone when the platform knows it (rounded to the hour, clamped to the window);
- `followup`, `followup_hours` later: one gentle question to a leader whose walk was not
  marked done. Only one.

Rotation per leader: whoever this leader walked with least recently (planned or done)
goes first; never the leader, other leaders, members who said "no walks for me", who are
away, or who opted out of the bot. Only the fact of a walk is stored (leader, member,
week, status), never anything said. Admins see counts per team, never per person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.i18n import translate
from bot.insights import MINIMUM_GROUP
from bot.messages import WHO, Bold, Button, Mention, Message, mentioning, text
from bot.platform import Unreachable
from bot.ritual import Ritual, Step, action, command, step

WALKED = ("planned", "done")
_NEVER = datetime.min.replace(tzinfo=UTC)


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invite_member: bool = Field(default=True, description="when a walk is planned, the member gets a friendly DM")
    followup_hours: int = Field(default=102, ge=1, le=167, description="hours after the proposal a leader is asked once how it went")
    coverage_weeks: int = Field(default=12, ge=4, le=52, description="how many weeks `/ritual walks` looks back")
    leader_timezone_window_hours: int = Field(default=3, ge=0, le=12,
                                              description="how far a leader's own 09:00 may lie from the team's")

    @model_validator(mode="after")
    def _followup_after_window(self) -> Options:
        if self.followup_hours <= self.leader_timezone_window_hours:
            raise ValueError("followup_hours must be later than leader_timezone_window_hours")
        return self


TEXTS = {
    "propose.dm": {"nl": "Deze week wandel je met {who}.", "en": "This week you walk with {who}."},
    "propose.spirit": {"nl": "Geen agenda, geen actiepunten: alleen luisteren. Pas dan hoor je wat er echt speelt.",
                       "en": "No agenda, no action points: just listen. That's when you hear what is really going on."},
    "propose.nobody": {"nl": "Deze week stel ik niemand voor: er is niemand die nu meedoet. Volgende week kijk ik opnieuw.",
                       "en": "No one to suggest this week: nobody is taking part right now. I'll look again next week."},
    "status.planned": {"nl": "Gepland. Fijn!", "en": "Planned. Lovely!"},
    "status.done": {"nl": "Gewandeld. Dank je wel dat je de tijd nam om te luisteren.", "en": "Walked. Thank you for taking the time to listen."},
    "status.skipped": {"nl": "Deze week niet, en dat is ook goed. Volgende week is er een nieuwe kans.",
                       "en": "Not this week, and that's fine too. Next week brings a new chance."},
    "button.planned": {"nl": "Gepland", "en": "Planned"},
    "button.done": {"nl": "Gewandeld", "en": "Done"},
    "button.other": {"nl": "Iemand anders", "en": "Someone else"},
    "button.skip": {"nl": "Sla deze week over", "en": "Skip this week"},
    "button.not_happened": {"nl": "Het kwam er niet van", "en": "It didn't happen"},
    "invite.dm": {"nl": ("Hoi! {who} wil deze week graag een stukje met je wandelen. Geen agenda en geen actiepunten: gewoon even "
                         "samen lopen, en {who} luistert. Past het niet? Zeg het gerust."),
                  "en": ("Hi! {who} would like to go for a walk with you this week. No agenda and no action points: just a walk "
                         "together, and {who} listens. Doesn't suit you? Just say so.")},
    "followup.dm": {"nl": "Is het deze week gelukt om met {who} te wandelen? Kwam het er niet van, dan is dat ook goed.",
                    "en": "Did you manage to walk with {who} this week? If it didn't happen, that's fine too."},
    "refuse.not_leader": {"nl": "Deze knoppen zijn voor de leidinggevende die de wandeling maakt.",
                          "en": "These buttons are for the leader who takes the walk."},
    "refuse.member": {"nl": "Met {who} kan ik deze week geen wandeling vastleggen. Kies 'Iemand anders' voor de volgende in de rij.",
                      "en": "I can't record a walk with {who} this week. Choose 'Someone else' for the next in line."},
    "refuse.with": {"nl": "Met {who} kan ik deze week geen wandeling vastleggen.", "en": "I can't record a walk with {who} this week."},
    "refuse.gone": {"nl": "Deze wandeling bestaat niet meer.", "en": "This walk no longer exists."},
    "gone.dm": {"nl": ("{who} is niet meer bij het team, dus de wandeling van deze week gaat niet door. Wil je met iemand "
                       "anders wandelen? Dat mag, en deze week overslaan mag ook."),
                "en": ("{who} is no longer with the team, so this week's walk won't happen. Would you like to walk with "
                       "someone else? That's fine, and so is letting this week go.")},
    "other.nobody": {"nl": "Er is deze week niemand anders in de rij.", "en": "There's nobody else in line this week."},
    "walks.title": {"nl": "Jouw wandelingen, de afgelopen {weeks} weken:", "en": "Your walks over the last {weeks} weeks:"},
    "walks.none": {"nl": "Nog geen wandelingen in deze periode.", "en": "No walks in this period yet."},
    "walks.line": {"nl": "week {week}: {who} ({status})", "en": "week {week}: {who} ({status})"},
    "walks.waiting": {"nl": "Wacht het langst: {who}", "en": "Waited longest: {who}"},
    "walks.status.proposed": {"nl": "voorgesteld", "en": "suggested"},
    "walks.status.planned": {"nl": "gepland", "en": "planned"},
    "walks.status.done": {"nl": "gewandeld", "en": "walked"},
    "walks.status.skipped": {"nl": "overgeslagen", "en": "skipped"},
    "walks.not_leader": {"nl": ("Wandelen en luisteren is iets van de leidinggevenden. Wil je liever niet gevraagd worden? "
                                "Typ /ritual walks optout; niemand krijgt te zien dat je dat deed."),
                         "en": ("Walk and listen is for leaders. Rather not be asked? Type /ritual walks optout; nobody is "
                                "shown that you did.")},
    "walks.team_small": {"nl": "Er zijn minder dan {minimum} teamleden om mee te wandelen; om niemand aan te wijzen laat ik geen aantallen zien.",
                         "en": "There are fewer than {minimum} team members to walk with; so as not to point at anyone, I show no numbers."},
    "walks.team": {"nl": "In de afgelopen {weeks} weken is met {walked} van de {members} teamleden gewandeld ({walks} wandelingen).",
                   "en": "In the last {weeks} weeks, {walked} of {members} team members were walked with ({walks} walks)."},
    "walks.admin_only": {"nl": "Het overzicht per team is voor beheerders; het laat alleen aantallen zien.",
                         "en": "The team overview is for admins; it only shows counts."},
    "walks.optout": {"nl": "Goed, je wordt niet meer voorgesteld voor een wandeling. Niemand krijgt te zien dat je dit koos. "
                           "Terugdraaien kan met /ritual walks optin.",
                     "en": "Fine, you won't be suggested for a walk any more. Nobody is shown that you chose this. "
                           "Undo it with /ritual walks optin."},
    "walks.optin": {"nl": "Fijn, je kunt weer voorgesteld worden voor een wandeling.", "en": "Good, you can be suggested for a walk again."},
    "walks.with_usage": {"nl": "Gebruik: /ritual walks with @naam", "en": "Usage: /ritual walks with @name"},
    "walks.with_done": {"nl": "Genoteerd: deze week wandel je met {who}.", "en": "Noted: this week you walk with {who}."},
    "walks.help": {"nl": ("/ritual walks: je eigen wandelingen · walks team: aantallen (beheerders) · walks with @naam: zelf "
                          "iemand kiezen · walks optout / optin: wel of niet gevraagd worden"),
                   "en": ("/ritual walks: your own walks · walks team: counts (admins) · walks with @name: choose someone "
                          "yourself · walks optout / optin: be asked or not")},
}


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> datetime:
    year, number = week.split("-W")
    return datetime.combine(date.fromisocalendar(int(year), int(number), 1), datetime.min.time(), tzinfo=UTC)


def waiting_order(candidates: Sequence[str], history: dict[str, tuple[datetime, int]], salt: str) -> list[str]:
    """Least recently walked with first (never walked: first of all); ties by a stable hash."""
    def key(user: str) -> tuple[datetime, int, str]:
        last, times = history.get(user, (_NEVER, 0))
        return last, times, hashlib.sha256(f"{salt}:{times}:{user}".encode()).hexdigest()

    return sorted(dict.fromkeys(candidates), key=key)


class WalkAndListen(Ritual):
    id = "walk_and_listen"
    keeps = {
        "consent": {"nl": "niets meer dan hieronder", "en": "nothing more than below"},
        "needed": {"nl": "met wie en in welke week een wandeling was en of die doorging (nooit wat er gezegd is), "
                         "en of je liever niet wordt voorgesteld",
                   "en": "with whom and in which week a walk was and whether it happened (never what was said), "
                         "and whether you would rather not be proposed"},
    }
    title = {"nl": "Wandelen en luisteren", "en": "Walk and listen"}
    summary = {"nl": "Elke week wandelt een leidinggevende met één teamlid, alleen om te luisteren.",
               "en": "Every week a leader walks with one team member, only to listen."}
    default_schedule = "mon 09:00"
    Options = Options
    texts = TEXTS
    command_help = {"walks": {"nl": "je wandelingen; team, with @naam, optout, optin",
                              "en": "your walks; team, with @name, optout, optin"}}
    demo_answers: dict[str, list[dict[str, str]]] = {}

    def steps(self, options: BaseModel) -> list[Step]:
        assert isinstance(options, Options)
        window = options.leader_timezone_window_hours
        shifted = [Step(f"propose{h:+d}h", timedelta(hours=h)) for h in range(-window, window + 1) if h]
        return [Step("propose"), *shifted, Step("followup", timedelta(hours=options.followup_hours))]

    def handler(self, kind: str, name: str) -> Callable[..., Awaitable[Any]] | None:
        """Every `propose±Nh` step is the one `propose` handler, seen from another hour."""
        if kind == "step" and name.startswith("propose"):
            return self.propose
        return super().handler(kind, name)

    # scheduled steps -------------------------------------------------------------------------

    @step("propose")
    async def propose(self, ctx: RitualContext, occ: Occurrence) -> None:
        options = ctx.options
        assert isinstance(options, Options)
        offset = round((occ.due.replace(tzinfo=None) - occ.scheduled.replace(tzinfo=None)).total_seconds() / 3600)
        week = iso_week(occ.scheduled.date())
        for leader in await ctx.leaders():
            # Served by the first proposal step at or after the leader's own 09:00: a leader whose
            # timezone changed after their step passed is still proposed to, late (issue 12).
            own = await self._leader_offset(ctx, leader, occ, options.leader_timezone_window_hours)
            if own > offset:
                continue
            if any(w.week == week for w in await ctx.store.walks(ctx.team.id, leader)):
                continue  # already proposed (e.g. the leader's timezone changed within the window)
            member = await self._next_member(ctx, leader, week)
            try:
                if member is None:
                    if own == offset:  # said once, at the leader's own moment
                        await ctx.dm(leader, text(await ctx.t_user(leader, "propose.nobody")))
                    continue
                await ctx.store.set_walk(ctx.team.id, leader, week, member, "proposed", ctx.now())
                await ctx.dm(leader, await self._proposal(ctx, leader, member, week, "proposed"))
            except Unreachable:
                continue  # the core noted why; the other leaders still get theirs

    async def _leader_offset(self, ctx: RitualContext, leader: str, occ: Occurrence, window: int) -> int:
        """Hours between the team's and the leader's own scheduled wall time, clamped to the window."""
        name = await ctx.platform.user_timezone(leader)
        try:
            tz = ZoneInfo(name) if name else ctx.team.tz
        except (ZoneInfoNotFoundError, ValueError):
            tz = ctx.team.tz
        own = occ.scheduled.replace(tzinfo=tz)
        hours = round((own - occ.scheduled).total_seconds() / 3600)
        return max(-window, min(window, hours))

    @step("followup")
    async def follow_up(self, ctx: RitualContext, occ: Occurrence) -> None:
        week = iso_week(occ.scheduled.date())
        for leader in sorted(ctx.team.leaders):
            await ctx.delete_state(f"passed:{leader}:{week}")
            walk = next((w for w in await ctx.store.walks(ctx.team.id, leader) if w.week == week), None)
            if walk is None or walk.status not in ("proposed", "planned"):
                continue
            lang_t = await _user_t(ctx, leader)
            await ctx.dm(leader, text(mentioning(lang_t("followup.dm", who=WHO), walk.member_id), buttons=(
                Button("done", lang_t("button.done"), week, "primary"),
                Button("skip", lang_t("button.not_happened"), week))))

    async def people_left(self, ctx: RitualContext, present: frozenset[str]) -> None:
        """A walk still to come with someone who left is off; its leader is told, gently."""
        this_week = iso_week(ctx.local_now().date())
        for walk in await ctx.store.walks(ctx.team.id):
            if walk.week < this_week or walk.status not in ("proposed", "planned") or walk.member_id in present:
                continue
            await ctx.store.set_walk(ctx.team.id, walk.leader_id, walk.week, walk.member_id, "skipped", ctx.now())
            if walk.leader_id in present:
                t = await _user_t(ctx, walk.leader_id)
                await ctx.dm(walk.leader_id, text(mentioning(t("gone.dm", who=WHO), walk.member_id), buttons=(
                    Button("other", t("button.other"), walk.week, "primary"),)))

    # choosing -------------------------------------------------------------------------------------

    async def _eligible(self, ctx: RitualContext, leader: str) -> list[str]:
        blocked = (set(ctx.team.leaders) | set(await ctx.get_state("no_walks") or []) | await ctx.store.away(ctx.team.id)
                   | await ctx.store.opted_out(ctx.team.id) | {leader})
        return [m for m in await ctx.members() if m not in blocked]

    async def _history(self, ctx: RitualContext, leader: str) -> dict[str, tuple[datetime, int]]:
        history: dict[str, tuple[datetime, int]] = {}
        for walk in await ctx.store.walks(ctx.team.id, leader):
            if walk.status in WALKED:
                _, times = history.get(walk.member_id, (_NEVER, 0))
                history[walk.member_id] = (week_start(walk.week), times + 1)
        return history

    async def _queue(self, ctx: RitualContext, leader: str, week: str, passed: Sequence[str] = ()) -> list[str]:
        eligible = [m for m in await self._eligible(ctx, leader) if m not in passed]
        taken = {w.member_id for w in await ctx.store.walks(ctx.team.id) if w.week == week and w.leader_id != leader
                 and w.status != "skipped"}
        free = [m for m in eligible if m not in taken]
        return waiting_order(free or eligible, await self._history(ctx, leader), f"{ctx.team.id}:walks:{leader}")

    async def _next_member(self, ctx: RitualContext, leader: str, week: str, passed: Sequence[str] = ()) -> str | None:
        queue = await self._queue(ctx, leader, week, passed)
        return queue[0] if queue else None

    async def _may_walk_with(self, ctx: RitualContext, leader: str, member: str) -> bool:
        return member in await self._eligible(ctx, leader)

    # messages ---------------------------------------------------------------------------------------

    async def _proposal(self, ctx: RitualContext, leader: str, member: str, week: str, status: str) -> Message:
        t = await _user_t(ctx, leader)
        paragraphs: list[Any] = [mentioning(t("propose.dm", who=WHO), member), t("propose.spirit")]
        buttons: list[Button] = []
        if status == "proposed":
            buttons = [Button("planned", t("button.planned"), week, "primary"), Button("done", t("button.done"), week),
                       Button("other", t("button.other"), week), Button("skip", t("button.skip"), week)]
        elif status == "planned":
            paragraphs.append((Bold(t("status.planned")),))
            buttons = [Button("done", t("button.done"), week, "primary"), Button("skip", t("button.skip"), week)]
        else:
            paragraphs.append((Bold(t(f"status.{status}")),))
        return text(*paragraphs, buttons=buttons)

    # interactions ---------------------------------------------------------------------------------------

    async def _own_walk(self, ctx: InteractionContext, week: str) -> Any:
        if not ctx.is_leader:
            await ctx.reply(text(ctx.user_t("refuse.not_leader")))
            return None
        walk = next((w for w in await ctx.store.walks(ctx.team.id, ctx.user_id) if w.week == week), None)
        if walk is None:
            await ctx.reply(text(ctx.user_t("refuse.gone")))
        return walk

    async def _set(self, ctx: InteractionContext, week: str, member: str, status: str) -> None:
        await ctx.store.set_walk(ctx.team.id, ctx.user_id, week, member, status, ctx.now())
        if ctx.message is not None:
            await ctx.update(ctx.message, await self._proposal(ctx, ctx.user_id, member, week, status))

    async def _record(self, ctx: InteractionContext, week: str, status: str) -> None:
        walk = await self._own_walk(ctx, week)
        if walk is None:
            return
        if status in WALKED and not await self._may_walk_with(ctx, ctx.user_id, walk.member_id):
            await ctx.reply(text(mentioning(ctx.user_t("refuse.member", who=WHO), walk.member_id)))
            return
        invite = status == "planned" and walk.status != "planned"
        await self._set(ctx, week, walk.member_id, status)
        options = ctx.options
        assert isinstance(options, Options)
        if invite and options.invite_member:
            await ctx.dm(walk.member_id, text(mentioning((await _user_t(ctx, walk.member_id))("invite.dm", who=WHO), ctx.user_id)))

    @action("planned")
    async def planned(self, ctx: InteractionContext, week: str) -> None:
        await self._record(ctx, week, "planned")

    @action("done")
    async def done(self, ctx: InteractionContext, week: str) -> None:
        await self._record(ctx, week, "done")

    @action("skip")
    async def skip(self, ctx: InteractionContext, week: str) -> None:
        await self._record(ctx, week, "skipped")

    @action("other")
    async def someone_else(self, ctx: InteractionContext, week: str) -> None:
        walk = await self._own_walk(ctx, week)
        if walk is None:
            return
        passed = list(dict.fromkeys([*(await ctx.get_state(f"passed:{ctx.user_id}:{week}") or []), walk.member_id]))
        member = await self._next_member(ctx, ctx.user_id, week, passed)
        if member is None:
            await ctx.reply(text(ctx.user_t("other.nobody")))
            return
        await ctx.put_state(f"passed:{ctx.user_id}:{week}", passed)
        await self._set(ctx, week, member, "proposed")

    # commands -------------------------------------------------------------------------------------------

    @command("walks")
    async def walks(self, ctx: InteractionContext, args: list[str]) -> None:
        sub = args[0].lower() if args else ""
        if sub in ("optout", "optin"):
            await self._opt(ctx, sub == "optout")
        elif sub == "team":
            await self._team_counts(ctx)
        elif sub == "with":
            await self._walk_with(ctx, args[1:])
        elif sub == "":
            await self._coverage(ctx)
        else:
            await ctx.reply(text(ctx.user_t("walks.help")))

    async def personal_data(self, ctx: RitualContext, user_id: str) -> dict[str, Any]:
        return {"no_walks": True} if user_id in (await ctx.get_state("no_walks") or []) else {}

    async def forget_person(self, ctx: RitualContext, user_id: str) -> None:
        current = await ctx.get_state("no_walks") or []
        if user_id in current:
            await ctx.put_state("no_walks", [u for u in current if u != user_id])

    async def _opt(self, ctx: InteractionContext, out: bool) -> None:
        """A private choice, kept as a list in the ritual's state (not a row about the person)."""
        current = set(await ctx.get_state("no_walks") or [])
        current = current | {ctx.user_id} if out else current - {ctx.user_id}
        await ctx.put_state("no_walks", sorted(current))
        await ctx.reply(text(ctx.user_t("walks.optout" if out else "walks.optin")))

    async def _coverage(self, ctx: InteractionContext) -> None:
        if not ctx.is_leader:
            await ctx.reply(text(ctx.user_t("walks.not_leader")))
            return
        options = ctx.options
        assert isinstance(options, Options)
        since = iso_week((ctx.local_now() - timedelta(weeks=options.coverage_weeks)).date())
        paragraphs: list[Any] = [(Bold(ctx.user_t("walks.title", weeks=options.coverage_weeks)),)]
        recent = [w for w in await ctx.store.walks(ctx.team.id, ctx.user_id) if w.week > since]
        for w in recent:
            status = ctx.user_t(f"walks.status.{w.status}")
            paragraphs.append(mentioning(ctx.user_t("walks.line", week=w.week.split("-W")[1], who=WHO, status=status), w.member_id))
        if not recent:
            paragraphs.append(ctx.user_t("walks.none"))
        queue = await self._queue(ctx, ctx.user_id, iso_week(ctx.local_now().date()))
        if queue:
            waiting: list[Any] = [ctx.user_t("walks.waiting", who="")]
            for i, member in enumerate(queue[:3]):
                waiting += ([", "] if i else []) + [Mention(member)]
            paragraphs.append(tuple(waiting))
        await ctx.reply(text(*paragraphs))

    async def _team_counts(self, ctx: InteractionContext) -> None:
        if not ctx.is_admin:
            await ctx.reply(text(ctx.user_t("walks.admin_only")))
            return
        options = ctx.options
        assert isinstance(options, Options)
        since = iso_week((ctx.local_now() - timedelta(weeks=options.coverage_weeks)).date())
        members = [m for m in await ctx.counted_members() if not ctx.team.is_leader(m)]
        if len(members) < MINIMUM_GROUP:  # a number for so few people points at someone
            await ctx.reply(text(ctx.user_t("walks.team_small", minimum=MINIMUM_GROUP)))
            return
        done = [w for w in await ctx.store.walks(ctx.team.id) if w.week > since and w.status == "done"
                and w.member_id in members]
        walked = {w.member_id for w in done}
        await ctx.reply(text(ctx.user_t("walks.team", weeks=options.coverage_weeks, walked=len(walked),
                                   members=len(members), walks=len(done))))

    async def _walk_with(self, ctx: InteractionContext, args: list[str]) -> None:
        if not ctx.is_leader:
            await ctx.reply(text(ctx.user_t("walks.not_leader")))
            return
        if len(args) != 1:
            await ctx.reply(text(ctx.user_t("walks.with_usage")))
            return
        member = ctx.user_ref(args[0])
        if member is None:
            await ctx.reply(text(ctx.user_t("walks.with_usage")))
            return
        if not await self._may_walk_with(ctx, ctx.user_id, member):
            await ctx.reply(text(mentioning(ctx.user_t("refuse.with", who=WHO), member)))
            return
        week = iso_week(ctx.local_now().date())
        await ctx.store.set_walk(ctx.team.id, ctx.user_id, week, member, "planned", ctx.now())
        await ctx.reply(text(mentioning(ctx.user_t("walks.with_done", who=WHO), member)))


async def _user_t(ctx: RitualContext, user: str) -> Callable[..., str]:
    """A translator for one person's texts: their language is looked up once."""
    language = await ctx.user_language(user)

    def t(key: str, **values: object) -> str:
        return translate(ctx.ritual.texts, key, language, **values)

    return t
