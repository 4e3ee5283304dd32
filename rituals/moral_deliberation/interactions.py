"""The moral deliberation's buttons and forms: bring in, vote, volunteer, next step,
reflect, and someone to talk to. A mixin of `MoralDeliberation`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.context import InteractionContext, RitualContext
from bot.messages import WHO, Bold, Button, Choice, FieldKind, Form, FormField, Message, UserText, mentioning, text
from bot.platform import FormResult
from bot.ritual import action, button, form, form_id
from bot.targets import command_button
from rituals.moral_deliberation.methods import METHODS
from rituals.moral_deliberation.options import Options
from rituals.moral_deliberation.rounds import Round, ref, ref_data

MAX_TITLE = 150
MAX_STORY = 1500
MAX_DILEMMAS = 10


class Interactions:
    """Handlers for what people click and submit; the scheduled steps are in `ritual.py`."""

    def _step_message(self, ctx: RitualContext[Options], method: str, occurrence: str, g: int, i: int,
                      elapsed: int | None, *, with_button: bool = True) -> Message:
        """Step `i` of the method for table `g`, with its question and (unless passed) its button."""
        steps = METHODS[method]
        st = steps[i]
        head = ctx.team_t("step.head", i=i + 1, count=len(steps), title=ctx.team_t(f"{st.key}.title"), minutes=st.minutes)
        paras: list[Any] = [(Bold(head),), ctx.team_t(f"{st.key}.ask")]
        if elapsed:
            paras.append(ctx.team_t("step.time", count=elapsed, planned=sum(s.minutes for s in steps[:i])))
        label = ctx.team_t("button.finish") if i == len(steps) - 1 else ctx.team_t("button.next")
        buttons = [button(self.next_step, label, f"{occurrence}|{g}|{i}", "primary")] if with_button else []
        return text(*paras, buttons=buttons)

    @action("bring")
    async def open_dilemma_form(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        if not await Round(ctx, occurrence).is_open():
            await ctx.reply(text(ctx.user_t("form.closed")))
            return
        options = ctx.options
        await ctx.open_form(Form(form_id(self.receive_dilemma), ctx.user_t("form.dilemma_title"), (
            FormField("title", ctx.user_t("form.title_field"), FieldKind.TEXT, max_length=MAX_TITLE),
            FormField("story", ctx.user_t("form.story"), FieldKind.MULTILINE, max_length=MAX_STORY)),
            ctx.user_t("form.submit"), state=occurrence, intro=ctx.user_t("form.dilemma_intro"),
            anonymous=options.allow_anonymous))

    @form("dilemma")
    async def receive_dilemma(self, ctx: InteractionContext[Options], occurrence: str, values: dict[str, Any]) -> FormResult:
        answer = {k: values.get(k) or "" for k in ("title", "story")}
        rnd = Round(ctx, occurrence)
        if not await rnd.is_open():
            return FormResult({"title": ctx.user_t("form.closed")})
        if len(await rnd.get("dilemmas", [])) >= MAX_DILEMMAS:
            return FormResult({"title": ctx.user_t("form.full", max=MAX_DILEMMAS)})
        anonymous = ctx.anonymous
        taken: dict[str, int] = {}

        def reserve(dilemmas: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
            taken["n"] = max((d["n"] for d in dilemmas or []), default=0) + 1
            # A named dilemma is shown with its author's name, as they chose, whether or not they
            # opted in to storage; so until the session the round holds who brought it in (it is
            # in the call's thread with their name anyway). Anonymous: no author, ever.
            entry = {"n": taken["n"], "response": None, "by": None if anonymous else ctx.user_id,
                     "named": not anonymous}
            return [*(dilemmas or []), entry]

        await rnd.update("dilemmas", reserve)
        n = taken["n"]
        team_t = ctx.team_t
        head = ((Bold(team_t("dilemma.anonymous", n=n)),) if anonymous
                else mentioning(team_t("dilemma.named", n=n, who=WHO), ctx.user_id))
        await ctx.post(text(head, (UserText(answer["title"]),), (UserText(answer["story"]),),
                            buttons=(button(self.vote, team_t("button.vote", n=n), f"{occurrence}|{n}"),)),
                       thread=ref(await rnd.get("call")))
        await ctx.count_participation()
        stored = await ctx.save_answer(ctx.user_id, anonymous=anonymous, kind="dilemma", content=answer,
                                       occurrence=occurrence, at=rnd.scheduled)
        # The text is held only for a named dilemma of someone who opted in (as their stored
        # answer); for everyone else it is in the call's thread and nowhere kept. An anonymous
        # dilemma is never kept, so what anyone sees of it is the same whether its author
        # opted in or not.
        if stored:
            await rnd.update("dilemmas", lambda ds: [d | {"response": stored} if d["n"] == n else d for d in ds])
        thanks = ctx.user_t("dilemma.thanks_anonymous" if anonymous else "dilemma.thanks")
        await _thank(ctx, thanks, stored, anonymous)
        return FormResult()

    @action("vote")
    async def vote(self, ctx: InteractionContext[Options], value: str) -> None:
        occurrence, _, number = value.partition("|")
        rnd = Round(ctx, occurrence)
        if not await rnd.is_open():
            await ctx.reply(text(ctx.user_t("vote.closed")))
            return
        if ctx.user_id not in await ctx.members():
            await ctx.reply(text(ctx.user_t("vote.not_member")))
            return
        n = int(number)
        seen: dict[str, int | None] = {}

        def cast(votes: dict[str, int] | None) -> dict[str, int]:
            votes = dict(votes or {})
            seen["previous"] = votes.get(ctx.user_id)
            votes[ctx.user_id] = n
            return votes

        await rnd.update("votes", cast)
        previous = seen["previous"]
        if previous == n:
            await ctx.reply(text(ctx.user_t("vote.again", n=n)))
            return
        key = "vote.counted" if previous is None else "vote.moved"
        await ctx.reply(text(ctx.user_t(key, n=n, old=previous)))

    @action("facilitate")
    async def volunteer(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        rnd = Round(ctx, occurrence)
        if await rnd.get("plan") is not None or not await rnd.is_open():
            await ctx.reply(text(ctx.user_t("facilitate.late")))
            return
        if ctx.user_id in await rnd.get("volunteers", []):
            await ctx.reply(text(ctx.user_t("facilitate.already")))
            return
        await rnd.update("volunteers", lambda vs: list(dict.fromkeys([*(vs or []), ctx.user_id])))
        await ctx.reply(text(ctx.user_t("facilitate.thanks")))

    @action("next")
    async def next_step(self, ctx: InteractionContext[Options], value: str) -> None:
        occurrence, g_text, i_text = value.split("|")
        g, i = int(g_text), int(i_text)
        rnd = Round(ctx, occurrence)
        plan, progress = await rnd.get("plan"), await rnd.get(f"progress{g}")
        if plan is None or progress is None or progress["step"] != i:
            await ctx.reply(text(ctx.user_t("next.stale")))
            return
        facilitator = plan["groups"][g]["facilitator"]
        if ctx.user_id != facilitator and not ctx.is_admin:
            refusal = mentioning(ctx.user_t("next.refused", who=WHO), facilitator) if facilitator else ctx.user_t("next.stale")
            await ctx.reply(text(refusal))
            return
        options = ctx.options
        await ctx.update(ref(progress["ref"]), self._step_message(ctx, options.method, occurrence, g, i, None,
                                                                   with_button=False))
        head = ref(progress["head"])
        if i + 1 >= len(METHODS[options.method]):
            await ctx.post(text(ctx.team_t("step.done")), thread=head)
            await rnd.put(f"progress{g}", {**progress, "step": i + 1})
            return
        elapsed = int((ctx.now() - datetime.fromisoformat(progress["started"])).total_seconds() // 60)
        posted = await ctx.post(self._step_message(ctx, options.method, occurrence, g, i + 1, elapsed), thread=head)
        await rnd.put(f"progress{g}", {**progress, "step": i + 1, "ref": ref_data(posted)})

    @action("privacy")
    async def explain_privacy(self, ctx: InteractionContext[Options], value: str) -> None:
        await ctx.offer_consent()

    @action("talk")
    async def talk_to_someone(self, ctx: InteractionContext[Options], value: str) -> None:
        """Only the clicker sees the answer, and only where the platform keeps nothing (never a
        DM: "nobody sees that you did"); nothing is logged, stored or sent to the confidant."""
        signal = _signal_button(ctx)
        await ctx.reply_discreetly(text(ctx.user_t("talk.lead"), *_support(ctx),
                                        *([ctx.user_t("support.signal")] if signal else []), buttons=signal))

    @action("reflect")
    async def open_reflection_form(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        if await Round(ctx, occurrence).get("reflection") is None:
            await ctx.reply(text(ctx.user_t("reflect.closed")))
            return
        options = ctx.options
        how = FormField("how", ctx.user_t("reflect.how"), FieldKind.CHOICE, choices=tuple(
            Choice(k, ctx.user_t(f"reflect.{k}")) for k in ("good", "mixed", "heavy")))
        note = FormField("note", ctx.user_t("reflect.note"), FieldKind.MULTILINE, required=False, max_length=MAX_STORY)
        await ctx.open_form(Form(form_id(self.receive_reflection), ctx.user_t("reflect.form_title"), (how, note), ctx.user_t("reflect.submit"),
                                 state=occurrence, anonymous=options.allow_anonymous,
                                 share_choices=(Choice("private", ctx.user_t("form.private")),)))

    @form("reflection")
    async def receive_reflection(self, ctx: InteractionContext[Options], occurrence: str, values: dict[str, Any]) -> FormResult:
        how, note = values["how"], values.get("note") or ""
        rnd = Round(ctx, occurrence)
        thread = await rnd.get("reflection")
        if thread is None:
            return FormResult({"how": ctx.user_t("reflect.closed")})
        anonymous = ctx.anonymous
        if ctx.share_as != "private":
            team_t = ctx.team_t
            label = team_t(f"reflect.{how}")
            head = ((Bold(team_t("reflect.anonymous", how=label)),) if anonymous
                    else mentioning(team_t("reflect.named", who=WHO, how=label), ctx.user_id))
            await ctx.post(text(head, *([(UserText(note),)] if note else [])), thread=ref(thread))
            await ctx.count_participation()
        content = {"how": how, **({"note": note} if note else {})}
        stored = await ctx.save_answer(ctx.user_id, anonymous=anonymous, kind="reflection", content=content,
                                       occurrence=occurrence, at=rnd.scheduled)
        if how == "heavy":
            # Answered in place (seed 002: heavier cases need a concrete referral), without the
            # consent notice: this is not the moment to ask for anything. Anonymous: only where
            # nothing is stored (`ctx.confirm`).
            kept = ctx.user_t("stored.yes") if stored else ctx.user_t("stored.no")
            await ctx.confirm(text(ctx.user_t("reflect.heavy_reply"), *_support(ctx), *([] if anonymous else [kept]),
                                   buttons=_signal_button(ctx)))
            return FormResult()
        await _thank(ctx, ctx.user_t("reflect.thanks"), stored, anonymous)
        return FormResult()


# small helpers ---------------------------------------------------------------------------------------

def _support(ctx: InteractionContext[Options]) -> list[Any]:
    """Who to talk to, by name: the team's confidant (or the organisation's), the company
    doctor, and a smaller first step, since going to the confidant is "a very big step"
    (seed 002). Only the person who asked sees it; nobody is told."""
    confidant = ctx.team.confidant
    lines: list[Any] = [mentioning(ctx.user_t("support.confidant", who=WHO), confidant) if confidant
                        else ctx.user_t("support.no_confidant")]
    lines += [ctx.user_t("support.doctor"), ctx.user_t("support.small_step"), ctx.user_t("support.untold")]
    return lines


def _signal_button(ctx: InteractionContext[Options]) -> tuple[Button, ...]:
    """The way to the confidant as one click (issue 15): the same form as `/ritual signal`,
    when the team has a confidant and a ritual that offers that form; only the clicker sees it."""
    if not ctx.team.confidant or not ctx.offers_command("signal"):
        return ()
    return (command_button("signal", ctx.user_t("button.signal")),)


async def _thank(ctx: InteractionContext[Options], thanks: str, stored: int | None, anonymous: bool) -> None:
    """Thank privately and say plainly whether it was kept; offer consent to those never asked.

    An anonymous contribution is confirmed only where nothing is stored (`ctx.confirm`)."""
    if anonymous:
        await ctx.confirm(text(thanks))
    elif stored:
        await ctx.confirm(text(thanks, ctx.user_t("stored.yes")))
    elif (await ctx.consent(ctx.user_id)).value == "unknown":
        await ctx.offer_consent(thanks + " " + ctx.user_t("stored.no"))
    else:
        await ctx.confirm(text(thanks, ctx.user_t("stored.no")))
