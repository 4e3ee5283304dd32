"""Direct messages that wait for the person's working time (issue 14).

A scheduled step runs in the team's working time (`bot/timing.py`). A DM it sends to
someone whose own timezone is known and puts them outside working hours (a colleague
in Curaçao, a sharer on a work trip to Tokyo) is held here and sent at their next
working moment, in their timezone, instead of in their evening or weekend.

Held messages are kept in the core's state of the team (`outbox:<due UTC>:<id>`: the
ritual, the person and the message), and sent by `deliver_due` (a job every minute and
the simulation), each exactly once across replicas: the firing lease of
(team, "core", "outbox", <entry id>) decides who sends it, and a dead sender's lease is
taken over (`resume`). The entry is deleted once its firing is decided.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.messages import Bold, Button, Mention, Message, MessageRef, Segment, UserText
from bot.outcome import Outcome, firing_marker
from bot.platform import Marked, NotDelivered, Unreachable
from bot.store import Store
from bot.store.leases import RUNNING, UNCONFIRMED, LeasedFiring, NewFiring

if TYPE_CHECKING:
    from bot.app import RitualBot
    from bot.teams import TeamView

log = logging.getLogger("ritualbot.outbox")

CORE = "core"
STEP = "outbox"  # a held DM's firing: (team, CORE, STEP, <entry id>)
PREFIX = "outbox:"
LOOK_BACK = timedelta(minutes=2)  # replicas' clocks differ a little: look a bit before `started_at`
SECRET_ENV = "RITUALBOT_SECRET"
ID_SECRET_SETTING = "outbox_id_secret"  # only when RITUALBOT_SECRET is unset
_ID_PURPOSE = b"ritualbot held DM id v1"


def encode(message: Message) -> dict[str, Any]:
    """A message as JSON-able data."""
    def segment(part: Segment) -> list[str]:
        if isinstance(part, str):
            return ["text", part]
        if isinstance(part, Mention):
            return ["mention", part.user_id]
        if isinstance(part, Bold):
            return ["bold", part.text]
        return ["user", part.text]

    return {"paragraphs": [[segment(p) for p in para] for para in message.paragraphs],
            "buttons": [[b.action, b.label, b.value, b.style] for b in message.buttons]}


def decode(data: dict[str, Any]) -> Message:
    """The message `encode` made."""
    kinds = {"text": str, "mention": Mention, "bold": Bold, "user": UserText}
    paragraphs = tuple(tuple(kinds[kind](value) for kind, value in para) for para in data["paragraphs"])
    buttons = tuple(Button(action, label, value, style) for action, label, value, style in data["buttons"])
    return Message(paragraphs, buttons)


async def id_key(store: Store, environ: Mapping[str, str] | None = None) -> bytes:
    """The key held DMs' ids are made with: HMAC-SHA256(`RITUALBOT_SECRET`, purpose), the same
    on every replica. Without `RITUALBOT_SECRET`, from a random secret kept in the database
    (then whoever has a copy of the database has the key too; README says to set it)."""
    secret = (os.environ if environ is None else environ).get(SECRET_ENV, "").strip()
    if not secret:
        secret = await store.setting_or_create(ID_SECRET_SETTING, lambda: secrets.token_hex(32))
    return hmac.new(secret.encode(), _ID_PURPOSE, hashlib.sha256).digest()


def held_id(key: bytes, marker: str, user_id: str, n: int) -> str:
    """The id of the `n`th DM to `user_id` held by the firing marked `marker`: the same when
    a replica taking the firing over runs its step again, so the DM is held (and sent) once.
    Keyed (`id_key`): the id stays in the database after `/ritual forget`, and the firing's
    marker is there too, so a plain hash of the person's id would tell who got the DM."""
    return hmac.new(key, f"{marker}|{user_id}|{n}".encode(), hashlib.sha256).hexdigest()[:12]


