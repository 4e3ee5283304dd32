"""Checklist voorbeeldgedrag: once a month, a private reflection for each leader.

After seed 003 ("Benoem ik ongewenst gedrag?", "Vraag ik actief naar ervaringen in mijn
team?"): six short questions on the leader's own example behaviour, each answered yes,
partly or not yet. One step, `ask`: a DM to each leader with a button that opens the form.

The answers are the leader's alone. They are kept only if the leader opted in, and then
only shown to that leader, as a trend over the months (`/ritual checklist`). Admins never
see them, not even as a count: this ritual adds nothing to the participation numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.dates import short_month
from bot.i18n import PoCatalog
from bot.messages import Bold, Choice, FieldKind, Form, FormField, text
from bot.platform import FormResult
from bot.ritual import Ritual, action, button, command, form, form_id, step
from bot.store.store import StoredResponse

ITEMS = ("name_behaviour", "ask_experiences", "recognise_doubt", "share_own", "listen", "stand_behind")
ANSWERS = ("yes", "partly", "not_yet")
SYMBOL = {"yes": "●", "partly": "◐", "not_yet": "○"}
MAX_NOTE = 1000


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ask_note: bool = Field(default=True, description="also offer an optional note to self")
    trend_months: int = Field(default=6, ge=2, le=24, description="how many months `/ritual checklist` shows")


TEXTS = PoCatalog("rituals", "leader_checklist")
"""Texts in rituals/locale/<language>/LC_MESSAGES/leader_checklist.po"""

def month_label(occurrence: str, language: str) -> str:
    """`dec 26` / `Dec 26`: the month of an occurrence, short (Babel, see `bot.dates`)."""
    return short_month(datetime.fromisoformat(occurrence).date(), language)


def latest_per_month(rows: list[StoredResponse], months: int) -> list[tuple[str, dict[str, Any]]]:
    """The last answer of each occurrence (a second submission replaces the first), newest `months`."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:  # rows come in id order, so later ones win
        if row.occurrence:
            latest[row.occurrence] = row.content
    return sorted(latest.items())[-months:]


class LeaderChecklist(Ritual[Options]):
    in_insights = False  # a leader's answers are theirs alone: never in admins' counts
    id = "leader_checklist"
    default_schedule = "first wed 10:00"
    texts = TEXTS
    # its title, summary, what it keeps, its steps and commands: the `ritual.*` messages of TEXTS
    demo_answers = {
        "checklist:nl": [
            {"name_behaviour": "partly", "ask_experiences": "yes", "recognise_doubt": "yes", "share_own": "not_yet",
             "listen": "partly", "stand_behind": "yes", "note": "Vaker zelf vertellen wat mij lastig viel."},
            {"name_behaviour": "yes", "ask_experiences": "yes", "recognise_doubt": "partly", "share_own": "partly",
             "listen": "yes", "stand_behind": "yes", "note": ""},
        ],
        "checklist:en": [
            {"name_behaviour": "partly", "ask_experiences": "yes", "recognise_doubt": "yes", "share_own": "not_yet",
             "listen": "partly", "stand_behind": "yes", "note": "Tell my team more often what I found hard."},
        ],
    }

    @step("main")
    async def ask(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        for leader in sorted(ctx.team.leaders):
            await ctx.dm(leader, text(await ctx.t_user(leader, "ask.dm"), buttons=(
                button(self.open_checklist, await ctx.t_user(leader, "button.open"), occ.key, "primary"),)))

    @action("open")
    async def open_checklist(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        if not ctx.is_leader:
            await ctx.reply(text(ctx.user_t("form.not_leader")))
            return
        options = ctx.options
        choices = tuple(Choice(a, ctx.user_t(f"answer.{a}")) for a in ANSWERS)
        fields = [FormField(item, ctx.user_t(f"item.{item}"), FieldKind.CHOICE, choices=choices) for item in ITEMS]
        if options.ask_note:
            fields.append(FormField("note", ctx.user_t("form.note"), FieldKind.MULTILINE, required=False, max_length=MAX_NOTE))
        await ctx.open_form(Form(form_id(self.receive), ctx.user_t("form.title"), tuple(fields), ctx.user_t("form.submit"),
                                 state=occurrence, intro=ctx.user_t("form.intro")))

    @form("checklist")
    async def receive(self, ctx: InteractionContext[Options], occurrence: str, values: dict[str, Any]) -> FormResult:
        if not ctx.is_leader:
            return FormResult({ITEMS[0]: ctx.user_t("form.not_leader")})
        note = values.get("note") or ""  # checked by the core: length, choices, client data
        answers = {item: str(values[item]) for item in ITEMS}
        content = {**answers, **({"note": note} if note else {})}
        stored = await ctx.save_answer(ctx.user_id, anonymous=False, kind="checklist", content=content, occurrence=occurrence)
        paragraphs = self._summary(ctx, answers)
        if stored:
            await ctx.reply(text(*paragraphs, ctx.user_t("summary.stored")))
        else:
            await ctx.offer_consent("\n\n".join(str(p) for p in paragraphs[1:]) + "\n\n" + ctx.user_t("summary.not_stored"))
        return FormResult()

    def _summary(self, ctx: InteractionContext[Options], answers: dict[str, str]) -> list[Any]:
        counts = {a: sum(1 for v in answers.values() if v == a) for a in ANSWERS}
        paragraphs: list[Any] = [(Bold(ctx.user_t("form.title")),), ctx.user_t("summary", **counts)]
        focus = next((i for i in ITEMS if answers[i] == "not_yet"), None) or next(
            (i for i in ITEMS if answers[i] == "partly"), None)
        if focus:
            paragraphs.append(ctx.user_t("summary.focus", item=ctx.user_t(f"item.{focus}")))
        return paragraphs

    @command("checklist")
    async def trend(self, ctx: InteractionContext[Options], args: list[str]) -> None:
        if args:
            await ctx.reply(text(ctx.user_t("trend.private")))  # no one's checklist but your own, ever
            return
        if not ctx.is_leader:
            await ctx.reply(text(ctx.user_t("trend.not_leader")))
            return
        options = ctx.options
        rows = await ctx.store.responses(author_id=ctx.user_id, kind="checklist")
        months = latest_per_month([r for r in rows if r.author_id == ctx.user_id], options.trend_months)
        if not months:
            if (await ctx.consent(ctx.user_id)).value == "in":
                await ctx.reply(text(ctx.user_t("trend.empty")))
            else:
                await ctx.offer_consent(ctx.user_t("trend.empty"))
            return
        labels = "  ".join(month_label(occ, ctx.acting_language) for occ, _ in months)
        paragraphs: list[Any] = [(Bold(ctx.user_t("trend.title", count=len(months))),), labels]
        for item in ITEMS:
            row = "  ".join(SYMBOL.get(content.get(item, ""), "·") for _, content in months)
            paragraphs.append(f"{row}   {ctx.user_t(f'item.{item}')}")
        yes_row = " → ".join(str(sum(1 for i in ITEMS if c.get(i) == "yes")) for _, c in months)
        paragraphs += [ctx.user_t("trend.totals", row=yes_row), ctx.user_t("trend.legend")]
        await ctx.reply(text(*paragraphs))
