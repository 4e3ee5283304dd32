"""Weeksucces en weekfout: every week people share one thing that went well and one that
went wrong. Less shame, more openness.

Steps of one occurrence (default Friday 14:00, the team's local time):
- `sharer`, a day before: the member whose turn it is (fair rotation) gets a friendly DM
  asking them to open the round at the team meeting;
- `prompt`: a warm prompt in the team channel with a button that opens the form;
- `digest`, six days later: how many shared, and the lessons people chose to share.

Answers go in the prompt's thread, named or anonymous. They are stored only for people
who opted in and shared with their name; an anonymous answer is never kept and changes
nothing about its author. The bot never names or reminds, in public, anyone who did not share.
"""

from __future__ import annotations

from datetime import timedelta
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
    Message,
    MessageRef,
    UserText,
    mentioning,
    text,
)
from bot.platform import FormResult
from bot.ritual import Ritual, Step, action, form, step

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
               "helpen het team. Lukt het deze week niet? Geen probleem, laat het gewoon weten aan je leidinggevende."),
        "en": ("Hi! This week it's your turn to share your weekly success and weekly mistake at the team meeting: "
               "one thing that went well and one that went wrong. It doesn't have to be big; the ordinary things help "
               "the team most. Can't make it this week? No problem, just let your team lead know."),
    },
    "prompt": {
        "nl": "Tijd voor het weeksucces en de weekfout.",
        "en": "Time for this week's success and mistake.",
    },
    "prompt.body": {
        "nl": ("Wat ging er deze week goed? En wat ging er mis? Fouten horen bij ons werk, en door ze te delen "
               "leren we van elkaar en hoeft niemand zich ervoor te schamen. Delen mag met je naam of anoniem."),
        "en": ("What went well this week? And what went wrong? Mistakes are part of our work; by sharing them we learn "
               "from each other and nobody has to be ashamed of them. Share with your name or anonymously."),
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
    "digest.none": {"nl": "Deze week is er in de draad niets gedeeld, en dat is ook goed. Volgende week is er een nieuwe kans.", "en": "Nothing was shared in the thread this week, and that's fine too. Next week brings a new chance."},
    "digest.lessons": {"nl": "Wat we leerden:", "en": "What we learned:"},
}


class WeeklySuccessMistake(Ritual):
    id = "weekly_success_mistake"
    keeps = {
        "consent": {"nl": "je weeksucces, weekfout en les als je ze met je naam deelt",
                    "en": "your weekly success, mistake and lesson when you share them with your name"},
        "needed": {"nl": "wie deze week aan de beurt is om te delen (tot de terugblik) en wanneer je aan de beurt was",
                   "en": "whose turn it is to share this week (until the look-back) and when it was your turn"},
    }
    title = {"nl": "Weeksucces en weekfout", "en": "Weekly success and mistake"}
    summary = {"nl": "Elke week deelt iemand iets wat goed ging en iets wat misging.",
               "en": "Every week someone shares one thing that went well and one that went wrong."}
    default_schedule = "fri 14:00"
    Options = Options
    texts = TEXTS
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

    def steps(self, options: BaseModel) -> list[Step]:
        assert isinstance(options, Options)
        steps = [Step("prompt"), Step("digest", timedelta(hours=options.digest_after_hours))]
        if options.sharer_notice_hours:
            steps.insert(0, Step("sharer", -timedelta(hours=options.sharer_notice_hours)))
        return steps

    # scheduled steps --------------------------------------------------------------------------

    @step("sharer")
    async def choose_sharer(self, ctx: RitualContext, occ: Occurrence) -> None:
        async def invitation(who: str) -> Message:
            return text(await ctx.t_user(who, "sharer.dm"))

        sharer = await ctx.dm_in_turn("sharer", await ctx.members(), invitation)
        if sharer is not None:
            await ctx.put_state(f"sharer:{occ.key}", sharer)

    @step("prompt")
    async def post_prompt(self, ctx: RitualContext, occ: Occurrence) -> None:
        paragraphs: list[Any] = [(Bold(ctx.team_t("prompt")),), ctx.team_t("prompt.body")]
        paragraphs.append(ctx.team_t("prompt.privacy"))
        ref = await ctx.post(text(*paragraphs, buttons=(
            Button("share", ctx.team_t("button.share"), occ.key, "primary"),
            Button("privacy", ctx.team_t("button.privacy")))))
        await ctx.put_state(f"prompt:{occ.key}", {"channel": ref.channel, "id": ref.id})
        await ctx.put_state("open", occ.key)

    @step("digest")
    async def post_digest(self, ctx: RitualContext, occ: Occurrence) -> None:
        if await ctx.get_state(f"prompt:{occ.key}") is None:
            return  # no prompt went out for this week (new team, paused, holiday): nothing to look back on
        count = int(await ctx.get_state(f"count:{occ.key}") or 0)
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
        for key in (f"count:{occ.key}", f"sharer:{occ.key}", f"prompt:{occ.key}"):
            await ctx.delete_state(key)

    # data rights -----------------------------------------------------------------------------------

    async def personal_data(self, ctx: RitualContext, user_id: str) -> dict[str, Any]:
        turns = [key.removeprefix("sharer:") for key, who in await ctx.state_items("sharer:") if who == user_id]
        return {"sharer_for_week_of": turns} if turns else {}

    async def forget_person(self, ctx: RitualContext, user_id: str) -> None:
        for key, who in await ctx.state_items("sharer:"):
            if who == user_id:
                await ctx.delete_state(key)

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
        await ctx.put_state(f"count:{occurrence}", int(await ctx.get_state(f"count:{occurrence}") or 0) + 1)
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
