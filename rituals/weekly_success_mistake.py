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
from bot.messages import (
    WHO,
    Bold,
    Button,
    FieldKind,
    Form,
    FormField,
    MessageRef,
    UserText,
    mentioning,
    text,
)
from bot.platform import FormResult, Unreachable
from bot.ritual import Ritual, Step, action, command, form, step
from rituals import weekly_turns

MAX_ANSWER = 1500


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sharer_notice_hours: int = Field(default=24, ge=0, le=7 * 24, description="how long before the prompt the week's sharer gets a DM (0: no DM)")
    digest_after_hours: int = Field(default=144, ge=1, le=7 * 24 - 1, description="how long after the prompt the digest is posted")
    ask_lesson: bool = Field(default=True, description="ask, optionally, what was learned")
    allow_anonymous: bool = Field(default=True, description="let people share without their name")


TEXTS = {
    "sharer.dm": {
        "nl": ("Hoi! Deze week ben jij aan de beurt om bij het teamoverleg je weeksucces en je weekfout te delen: "
               "één ding dat goed ging en één ding dat misging. Het hoeft niet groot te zijn; juist de gewone dingen "
               "helpen het team. Past het deze week niet? Klik op 'Niet deze week': dan vraag ik iemand anders, en "
               "niemand hoort dat jij het was. Je blijft gewoon in het rooster."),
        "en": ("Hi! This week it's your turn to share your weekly success and weekly mistake at the team meeting: "
               "one thing that went well and one that went wrong. It doesn't have to be big; the ordinary things help "
               "the team most. Doesn't this week suit you? Click 'Not this week': I'll ask someone else, and nobody "
               "hears it was you. You stay in the rotation."),
    },
    "button.pass": {"nl": "Niet deze week", "en": "Not this week"},
    "button.leave": {"nl": "Haal me uit het rooster", "en": "Take me out of the rotation"},
    "pass.done": {"nl": "Prima, deze week niet. Ik vraag iemand anders; niemand hoort dat jij het was. Volgende keer kom je gewoon weer aan de beurt.",
                  "en": "That's fine, not this week. I'll ask someone else; nobody hears it was you. You'll simply get a turn again next time."},
    "pass.not_yours": {"nl": "Deze beurt is niet (meer) van jou; er hoeft niets te gebeuren.",
                       "en": "This turn isn't yours (any more); nothing needs to happen."},
    "pass.late": {"nl": "Deze week is al voorbij; er hoeft niets te gebeuren.", "en": "This week is over already; nothing needs to happen."},
    "turns.left": {"nl": ("Goed, je komt niet meer aan de beurt om het weeksucces en de weekfout te openen. Niemand hoort dat je dit "
                          "koos. Meedoen in de draad kan altijd, en je antwoorden blijven bewaard zoals je eerder koos. Terug in het "
                          "rooster: /ritual sharer optin."),
                   "en": ("Okay, you won't be asked to open the weekly success and mistake any more. Nobody hears you chose this. "
                          "You can always join in the thread, and what you agreed about keeping your answers stays as it was. "
                          "Back into the rotation: /ritual sharer optin.")},
    "turns.back": {"nl": "Fijn, je staat weer in het rooster.", "en": "Good, you're back in the rotation."},
    "turns.help": {"nl": ("/ritual sharer optout: niet meer aan de beurt komen om te openen · /ritual sharer optin: weer wel. "
                          "Dit staat los van /ritual optout (of ik je antwoorden mag bewaren)."),
                   "en": ("/ritual sharer optout: no more turns to open the round · /ritual sharer optin: turns again. "
                          "This is separate from /ritual optout (whether I may keep your answers).")},
    "prompt": {
        "nl": "Tijd voor het weeksucces en de weekfout.",
        "en": "Time for this week's success and mistake.",
    },
    "prompt.body": {
        "nl": ("Wat ging er deze week goed? En wat ging er mis? Van allebei kunnen we leren, juist van de gewone dingen. "
               "Delen mag met je naam of anoniem."),
        "en": ("What went well this week? And what went wrong? We can learn from both, especially from the ordinary things. "
               "Share with your name or anonymously."),
    },
    "prompt.privacy": {
        "nl": "Je antwoord komt in de draad hieronder. Ik bewaar het alleen als je dat goed vindt.",
        "en": "Your answer goes in the thread below. I only keep it if you agree.",
    },
    "button.share": {"nl": "Deel je succes en fout", "en": "Share your success and mistake"},
    "button.privacy": {"nl": "Wat bewaar je?", "en": "What do you keep?"},
    "form.title": {"nl": "Weeksucces en weekfout", "en": "Weekly success & mistake"},
    "form.submit": {"nl": "Delen", "en": "Share"},
    "form.success": {"nl": "Wat ging er goed?", "en": "What went well?"},
    "form.mistake": {"nl": "Wat ging er mis?", "en": "What went wrong?"},
    "form.lesson": {"nl": "Wat heb je ervan geleerd? (mag leeg)", "en": "What did you learn from it? (optional)"},
    "form.closed": {"nl": "Deze ronde is al afgesloten; je kunt meedoen bij de volgende.", "en": "This round has closed; you can join the next one."},
    "answer.named": {"nl": "{who} deelt:", "en": "{who} shares:"},
    "answer.anonymous": {"nl": "Iemand deelt, anoniem:", "en": "Someone shares, anonymously:"},
    "answer.success": {"nl": "Ging goed: ", "en": "Went well: "},
    "answer.mistake": {"nl": "Ging mis: ", "en": "Went wrong: "},
    "answer.lesson": {"nl": "Geleerd: ", "en": "Learned: "},
    "answer.thanks_stored": {"nl": "Dank je wel voor het delen. Ik heb je antwoord bewaard.", "en": "Thank you for sharing. I have kept your answer."},
    "answer.thanks_anonymous": {"nl": "Dank je wel voor het delen. Je antwoord staat anoniem in de draad; niemand kan zien dat het van jou is.", "en": "Thank you for sharing. Your answer is in the thread anonymously; nobody can see it is yours."},
    "answer.thanks_not_stored": {"nl": "Dank je wel voor het delen. Ik heb je antwoord doorgegeven en niet bewaard.", "en": "Thank you for sharing. I passed your answer on and did not keep it."},
    "digest.title": {"nl": "Terugblik op het weeksucces en de weekfout", "en": "Looking back on this week's success and mistake"},
    "digest.count": {"nl": "Deze week deelden {count} mensen wat goed ging en wat misging. Dank jullie wel voor die openheid.", "en": "This week {count} people shared what went well and what went wrong. Thank you for that openness."},
    "digest.count_one": {"nl": "Deze week deelde één persoon wat goed ging en wat misging. Dank je wel voor die openheid.", "en": "This week one person shared what went well and what went wrong. Thank you for that openness."},
    "digest.none": {"nl": "Deze week is er niets gedeeld in de draad. Dat mag ook gewoon.", "en": "Nothing was shared in the thread this week. That's fine too."},
    "digest.lessons": {"nl": "Wat we leerden:", "en": "What we learned:"},
}


