"""Wandelen en luisteren: each week a leader walks with one team member, only to listen.

Steps of one occurrence (default Monday 09:00):
- `propose` (and, within `leader_timezone_window_hours`, hourly variants `propose-2h`,
  `propose+1h`, ...): each leader gets a DM naming one member, at 09:00 in the leader's own
  timezone when the platform knows it (rounded to the hour, clamped to the window);
- `followup`, `followup_hours` later: one gentle question to a leader whose walk was not
  marked done. Only one.

Rotation per team (`walk_turns.py`): the leaders share the members; whoever was walked
with least recently by anyone in the team goes first, and whoever was suggested last week
without a walk waits behind the others (no nagging). Never the leader, other leaders,
members who said "no walks for me", who are away, or who opted out of the bot. A member
who is invited can say "Rather not"; the leader hears it kindly, without a reason. Only
the fact of a walk is stored (leader, member, week, status), never anything said. Admins
see counts per team, never per person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.i18n import translate
from bot.insights import MINIMUM_GROUP
from bot.messages import WHO, Bold, Button, Mention, Message, mentioning, text
from bot.platform import Unreachable
from bot.ritual import Ritual, Step, action, button, command, step
from rituals import walk_store, walk_turns
from rituals.walk_texts import TEXTS

WALKED = walk_turns.WALKED


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


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> datetime:
    year, number = week.split("-W")
    return datetime.combine(date.fromisocalendar(int(year), int(number), 1), datetime.min.time(), tzinfo=UTC)


class WalkAndListen(Ritual[Options]):
    id = "walk_and_listen"
    # who a leader passed over, per ISO week: the week before the current one is still needed
    state_lifetime = {"passed:": timedelta(days=21)}
    # the walks themselves: facts only, in the ritual's own table (`walk_store.py`)
    tables = (walk_store.WALKS,)
    default_schedule = "mon 09:00"
    texts = TEXTS
    # its title, summary, what it keeps, its steps and commands: the `ritual.*` messages of TEXTS
    demo_answers: dict[str, list[dict[str, str]]] = {}

    def steps(self, options: Options) -> list[Step]:
        window = options.leader_timezone_window_hours
        # every `propose±Nh` step is the one `propose` handler, seen from another hour
        shifted = [Step(f"propose{h:+d}h", timedelta(hours=h), runs="propose") for h in range(-window, window + 1) if h]
        return [Step("propose"), *shifted, Step("followup", timedelta(hours=options.followup_hours))]

    # scheduled steps -------------------------------------------------------------------------

    @step("propose")
    async def propose(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        options = ctx.options
        offset = round((occ.due.replace(tzinfo=None) - occ.scheduled.replace(tzinfo=None)).total_seconds() / 3600)
        week = iso_week(occ.scheduled.date())
        await self._forget_old_passes(ctx, week)
        for leader in await ctx.leaders():
            # Served by the first proposal step at or after the leader's own 09:00: a leader whose
            # timezone changed after their step passed is still proposed to, late (issue 12).
            own = await self._leader_offset(ctx, leader, occ, options.leader_timezone_window_hours)
            if own > offset:
                continue
            if any(w.week == week for w in await walk_store.walks(ctx.store, leader)):
                continue  # already proposed (e.g. the leader's timezone changed within the window)
            member = await self._next_member(ctx, leader, week)
            try:
                if member is None:
                    if own == offset:  # said once, at the leader's own moment
                        await ctx.dm(leader, text(await ctx.t_user(leader, "propose.nobody")))
                    continue
                await walk_store.set_walk(ctx.store, leader, week, member, "proposed")
                await ctx.dm(leader, await self._proposal(ctx, leader, member, week, "proposed"))
            except Unreachable:
                continue  # the core noted why; the other leaders still get theirs

    async def _leader_offset(self, ctx: RitualContext[Options], leader: str, occ: Occurrence, window: int) -> int:
        """Hours between the team's and the leader's own scheduled wall time, clamped to the window."""
        name = await ctx.user_timezone(leader)
        try:
            tz = ZoneInfo(name) if name else ctx.team.tz
        except (ZoneInfoNotFoundError, ValueError):
            tz = ctx.team.tz
        own = occ.scheduled.replace(tzinfo=tz)
        hours = round((own - occ.scheduled).total_seconds() / 3600)
        return max(-window, min(window, hours))

    @step("followup")
    async def follow_up(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        week = iso_week(occ.scheduled.date())
        for leader in sorted(ctx.team.leaders):
            walk = next((w for w in await walk_store.walks(ctx.store, leader) if w.week == week), None)
            if walk is None or walk.status not in ("proposed", "planned"):
                continue
            lang_t = await _user_t(ctx, leader)
            await ctx.dm(leader, text(mentioning(lang_t("followup.dm", who=WHO), walk.member_id), buttons=(
                button(self.done, lang_t("button.done"), week, "primary"),
                button(self.skip, lang_t("button.not_happened"), week))))

    async def people_left(self, ctx: RitualContext[Options], present: frozenset[str]) -> None:
        """A walk still to come with someone who left is off; its leader is told, gently."""
        this_week = iso_week(ctx.local_now().date())
        for walk in await walk_store.walks(ctx.store):
            if walk.week < this_week or walk.status not in ("proposed", "planned") or walk.member_id in present:
                continue
            await walk_store.set_walk(ctx.store, walk.leader_id, walk.week, walk.member_id, "skipped")
            if walk.leader_id in present:
                t = await _user_t(ctx, walk.leader_id)
                await ctx.dm(walk.leader_id, text(mentioning(t("gone.dm", who=WHO), walk.member_id), buttons=(
                    button(self.someone_else, t("button.other"), walk.week, "primary"),)))

    # choosing -------------------------------------------------------------------------------------

    async def _eligible(self, ctx: RitualContext[Options], leader: str) -> list[str]:
        blocked = (set(ctx.team.leaders) | set(await ctx.get_state("no_walks") or []) | await ctx.store.away()
                   | await ctx.store.opted_out() | {leader})
        return [m for m in await ctx.members() if m not in blocked]

    async def _team_walks(self, ctx: RitualContext[Options]) -> list[walk_turns.Walk]:
        return [walk_turns.Walk(w.leader_id, w.member_id, w.week, w.status) for w in await walk_store.walks(ctx.store)]

    async def _queue(self, ctx: RitualContext[Options], leader: str, week: str) -> list[str]:
        """Who waits longest in the team (for `/ritual walks`), as `walk_turns.queue` orders them."""
        return walk_turns.queue(await self._eligible(ctx, leader), await self._team_walks(ctx), week=week,
                                salt=f"{ctx.team.id}:walks", earlier=await self._passed_over(ctx))

    async def _next_member(self, ctx: RitualContext[Options], leader: str, week: str, passed: Sequence[str] = ()) -> str | None:
        return walk_turns.next_for(leader, await self._eligible(ctx, leader), await self._team_walks(ctx), week=week,
                                   salt=f"{ctx.team.id}:walks", passed=passed, earlier=await self._passed_over(ctx))

    async def _passed_over(self, ctx: RitualContext[Options]) -> list[walk_turns.Walk]:
        """Suggestions a leader passed over ("someone else"; also after "rather not"), kept until
        the next week's proposals so that nobody is suggested again straight away."""
        found = []
        for key, members in await ctx.state_items("passed:"):
            leader, _, week = key.removeprefix("passed:").rpartition(":")
            found += [walk_turns.Walk(leader, m, week, "passed") for m in members]
        return found

    async def _forget_old_passes(self, ctx: RitualContext[Options], week: str) -> None:
        walks = await self._team_walks(ctx) + await self._passed_over(ctx)
        previous = walk_turns.previous_week(walks, week)
        for key, _ in await ctx.state_items("passed:"):
            if key.rpartition(":")[2] < (previous or week):
                await ctx.delete_state(key)

    async def _may_walk_with(self, ctx: RitualContext[Options], leader: str, member: str) -> bool:
        return member in await self._eligible(ctx, leader)

    # messages ---------------------------------------------------------------------------------------

    async def _proposal(self, ctx: RitualContext[Options], leader: str, member: str, week: str, status: str) -> Message:
        t = await _user_t(ctx, leader)
        paragraphs: list[Any] = [mentioning(t("propose.dm", who=WHO), member), t("propose.spirit")]
        buttons: list[Button] = []
        if status == "proposed":
            buttons = [button(self.planned, t("button.planned"), week, "primary"), button(self.done, t("button.done"), week),
                       button(self.someone_else, t("button.other"), week), button(self.skip, t("button.skip"), week)]
        elif status == "planned":
            paragraphs.append((Bold(t("status.planned")),))
            buttons = [button(self.done, t("button.done"), week, "primary"), button(self.skip, t("button.skip"), week)]
        else:
            paragraphs.append((Bold(t(f"status.{status}")),))
        return text(*paragraphs, buttons=buttons)

    # interactions ---------------------------------------------------------------------------------------

    async def _own_walk(self, ctx: InteractionContext[Options], week: str) -> Any:
        if not ctx.is_leader:
            await ctx.reply(text(ctx.user_t("refuse.not_leader")))
            return None
        walk = next((w for w in await walk_store.walks(ctx.store, ctx.user_id) if w.week == week), None)
        if walk is None:
            await ctx.reply(text(ctx.user_t("refuse.gone")))
        return walk

    async def _set(self, ctx: InteractionContext[Options], week: str, member: str, status: str) -> None:
        await walk_store.set_walk(ctx.store, ctx.user_id, week, member, status)
        if ctx.message is not None:
            await ctx.update(ctx.message, await self._proposal(ctx, ctx.user_id, member, week, status))

    async def _record(self, ctx: InteractionContext[Options], week: str, status: str) -> None:
        walk = await self._own_walk(ctx, week)
        if walk is None:
            return
        # The member said "rather not": the buttons still on the leader's proposal record nothing more.
        declined = walk.status == "declined" and status != "skipped"
        if declined or (status in WALKED and not await self._may_walk_with(ctx, ctx.user_id, walk.member_id)):
            await ctx.reply(text(mentioning(ctx.user_t("refuse.member", who=WHO), walk.member_id)))
            return
        invite = status == "planned" and walk.status != "planned"
        await self._set(ctx, week, walk.member_id, status)
        if invite:
            await self._invite(ctx, walk.member_id, week)

    async def _invite(self, ctx: InteractionContext[Options], member: str, week: str) -> None:
        """A walk is planned: the member hears it privately and may say "rather not" (unless
        the team switched `invite_member` off)."""
        if not ctx.options.invite_member:
            return
        t = await _user_t(ctx, member)
        await ctx.dm(member, text(mentioning(t("invite.dm", who=WHO), ctx.user_id), buttons=(
            button(self.rather_not, t("button.decline"), f"{ctx.user_id}|{week}"),)))

    @action("planned")
    async def planned(self, ctx: InteractionContext[Options], week: str) -> None:
        await self._record(ctx, week, "planned")

    @action("done")
    async def done(self, ctx: InteractionContext[Options], week: str) -> None:
        await self._record(ctx, week, "done")

    @action("skip")
    async def skip(self, ctx: InteractionContext[Options], week: str) -> None:
        await self._record(ctx, week, "skipped")

    @action("decline")
    async def rather_not(self, ctx: InteractionContext[Options], value: str) -> None:
        """The invited member would rather not: the leader is told kindly, without a reason."""
        leader, _, week = value.partition("|")
        walk = next((w for w in await walk_store.walks(ctx.store, leader) if w.week == week), None)
        if walk is None or walk.member_id != ctx.user_id or walk.status not in ("proposed", "planned"):
            await ctx.reply(text(ctx.user_t("decline.gone")))
            return
        await walk_store.set_walk(ctx.store, leader, week, ctx.user_id, "declined")
        await ctx.reply(text(mentioning(ctx.user_t("decline.done", who=WHO), leader)))
        t = await _user_t(ctx, leader)
        try:
            await ctx.dm(leader, text(mentioning(t("decline.leader", who=WHO), ctx.user_id),
                                      buttons=(button(self.someone_else, t("button.other"), week, "primary"),)))
        except Unreachable:
            pass  # the leader's account is gone; the core noted why, and the walk is off anyway

    @action("other")
    async def someone_else(self, ctx: InteractionContext[Options], week: str) -> None:
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
    async def walks(self, ctx: InteractionContext[Options], args: list[str]) -> None:
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

    async def personal_data(self, ctx: RitualContext[Options], user_id: str) -> dict[str, Any]:
        found: dict[str, Any] = {"no_walks": True} if user_id in (await ctx.get_state("no_walks") or []) else {}
        passed = [key.removeprefix("passed:") for key, members in await ctx.state_items("passed:") if user_id in members]
        if passed:
            found["passed_over_for_a_walk"] = passed
        return found

    async def forget_person(self, ctx: RitualContext[Options], user_id: str) -> None:
        current = await ctx.get_state("no_walks") or []
        if user_id in current:
            await ctx.put_state("no_walks", [u for u in current if u != user_id])
        for key, members in await ctx.state_items("passed:"):
            if user_id in members:
                await ctx.update_state(key, lambda m: [u for u in m or [] if u != user_id])

    async def _opt(self, ctx: InteractionContext[Options], out: bool) -> None:
        """A private choice, kept as a list in the ritual's state (not a row about the person)."""
        current = set(await ctx.get_state("no_walks") or [])
        current = current | {ctx.user_id} if out else current - {ctx.user_id}
        await ctx.put_state("no_walks", sorted(current))
        await ctx.reply(text(ctx.user_t("walks.optout" if out else "walks.optin")))

    async def _coverage(self, ctx: InteractionContext[Options]) -> None:
        if not ctx.is_leader:
            await ctx.reply(text(ctx.user_t("walks.not_leader")))
            return
        options = ctx.options
        since = iso_week((ctx.local_now() - timedelta(weeks=options.coverage_weeks)).date())
        paragraphs: list[Any] = [(Bold(ctx.user_t("walks.title", weeks=options.coverage_weeks)),)]
        recent = [w for w in await walk_store.walks(ctx.store, ctx.user_id) if w.week > since]
        for w in recent:
            status = ctx.user_t(f"walks.status.{w.status}")
            paragraphs.append(mentioning(ctx.user_t("walks.line", week=w.week.split("-W")[1], who=WHO, status=status), w.member_id))
        if not recent:
            paragraphs.append(ctx.user_t("walks.none"))
        # After this week's walks: who was just walked with does not "wait longest".
        queue = await self._queue(ctx, ctx.user_id, iso_week((ctx.local_now() + timedelta(weeks=1)).date()))
        if queue:
            waiting: list[Any] = [ctx.user_t("walks.waiting", who="")]
            for i, member in enumerate(queue[:3]):
                waiting += ([", "] if i else []) + [Mention(member)]
            paragraphs.append(tuple(waiting))
        await ctx.reply(text(*paragraphs))

    async def _team_counts(self, ctx: InteractionContext[Options]) -> None:
        if not ctx.is_admin:
            await ctx.reply(text(ctx.user_t("walks.admin_only")))
            return
        options = ctx.options
        since = iso_week((ctx.local_now() - timedelta(weeks=options.coverage_weeks)).date())
        members = [m for m in await ctx.counted_members() if not ctx.team.is_leader(m)]
        if len(members) < MINIMUM_GROUP:  # a number for so few people points at someone
            await ctx.reply(text(ctx.user_t("walks.team_small", minimum=MINIMUM_GROUP)))
            return
        done = [w for w in await walk_store.walks(ctx.store) if w.week > since and w.status == "done"
                and w.member_id in members]
        walked = {w.member_id for w in done}
        await ctx.reply(text(ctx.user_t("walks.team", weeks=options.coverage_weeks, walked=len(walked),
                                   members=len(members), walks=len(done))))

    async def _walk_with(self, ctx: InteractionContext[Options], args: list[str]) -> None:
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
        before = next((w for w in await walk_store.walks(ctx.store, ctx.user_id) if w.week == week), None)
        if before is not None and before.member_id == member and before.status == "declined":
            await ctx.reply(text(mentioning(ctx.user_t("refuse.member", who=WHO), member)))  # "rather not" stands
            return
        await walk_store.set_walk(ctx.store, ctx.user_id, week, member, "planned")
        await ctx.reply(text(mentioning(ctx.user_t("walks.with_done", who=WHO), member)))
        if before is None or before.member_id != member or before.status != "planned":
            await self._invite(ctx, member, week)  # as a planned proposal does: they may say "rather not"


async def _user_t(ctx: RitualContext[Options], user: str) -> Callable[..., str]:
    """A translator for one person's texts: their language is looked up once."""
    language = await ctx.user_language(user)

    def t(key: str, **values: object) -> str:
        return translate(ctx.ritual.texts, key, language, **values)

    return t
