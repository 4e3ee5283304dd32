"""Everything the moral deliberation says, in Dutch and English (the method steps are in
`methods.py`). Dutch uses je/jij; both languages say things as people would."""

from __future__ import annotations

from rituals.moral_deliberation.methods import METHOD_TEXTS

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
    "button.signal": {"nl": "Leg het bij de vertrouwenspersoon neer", "en": "Raise it with the confidant"},
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
    "session.chosen_named": {"nl": "Jullie bespreken dilemma {n}, ingebracht door {who}:", "en": "You discuss dilemma {n}, brought in by {who}:"},
    "session.chosen_anonymous": {"nl": "Jullie bespreken dilemma {n}, anoniem ingebracht:", "en": "You discuss dilemma {n}, brought in anonymously:"},
    "session.anonymous_steps.dilemmamethode": {
        "nl": ("Omdat dit dilemma anoniem is ingebracht, gaan drie stappen anders. Stap 2: de begeleider leest de casus voor. "
               "Stap 3: de groep verwoordt samen het dilemma zoals het in de tekst staat. Stap 4: stel je vragen hardop, maar "
               "niemand hoeft ze te beantwoorden; wat onbekend blijft, mag onbekend blijven. Wie het dilemma inbracht, mag "
               "meepraten zonder te zeggen dat het van hem of haar is."),
        "en": ("Because this dilemma was brought in anonymously, three steps change. Step 2: the facilitator reads out the case. "
               "Step 3: the group puts the dilemma into words together, as the text describes it. Step 4: ask your questions "
               "out loud, but nobody has to answer them; what stays unknown may stay unknown. Whoever brought it in may join "
               "the conversation without saying it's theirs.")},
    "session.anonymous_steps.cura": {
        "nl": ("Omdat dit dilemma anoniem is ingebracht, leest de begeleider bij 'Concentreren' de situatie voor, en spreekt "
               "ieder bij 'Uitstellen' en 'Actie' voor zichzelf: wat zou jij doen, wat zou jij nodig hebben? Wie het inbracht, "
               "mag meepraten zonder te zeggen dat het van hem of haar is."),
        "en": ("Because this dilemma was brought in anonymously, the facilitator reads out the situation at 'Concentrate', and "
               "at 'Unrush' and 'Act' everyone speaks for themselves: what would you do, what would you need? Whoever brought "
               "it in may join the conversation without saying it's theirs.")},
    "session.leaders_peers": {"nl": "Zoals afgesproken praten de leidinggevenden deze keer mee met collega-leidinggevenden van een ander team, zodat iedereen hier vrijuit kan spreken.",
                              "en": "As agreed, the leaders join fellow leaders from another team this time, so everyone here can speak freely."},
    "peers.dm": {"nl": ("Bij het moreel beraad zitten leidinggevenden en hun teamleden deze keer apart, en jullie zijn met te weinig "
                        "leidinggevenden voor een eigen tafel. Daarom praat je mee met je collega-leidinggevenden bij het moreel "
                        "beraad van team {team}; daar zie je aan welke tafel je zit."),
                 "en": ("At the moral deliberation leaders and their team members sit apart this time, and there are too few "
                        "leaders for a table of your own. So you join your fellow leaders at the moral deliberation of team "
                        "{team}; that's where you'll see your table.")},
    "admin.head": {"nl": "Over de tafels van het moreel beraad van {when}, alleen voor jou als beheerder:",
                   "en": "About the tables of the moral deliberation on {when}, just for you as an admin:"},
    "note.small_team": {"nl": ("Er zijn {count} mensen; een gesprek werkt het best met 4 tot 8 mensen. Ze praten met z'n allen aan "
                               "één tafel; kleiner splitsen zou iemand alleen laten zitten."),
                        "en": ("There are {count} people; the conversation works best with 4 to 8. They all meet at one table; "
                               "splitting them further would leave someone on their own.")},
    "note.merged": {"nl": ("Leidinggevenden en teamleden zouden apart zitten, maar er zijn te weinig teamleden ({reports}) voor "
                           "een eigen tafel van minstens {min}. Daarom zit iedereen deze keer samen aan één tafel, ook de "
                           "leidinggevenden: niemand zit alleen. Wil je dat niet, zet dan het moreel beraad voor dit team uit."),
                    "en": ("Leaders and team members would sit apart, but there are too few team members ({reports}) for a table "
                           "of at least {min}. So everyone meets at one table this time, the leaders included: nobody sits alone. "
                           "If you'd rather not, turn the moral deliberation off for this team.")},
    "note.leaders_small": {"nl": ("De {leaders} leidinggevenden zitten apart aan een eigen tafel, kleiner dan de {min} die het best werkt. "
                                  "Met de optie leader_peers praten ze mee met leidinggevenden van een ander team."),
                           "en": ("The {leaders} leaders sit apart at a table of their own, smaller than the {min} that works best. "
                                  "With the leader_peers option they join the leaders of another team.")},
    "note.leader_alone": {"nl": ("De enige leidinggevende zit apart en heeft dus geen tafel: alleen aan tafel zitten kan niet. "
                                 "Met de optie leader_peers praat die mee met leidinggevenden van een ander team; anders blijft "
                                 "de leidinggevende elke keer buiten het gesprek."),
                          "en": ("The only leader sits apart and so has no table: nobody sits at a table alone. With the "
                                 "leader_peers option they join the leaders of another team; otherwise the leader is left out "
                                 "every time.")},
    "note.leaders_to_peers": {"nl": "De leidinggevenden zijn met te weinig voor een eigen tafel; zoals ingesteld praten ze mee met hun collega-leidinggevenden bij team {team}.",
                              "en": "There are too few leaders for a table of their own; as configured, they join their fellow leaders at team {team}."},
    "note.peers_unknown": {"nl": "De optie leader_peers noemt team {team}, maar daar draait geen moreel beraad. Controleer de instelling.",
                           "en": "The leader_peers option names team {team}, but no moral deliberation runs there. Please check the setting."},
    "session.no_dilemma": {"nl": ("Er is deze keer geen dilemma ingebracht. Heeft iemand vandaag iets wat knaagt? Dan kan dat nu, ter plekke. "
                                  "Of praat over wat jullie de afgelopen maand raakte."),
                           "en": ("No dilemma was brought in this time. Does anyone have something nagging today? Bring it in now. "
                                  "Or talk about what touched you this past month.")},
    "session.small": {"nl": "Jullie zijn met minder dan {min}; het gesprek kan prima, maar het wordt wat kleiner.",
                      "en": "There are fewer than {min} of you; the conversation works fine, just a little smaller."},
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
    "reflect.mixed": {"nl": "Dubbel", "en": "Mixed"},
    "reflect.heavy": {"nl": "Zwaar", "en": "Heavy"},
    "reflect.note": {"nl": "Wat neem je mee? (mag leeg)", "en": "What do you take with you? (optional)"},
    "reflect.submit": {"nl": "Versturen", "en": "Send"},
    "reflect.closed": {"nl": "Deze terugblik is gesloten.", "en": "This round of reflections has closed."},
    "reflect.named": {"nl": "{who} over het beraad: {how}", "en": "{who} on the session: {how}"},
    "reflect.anonymous": {"nl": "Iemand over het beraad, anoniem: {how}", "en": "Someone on the session, anonymously: {how}"},
    "reflect.thanks": {"nl": "Dank je wel dat je het laat weten.", "en": "Thank you for letting us know."},
    "stored.yes": {"nl": "Ik heb het bewaard.", "en": "I have kept it."},
    "stored.no": {"nl": "Ik heb het niet bewaard.", "en": "I have not kept it."},
    "reflect.heavy_reply": {"nl": "Dank je wel dat je het laat weten. Het klinkt alsof het zwaar was; dat mag er zijn, en je hoeft er niet alleen mee te blijven zitten.",
                            "en": "Thank you for telling me. It sounds like it was heavy; that's allowed, and you don't have to carry it alone."},
    "talk.lead": {"nl": "Fijn dat je het aangeeft.", "en": "Glad you asked."},
    "support.confidant": {"nl": "{who} is de vertrouwenspersoon van jullie team. Een gesprek met een vertrouwenspersoon blijft tussen jullie.",
                          "en": "{who} is your team's confidential adviser. What you discuss with a confidential adviser stays between you."},
    "support.no_confidant": {"nl": "Je organisatie heeft een vertrouwenspersoon; een gesprek daar blijft tussen jullie. Weet je niet wie het is? Dat staat meestal op intranet, of vraag het HR zonder te zeggen waarom.",
                             "en": "Your organisation has a confidential adviser; what you discuss there stays between you. Don't know who it is? It's usually on the intranet, or ask HR without saying why."},
    "support.doctor": {"nl": "Je kunt ook terecht bij de bedrijfsarts. Ook dat gesprek is vertrouwelijk: je leidinggevende hoort er niets over zonder jouw toestemming.",
                       "en": "You can also go to the company doctor. That conversation is confidential too: your manager hears nothing about it without your permission."},
    "support.small_step": {"nl": "Een kleinere eerste stap mag ook: een kort berichtje als 'Mag ik je binnenkort even spreken?' is genoeg, je hoeft nog niets uit te leggen. Of praat eerst met een collega die je vertrouwt.",
                           "en": "A smaller first step is fine too: a short message like 'Could we talk sometime soon?' is enough, you don't have to explain anything yet. Or talk to a colleague you trust first."},
    "support.untold": {"nl": "Dit bericht ziet alleen jij. Niemand hoort er iets over van mij, en ik onthoud het niet.",
                       "en": "Only you can see this message. Nobody hears about it from me, and I don't remember it."},
}
