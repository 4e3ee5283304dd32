"""Weeksucces en weekfout: every week people share one thing that went well and one that
went wrong. Less shame, more openness.

Steps of one occurrence (default Friday 14:00, the team's local time):
- `sharer`, a day before: the member whose turn it is (fair rotation) gets a friendly DM
  asking them to open the round at the team meeting, with "Not this week" (the next in
  line is asked, nobody is told who passed) and "Leave the rotation" (`weekly_turns.py`);
- `prompt`: a warm prompt in the team channel with a button that opens the form;
- `digest`, six days later: how many people shared (people, not posts), and the lessons
  people chose to share.

Answers go in the prompt's thread, named or anonymous. They are stored only for people
who opted in and shared with their name; an anonymous answer is never kept and changes
nothing about its author. The bot never names or reminds, in public, anyone who did not
share, and nobody hears who passed their turn.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.i18n import PoCatalog
from bot.messages import (
    WHO,
    Bold,
    FieldKind,
    Form,
    FormField,
    MessageRef,
    UserText,
    mentioning,
    text,
)
from bot.platform import FormResult, Unreachable
from bot.ritual import Ritual, Step, action, button, command, form, form_id, step
from rituals import weekly_turns

MAX_ANSWER = 1500


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sharer_notice_hours: int = Field(default=24, ge=0, le=7 * 24, description="how long before the prompt the week's sharer gets a DM (0: no DM)")
    digest_after_hours: int = Field(default=144, ge=1, le=7 * 24 - 1, description="how long after the prompt the digest is posted")
    ask_lesson: bool = Field(default=True, description="ask, optionally, what was learned")
    allow_anonymous: bool = Field(default=True, description="let people share without their name")


TEXTS = PoCatalog("rituals", "weekly_success_mistake")
"""Texts in rituals/locale/<language>/LC_MESSAGES/weekly_success_mistake.po"""


class WeeklySuccessMistake(Ritual[Options]):
    id = "weekly_success_mistake"
    # whose turn it is, who passed, the week's post counts: until the look-back (at most a week)
    state_lifetime = {"sharer:": timedelta(days=8), "passed:": timedelta(days=8), "people:": timedelta(days=8),
                      "count:": timedelta(days=8)}
    default_schedule = "fri 14:00"
    texts = TEXTS
    # its title, summary, what it keeps, its steps and commands: the `ritual.*` messages of TEXTS
    demo_answers = {
        "answer:nl": [
            {"success": "Het huisbezoek dat ik spannend vond, liep goed: we hebben echt samen naar oplossingen gezocht.",
             "mistake": "Ik heb een terugbelverzoek laten liggen tot vrijdag.", "lesson": "Meteen in mijn agenda zetten.",
             "share_as": "named"},
            {"success": "Een collega heeft me geholpen met een lastig gesprek; dat luchtte op.",
             "mistake": "Ik zei ja tegen een extra casus terwijl mijn week al vol zat.",
             "lesson": "Eerst even kijken voor ik ja zeg.", "share_as": "anonymous"},
            {"success": "Het overleg met school ging soepel.", "mistake": "Ik was te laat met het verslag.",
             "lesson": "", "share_as": "named"},
        ],
        "answer:en": [
            {"success": "A parent meeting I dreaded went well: we looked for solutions together.",
             "mistake": "I left a call-back request until Friday.", "lesson": "Put it in my calendar straight away.",
             "share_as": "named"},
            {"success": "A colleague helped me with a hard conversation.", "mistake": "I took on an extra case in a full week.",
             "lesson": "Check my week before saying yes.", "share_as": "anonymous"},
        ],
    }

    def __init__(self) -> None:
        # (team id, occurrence) -> the week's people record with its fingerprint key, in this
        # process's memory only (`weekly_turns.py`: stored, it would tell who shared anonymously).
        self._weeks: dict[tuple[str, str], dict[str, Any]] = {}

    def _weeks_of(self, team_id: str) -> list[tuple[tuple[str, str], dict[str, Any]]]:
        return [(where, week) for where, week in self._weeks.items() if where[0] == team_id]

    def steps(self, options: Options) -> list[Step]:
        steps = [Step("prompt"), Step("digest", timedelta(hours=options.digest_after_hours))]
        if options.sharer_notice_hours:
            steps.insert(0, Step("sharer", -timedelta(hours=options.sharer_notice_hours)))
        return steps

    # scheduled steps --------------------------------------------------------------------------

    @step("sharer")
    async def choose_sharer(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        for key, _ in await ctx.state_items("sharer:"):
            if key.removeprefix("sharer:") < occ.key:
                await self._settle(ctx, key.removeprefix("sharer:"))  # last week's turn, if the digest has not yet
        await self._ask_next(ctx, occ.key)

    async def _ask_next(self, ctx: RitualContext[Options], occurrence: str) -> None:
        """Ask the next in line for this week (not marked as chosen: a turn counts once the week is over)."""
        pool = weekly_turns.candidates(await ctx.members(), passed=await ctx.get_state(f"passed:{occurrence}") or [],
                                       left=await ctx.get_state("no_turns") or [])
        refused: list[str] = []
        while True:
            sharer = await ctx.pick_next("sharer", pool, mark=False, exclude=refused)
            if sharer is None:
                await ctx.delete_state(f"sharer:{occurrence}")
                return
            await ctx.put_state(f"sharer:{occurrence}", sharer)
            try:
                await ctx.dm(sharer, text(await ctx.t_user(sharer, "sharer.dm"), buttons=(
                    button(self.pass_turn, await ctx.t_user(sharer, "button.pass"), occurrence),
                    button(self.leave_rotation, await ctx.t_user(sharer, "button.leave"), occurrence))))
                return
            except Unreachable:  # the platform refused the DM (account gone): the core noted why; next one
                refused.append(sharer)

    async def _settle(self, ctx: RitualContext[Options], occurrence: str) -> None:
        """The week is over: the sharer who kept their turn has had it (for the fair rotation)."""
        sharer = await ctx.get_state(f"sharer:{occurrence}")
        if sharer:
            await ctx.store.mark_chosen("sharer", sharer, _occurrence_time(ctx, occurrence))
        await ctx.delete_state(f"sharer:{occurrence}")
        await ctx.delete_state(f"passed:{occurrence}")

    @step("prompt")
    async def post_prompt(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        sharer = await ctx.get_state(f"sharer:{occ.key}")
        if sharer and sharer in await ctx.store.away() | await ctx.store.opted_out():
            # Fell ill (marked away) or stopped since the DM: the next in line is asked; the turn is not theirs.
            await ctx.update_state(f"passed:{occ.key}", lambda p: sorted({*(p or []), sharer}))
            await self._ask_next(ctx, occ.key)
        paragraphs: list[Any] = [(Bold(ctx.team_t("prompt")),), ctx.team_t("prompt.body")]
        paragraphs.append(ctx.team_t("prompt.privacy"))
        ref = await ctx.post(text(*paragraphs, buttons=(
            button(self.open_share_form, ctx.team_t("button.share"), occ.key, "primary"),
            button(self.explain_privacy, ctx.team_t("button.privacy")))))
        await self._prompt_posted(ctx, occ.key, ref)

    async def _prompt_posted(self, ctx: RitualContext[Options], occurrence: str, ref: MessageRef) -> None:
        """The week's round is open: answers go in the prompt's thread until the digest."""
        await ctx.put_states({f"prompt:{occurrence}": {"channel": ref.channel, "id": ref.id}, "open": occurrence})

    @step("digest")
    async def post_digest(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        await self._settle(ctx, occ.key)
        week = self._weeks.pop((ctx.team.id, occ.key), None)  # the week is over: nothing to count under it any more
        if await ctx.get_state(f"prompt:{occ.key}") is None:
            return  # no prompt went out for this week (new team, paused, holiday): nothing to look back on
        unit, count = weekly_turns.told(week, await ctx.get_state(f"people:{occ.key}"))
        if await ctx.get_state("open") == occ.key:
            await ctx.delete_state("open")
        paragraphs: list[Any] = [(Bold(ctx.team_t("digest.title")),)]
        if count == 0:
            paragraphs.append(ctx.team_t("digest.none"))
        else:
            if unit == "posts":  # a number of people would say who shared anonymously (weekly_turns.told)
                paragraphs.append(ctx.team_t("digest.posts", count=count))
            else:
                paragraphs.append(ctx.team_t("digest.count", count=count))
            lessons = [r.content["lesson"] for r in await ctx.store.responses(occurrence=occ.key)
                       if r.content.get("lesson")]
            if lessons:
                paragraphs.append(ctx.team_t("digest.lessons"))
                paragraphs.extend(("• ", UserText(lesson)) for lesson in lessons)
        await ctx.post(text(*paragraphs))
        await self._digest_posted(ctx, occ.key)

    async def _digest_posted(self, ctx: RitualContext[Options], occurrence: str) -> None:
        """The week is looked back on: its counts go, and its thread takes no more answers."""
        for key in (f"people:{occurrence}", f"count:{occurrence}", f"prompt:{occurrence}"):
            await ctx.delete_state(key)

    async def recovered(self, ctx: RitualContext[Options], occ: Occurrence, posted: MessageRef) -> None:
        """The prompt or digest went out from a replica that died before recording it."""
        if occ.step == "prompt":
            await self._prompt_posted(ctx, occ.key, posted)
        elif occ.step == "digest":
            await self._digest_posted(ctx, occ.key)

    # data rights -----------------------------------------------------------------------------------

    async def personal_data(self, ctx: RitualContext[Options], user_id: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        turns = [key.removeprefix("sharer:") for key, who in await ctx.state_items("sharer:") if who == user_id]
        if turns:
            found["sharer_for_week_of"] = turns
        passed = [key.removeprefix("passed:") for key, who in await ctx.state_items("passed:") if user_id in who]
        if passed:
            found["passed_turn_in_week_of"] = passed
        if user_id in (await ctx.get_state("no_turns") or []):
            found["left_the_sharer_rotation"] = True
        counted = [occurrence for (_, occurrence), week in self._weeks_of(ctx.team.id)
                   if weekly_turns.counted(week, user_id, week["key"])]
        if counted:
            found["counted_as_sharing_in_week_of"] = counted
        return found

    async def forget_person(self, ctx: RitualContext[Options], user_id: str) -> None:
        for key, who in await ctx.state_items("sharer:"):
            if who == user_id:
                await ctx.delete_state(key)
        for key, who in await ctx.state_items("passed:"):
            if user_id in who:
                await ctx.update_state(key, lambda p: [u for u in p or [] if u != user_id])
        if user_id in (await ctx.get_state("no_turns") or []):
            await ctx.update_state("no_turns", lambda n: [u for u in n or [] if u != user_id])
        for where, week in self._weeks_of(ctx.team.id):
            self._weeks[where] = {**(weekly_turns.without_person(week, user_id, week["key"]) or {}), "key": week["key"]}

    # interactions --------------------------------------------------------------------------------

    @action("share")
    async def open_share_form(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        if await ctx.get_state(f"prompt:{occurrence}") is None:
            await ctx.reply(text(ctx.user_t("form.closed")))
            return
        options = ctx.options
        fields = [
            FormField("success", ctx.user_t("form.success"), FieldKind.MULTILINE, max_length=MAX_ANSWER),
            FormField("mistake", ctx.user_t("form.mistake"), FieldKind.MULTILINE, max_length=MAX_ANSWER),
        ]
        if options.ask_lesson:
            fields.append(FormField("lesson", ctx.user_t("form.lesson"), FieldKind.MULTILINE, required=False,
                                    max_length=MAX_ANSWER))
        await ctx.open_form(Form(form_id(self.receive_answer), ctx.user_t("form.title"), tuple(fields), ctx.user_t("form.submit"),
                                 state=occurrence, anonymous=options.allow_anonymous))

    @action("privacy")
    async def explain_privacy(self, ctx: InteractionContext[Options], value: str) -> None:
        await ctx.offer_consent()

    @form("answer")
    async def receive_answer(self, ctx: InteractionContext[Options], occurrence: str, values: dict[str, Any]) -> FormResult:
        """The core has checked the fields, the guard and the roster; this posts and keeps."""
        answer: dict[str, str] = {k: values.get(k) or "" for k in ("success", "mistake", "lesson")}
        prompt = await ctx.get_state(f"prompt:{occurrence}")
        if prompt is None:
            return FormResult({"success": ctx.user_t("form.closed")})
        anonymous = ctx.anonymous
        head: tuple[Any, ...] = ((Bold(ctx.team_t("answer.anonymous")),) if anonymous
                                 else mentioning(ctx.team_t("answer.named", who=WHO), ctx.user_id))
        paragraphs: list[Any] = [head, (ctx.team_t("answer.success"), UserText(answer["success"])),
                                 (ctx.team_t("answer.mistake"), UserText(answer["mistake"]))]
        if answer["lesson"]:
            paragraphs.append((ctx.team_t("answer.lesson"), UserText(answer["lesson"])))
        thread = MessageRef(channel=prompt["channel"], id=prompt["id"])
        await ctx.post(text(*paragraphs), thread=thread)
        for where in [w for w in self._weeks if w[0] == ctx.team.id and w[1] != occurrence]:
            try:  # a week whose look-back never ran (paused): its fingerprints go with its state
                began = datetime.fromisoformat(where[1]).replace(tzinfo=ctx.team.tz)
            except ValueError:
                continue
            if ctx.now() - began > self.state_lifetime["people:"]:
                del self._weeks[where]
        week = self._weeks.get((ctx.team.id, occurrence)) or {"key": weekly_turns.new_week_key()}
        self._weeks[(ctx.team.id, occurrence)] = {
            **weekly_turns.with_person(week, ctx.user_id, week["key"], anonymous=anonymous), "key": week["key"]}
        await ctx.update_state(f"people:{occurrence}", partial(weekly_turns.with_post, anonymous=anonymous))
        await ctx.count_participation()
        content = {k: v for k, v in answer.items() if v}
        stored = await ctx.save_answer(ctx.user_id, anonymous=anonymous, kind="answer", content=content,
                                       occurrence=occurrence)
        if anonymous:
            await ctx.confirm(text(ctx.user_t("answer.thanks_anonymous")))
        elif stored:
            await ctx.confirm(text(ctx.user_t("answer.thanks_stored")))
        elif (await ctx.consent(ctx.user_id)).value == "unknown":
            await ctx.offer_consent(ctx.user_t("answer.thanks_not_stored"))
        else:
            await ctx.confirm(text(ctx.user_t("answer.thanks_not_stored")))
        return FormResult()

    # turns ------------------------------------------------------------------------------------------

    @action("pass")
    async def pass_turn(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        """Not this week: the next in line is asked; nobody is told who passed; the turn is not taken."""
        if await ctx.get_state(f"prompt:{occurrence}") is None and await ctx.get_state(f"sharer:{occurrence}") is None:
            await ctx.reply(text(ctx.user_t("pass.late")))
            return
        if await ctx.get_state(f"sharer:{occurrence}") != ctx.user_id:
            await ctx.reply(text(ctx.user_t("pass.not_yours")))
            return
        await self._step_aside(ctx, occurrence)
        await ctx.reply(text(ctx.user_t("pass.done")))

    @action("leave")
    async def leave_rotation(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        if await ctx.get_state(f"sharer:{occurrence}") == ctx.user_id:
            await self._step_aside(ctx, occurrence)
        await self._set_turns(ctx, leave=True)

    async def _step_aside(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        user = ctx.user_id
        await ctx.update_state(f"passed:{occurrence}", lambda p: sorted({*(p or []), user}))
        await ctx.delete_state(f"sharer:{occurrence}")
        if await ctx.get_state(f"prompt:{occurrence}") is None:  # before the meeting: someone else can still open it
            await self._ask_next(ctx, occurrence)

    @command("sharer")
    async def sharer_command(self, ctx: InteractionContext[Options], args: list[str]) -> None:
        sub = args[0].lower() if args else ""
        if sub in ("optout", "optin"):
            await self._set_turns(ctx, leave=sub == "optout")
        else:
            await ctx.reply(text(ctx.user_t("turns.help")))

    async def _set_turns(self, ctx: InteractionContext[Options], *, leave: bool) -> None:
        """Leaving the rotation is its own choice: consent and everything else stay as they were."""
        user = ctx.user_id
        change: Callable[[Any], Any] = ((lambda n: sorted({*(n or []), user})) if leave
                                        else (lambda n: [u for u in n or [] if u != user]))
        await ctx.update_state("no_turns", change)
        await ctx.reply(text(ctx.user_t("turns.left" if leave else "turns.back")))


def _occurrence_time(ctx: RitualContext[Options], occurrence: str) -> datetime:
    return datetime.fromisoformat(occurrence).replace(tzinfo=ctx.team.tz)
