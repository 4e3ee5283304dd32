"""The two conversation methods: their steps, minutes and texts.

Sources (see docs/rituals.md): the dilemma method of moral case deliberation (Stolper,
Molewijk & Widdershoven, BMC Medical Ethics 17:45, 2016) and CURA (Metselaar, van Schaik,
Widdershoven & Pasman, Nursing Ethics 29(7-8), 2022; van Schaik et al., BMC Medical Ethics
23:32, 2022). The wording of the questions is ours; the order and the purpose of each step
are the published ones.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    "dm1.ask": {"nl": "Wat hier gezegd wordt, blijft in deze groep. De begeleider vertelt hoe het gesprek gaat: we zoeken niet naar de oplossing, maar onderzoeken samen wat goed is om te doen. Wat hoop je uit dit gesprek te halen? Spreek af of er iets wordt opgeschreven, en door wie.",
                "en": "What is said here stays in this group. The facilitator explains how the conversation goes: we don't look for the solution, we explore together what is right to do. What do you hope to take from this conversation? Agree whether anything is written down, and by whom."},
    "dm2.title": {"nl": "De casus", "en": "The case"},
    "dm2.ask": {"nl": "De inbrenger vertelt over de casus en over het moment waarop het dilemma het sterkst voelde. Wat gebeurde er, wie waren erbij, wat voelde je toen? De anderen luisteren.",
                "en": "The person who brought the case tells it, and describes the moment the dilemma was felt most. What happened, who was there, what did you feel? The others listen."},
    "dm3.title": {"nl": "Het dilemma", "en": "The dilemma"},
    "dm3.ask": {"nl": "De inbrenger verwoordt het dilemma: moet ik A doen, of B? Wat gaat er verloren als ik A kies, en wat als ik B kies? De anderen mogen helpen het scherp te krijgen, maar het blijft het dilemma van de inbrenger.",
                "en": "The person who brought the case puts the dilemma into words: should I do A, or B? What is lost if I choose A, and what if I choose B? The others may help make it sharp, but it stays the case owner's dilemma."},
    "dm4.title": {"nl": "Verhelderende vragen", "en": "Clarifying questions"},
    "dm4.ask": {"nl": "Stel vragen om je in de situatie van de inbrenger te verplaatsen, nog zonder oplossingen of oordeel. De inbrenger antwoordt. Wat moet je weten om straks zelf een keuze te kunnen maken?",
                "en": "Ask questions to put yourself in the case owner's situation, without solutions or judgement yet. The case owner answers. What do you need to know to make a choice yourself later?"},
    "dm5.title": {"nl": "Perspectieven, waarden en normen", "en": "Perspectives, values and norms"},
    "dm5.ask": {"nl": "Wie zijn erbij betrokken, ook wie hier niet aan tafel zit? Wat vindt ieder belangrijk, en wat betekent dat voor wat je zou moeten doen?",
                "en": "Who is involved, including those not at the table? What matters to each of them, and what does that mean for what ought to be done?"},
    "dm6.title": {"nl": "Alternatieven", "en": "Alternatives"},
    "dm6.ask": {"nl": "Welke andere mogelijkheden zijn er, naast A en B? Eerst verzamelen, nog niet wegen.",
                "en": "What other options are there, besides A and B? Collect them first; don't weigh them yet."},
    "dm7.title": {"nl": "Ieders afweging", "en": "Each person's choice"},
    "dm7.ask": {"nl": "Ieder voor zich, eerst even opschrijven: ik vind het juist om … te doen, omdat … Wat kan ik daardoor niet doen, wie of wat lijdt daaronder? Hoe kan ik die schade beperken? En wat heb ik nodig om deze keuze te kunnen maken?",
                "en": "Each on your own, write it down first: I think the right thing is to … because … What can I therefore not do, and who or what suffers from that? How can I limit that harm? And what do I need to be able to make this choice?"},
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
    "cura1.ask": {"nl": "Sta even stil bij de situatie. Wat is er aan de hand, wie zijn erbij betrokken, en wat doet het met je? Wat knaagt er?",
                  "en": "Take a moment with the situation. What is going on, who is involved, and what does it do to you? What is nagging you?"},
    "cura2.title": {"nl": "Uitstellen", "en": "Unrush"},
    "cura2.ask": {"nl": "Merk je eerste reactie op: je oordeel, je gevoel, wat je meteen zou willen doen. Deel die hardop, en zet ze daarna even opzij, zodat er ruimte komt om verder te kijken.",
                  "en": "Notice your first reaction: your judgement, your feelings, what you'd want to do straight away. Share it out loud, then set it aside for now, so there is room to look further."},
    "cura3.title": {"nl": "Reflecteren", "en": "Reflect"},
    "cura3.ask": {"nl": "Kijk door de ogen van ieder die erbij betrokken is: wat is voor hen belangrijk, welke waarden staan op het spel? Welke mogelijkheden zie je, en wat spreekt daarvoor en daartegen?",
                  "en": "Look through the eyes of each person involved: what matters to them, which values are at stake? Which options do you see, and what speaks for and against each?"},
    "cura4.title": {"nl": "Actie", "en": "Act"},
    "cura4.ask": {"nl": "Wat ga je doen, of anders doen? Wat heb je daarvoor nodig, en van wie? Spreek af wie wat doet.",
                  "en": "What will you do, or do differently? What do you need for that, and from whom? Agree who does what."},
}