async def hold(store: Store, team_id: str, ritual_id: str, user_id: str, message: Message, due: datetime,
               now: datetime, entry_id: str | None = None) -> None:
    """Keep a DM (its buttons already bound to team and ritual) until `due`. With `entry_id`
    (`held_id`: a scheduled step's DM) a DM already held, or already sent, under that id is
    not held again: its firing is (team, core, outbox, id), claimed once."""
    if entry_id is not None:
        held = await store.state_items(team_id, CORE, PREFIX)
        if any(key.endswith(":" + entry_id) for key, _ in held) or await store.firing_by_key(
                team_id, CORE, STEP, entry_id) is not None:
            return
    key = f"{PREFIX}{due.astimezone(UTC).isoformat(timespec='minutes')}:{entry_id or uuid.uuid4().hex[:12]}"
    await store.put_state(team_id, CORE, key, {"ritual": ritual_id, "user": user_id, "message": encode(message)}, now)


def _due(key: str) -> datetime:
    return datetime.fromisoformat(key.removeprefix(PREFIX).rsplit(":", 1)[0])


async def held_for(store: Store, team_id: str, user_id: str) -> list[dict[str, str]]:
    """The DMs waiting for this person (for `/ritual mydata`): which ritual and when."""
    return [{"ritual": held["ritual"], "due": _due(key).isoformat()}
            for key, held in await store.state_items(team_id, CORE, PREFIX) if held and held.get("user") == user_id]


async def drop_for(store: Store, team_id: str, user_id: str) -> None:
    """Forget the DMs waiting for this person (for `/ritual forget`)."""
    for key, held in await store.state_items(team_id, CORE, PREFIX):
        if held and held.get("user") == user_id:
            await store.delete_state(team_id, CORE, key)


async def next_due(bot: RitualBot) -> datetime | None:
    """When the earliest held DM of any team is due, or None."""
    held = await bot.store.state_items_by_team(CORE, PREFIX)  # one query for all teams
    dues = [_due(key) for team in bot.teams for key, _ in held.get(team, ())]
    return min(dues) if dues else None


async def deliver_due(bot: RitualBot) -> int:
    """Send every held DM that is due (each once, across replicas); returns how many went out.

    Each DM is a firing under a lease like a ritual's step (`bot/store/leases.py`): claimed
    for a free posting slot, marked started (with the person) just before the platform
    call, finished after it; the entry is deleted last. A replica that dies on the way
    leaves a lease that another one takes over (`resume`).

    Which teams hold a due DM is one query for all teams (it runs every minute; one query a
    team was 10,000 queries a minute, during a fan-out too); a team that does is read again
    just before its DMs are sent, so a `/ritual forget` meanwhile still counts.
    """
    engine, sent = bot.engine, 0
    now = bot.clock.now()
    waiting = await bot.store.state_items_by_team(CORE, PREFIX)
    for team in list(bot.teams.values()):
        if not any(held and _due(key) <= now for key, held in waiting.get(team.id, ())):
            continue
        for key, held in await bot.store.state_items(team.id, CORE, PREFIX):
            due = _due(key)
            if due > bot.clock.now() or not held:
                continue
            held_id = key.rsplit(":", 1)[1]  # the claim's occurrence column is short: the entry's own id
            await engine.slots.acquire(1)
            try:
                now = bot.clock.now()
                claimed = await bot.store.claim_firings([NewFiring(team.id, CORE, STEP, held_id, due)], RUNNING,
                                                        engine.worker, now, now + engine.lease)
                if claimed:
                    sent += (await _send(bot, team, key, held, claimed[0])).status == "done"
                else:
                    await _forget_if_settled(bot, team.id, key, held_id)
            finally:
                engine.slots.release()
    return sent