class WeeklySuccessMistake(Ritual):
    id = "weekly_success_mistake"
    keeps = {
        "consent": {"nl": "je weeksucces, weekfout en les als je ze met je naam deelt",
                    "en": "your weekly success, mistake and lesson when you share them with your name"},
        "needed": {"nl": "wie deze week aan de beurt is om te delen (tot de terugblik), wanneer je aan de beurt was, en "
                         "een vingerafdruk dat je deze week iets deelde, om mensen te tellen (tot de terugblik; de sleutel "
                         "ervan staat alleen in het geheugen van de bot)",
                   "en": "whose turn it is to share this week (until the look-back), when it was your turn, and a "
                         "fingerprint that you shared something this week, to count people (until the look-back; its "
                         "key is only in the bot's memory)"},
    }
    title = {"nl": "Weeksucces en weekfout", "en": "Weekly success and mistake"}
    step_descriptions = {
        "sharer": {"nl": "de deler van de week krijgt een privébericht: morgen mag jij de ronde openen",
                   "en": "the week's sharer gets a direct message: tomorrow you open the round"},
        "prompt": {"nl": "in het teamkanaal: de uitnodiging om een succes en een fout van de week te delen",
                   "en": "in the team channel: the invitation to share a success and a mistake of the week"},
        "digest": {"nl": "in het teamkanaal: een terugblik op wat er deze week gedeeld is",
                   "en": "in the team channel: a look back at what was shared this week"},
    }
    summary = {"nl": "Elke week deelt iemand iets wat goed ging en iets wat misging.",
               "en": "Every week someone shares one thing that went well and one that went wrong."}
    default_schedule = "fri 14:00"
    Options = Options
    texts = TEXTS
    command_help = {"sharer": {"nl": "optout / optin: wel of niet aan de beurt komen om te openen",
                               "en": "optout / optin: whether you get turns to open the round"}}
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
        # (team id, occurrence) -> the week's fingerprint key, in this process's memory only
        # (`weekly_turns.py`: never stored, so the stored fingerprints name nobody).
        self._week_keys: dict[tuple[str, str], str] = {}

    def _week_key(self, ctx: RitualContext, occurrence: str, *, make: bool = False) -> str | None:
        """This week's fingerprint key; a new one when asked to `make` it and none is held."""
        if make:
            return self._week_keys.setdefault((ctx.team.id, occurrence), weekly_turns.new_week_key())
        return self._week_keys.get((ctx.team.id, occurrence))

    def steps(self, options: BaseModel) -> list[Step]:
        assert isinstance(options, Options)
        steps = [Step("prompt"), Step("digest", timedelta(hours=options.digest_after_hours))]
        if options.sharer_notice_hours:
            steps.insert(0, Step("sharer", -timedelta(hours=options.sharer_notice_hours)))
        return steps

    # scheduled steps --------------------------------------------------------------------------

    @step("sharer")
    async def choose_sharer(self, ctx: RitualContext, occ: Occurrence) -> None:
        for key, _ in await ctx.state_items("sharer:"):
            if key.removeprefix("sharer:") < occ.key:
                await self._settle(ctx, key.removeprefix("sharer:"))  # last week's turn, if the digest has not yet
        await self._ask_next(ctx, occ.key)

    async def _ask_next(self, ctx: RitualContext, occurrence: str) -> None:
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
                    Button("pass", await ctx.t_user(sharer, "button.pass"), occurrence),
                    Button("leave", await ctx.t_user(sharer, "button.leave"), occurrence))))
                return
            except Unreachable:  # the platform refused the DM (account gone): the core noted why; next one
                refused.append(sharer)

    async def _settle(self, ctx: RitualContext, occurrence: str) -> None:
        """The week is over: the sharer who kept their turn has had it (for the fair rotation)."""
        sharer = await ctx.get_state(f"sharer:{occurrence}")
        if sharer:
            await ctx.store.mark_chosen(ctx.team.id, "sharer", sharer, _occurrence_time(ctx, occurrence))
        await ctx.delete_state(f"sharer:{occurrence}")
        await ctx.delete_state(f"passed:{occurrence}")

    @step("prompt")
    async def post_prompt(self, ctx: RitualContext, occ: Occurrence) -> None:
        sharer = await ctx.get_state(f"sharer:{occ.key}")
        if sharer and sharer in await ctx.store.away(ctx.team.id) | await ctx.store.opted_out(ctx.team.id):
            # Fell ill (marked away) or stopped since the DM: the next in line is asked; the turn is not theirs.
            await ctx.update_state(f"passed:{occ.key}", lambda p: sorted({*(p or []), sharer}))
            await self._ask_next(ctx, occ.key)
        paragraphs: list[Any] = [(Bold(ctx.team_t("prompt")),), ctx.team_t("prompt.body")]
        paragraphs.append(ctx.team_t("prompt.privacy"))
        ref = await ctx.post(text(*paragraphs, buttons=(
            Button("share", ctx.team_t("button.share"), occ.key, "primary"),
            Button("privacy", ctx.team_t("button.privacy")))))
        await self._prompt_posted(ctx, occ.key, ref)

    async def _prompt_posted(self, ctx: RitualContext, occurrence: str, ref: MessageRef) -> None:
        """The week's round is open: answers go in the prompt's thread until the digest."""
        await ctx.put_state(f"prompt:{occurrence}", {"channel": ref.channel, "id": ref.id})
        await ctx.put_state("open", occurrence)

    @step("digest")
    async def post_digest(self, ctx: RitualContext, occ: Occurrence) -> None:
        await self._settle(ctx, occ.key)
        self._week_keys.pop((ctx.team.id, occ.key), None)  # the week is over: nothing to count under it any more
        if await ctx.get_state(f"prompt:{occ.key}") is None:
            return  # no prompt went out for this week (new team, paused, holiday): nothing to look back on
        count = weekly_turns.people(await ctx.get_state(f"people:{occ.key}"))
        if await ctx.get_state("open") == occ.key:
            await ctx.delete_state("open")
        paragraphs: list[Any] = [(Bold(ctx.team_t("digest.title")),)]
        if count == 0:
            paragraphs.append(ctx.team_t("digest.none"))
        else:
            paragraphs.append(ctx.team_t("digest.count_one") if count == 1 else ctx.team_t("digest.count", count=count))
            lessons = [r.content["lesson"] for r in await ctx.store.responses(ctx.team.id, self.id, occurrence=occ.key)
                       if r.content.get("lesson")]
            if lessons:
                paragraphs.append(ctx.team_t("digest.lessons"))
                paragraphs.extend(("• ", UserText(lesson)) for lesson in lessons)
        await ctx.post(text(*paragraphs))
        await self._digest_posted(ctx, occ.key)

    async def _digest_posted(self, ctx: RitualContext, occurrence: str) -> None:
        """The week is looked back on: its counts go, and its thread takes no more answers."""
        for key in (f"people:{occurrence}", f"count:{occurrence}", f"prompt:{occurrence}"):
            await ctx.delete_state(key)

    async def recovered(self, ctx: RitualContext, occ: Occurrence, posted: MessageRef) -> None:
        """The prompt or digest went out from a replica that died before recording it."""
        if occ.step == "prompt":
            await self._prompt_posted(ctx, occ.key, posted)
        elif occ.step == "digest":
            await self._digest_posted(ctx, occ.key)

    # data rights -----------------------------------------------------------------------------------

    async def personal_data(self, ctx: RitualContext, user_id: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        turns = [key.removeprefix("sharer:") for key, who in await ctx.state_items("sharer:") if who == user_id]
        if turns:
            found["sharer_for_week_of"] = turns
        passed = [key.removeprefix("passed:") for key, who in await ctx.state_items("passed:") if user_id in who]
        if passed:
            found["passed_turn_in_week_of"] = passed
        if user_id in (await ctx.get_state("no_turns") or []):
            found["left_the_sharer_rotation"] = True
        counted = [key.removeprefix("people:") for key, week in await ctx.state_items("people:")
                   if weekly_turns.counted(week, user_id, self._week_key(ctx, key.removeprefix("people:")))]
        if counted:
            found["counted_as_sharing_in_week_of"] = counted
        return found

    async def forget_person(self, ctx: RitualContext, user_id: str) -> None:
        for key, who in await ctx.state_items("sharer:"):
            if who == user_id:
                await ctx.delete_state(key)
        for key, who in await ctx.state_items("passed:"):
            if user_id in who:
                await ctx.update_state(key, lambda p: [u for u in p or [] if u != user_id])
        if user_id in (await ctx.get_state("no_turns") or []):
            await ctx.update_state("no_turns", lambda n: [u for u in n or [] if u != user_id])
        for key, week in await ctx.state_items("people:"):
            week_key = self._week_key(ctx, key.removeprefix("people:"))
            if weekly_turns.counted(week, user_id, week_key):
                await ctx.update_state(key, partial(weekly_turns.without_person, user_id=user_id, key=week_key))

    # interactions --------------------------------------------------------------------------------

    @action("share")
    async def open_share_form(self, ctx: InteractionContext, occurrence: str) -> None:
        if await ctx.get_state(f"prompt:{occurrence}") is None:
            await ctx.reply(text(ctx.user_t("form.closed")))
            return
        options = ctx.options
        assert isinstance(options, Options)
        fields = [
            FormField("success", ctx.user_t("form.success"), FieldKind.MULTILINE, max_length=MAX_ANSWER),
            FormField("mistake", ctx.user_t("form.mistake"), FieldKind.MULTILINE, max_length=MAX_ANSWER),
        ]
        if options.ask_lesson:
            fields.append(FormField("lesson", ctx.user_t("form.lesson"), FieldKind.MULTILINE, required=False,
                                    max_length=MAX_ANSWER))
        await ctx.open_form(Form("answer", ctx.user_t("form.title"), tuple(fields), ctx.user_t("form.submit"),
                                 state=occurrence, anonymous=options.allow_anonymous))

    @action("privacy")
    async def explain_privacy(self, ctx: InteractionContext, value: str) -> None:
        await ctx.offer_consent()

    @form("answer")
    async def receive_answer(self, ctx: InteractionContext, occurrence: str, values: dict[str, Any]) -> FormResult:
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
        week_key = self._week_key(ctx, occurrence, make=True)
        assert week_key is not None
        await ctx.update_state(f"people:{occurrence}", lambda week: weekly_turns.with_person(week, ctx.user_id, week_key))
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
    async def pass_turn(self, ctx: InteractionContext, occurrence: str) -> None:
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
    async def leave_rotation(self, ctx: InteractionContext, occurrence: str) -> None:
        if await ctx.get_state(f"sharer:{occurrence}") == ctx.user_id:
            await self._step_aside(ctx, occurrence)
        await self._set_turns(ctx, leave=True)

    async def _step_aside(self, ctx: InteractionContext, occurrence: str) -> None:
        user = ctx.user_id
        await ctx.update_state(f"passed:{occurrence}", lambda p: sorted({*(p or []), user}))
        await ctx.delete_state(f"sharer:{occurrence}")
        if await ctx.get_state(f"prompt:{occurrence}") is None:  # before the meeting: someone else can still open it
            await self._ask_next(ctx, occurrence)

    @command("sharer")
    async def sharer_command(self, ctx: InteractionContext, args: list[str]) -> None:
        sub = args[0].lower() if args else ""
        if sub in ("optout", "optin"):
            await self._set_turns(ctx, leave=sub == "optout")
        else:
            await ctx.reply(text(ctx.user_t("turns.help")))

    async def _set_turns(self, ctx: InteractionContext, *, leave: bool) -> None:
        """Leaving the rotation is its own choice: consent and everything else stay as they were."""
        user = ctx.user_id
        change: Callable[[Any], Any] = ((lambda n: sorted({*(n or []), user})) if leave
                                        else (lambda n: [u for u in n or [] if u != user]))
        await ctx.update_state("no_turns", change)
        await ctx.reply(text(ctx.user_t("turns.left" if leave else "turns.back")))


def _occurrence_time(ctx: RitualContext, occurrence: str) -> datetime:
    return datetime.fromisoformat(occurrence).replace(tzinfo=ctx.team.tz)
