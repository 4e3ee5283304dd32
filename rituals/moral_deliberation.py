"""Moreel beraad: once a month the team talks about dilemmas and feelings instead of files.

Steps of one occurrence (default the first Tuesday of the month, 14:00 team time):
- `call`, `call_days_before` days earlier: a call for dilemmas (named or anonymous) and for
  volunteers to facilitate. Each dilemma goes in the call's thread with a vote button.
- `prepare`, `prepare_hours_before` earlier: the groups (4 to 8 people) and their
  facilitators are set, facilitators hear it privately, and the team is reminded to vote.
- `session`: the chosen dilemma and, per group, the method's first step. The facilitator
  (or an admin) moves on with "next step"; the bot keeps the steps and the time.
- `reflection`, `reflection_after_hours` later: how was it? And, privately, who to talk to.

Until the session the bot holds the dilemmas' text in its small state store, so it can
show the chosen one; at the session it forgets them. Dilemmas and reflections are kept
only for people who opted in, and only named ones: anonymous ones are never kept. Votes are
counted, never shown.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.context import InteractionContext, Occurrence, RitualContext
from bot.i18n import translate
from bot.messages import (
    WHO,
    Bold,
    Button,
    Choice,
    FieldKind,
    Form,
    FormField,
    Mention,
    Message,
    MessageRef,
    UserText,
    mentioning,
    text,
)
from bot.platform import FormResult
from bot.ritual import Ritual, Step, action, form, step

MAX_TITLE = 150
MAX_STORY = 1500
MAX_DILEMMAS = 10


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["dilemmamethode", "cura"] = Field(
        default="dilemmamethode", description="the conversation method: the 10-step dilemmamethode or 4-step CURA")
    call_days_before: int = Field(default=7, ge=2, le=21, description="days before the session the call for dilemmas goes out")
    prepare_hours_before: int = Field(default=24, ge=1, le=72, description="hours before the session groups and facilitators are set")
    reflection_after_hours: int = Field(default=3, ge=1, le=72, description="hours after the start the reflection prompt is posted")
    group_size_min: int = Field(default=4, ge=2, le=10, description="smallest group")
    group_size_max: int = Field(default=8, ge=3, le=20, description="largest group; larger teams are split")
    separate_leaders_and_reports: bool = Field(default=False, description="leaders never share a group with their team")
    allow_anonymous: bool = Field(default=True, description="let people bring in a dilemma or reflection without their name")

    @model_validator(mode="after")
    def _consistent(self) -> Options:
        if self.group_size_max < 2 * self.group_size_min - 1:
            raise ValueError("group_size_max must be at least 2 × group_size_min − 1, so every team splits evenly")
        if self.prepare_hours_before >= self.call_days_before * 24:
            raise ValueError("prepare_hours_before must come after the call (less than call_days_before × 24)")
        return self


# Inside MoralDeliberation its class attribute `Options` shadows the name in annotations.
_Options = Options


# The methods ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MethodStep:
    key: str
    minutes: int


METHODS: dict[str, tuple[MethodStep, ...]] = {
    "dilemmamethode": tuple(MethodStep(f"dm{i}", m) for i, m in enumerate((5, 10, 10, 10, 15, 5, 10, 15, 5, 5), 1)),
    "cura": tuple(MethodStep(f"cura{i}", m) for i, m in enumerate((5, 10, 15, 10), 1)),
}

METHOD_TEXTS = {
    "method.dilemmamethode": {"nl": "de dilemmamethode", "en": "the dilemma method"},
    "method.cura": {"nl": "CURA", "en": "CURA"},
    "dm1.title": {"nl": "Introductie en vertrouwelijkheid", "en": "Introduction and confidentiality"},
    "dm1.ask": {"nl": "Wat hier gezegd wordt, blijft in deze groep. Wat hoop je uit dit gesprek te halen? Spreek af of er iets wordt opgeschreven, en door wie.",
                "en": "What is said here stays in this group. What do you hope to take from this conversation? Agree whether anything is written down, and by whom."},
    "dm2.title": {"nl": "De casus", "en": "The case"},
    "dm2.ask": {"nl": "De inbrenger vertelt over het moment waarop het dilemma het sterkst voelde. Wat gebeurde er, wie waren erbij, wat voelde je toen?",
                "en": "The person who brought the case tells about the moment the dilemma was felt most. What happened, who was there, what did you feel?"},
    "dm3.title": {"nl": "Het dilemma", "en": "The dilemma"},
    "dm3.ask": {"nl": "Maak het dilemma samen scherp: moet ik A doen, of B? Wat gaat er verloren als je A kiest, en wat als je B kiest?",
                "en": "Sharpen the dilemma together: should I do A, or B? What is lost if you choose A, and what if you choose B?"},
    "dm4.title": {"nl": "Verhelderende vragen", "en": "Clarifying questions"},
    "dm4.ask": {"nl": "Stel vragen om je in de situatie te verplaatsen, nog zonder oplossingen of oordeel. Wat moet je weten om straks zelf te kunnen kiezen?",
                "en": "Ask questions to put yourself in the situation, without solutions or judgement yet. What do you need to know to choose for yourself later?"},
    "dm5.title": {"nl": "Perspectieven, waarden en normen", "en": "Perspectives, values and norms"},
    "dm5.ask": {"nl": "Wie zijn erbij betrokken, ook wie hier niet aan tafel zit? Wat vindt ieder belangrijk, en wat betekent dat voor wat je zou moeten doen?",
                "en": "Who is involved, including those not at the table? What matters to each of them, and what does that mean for what ought to be done?"},
    "dm6.title": {"nl": "Alternatieven", "en": "Alternatives"},
    "dm6.ask": {"nl": "Welke andere mogelijkheden zijn er, naast A en B? Eerst verzamelen, nog niet wegen.",
                "en": "What other options are there, besides A and B? Collect them first; don't weigh them yet."},
    "dm7.title": {"nl": "Ieders afweging", "en": "Each person's choice"},
    "dm7.ask": {"nl": "Ieder voor zich, eerst even opschrijven: ik vind het juist om … te doen, omdat … Wat kan ik daardoor niet doen? Hoe kan ik de schade beperken?",
                "en": "Each on your own, write it down first: I think the right thing is to … because … What can I therefore not do? How can I limit the harm?"},
    "dm8.title": {"nl": "Dialoog", "en": "Dialogue"},
    "dm8.ask": {"nl": "Leg de afwegingen naast elkaar. Waar zijn jullie het over eens, waar verschillen jullie, en waar zit dat verschil in?",
                "en": "Put your choices side by side. Where do you agree, where do you differ, and what makes the difference?"},
    "dm9.title": {"nl": "Conclusies en acties", "en": "Conclusions and actions"},
    "dm9.ask": {"nl": "Wat nemen jullie mee? Welke afspraken maken jullie, wie doet wat, en wanneer kijken jullie terug?",
                "en": "What do you take with you? What do you agree, who does what, and when do you look back?"},
    "dm10.title": {"nl": "Evaluatie", "en": "Evaluation"},
    "dm10.ask": {"nl": "Hoe was dit gesprek? Wat hielp, en wat kan een volgende keer anders?",
                 "en": "How was this conversation? What helped, and what could be different next time?"},
    "cura1.title": {"nl": "Concentreren", "en": "Concentrate"},
    "cura1.ask": {"nl": "Sta even stil. Wat is de situatie, en wat doet die met je? Wat knaagt er?",
                  "en": "Take a moment. What is the situation, and what does it do to you? What is nagging you?"},
    "cura2.title": {"nl": "Uitstellen", "en": "Postpone"},
    "cura2.ask": {"nl": "Stel je eerste reactie en je oordeel even uit. Wat weet je nog niet? Welke vragen heb je?",
                  "en": "Hold back your first reaction and judgement for now. What don't you know yet? What questions do you have?"},
    "cura3.title": {"nl": "Reflecteren", "en": "Reflect"},
    "cura3.ask": {"nl": "Wat is voor de anderen die erbij betrokken zijn belangrijk? Kijk door hun ogen: wat zou voor hen goed zijn?",
                  "en": "What matters to the others involved? Look through their eyes: what would be good for them?"},
    "cura4.title": {"nl": "Actie", "en": "Act"},
    "cura4.ask": {"nl": "Wat ga je doen, of anders doen? Wat heb je daarvoor nodig, en van wie?",
                  "en": "What will you do, or do differently? What do you need for that, and from whom?"},
}

TEXTS = {
    **METHOD_TEXTS,
    "call.title": {"nl": "Moreel beraad op {when}: wat houdt je bezig?", "en": "Moral deliberation on {when}: what's on your mind?"},
    "call.body": {"nl": ("Bij het moreel beraad staan niet de dossiers centraal, maar wat jullie zelf bezighoudt: een moment waarop je "
                         "twijfelde wat goed was om te doen, of waarop het werk schuurde met wat jij belangrijk vindt. Breng je een "
                         "dilemma in? Met je naam of anoniem. Daarna kiezen we samen welk dilemma we bespreken."),
                  "en": ("Moral deliberation is not about files but about what is on your own mind: a moment you doubted what was right "
                         "to do, or when the work grated against what you care about. Will you bring in a dilemma? With your name or "
                         "anonymously. Then we choose together which one to discuss.")},
    "call.facilitate": {"nl": "Wil je het gesprek een keer begeleiden? Het hoeft niet perfect: ik houd de stappen en de tijd bij, jij het gesprek.",
                        "en": "Would you like to facilitate once? It doesn't have to be perfect: I keep the steps and the time, you keep the conversation."},
    "button.bring": {"nl": "Breng een dilemma in", "en": "Bring in a dilemma"},
    "button.facilitate": {"nl": "Ik wil wel begeleiden", "en": "I'll facilitate"},
    "button.privacy": {"nl": "Wat bewaar je?", "en": "What do you keep?"},
    "button.vote": {"nl": "Stem op dilemma {n}", "en": "Vote for dilemma {n}"},
    "button.next": {"nl": "Volgende stap", "en": "Next step"},
    "button.finish": {"nl": "Afronden", "en": "Wrap up"},
    "button.reflect": {"nl": "Vertel hoe het was", "en": "Tell us how it was"},
    "button.talk": {"nl": "Ik wil graag met iemand praten", "en": "I'd like to talk to someone"},
    "form.dilemma_title": {"nl": "Een dilemma inbrengen", "en": "Bring in a dilemma"},
    "form.dilemma_intro": {"nl": ("Laat namen van cliënten, leerlingen of ouders weg. Ik bewaar je dilemma tot het beraad, zodat ik het dan "
                                  "kan laten zien; daarna vergeet ik het, tenzij je hebt gezegd dat ik je antwoorden mag bewaren."),
                           "en": ("Leave out names of clients, pupils or parents. I hold on to your dilemma until the session so I can show "
                                  "it then; after that I forget it, unless you said I may keep your answers.")},
    "form.title_field": {"nl": "Je dilemma in één zin", "en": "Your dilemma in one sentence"},
    "form.story": {"nl": "Wat speelde er, op het moment dat je het dilemma het sterkst voelde?", "en": "What happened, at the moment you felt the dilemma most?"},
    "form.private": {"nl": "Alleen voor mezelf", "en": "Just for myself"},
    "form.submit": {"nl": "Inbrengen", "en": "Bring in"},
    "form.closed": {"nl": "Het inbrengen is voor deze keer gesloten. Bewaar je dilemma gerust voor het volgende beraad.",
                    "en": "Bringing in is closed for this time. Do keep your dilemma for the next session."},
    "form.full": {"nl": "Er zijn al {max} dilemma's ingebracht; meer past er deze keer niet. Bewaar het jouwe gerust voor volgende maand.",
                  "en": "{max} dilemmas have been brought in already; no more fit this time. Do keep yours for next month."},
    "dilemma.named": {"nl": "Dilemma {n}, ingebracht door {who}:", "en": "Dilemma {n}, brought in by {who}:"},
    "dilemma.anonymous": {"nl": "Dilemma {n}, anoniem ingebracht:", "en": "Dilemma {n}, brought in anonymously:"},
    "dilemma.see_thread": {"nl": "(de tekst staat in de draad onder de oproep)", "en": "(the text is in the thread under the call)"},
    "dilemma.thanks": {"nl": "Dank je wel voor je vertrouwen. Je dilemma staat in de draad onder de oproep; iedereen kan er nu op stemmen.",
                       "en": "Thank you for your trust. Your dilemma is in the thread below the call; everyone can vote for it now."},
    "dilemma.thanks_anonymous": {"nl": "Dank je wel voor je vertrouwen. Je dilemma staat anoniem in de draad; niemand kan zien dat het van jou is.",
                                 "en": "Thank you for your trust. Your dilemma is in the thread anonymously; nobody can see it is yours."},
    "vote.counted": {"nl": "Dank je, je stem op dilemma {n} is geteld. Van gedachten veranderen mag tot het beraad begint.",
                     "en": "Thanks, your vote for dilemma {n} is counted. You may change your mind until the session starts."},
    "vote.moved": {"nl": "Je stem is verplaatst van dilemma {old} naar dilemma {n}.", "en": "Your vote moved from dilemma {old} to dilemma {n}."},
    "vote.again": {"nl": "Je hebt al op dilemma {n} gestemd; één stem per persoon. Je stem blijft staan.",
                   "en": "You already voted for dilemma {n}; one vote each. Your vote stays as it is."},
    "vote.closed": {"nl": "Het stemmen is voorbij; het beraad is begonnen.", "en": "Voting is over; the session has started."},
    "vote.not_member": {"nl": "Stemmen is voor de leden van dit team.", "en": "Voting is for the members of this team."},
    "facilitate.thanks": {"nl": "Dank je wel! Je staat op de lijst. De dag voor het beraad hoor je of jij deze keer begeleidt; we wisselen eerlijk af.",
                          "en": "Thank you! You're on the list. The day before the session you'll hear whether it's your turn; we take fair turns."},
    "facilitate.already": {"nl": "Je staat al op de lijst, dank je wel.", "en": "You're on the list already, thank you."},
    "facilitate.late": {"nl": "Voor deze keer is de begeleiding al geregeld. Fijn dat je wilt: klik volgende maand gerust weer.",
                        "en": "Facilitation is arranged for this time. Glad you'd like to: do click again next month."},
    "prepare.title": {"nl": "Het moreel beraad is {when}. Welk dilemma bespreken we?", "en": "Moral deliberation is {when}. Which dilemma shall we discuss?"},
    "prepare.body": {"nl": "Je kunt stemmen tot het beraad begint; van gedachten veranderen mag. Eén stem per persoon.",
                     "en": "You can vote until the session starts, and change your mind. One vote each."},
    "prepare.none": {"nl": "Er is nog geen dilemma ingebracht. Dat kan nog tot het beraad begint.",
                     "en": "No dilemma has been brought in yet. You can still do so until the session starts."},
    "facilitator.dm": {"nl": ("Het moreel beraad is {when}, en jij begeleidt het gesprek{group}. Ik zet de stappen klaar en houd de tijd "
                              "bij; jij leidt het gesprek en gaat verder met de knop 'Volgende stap'. Lukt het toch niet? Laat het je "
                              "groep of een beheerder weten."),
                       "en": ("Moral deliberation is {when}, and you facilitate the conversation{group}. I set out the steps and keep "
                              "the time; you lead the conversation and move on with the 'Next step' button. Can't make it after all? "
                              "Let your group or an admin know.")},
    "facilitator.group": {"nl": " van groep {g}", "en": " of group {g}"},
    "session.title": {"nl": "Moreel beraad", "en": "Moral deliberation"},
    "session.title_group": {"nl": "Moreel beraad, groep {g} van {count}", "en": "Moral deliberation, group {g} of {count}"},
    "session.who": {"nl": "Aan tafel: ", "en": "At the table: "},
    "session.facilitator": {"nl": "Begeleiding: {who}. Ik houd de stappen en de tijd bij; {who} leidt het gesprek.",
                            "en": "Facilitator: {who}. I keep the steps and the time; {who} leads the conversation."},
    "session.method": {"nl": "We werken met {method}: {steps} stappen, ongeveer {minutes} minuten.",
                       "en": "We use {method}: {steps} steps, about {minutes} minutes."},
    "session.chosen_named": {"nl": "Jullie kozen dilemma {n}, ingebracht door {who}:", "en": "You chose dilemma {n}, brought in by {who}:"},
    "session.chosen_anonymous": {"nl": "Jullie kozen dilemma {n}, anoniem ingebracht:", "en": "You chose dilemma {n}, brought in anonymously:"},
    "session.no_dilemma": {"nl": ("Er is deze keer geen dilemma ingebracht. Heeft iemand vandaag iets wat knaagt? Dan kan dat nu, ter plekke. "
                                  "Of praat over wat jullie de afgelopen maand raakte."),
                           "en": ("No dilemma was brought in this time. Does anyone have something nagging today? Bring it in now. "
                                  "Or talk about what touched you this past month.")},
    "session.small": {"nl": "Jullie zijn met minder dan {min}; het gesprek kan prima, maar het wordt wat kleiner.",
                      "en": "You are fewer than {min}; the conversation works fine, just a little smaller."},
    "session.leaders_apart": {"nl": "Zoals afgesproken praten leidinggevenden deze keer niet mee in de groepen, zodat iedereen vrijuit kan spreken.",
                              "en": "As agreed, leaders don't join the groups this time, so everyone can speak freely."},
    "session.nobody": {"nl": "Er is deze keer niemand om het moreel beraad mee te houden.", "en": "There is nobody to hold the deliberation with this time."},
    "step.head": {"nl": "Stap {i} van {count}: {title} (± {minutes} min)", "en": "Step {i} of {count}: {title} (± {minutes} min)"},
    "step.time": {"nl": "Jullie zijn {elapsed} minuten bezig; volgens de planning zou dat ongeveer {planned} zijn.",
                  "en": "You've been going for {elapsed} minutes; the plan says about {planned}."},
    "step.done": {"nl": "Dat was de laatste stap. Dank jullie wel voor dit open gesprek. Straks vraag ik hoe het voor jullie was.",
                  "en": "That was the last step. Thank you for this open conversation. Later on I'll ask how it was for you."},
    "next.refused": {"nl": "Alleen {who}, die vandaag begeleidt, of een beheerder kan naar de volgende stap. Wil je verder? Zeg het gerust in de groep.",
                     "en": "Only {who}, who facilitates today, or an admin can move to the next step. Want to move on? Just say so in the group."},
    "next.stale": {"nl": "Die stap is al voorbij; het gesprek is verder.", "en": "That step has passed; the conversation has moved on."},
    "reflect.title": {"nl": "Hoe was het moreel beraad voor jou?", "en": "How was the moral deliberation for you?"},
    "reflect.body": {"nl": "Soms blijft er na zo'n gesprek iets hangen. Vertel gerust hoe het was: met je naam, anoniem, of alleen voor jezelf.",
                     "en": "Sometimes something lingers after a conversation like this. Tell us how it was: with your name, anonymously, or just for yourself."},
    "reflect.talk": {"nl": "Zit je met iets zwaarders? Klik op 'Ik wil graag met iemand praten'. Niemand ziet dat je dat doet, en ik onthoud het niet.",
                     "en": "Carrying something heavier? Click 'I'd like to talk to someone'. Nobody sees that you did, and I don't remember it."},
    "reflect.form_title": {"nl": "Hoe was het?", "en": "How was it?"},
    "reflect.how": {"nl": "Hoe was het beraad voor jou?", "en": "How was the session for you?"},
    "reflect.good": {"nl": "Goed", "en": "Good"},
    "reflect.mixed": {"nl": "Gemengd", "en": "Mixed"},
    "reflect.heavy": {"nl": "Zwaar", "en": "Heavy"},
    "reflect.note": {"nl": "Wat neem je mee? (mag leeg)", "en": "What do you take with you? (optional)"},
    "reflect.submit": {"nl": "Versturen", "en": "Send"},
    "reflect.closed": {"nl": "Deze terugblik is gesloten.", "en": "This look back has closed."},
    "reflect.named": {"nl": "{who} over het beraad: {how}", "en": "{who} on the session: {how}"},
    "reflect.anonymous": {"nl": "Iemand over het beraad, anoniem: {how}", "en": "Someone on the session, anonymously: {how}"},
    "reflect.thanks": {"nl": "Dank je wel dat je het laat weten.", "en": "Thank you for letting us know."},
    "reflect.heavy_offer": {"nl": "Het klinkt alsof het zwaar was. Wil je erover praten? Klik dan op 'Ik wil graag met iemand praten' bij de terugblik; niemand ziet dat.",
                            "en": "It sounds like it was heavy. Want to talk about it? Click 'I'd like to talk to someone' on the look back; nobody sees that."},
    "stored.yes": {"nl": "Ik heb het bewaard.", "en": "I have kept it."},
    "stored.no": {"nl": "Ik heb het niet bewaard.", "en": "I have not kept it."},
    "talk.confidant": {"nl": ("Fijn dat je het aangeeft. {who} is de vertrouwenspersoon van jullie team: stuur gerust zelf een berichtje, "
                              "dan spreken jullie af wanneer het jou past. Ik heb niemand laten weten dat je hierop klikte, en ik onthoud het niet."),
                       "en": ("Glad you said so. {who} is your team's confidential adviser: just send a message yourself and agree on a "
                              "time that suits you. I have told nobody you clicked this, and I don't remember it.")},
    "talk.none": {"nl": ("Fijn dat je het aangeeft. Jullie team heeft in de bot (nog) geen vertrouwenspersoon ingesteld; de "
                         "vertrouwenspersoon van je organisatie of de bedrijfsarts is er ook voor jou. Ik heb niemand laten weten "
                         "dat je hierop klikte, en ik onthoud het niet."),
                  "en": ("Glad you said so. Your team has not set a confidential adviser in the bot (yet); your organisation's "
                         "confidential adviser or the occupational doctor is there for you too. I have told nobody you clicked "
                         "this, and I don't remember it.")},
}

_DAYS = {"nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
         "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
_MONTHS = {"nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                  "november", "december"),
           "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")}


# Pure helpers: groups, the chosen dilemma, dates ------------------------------------------------

def _seeded(seed: str) -> random.Random:
    return random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))


def split_groups(people: list[str], *, seed: str, max_size: int) -> list[list[str]]:
    """Shuffle deterministically by `seed`, then cut into the fewest groups of at most
    `max_size`, their sizes differing by one at most."""
    order = sorted(set(people))
    if not order:
        return []
    _seeded(seed).shuffle(order)
    count = math.ceil(len(order) / max_size)
    size, extra = divmod(len(order), count)
    groups, start = [], 0
    for g in range(count):
        end = start + size + (1 if g < extra else 0)
        groups.append(order[start:end])
        start = end
    return groups


def make_groups(people: list[str], leaders: frozenset[str], *, seed: str, max_size: int,
                separate: bool) -> tuple[list[list[str]], list[str]]:
    """Groups, and the leaders left out (when separated and too few for a group of their own)."""
    if not separate:
        return split_groups(people, seed=seed, max_size=max_size), []
    bosses = [p for p in people if p in leaders]
    reports = [p for p in people if p not in leaders]
    groups = split_groups(reports, seed=seed, max_size=max_size)
    if len(bosses) >= 2:
        return groups + split_groups(bosses, seed=seed + ":leaders", max_size=max_size), []
    return groups, bosses


def choose_dilemma(numbers: list[int], votes: dict[str, int], seed: str) -> int | None:
    """Most votes wins; a tie is broken by a hash of the occurrence, not by order or name."""
    if not numbers:
        return None
    counts = Counter(votes.values())
    return min(numbers, key=lambda n: (-counts[n], hashlib.sha256(f"{seed}:{n}".encode()).hexdigest()))


def spoken_date(moment: datetime, language: str) -> str:
    lang = language if language in _DAYS else "en"
    day, month = _DAYS[lang][moment.weekday()], _MONTHS[lang][moment.month - 1]
    if lang == "nl":
        return f"{day} {moment.day} {month} om {moment:%H:%M}"
    return f"{day} {moment.day} {month} at {moment:%H:%M}"


def _ref(data: dict[str, str]) -> MessageRef:
    return MessageRef(channel=data["channel"], id=data["id"])


def _ref_data(ref: MessageRef) -> dict[str, str]:
    return {"channel": ref.channel, "id": ref.id}


class Round:
    """The state of one occurrence, in the ritual's small state store until the next call."""

    KINDS = ("call", "dilemmas", "votes", "volunteers", "plan", "closed", "reflection")

    def __init__(self, ctx: RitualContext, occurrence: str) -> None:
        self.ctx, self.occurrence = ctx, occurrence

    async def get(self, kind: str, default: Any = None) -> Any:
        value = await self.ctx.get_state(f"{kind}:{self.occurrence}")
        return default if value is None else value

    async def put(self, kind: str, value: Any) -> None:
        await self.ctx.put_state(f"{kind}:{self.occurrence}", value)

    async def update(self, kind: str, change: Callable[[Any], Any]) -> Any:
        """Read-modify-write under a lock: votes and dilemmas from many people at once."""
        return await self.ctx.update_state(f"{kind}:{self.occurrence}", change)

    async def drop(self, *kinds: str) -> None:
        for kind in kinds:
            await self.ctx.delete_state(f"{kind}:{self.occurrence}")

    async def is_open(self) -> bool:
        """Dilemmas and votes are taken from the call until the session starts."""
        return await self.get("call") is not None and not await self.get("closed")

    async def clear(self) -> None:
        for g in range(len((await self.get("plan", {})).get("groups", []))):
            await self.drop(f"progress{g}")
        await self.drop(*self.KINDS)

    @property
    def scheduled(self) -> datetime:
        return datetime.fromisoformat(self.occurrence).replace(tzinfo=self.ctx.team.tz)