async def _send(bot: RitualBot, team: TeamView, key: str, held: dict[str, Any], firing: LeasedFiring) -> Outcome:
    """Send one claimed held DM: started, sent, finished, then the entry deleted."""

    engine, store = bot.engine, bot.store
    platform = bot.platform_for(team)
    message = replace(decode(held["message"]), marker=firing_marker(firing))
    try:
        if not await store.mark_started(firing.id, engine.worker, bot.clock.now(), "@" + held["user"]):
            return Outcome("taken")  # another replica took it over: it decides
    except Exception as exc:  # the database is away: nothing went out; the lease runs out and it is taken over
        log.warning("team %s: a held DM could not be marked started (%s)", team.id, type(exc).__name__)
        return Outcome(RUNNING, "database")
    try:
        await platform.send_dm(held["user"], message)
        outcome = await engine.finish(firing, "done")
    except NotDelivered:
        log.warning("team %s: a held DM was not taken by %s; trying again in a minute", team.id, platform.name)
        await store.drop_claim(firing.id, engine.worker)
        return Outcome("deferred")
    except Unreachable as refusal:
        bot.people.unreachable(platform, refusal)
        await store.audit(team.id, None, f"{held['ritual']}: DM refused", refusal.reason, bot.clock.now())
        outcome = await engine.finish(firing, "failed", "unreachable")
    except Exception as exc:
        if engine.stopping:  # cut off by SIGTERM: its lease runs out and it is taken over (`resume`)
            return engine.interrupted(f"team {team.id}: a held DM", exc)
        log.exception("team %s: a held DM failed; not sent twice", team.id)
        outcome = await engine.finish(firing, "failed", "error")
    await store.delete_state(team.id, CORE, key)
    return outcome


async def _forget_if_settled(bot: RitualBot, team_id: str, key: str, held_id: str) -> None:
    """An entry whose firing is already decided (its sender died before deleting it) goes."""
    firing = await bot.store.firing_by_key(team_id, CORE, STEP, held_id)
    if firing is not None and firing.status != RUNNING:
        await bot.store.delete_state(team_id, CORE, key)


async def resume(bot: RitualBot, firing: LeasedFiring) -> Outcome:
    """Decide a held DM whose sender's lease ran out (`bot/takeover.py`); holds one posting
    slot, given back at the end.

    Not started: sent. Started: the DM channel is searched for its marker; found, it is
    done; certainly not there, sent. Where nobody can know (Slack: reading DMs needs
    im:history, which the bot does not ask for), it is not sent again: the firing is
    recorded unconfirmed and the admins are told, without naming the person, except for a
    discreet ritual (one kept out of the admins' insights: the confidant line, the
    leader's checklist), whose DMs the admins must not learn of; only the log says so.
    """
    engine = bot.engine
    try:
        team = bot.teams.get(firing.team_id)
        entry = None if team is None else next(
            ((key, held) for key, held in await bot.store.state_items(firing.team_id, CORE, PREFIX)
             if key.endswith(":" + firing.occurrence) and held), None)
        if team is None or entry is None:  # the team was removed, or the person asked to be forgotten
            return await engine.finish(firing, "failed", "held_gone")
        key, held = entry
        if firing.started_at is None:
            return await _send(bot, team, key, held, firing)
        found = await _look(bot, team, held["user"], firing)
        if found is False:
            return await _send(bot, team, key, held, firing)
        if isinstance(found, MessageRef):
            outcome = await engine.finish(firing, "done", "confirmed_after_takeover")
        else:
            outcome = await engine.finish(firing, UNCONFIRMED, "may_have_posted")
            ritual = bot.rituals.get(held["ritual"])
            if ritual is not None and ritual.in_insights and not ritual.discreet:  # private rituals: nobody told
                await bot.notices.held_unconfirmed(team, held["ritual"], firing.due_at)
            else:
                log.warning("team %s: a held DM of a discreet ritual may have gone out; not sent again, "
                            "nobody told", team.id)
        await bot.store.delete_state(team.id, CORE, key)
        return outcome
    finally:
        engine.slots.release()


async def _look(bot: RitualBot, team: TeamView, user: str, firing: LeasedFiring) -> Marked:

    since = (firing.started_at or firing.due_at) - LOOK_BACK
    try:
        return await bot.platform_for(team).find_marked(firing_marker(firing), since, user=user)
    except Exception:
        log.warning("team %s: could not check whether a held DM went out", team.id, exc_info=True)
        return None
