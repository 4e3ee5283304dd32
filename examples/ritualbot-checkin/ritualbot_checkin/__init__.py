"""Weekly check-in: on the scheduled moment the team is asked how the week is going; each
member may answer in a short form, named or anonymously; a day later the bot says how
many answered. Nothing about people is kept: the answers are in the channel, and only
their number is kept until the summary.

An example of the ritual contract: typed options (`Ritual[Options]`), steps and handlers
as data, buttons and forms naming their handler by reference, state through the store
bound to this team and ritual (`ctx.store`), and every word in a gettext catalog shipped
inside the package (`locale/`), so a translator never reads this file.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.i18n import PoCatalog
from bot.messages import WHO, FieldKind, Form, FormField, UserText, mentioning, text
from bot.platform import FormResult
from bot.ritual import Ritual, Step, action, button, form, form_id, step


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary_after_hours: int = Field(default=24, ge=1, le=6 * 24, description="when the number of answers is posted")


TEXTS = PoCatalog("ritualbot_checkin", "ritualbot_checkin")
"""Everything the check-in says, in ritualbot_checkin/locale/<language>/LC_MESSAGES/ritualbot_checkin.po:
its messages, and what it says about itself (`ritual.title`, `ritual.keeps.consent` and
`ritual.keeps.needed` for the consent notice, `ritual.step.<step>` for the dry run)."""


class Checkin(Ritual[Options]):
    id = "checkin"
    default_schedule = "mon 09:00"
    texts = TEXTS

    def steps(self, options: Options) -> list[Step]:
        return [Step("ask"), Step("summary", timedelta(hours=options.summary_after_hours))]

    @step("ask")
    async def ask(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        await ctx.store.put("open", occ.key)
        await ctx.post(text(ctx.team_t("ask"), buttons=(button(self.open_form, ctx.team_t("button.answer"), occ.key),)))

    @action("answer")
    async def open_form(self, ctx: InteractionContext[Options], occurrence: str) -> None:
        if await ctx.store.get("open") != occurrence:
            await ctx.reply(text(ctx.user_t("closed")))
            return
        mood = FormField("mood", ctx.user_t("form.mood"), FieldKind.MULTILINE, max_length=500)
        await ctx.open_form(Form(form_id(self.receive), ctx.user_t("form.title"), (mood,), ctx.user_t("form.submit"),
                                 state=occurrence, anonymous=True))

    @form("checkin")
    async def receive(self, ctx: InteractionContext[Options], occurrence: str, values: dict[str, Any]) -> FormResult:
        """The core has checked the field, the client-data guard and the roster already."""
        if await ctx.store.get("open") != occurrence:
            return FormResult({"mood": ctx.user_t("closed")})
        head = (ctx.team_t("answer.anonymous"),) if ctx.anonymous else mentioning(ctx.team_t("answer.named", who=WHO), ctx.user_id)
        await ctx.post(text(head, (UserText(values["mood"]),)))
        await ctx.store.increment(f"count:{occurrence}")
        await ctx.confirm(text(ctx.user_t("thanks")))
        return FormResult()

    @step("summary")
    async def summarise(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        count = await ctx.store.get(f"count:{occ.key}") or 0
        await ctx.store.compare_and_set("open", occ.key, None)  # closes it, unless a newer one is open
        await ctx.store.delete(f"count:{occ.key}")
        await ctx.post(text(ctx.team_t("summary", count=count)))
