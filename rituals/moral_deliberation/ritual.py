"""Moreel beraad: once a month the team talks about dilemmas and feelings instead of files.

Steps of one occurrence (default the first Tuesday of the month, 14:00 team time):
- `call`, `call_days_before` days earlier: a call for dilemmas (named or anonymous) and for
  volunteers to facilitate. Each dilemma goes in the call's thread with a vote button.
- `prepare`, `prepare_hours_before` earlier: the tables (4 to 8 people, `seating.py`) and
  their facilitators (`facilitation.py`) are set, facilitators hear it privately, admins
  hear privately when a table could not reach its size, and the team is reminded to vote.
- `session`: per table its dilemma (`dilemmas.py`: the owner of a named dilemma is at the
  table that discusses it) and the method's first step. The facilitator (or an admin)
  moves on with "next step"; the bot keeps the steps and the time.
- `reflection`, `reflection_after_hours` later: how was it? And, privately, who to talk to.

Dilemmas and reflections are kept only for people who opted in, and only named ones:
anonymous ones are never kept. Votes are counted, never shown; the round's lists are deleted at the session.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import Occurrence, RitualContext
from bot.i18n import translate
from bot.messages import WHO, Bold, Mention, Message, MessageRef, UserText, mentioning, text
from bot.ritual import Ritual, Step, button, step
from rituals.moral_deliberation import facilitation
from rituals.moral_deliberation.dilemmas import Entry, assign, rank
from rituals.moral_deliberation.interactions import Interactions
from rituals.moral_deliberation.methods import METHODS
from rituals.moral_deliberation.options import Options
from rituals.moral_deliberation.rounds import Round, ref_data, spoken_date, without
from rituals.moral_deliberation.seating import leaders_go_to_peers, seat
from rituals.moral_deliberation.texts import TEXTS


def options_peers(ctx: RitualContext[Options]) -> str:
    """The configured peers' team id, for the admins' notes ('' when none)."""
    options = ctx.options
    return options.leader_peers or ""


HISTORY = "facilitations"  # [occurrence, user] pairs of the last twelve months


class MoralDeliberation(Interactions, Ritual[Options]):
    id = "moral_deliberation"
    # votes, volunteers and dilemmas until the session (`open_session` drops them); the tables
    # until the reflection and next month's call (`Round.clear`)
    state_lifetime = {"votes:": timedelta(days=1), "volunteers:": timedelta(days=1), "dilemmas:": timedelta(days=1),
                      "plan:": timedelta(days=35)}
    default_schedule = "first tue 14:00"
    texts = TEXTS
    # its title, summary, what it keeps, its steps and commands: the `ritual.*` messages of TEXTS
    demo_answers = {
        "dilemma:nl": [
            {"title": "Vertel ik de moeder wat haar dochter mij in vertrouwen zei?",
             "story": "Een meisje van vijftien vertelde me dat ze soms niet thuis slaapt. Ze vroeg me het niet door te vertellen. "
                      "Ik wil haar vertrouwen niet kwijt, maar ik maak me zorgen om haar veiligheid.", "share_as": "anonymous"},
            {"title": "Sluit ik een casus af terwijl ik voel dat het nog niet goed is?",
             "story": "De indicatie loopt af en er is formeel geen reden om door te gaan. Bij het laatste huisbezoek zag ik dat het "
                      "gezin nog wankelt.", "share_as": "named"},
        ],
        "dilemma:en": [
            {"title": "Do I tell a mother what her daughter told me in confidence?",
             "story": "A fifteen-year-old told me she sometimes doesn't sleep at home and asked me not to tell. I don't want to "
                      "lose her trust, but I worry about her safety.", "share_as": "anonymous"},
        ],
        "reflection:nl": [
            {"how": "good", "note": "Fijn om te merken dat anderen dezelfde twijfel kennen.", "share_as": "named"},
            {"how": "heavy", "note": "Het raakte me meer dan ik dacht.", "share_as": "private"},
            {"how": "mixed", "note": "", "share_as": "anonymous"},
        ],
        "reflection:en": [
            {"how": "good", "note": "Good to hear others know the same doubt.", "share_as": "named"},
            {"how": "heavy", "note": "It touched me more than I expected.", "share_as": "private"},
        ],
    }

    def steps(self, options: Options) -> list[Step]:
        return [Step("call", -timedelta(days=options.call_days_before)),
                Step("prepare", -timedelta(hours=options.prepare_hours_before)),
                Step("session"),
                Step("reflection", timedelta(hours=options.reflection_after_hours))]

    # scheduled steps --------------------------------------------------------------------------

    @step("call")
    async def post_call(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        previous = await ctx.get_state("last")
        if previous and previous != occ.key:
            await Round(ctx, previous).clear()
        await ctx.put_state("last", occ.key)
        when = spoken_date(occ.scheduled, ctx.team_language)
        posted = await ctx.post(text((Bold(ctx.team_t("call.title", when=when)),), ctx.team_t("call.body"), ctx.team_t("call.facilitate"),
                                     buttons=(button(self.open_dilemma_form, ctx.team_t("button.bring"), occ.key, "primary"),
                                              button(self.volunteer, ctx.team_t("button.facilitate"), occ.key),
                                              button(self.explain_privacy, ctx.team_t("button.privacy")))))
        await Round(ctx, occ.key).put("call", ref_data(posted))

    @step("prepare")
    async def prepare(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        rnd = Round(ctx, occ.key)
        plan = await self._plan(ctx, rnd)
        when = spoken_date(occ.scheduled, ctx.team_language)
        many = len(plan["groups"]) > 1
        for g, group in enumerate(plan["groups"], 1):
            user = group["facilitator"]
            if not user:
                continue
            where = translate(self.texts, "facilitator.group", await ctx.user_language(user), g=g) if many else ""
            await ctx.dm(user, text(await ctx.t_user(user, "facilitator.dm", when=when, group=where)))
        for leader in plan["apart"] if plan.get("peers") else []:
            await ctx.dm(leader, text(await ctx.t_user(leader, "peers.dm", team=plan["peers"])))
        await self._tell_admins(ctx, plan, occ)
        if await rnd.get("call") is None:
            return
        dilemmas = await rnd.get("dilemmas", [])
        paragraphs: list[Any] = [(Bold(ctx.team_t("prepare.title", when=when)),)]
        if not dilemmas:
            paragraphs.append(ctx.team_t("prepare.none"))
            await ctx.post(text(*paragraphs, buttons=(button(self.open_dilemma_form, ctx.team_t("button.bring"), occ.key, "primary"),)))
            return
        paragraphs.append(ctx.team_t("prepare.body"))
        paragraphs.extend([await self._dilemma_line(ctx, d) for d in dilemmas])
        buttons = [button(self.vote, ctx.team_t("button.vote", n=d["n"]), f"{occ.key}|{d['n']}") for d in dilemmas]
        await ctx.post(text(*paragraphs, buttons=buttons))

    async def _tell_admins(self, ctx: RitualContext[Options], plan: dict[str, Any], occ: Occurrence) -> None:
        """Privately, to each admin: what was decided about the tables and why (seed 002: 4 to 8)."""
        if not plan.get("notes"):
            return
        for admin in sorted(ctx.team.admins):
            when = spoken_date(occ.scheduled, await ctx.user_language(admin))
            lines = [await ctx.t_user(admin, "admin.head", when=when)]
            peers = options_peers(ctx)
            lines += [await ctx.t_user(admin, f"note.{key}", **{"team": peers, **values})
                      for key, values in plan["notes"]]
            await ctx.dm(admin, text(*lines))

    @step("session")
    async def open_session(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        rnd = Round(ctx, occ.key)
        await rnd.put("closed", True)
        plan = await self._plan(ctx, rnd)
        dilemmas = await rnd.get("dilemmas", [])
        # Run again after a takeover (`bot/replay.py`): the same tables as the posts already out.
        discussed = await rnd.get("discussed")
        per_table = discussed if discussed is not None else await self._tables(ctx, rnd, plan)
        options = ctx.options
        if not plan["groups"]:
            await ctx.post(text(ctx.team_t("session.nobody")))
        for g in range(len(plan["groups"])):
            chosen = next((d for d in dilemmas if d["n"] == per_table[g]), None)
            head = await ctx.post(self._session_message(ctx, plan, g, await self._dilemma_text(ctx, chosen), options))
            first = await ctx.post(self._step_message(ctx, options.method, occ.key, g, 0, 0), thread=head)
            await rnd.put(f"progress{g}", {"step": 0, "ref": ref_data(first), "head": ref_data(head),
                                     "started": ctx.now().isoformat()})
        await self._session_posted(rnd, per_table)

    async def _tables(self, ctx: RitualContext, rnd: Round, plan: dict[str, Any]) -> list[int | None]:
        """Which dilemma each table discusses (by votes, a named one only where its owner sits)."""
        dilemmas = await rnd.get("dilemmas", [])
        ranked = rank([d["n"] for d in dilemmas], await rnd.get("votes", {}), f"{ctx.team.id}:{rnd.occurrence}")
        entries = [Entry(d["n"], d.get("by") if d.get("named") else None) for d in dilemmas]
        return assign([g["members"] for g in plan["groups"]], entries, ranked)

    async def _session_posted(self, rnd: Round, per_table: list[int | None]) -> None:
        await rnd.put("discussed", per_table)  # per table, kept with the plan until next month's call
        await rnd.drop("dilemmas", "votes", "volunteers")  # what people said is posted; now forget it

    @step("reflection")
    async def ask_reflection(self, ctx: RitualContext[Options], occ: Occurrence) -> None:
        rnd = Round(ctx, occ.key)
        if not (await rnd.get("plan", {})).get("groups"):
            return
        posted = await ctx.post(text((Bold(ctx.team_t("reflect.title")),), ctx.team_t("reflect.body"), ctx.team_t("reflect.talk"), buttons=(
            button(self.open_reflection_form, ctx.team_t("button.reflect"), occ.key, "primary"),
            button(self.talk_to_someone, ctx.team_t("button.talk")),
            button(self.explain_privacy, ctx.team_t("button.privacy")))))
        await rnd.put("reflection", ref_data(posted))

    async def recovered(self, ctx: RitualContext[Options], occ: Occurrence, posted: MessageRef) -> None:
        """A step went out from a replica that died before recording it, and running it again
        (`bot/replay.py`, which restores every table of a session and posts the ones never
        reached) stopped or was not possible: the call and the reflection keep their post
        (their buttons and threads need it); after the session what people brought in is
        forgotten as usual, but tables whose progress was not recorded have dead "next step"
        buttons (they answer that the step has passed)."""
        rnd = Round(ctx, occ.key)
        if occ.step == "call":
            await rnd.put("call", ref_data(posted))
        elif occ.step == "reflection":
            await rnd.put("reflection", ref_data(posted))
        elif occ.step == "session" and await rnd.get("discussed") is None:
            await self._session_posted(rnd, await self._tables(ctx, rnd, await self._plan(ctx, rnd)))

    async def _dilemma_text(self, ctx: RitualContext[Options], entry: dict[str, Any] | None) -> dict[str, Any] | None:
        """A dilemma for the session: its stored text when its author opted in, else only its
        number; its author as they chose to bring it in (named or not), whatever their consent."""
        if entry is None:
            return None
        stored = await ctx.stored_answer(entry["response"]) if entry.get("response") else None
        content = stored.content if stored is not None else {}
        by = entry.get("by") if entry.get("named") else None
        return {"n": entry["n"], "by": by, "title": content.get("title"), "story": content.get("story")}

    async def _dilemma_line(self, ctx: RitualContext[Options], entry: dict[str, Any]) -> tuple[Any, ...]:
        title = (await self._dilemma_text(ctx, entry) or {}).get("title")
        return (f"{entry['n']}. ", UserText(title) if title else ctx.team_t("dilemma.see_thread"))

    # data rights ------------------------------------------------------------------------------------

    async def personal_data(self, ctx: RitualContext[Options], user_id: str) -> dict[str, Any]:
        """Votes, volunteering, dilemmas brought in by name and table places of rounds still
        running (their state is short-lived), and the sessions this person facilitated this year."""
        found: dict[str, Any] = {}
        votes = {key.removeprefix("votes:"): v[user_id] for key, v in await ctx.state_items("votes:") if user_id in v}
        if votes:
            found["votes"] = votes
        offered = [key.removeprefix("volunteers:") for key, v in await ctx.state_items("volunteers:") if user_id in v]
        if offered:
            found["volunteered_to_facilitate"] = offered
        brought = [key.removeprefix("dilemmas:") for key, ds in await ctx.state_items("dilemmas:")
                   if any(d.get("by") == user_id for d in ds)]
        if brought:
            found["brought_in_a_dilemma_by_name"] = brought
        groups = [key.removeprefix("plan:") for key, plan in await ctx.state_items("plan:")
                  if any(user_id in g["members"] for g in plan.get("groups", [])) or user_id in plan.get("apart", [])]
        if groups:
            found["in_a_group"] = groups
        facilitated = [o for o, u in await ctx.get_state(HISTORY) or [] if u == user_id]
        if facilitated:
            found["facilitated"] = facilitated
        return found

    async def forget_person(self, ctx: RitualContext[Options], user_id: str) -> None:
        for key, votes in await ctx.state_items("votes:"):
            if user_id in votes:
                await ctx.update_state(key, lambda v: {u: n for u, n in (v or {}).items() if u != user_id})
        for key, volunteers in await ctx.state_items("volunteers:"):
            if user_id in volunteers:
                await ctx.update_state(key, lambda v: [u for u in v or [] if u != user_id])
        for key, dilemmas in await ctx.state_items("dilemmas:"):
            if any(d.get("by") == user_id for d in dilemmas):
                await ctx.update_state(key, lambda ds: [d | {"by": None, "named": False, "response": None}
                                                  if d.get("by") == user_id else d for d in ds or []])
        for key, plan in await ctx.state_items("plan:"):
            if any(user_id in g["members"] for g in plan.get("groups", [])) or user_id in plan.get("apart", []):
                await ctx.update_state(key, lambda p: without(p, user_id))
        if any(u == user_id for _, u in await ctx.get_state(HISTORY) or []):
            await ctx.update_state(HISTORY, lambda h: [[o, u] for o, u in h or [] if u != user_id])

    async def people_left(self, ctx: RitualContext[Options], present: frozenset[str]) -> None:
        """Someone who left the team is taken out of this month's tables at once."""
        for key, plan in await ctx.state_items("plan:"):
            seated = {m for g in plan.get("groups", []) for m in g["members"]} | set(plan.get("apart", []))
            gone = seated - present - set(plan.get("guests", []))  # guests are in their own team's roster
            if gone:
                def drop(p: dict[str, Any], gone: set[str] = gone) -> dict[str, Any]:
                    for user in gone:
                        p = without(p, user)
                    return p
                await ctx.update_state(key, drop)

    # planning -----------------------------------------------------------------------------------

    async def _present(self, ctx: RitualContext[Options]) -> list[str]:
        away = await ctx.store.away()
        return [m for m in await ctx.members() if m not in away]

    async def _guests(self, ctx: RitualContext[Options]) -> list[str]:
        """Leaders of other teams who, this time, take part here with their peers."""
        guests: list[str] = []
        for other in ctx.other_teams():
            opts = other.options
            if opts.leader_peers != ctx.team.id:
                continue
            present = await self._present(other)
            if leaders_go_to_peers(present, other.team.leaders, min_size=opts.group_size_min,
                                   separate=opts.separate_leaders_and_reports, peers=opts.leader_peers):
                guests += [p for p in present if other.team.is_leader(p) and p not in guests]
        return guests

    async def _plan(self, ctx: RitualContext[Options], rnd: Round) -> dict[str, Any]:
        """Tables and facilitators for this occurrence, made once and then kept."""
        plan: dict[str, Any] | None = await rnd.get("plan")
        if plan is not None:
            return plan
        options = ctx.options
        present = await self._present(ctx)
        guests = [g for g in await self._guests(ctx) if g not in present]
        peers = options.leader_peers
        notes: list[list[Any]] = []
        if peers is not None and peers not in {other.team.id for other in ctx.other_teams()}:
            notes.append(["peers_unknown", {}])
            peers = None
        seating = seat(present, ctx.team.leaders, seed=f"{ctx.team.id}:{rnd.occurrence}",
                       min_size=options.group_size_min, max_size=options.group_size_max,
                       separate=options.separate_leaders_and_reports, peers=peers, guests=guests)
        facilitators = await self._facilitators(ctx, rnd, seating.tables, willing=len(present) + len(guests))
        plan = {"groups": [{"members": t, "facilitator": f} for t, f in zip(seating.tables, facilitators, strict=True)],
                "apart": seating.apart, "notes": [[k, v] for k, v in seating.notes] + notes,
                "peers": peers if seating.apart and peers else None, "guests": guests}
        await rnd.put("plan", plan)
        return plan

    async def _facilitators(self, ctx: RitualContext[Options], rnd: Round, tables: list[list[str]], *, willing: int) -> list[str | None]:
        """One per table: volunteers first, then everyone willing in turn, leaders last (`facilitation.py`)."""
        today = ctx.local_now().date()
        history = [(o, u) for o, u in await ctx.get_state(HISTORY) or []]
        counts = facilitation.year_counts(history, today)
        cap = facilitation.share_cap(counts, willing, len(tables))
        volunteers = await rnd.get("volunteers", [])
        chosen: list[str | None] = []
        for table in tables:
            picked: str | None = None
            for band in facilitation.bands(table, volunteers=volunteers, leaders=ctx.team.leaders, counts=counts, cap=cap):
                picked = await ctx.pick_next("facilitator", band, exclude=[c for c in chosen if c])
                if picked is not None:
                    break
            if picked is None and table:  # everyone at the table opted out of rotations: someone still holds the steps
                picked = facilitation.stable_pick(table, f"{ctx.team.id}:{rnd.occurrence}")
            chosen.append(picked)
        if any(chosen):
            kept = facilitation.prune(history, today) + [(rnd.occurrence, c) for c in chosen if c]
            await ctx.put_state(HISTORY, [list(pair) for pair in kept])
        return chosen

    # messages -------------------------------------------------------------------------------------

    def _session_message(self, ctx: RitualContext[Options], plan: dict[str, Any], g: int, chosen: dict[str, Any] | None,
                         options: Options) -> Message:
        group = plan["groups"][g]
        count = len(plan["groups"])
        title = ctx.team_t("session.title_group", g=g + 1, count=count) if count > 1 else ctx.team_t("session.title")
        who: list[Any] = [ctx.team_t("session.who")]
        for i, member in enumerate(group["members"]):
            who += ([", "] if i else []) + [Mention(member)]
        fac = group["facilitator"]
        paras: list[Any] = [(Bold(title),), tuple(who)]
        if fac:
            paras.append(mentioning(ctx.team_t("session.facilitator", who=WHO), fac))
        if len(group["members"]) < options.group_size_min:
            paras.append(ctx.team_t("session.small", min=options.group_size_min))
        if plan["apart"]:
            paras.append(ctx.team_t("session.leaders_peers" if plan.get("peers") else "session.leaders_apart"))
        steps = METHODS[options.method]
        paras.append(ctx.team_t("session.method", method=ctx.team_t(f"method.{options.method}"), steps=len(steps),
                           minutes=sum(s.minutes for s in steps)))
        if chosen is None:
            paras.append(ctx.team_t("session.no_dilemma"))
            return text(*paras)
        if chosen.get("by"):
            paras.append(mentioning(ctx.team_t("session.chosen_named", n=chosen["n"], who=WHO), chosen["by"]))
        else:
            paras.append(ctx.team_t("session.chosen_anonymous", n=chosen["n"]))
        if chosen.get("title"):
            paras += [(UserText(chosen["title"]),), (UserText(chosen.get("story") or ""),)]
        else:
            paras.append(ctx.team_t("dilemma.see_thread"))
        if not chosen.get("by"):
            paras.append(ctx.team_t(f"session.anonymous_steps.{options.method}"))
        return text(*paras)