# The ritual ----------------------------------------------------------------------------------------

class MoralDeliberation(Ritual):
    id = "moral_deliberation"
    keeps = {
        "consent": {"nl": "je dilemma's en reflecties als je ze met je naam deelt",
                    "en": "your dilemmas and reflections when you share them with your name"},
        "needed": {"nl": "je stem, of je wilt begeleiden en in welke groep je zit (tot het beraad), en wanneer je begeleidde",
                   "en": "your vote, whether you offered to facilitate and which group you are in (until the session), "
                         "and when you facilitated"},
    }
    title = {"nl": "Moreel beraad", "en": "Moral deliberation"}
    summary = {"nl": "Eens per maand dilemma's en gevoelens in plaats van dossiers, stap voor stap begeleid.",
               "en": "Once a month dilemmas and feelings instead of files, guided step by step."}
    default_schedule = "first tue 14:00"
    Options = Options
    texts = TEXTS
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

    def steps(self, options: BaseModel) -> list[Step]:
        assert isinstance(options, Options)
        return [Step("call", -timedelta(days=options.call_days_before)),
                Step("prepare", -timedelta(hours=options.prepare_hours_before)),
                Step("session"),
                Step("reflection", timedelta(hours=options.reflection_after_hours))]

    # scheduled steps --------------------------------------------------------------------------

    @step("call")
    async def post_call(self, ctx: RitualContext, occ: Occurrence) -> None:
        previous = await ctx.get_state("last")
        if previous and previous != occ.key:
            await Round(ctx, previous).clear()
        await ctx.put_state("last", occ.key)
        when = spoken_date(occ.scheduled, ctx.team_language)
        ref = await ctx.post(text((Bold(ctx.team_t("call.title", when=when)),), ctx.team_t("call.body"), ctx.team_t("call.facilitate"),
                                  buttons=(Button("bring", ctx.team_t("button.bring"), occ.key, "primary"),
                                           Button("facilitate", ctx.team_t("button.facilitate"), occ.key),
                                           Button("privacy", ctx.team_t("button.privacy")))))
        await Round(ctx, occ.key).put("call", _ref_data(ref))

    @step("prepare")
    async def prepare(self, ctx: RitualContext, occ: Occurrence) -> None:
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
        if await rnd.get("call") is None:
            return
        dilemmas = await rnd.get("dilemmas", [])
        paragraphs: list[Any] = [(Bold(ctx.team_t("prepare.title", when=when)),)]
        if not dilemmas:
            paragraphs.append(ctx.team_t("prepare.none"))
            await ctx.post(text(*paragraphs, buttons=(Button("bring", ctx.team_t("button.bring"), occ.key, "primary"),)))
            return
        paragraphs.append(ctx.team_t("prepare.body"))
        paragraphs.extend([await self._dilemma_line(ctx, d) for d in dilemmas])
        buttons = [Button("vote", ctx.team_t("button.vote", n=d["n"]), f"{occ.key}|{d['n']}") for d in dilemmas]
        await ctx.post(text(*paragraphs, buttons=buttons))

    @step("session")
    async def open_session(self, ctx: RitualContext, occ: Occurrence) -> None:
        rnd = Round(ctx, occ.key)
        await rnd.put("closed", True)
        plan = await self._plan(ctx, rnd)
        dilemmas = await rnd.get("dilemmas", [])
        chosen_n = choose_dilemma([d["n"] for d in dilemmas], await rnd.get("votes", {}), f"{ctx.team.id}:{occ.key}")
        chosen = next((d for d in dilemmas if d["n"] == chosen_n), None)
        options = ctx.options
        assert isinstance(options, Options)
        if not plan["groups"]:
            await ctx.post(text(ctx.team_t("session.nobody")))
        for g in range(len(plan["groups"])):
            head = await ctx.post(self._session_message(ctx, plan, g, await self._dilemma_text(ctx, chosen), options))
            first = await ctx.post(self._step_message(ctx, options.method, occ.key, g, 0, 0), thread=head)
            await rnd.put(f"progress{g}", {"step": 0, "ref": _ref_data(first), "head": _ref_data(head),
                                     "started": ctx.now().isoformat()})
        await rnd.drop("dilemmas", "votes", "volunteers")  # what people said is posted; now forget it

    @step("reflection")
    async def ask_reflection(self, ctx: RitualContext, occ: Occurrence) -> None:
        rnd = Round(ctx, occ.key)
        if not (await rnd.get("plan", {})).get("groups"):
            return
        ref = await ctx.post(text((Bold(ctx.team_t("reflect.title")),), ctx.team_t("reflect.body"), ctx.team_t("reflect.talk"), buttons=(
            Button("reflect", ctx.team_t("button.reflect"), occ.key, "primary"),
            Button("talk", ctx.team_t("button.talk")),
            Button("privacy", ctx.team_t("button.privacy")))))
        await rnd.put("reflection", _ref_data(ref))

    async def _dilemma_text(self, ctx: RitualContext, entry: dict[str, Any] | None) -> dict[str, Any] | None:
        """The chosen dilemma: its stored text when it was kept (named, opted in), else only its number."""
        if entry is None:
            return None
        stored = await ctx.stored_answer(entry["response"]) if entry.get("response") else None
        content = stored.content if stored is not None else {}
        return {"n": entry["n"], "by": entry.get("by"), "title": content.get("title"), "story": content.get("story")}

    async def _dilemma_line(self, ctx: RitualContext, entry: dict[str, Any]) -> tuple[Any, ...]:
        title = (await self._dilemma_text(ctx, entry) or {}).get("title")
        return (f"{entry['n']}. ", UserText(title) if title else ctx.team_t("dilemma.see_thread"))

    # data rights ------------------------------------------------------------------------------------

    async def personal_data(self, ctx: RitualContext, user_id: str) -> dict[str, Any]:
        """Votes, volunteering and group places of rounds still running (their state is short-lived)."""
        found: dict[str, Any] = {}
        votes = {key.removeprefix("votes:"): v[user_id] for key, v in await ctx.state_items("votes:") if user_id in v}
        if votes:
            found["votes"] = votes
        offered = [key.removeprefix("volunteers:") for key, v in await ctx.state_items("volunteers:") if user_id in v]
        if offered:
            found["volunteered_to_facilitate"] = offered
        groups = [key.removeprefix("plan:") for key, plan in await ctx.state_items("plan:")
                  if any(user_id in g["members"] for g in plan.get("groups", []))]
        if groups:
            found["in_a_group"] = groups
        return found

    async def forget_person(self, ctx: RitualContext, user_id: str) -> None:
        for key, votes in await ctx.state_items("votes:"):
            if user_id in votes:
                await ctx.update_state(key, lambda v: {u: n for u, n in (v or {}).items() if u != user_id})
        for key, volunteers in await ctx.state_items("volunteers:"):
            if user_id in volunteers:
                await ctx.update_state(key, lambda v: [u for u in v or [] if u != user_id])
        for key, dilemmas in await ctx.state_items("dilemmas:"):
            if any(d.get("by") == user_id for d in dilemmas):
                await ctx.update_state(key, lambda ds: [d | {"by": None, "response": None} if d.get("by") == user_id else d
                                                  for d in ds or []])
        for key, plan in await ctx.state_items("plan:"):
            if any(user_id in g["members"] for g in plan.get("groups", [])):
                await ctx.update_state(key, lambda p: _without(p, user_id))

    async def people_left(self, ctx: RitualContext, present: frozenset[str]) -> None:
        """Someone who left the team is taken out of this month's groups at once."""
        for key, plan in await ctx.state_items("plan:"):
            gone = {m for g in plan.get("groups", []) for m in g["members"]} - present
            if gone:
                def drop(p: dict[str, Any], gone: set[str] = gone) -> dict[str, Any]:
                    for user in gone:
                        p = _without(p, user)
                    return p
                await ctx.update_state(key, drop)

    # planning -----------------------------------------------------------------------------------

    async def _plan(self, ctx: RitualContext, rnd: Round) -> dict[str, Any]:
        """Groups and facilitators for this occurrence, made once and then kept."""
        plan: dict[str, Any] | None = await rnd.get("plan")
        if plan is not None:
            return plan
        options = ctx.options
        assert isinstance(options, Options)
        away = await ctx.store.away(ctx.team.id)
        people = [m for m in await ctx.members() if m not in away]
        groups, apart = make_groups(people, ctx.team.leaders, seed=f"{ctx.team.id}:{rnd.occurrence}",
                                    max_size=options.group_size_max, separate=options.separate_leaders_and_reports)
        volunteers = await rnd.get("volunteers", [])
        chosen: list[str] = []
        planned = []
        for group in groups:
            facilitator = await self._facilitator(ctx, group, volunteers, chosen)
            chosen.append(facilitator)
            planned.append({"members": group, "facilitator": facilitator})
        plan = {"groups": planned, "apart": apart}
        await rnd.put("plan", plan)
        return plan

    async def _facilitator(self, ctx: RitualContext, group: list[str], volunteers: list[str], taken: list[str]) -> str:
        """Volunteers in the group first, then its leaders, then anyone in it: by fair rotation."""
        pools = ([v for v in volunteers if v in group], [p for p in group if ctx.team.is_leader(p)], group)
        for pool in pools:
            picked = await ctx.pick_next("facilitator", pool, exclude=taken)
            if picked is not None:
                return picked
        return group[0]  # everyone in the group opted out of rotations: someone still has to hold the steps

    # messages -------------------------------------------------------------------------------------

    def _session_message(self, ctx: RitualContext, plan: dict[str, Any], g: int, chosen: dict[str, Any] | None,
                         options: _Options) -> Message:
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
            paras.append(ctx.team_t("session.leaders_apart"))
        steps = METHODS[options.method]
        paras.append(ctx.team_t("session.method", method=ctx.team_t(f"method.{options.method}"), steps=len(steps),
                           minutes=sum(s.minutes for s in steps)))
        if chosen is None:
            paras.append(ctx.team_t("session.no_dilemma"))
        else:
            if chosen.get("by"):
                paras.append(mentioning(ctx.team_t("session.chosen_named", n=chosen["n"], who=WHO), chosen["by"]))
            else:
                paras.append(ctx.team_t("session.chosen_anonymous", n=chosen["n"]))
            if chosen.get("title"):
                paras += [(UserText(chosen["title"]),), (UserText(chosen.get("story") or ""),)]
            else:
                paras.append(ctx.team_t("dilemma.see_thread"))
        return text(*paras)

    def _step_message(self, ctx: RitualContext, method: str, occurrence: str, g: int, i: int, elapsed: int | None,
                      *, with_button: bool = True) -> Message:
        steps = METHODS[method]
        st = steps[i]
        head = ctx.team_t("step.head", i=i + 1, count=len(steps), title=ctx.team_t(f"{st.key}.title"), minutes=st.minutes)
        paras: list[Any] = [(Bold(head),), ctx.team_t(f"{st.key}.ask")]
        if elapsed:
            paras.append(ctx.team_t("step.time", elapsed=elapsed, planned=sum(s.minutes for s in steps[:i])))
        label = ctx.team_t("button.finish") if i == len(steps) - 1 else ctx.team_t("button.next")
        buttons = [Button("next", label, f"{occurrence}|{g}|{i}", "primary")] if with_button else []
        return text(*paras, buttons=buttons)

    # interactions ------------------------------------------------------------------------------------

    @action("bring")
    async def open_dilemma_form(self, ctx: InteractionContext, occurrence: str) -> None:
        if not await Round(ctx, occurrence).is_open():
            await ctx.reply(text(ctx.user_t("form.closed")))
            return
        options = ctx.options
        assert isinstance(options, Options)
        await ctx.open_form(Form("dilemma", ctx.user_t("form.dilemma_title"), (
            FormField("title", ctx.user_t("form.title_field"), FieldKind.TEXT, max_length=MAX_TITLE),
            FormField("story", ctx.user_t("form.story"), FieldKind.MULTILINE, max_length=MAX_STORY)),
            ctx.user_t("form.submit"), state=occurrence, intro=ctx.user_t("form.dilemma_intro"),
            anonymous=options.allow_anonymous))

    @form("dilemma")
    async def receive_dilemma(self, ctx: InteractionContext, occurrence: str, values: dict[str, Any]) -> FormResult:
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
            return [*(dilemmas or []), {"n": taken["n"], "response": None, "by": None}]

        await rnd.update("dilemmas", reserve)
        n = taken["n"]
        team_t = ctx.team_t
        head = ((Bold(team_t("dilemma.anonymous", n=n)),) if anonymous
                else mentioning(team_t("dilemma.named", n=n, who=WHO), ctx.user_id))
        await ctx.post(text(head, (UserText(answer["title"]),), (UserText(answer["story"]),),
                            buttons=(Button("vote", team_t("button.vote", n=n), f"{occurrence}|{n}"),)),
                       thread=_ref(await rnd.get("call")))
        await ctx.count_participation()
        stored = await ctx.save_answer(ctx.user_id, anonymous=anonymous, kind="dilemma", content=answer,
                                       occurrence=occurrence)
        # Until the session the round keeps only a number and, for a named dilemma of someone
        # who opted in, where the stored answer is. An anonymous dilemma is never kept, so what
        # anyone sees of it is the same whether its author opted in or not.
        if stored:
            await rnd.update("dilemmas", lambda ds: [d | {"response": stored, "by": ctx.user_id} if d["n"] == n else d
                                                     for d in ds])
        thanks = ctx.user_t("dilemma.thanks_anonymous" if anonymous else "dilemma.thanks")
        await _thank(ctx, thanks, stored, anonymous)
        return FormResult()

    @action("vote")
    async def vote(self, ctx: InteractionContext, value: str) -> None:
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
    async def volunteer(self, ctx: InteractionContext, occurrence: str) -> None:
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
    async def next_step(self, ctx: InteractionContext, value: str) -> None:
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
        assert isinstance(options, Options)
        await ctx.update(_ref(progress["ref"]), self._step_message(ctx, options.method, occurrence, g, i, None,
                                                                   with_button=False))
        head = _ref(progress["head"])
        if i + 1 >= len(METHODS[options.method]):
            await ctx.post(text(ctx.team_t("step.done")), thread=head)
            await rnd.put(f"progress{g}", {**progress, "step": i + 1})
            return
        elapsed = int((ctx.now() - datetime.fromisoformat(progress["started"])).total_seconds() // 60)
        ref = await ctx.post(self._step_message(ctx, options.method, occurrence, g, i + 1, elapsed), thread=head)
        await rnd.put(f"progress{g}", {**progress, "step": i + 1, "ref": _ref_data(ref)})

    @action("privacy")
    async def explain_privacy(self, ctx: InteractionContext, value: str) -> None:
        await ctx.offer_consent()

    @action("talk")
    async def talk_to_someone(self, ctx: InteractionContext, value: str) -> None:
        """Only the clicker sees the answer; nothing is logged, stored or sent to the confidant."""
        confidant = ctx.team.confidant
        if confidant:
            await ctx.reply(text(mentioning(ctx.user_t("talk.confidant", who=WHO), confidant)))
        else:
            await ctx.reply(text(ctx.user_t("talk.none")))

    @action("reflect")
    async def open_reflection_form(self, ctx: InteractionContext, occurrence: str) -> None:
        if await Round(ctx, occurrence).get("reflection") is None:
            await ctx.reply(text(ctx.user_t("reflect.closed")))
            return
        options = ctx.options
        assert isinstance(options, Options)
        how = FormField("how", ctx.user_t("reflect.how"), FieldKind.CHOICE, choices=tuple(
            Choice(k, ctx.user_t(f"reflect.{k}")) for k in ("good", "mixed", "heavy")))
        note = FormField("note", ctx.user_t("reflect.note"), FieldKind.MULTILINE, required=False, max_length=MAX_STORY)
        await ctx.open_form(Form("reflection", ctx.user_t("reflect.form_title"), (how, note), ctx.user_t("reflect.submit"),
                                 state=occurrence, anonymous=options.allow_anonymous,
                                 share_choices=(Choice("private", ctx.user_t("form.private")),)))

    @form("reflection")
    async def receive_reflection(self, ctx: InteractionContext, occurrence: str, values: dict[str, Any]) -> FormResult:
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
            await ctx.post(text(head, *([(UserText(note),)] if note else [])), thread=_ref(thread))
            await ctx.count_participation()
        content = {"how": how, **({"note": note} if note else {})}
        stored = await ctx.save_answer(ctx.user_id, anonymous=anonymous, kind="reflection", content=content,
                                       occurrence=occurrence)
        thanks = ctx.user_t("reflect.thanks") + (" " + ctx.user_t("reflect.heavy_offer") if how == "heavy" else "")
        await _thank(ctx, thanks, stored, anonymous)
        return FormResult()


# small helpers ---------------------------------------------------------------------------------------

async def _thank(ctx: InteractionContext, thanks: str, stored: int | None, anonymous: bool) -> None:
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


def _without(plan: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A plan with one person taken out; a group they facilitated gets its next member (or none)."""
    groups = []
    for group in plan.get("groups", []):
        members = [m for m in group["members"] if m != user_id]
        facilitator = group["facilitator"]
        if facilitator == user_id:
            facilitator = members[0] if members else None
        groups.append({**group, "members": members, "facilitator": facilitator})
    return {**plan, "groups": groups}
