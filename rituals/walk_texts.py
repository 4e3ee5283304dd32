"""Everything walk and listen says, in Dutch (je/jij) and English."""

from __future__ import annotations

TEXTS = {
    "propose.dm": {"nl": "Deze week wandel je met {who}.", "en": "This week you walk with {who}."},
    "propose.spirit": {"nl": "Geen agenda, geen actiepunten: alleen luisteren. Pas dan hoor je wat er echt speelt.",
                       "en": "No agenda, no action points: just listen. That's when you hear what is really going on."},
    "propose.nobody": {"nl": "Deze week stel ik niemand voor: er is niemand die nu meedoet. Volgende week kijk ik opnieuw.",
                       "en": "No one to suggest this week: nobody is taking part right now. I'll look again next week."},
    "status.planned": {"nl": "Gepland. Fijn!", "en": "Planned. Lovely!"},
    "status.done": {"nl": "Gewandeld. Dank je wel dat je de tijd nam om te luisteren.", "en": "Walked. Thank you for taking the time to listen."},
    "status.skipped": {"nl": "Deze week niet, en dat is ook goed.", "en": "Not this week, and that's fine too."},
    "status.declined": {"nl": "Deze week niet.", "en": "Not this week."},
    "button.planned": {"nl": "Gepland", "en": "Planned"},
    "button.done": {"nl": "Gewandeld", "en": "Done"},
    "button.other": {"nl": "Iemand anders", "en": "Someone else"},
    "button.skip": {"nl": "Sla deze week over", "en": "Skip this week"},
    "button.not_happened": {"nl": "Het kwam er niet van", "en": "It didn't happen"},
    "invite.dm": {"nl": ("Hoi! {who} wil deze week graag een stukje met je wandelen. Geen agenda en geen actiepunten: gewoon even "
                         "samen lopen, en {who} luistert. Past het je niet? Klik dan op 'Liever niet'; een reden is niet nodig."),
                  "en": ("Hi! {who} would like to go for a walk with you this week. No agenda and no action points: just a walk "
                         "together, and {who} listens. Doesn't it suit you? Click 'I'd rather not'; no reason needed.")},
    "button.decline": {"nl": "Liever niet", "en": "I'd rather not"},
    "decline.done": {"nl": "Helemaal goed. Ik laat {who} weten dat het deze week niet uitkomt, zonder reden. Er verandert verder niets.",
                     "en": "That's completely fine. I'll let {who} know it doesn't suit this week, without a reason. Nothing else changes."},
    "decline.leader": {"nl": ("{who} wandelt deze week liever niet mee. Dat is helemaal goed, en er hoeft geen reden bij. Wil je "
                              "deze week met iemand anders wandelen? Dan stel ik de volgende voor."),
                       "en": ("{who} would rather not walk this week. That's completely fine, and no reason is needed. Would you "
                              "like to walk with someone else this week? Then I'll suggest the next one.")},
    "decline.gone": {"nl": "Deze wandeling staat niet meer; er hoeft niets te gebeuren.",
                     "en": "This walk is no longer on; nothing needs to happen."},
    "followup.dm": {"nl": "Is het deze week gelukt om met {who} te wandelen? Kwam het er niet van, dan is dat ook goed.",
                    "en": "Did you manage to walk with {who} this week? If it didn't happen, that's fine too."},
    "refuse.not_leader": {"nl": "Deze knoppen zijn voor de leidinggevende die de wandeling maakt.",
                          "en": "These buttons are for the leader who takes the walk."},
    "refuse.member": {"nl": "Met {who} kan ik deze week geen wandeling vastleggen. Kies 'Iemand anders' voor de volgende in de rij.",
                      "en": "I can't record a walk with {who} this week. Choose 'Someone else' for the next in line."},
    "refuse.with": {"nl": "Met {who} kan ik deze week geen wandeling vastleggen.", "en": "I can't record a walk with {who} this week."},
    "refuse.gone": {"nl": "Deze wandeling bestaat niet meer.", "en": "This walk no longer exists."},
    "gone.dm": {"nl": ("{who} is niet meer bij het team, dus de wandeling van deze week gaat niet door. Wil je met iemand "
                       "anders wandelen? Dat mag, en deze week overslaan mag ook."),
                "en": ("{who} is no longer with the team, so this week's walk won't happen. Would you like to walk with "
                       "someone else? That's fine, and so is letting this week go.")},
    "other.nobody": {"nl": "Er is deze week niemand anders in de rij.", "en": "There's nobody else in line this week."},
    "walks.title": {"nl": "Jouw wandelingen, de afgelopen {weeks} weken:", "en": "Your walks over the last {weeks} weeks:"},
    "walks.none": {"nl": "Nog geen wandelingen in deze periode.", "en": "No walks in this period yet."},
    "walks.line": {"nl": "week {week}: {who} ({status})", "en": "week {week}: {who} ({status})"},
    "walks.waiting": {"nl": "Wacht het langst: {who}", "en": "Waited longest: {who}"},
    "walks.status.proposed": {"nl": "voorgesteld", "en": "suggested"},
    "walks.status.planned": {"nl": "gepland", "en": "planned"},
    "walks.status.done": {"nl": "gewandeld", "en": "walked"},
    "walks.status.skipped": {"nl": "overgeslagen", "en": "skipped"},
    "walks.status.declined": {"nl": "liever niet", "en": "rather not"},
    "walks.not_leader": {"nl": ("Wandelen en luisteren is iets van de leidinggevenden. Wil je liever niet gevraagd worden? "
                                "Typ /ritual walks optout; niemand krijgt te zien dat je dat deed."),
                         "en": ("Walk and listen is for leaders. Rather not be asked? Type /ritual walks optout; nobody is "
                                "shown that you did.")},
    "walks.team_small": {"nl": "Er zijn minder dan {minimum} teamleden om mee te wandelen; om niemand aan te wijzen laat ik geen aantallen zien.",
                         "en": "There are fewer than {minimum} team members to walk with; so as not to point at anyone, I show no numbers."},
    "walks.team": {"nl": "In de afgelopen {weeks} weken is met {walked} van de {members} teamleden gewandeld ({walks} wandelingen).",
                   "en": "In the last {weeks} weeks, {walked} of {members} team members were walked with ({walks} walks)."},
    "walks.admin_only": {"nl": "Het overzicht per team is voor beheerders; het laat alleen aantallen zien.",
                         "en": "The team overview is for admins; it only shows counts."},
    "walks.optout": {"nl": "Goed, je wordt niet meer voorgesteld voor een wandeling. Niemand krijgt te zien dat je dit koos. "
                           "Terugdraaien kan met /ritual walks optin.",
                     "en": "Fine, you won't be suggested for a walk any more. Nobody is shown that you chose this. "
                           "Undo it with /ritual walks optin."},
    "walks.optin": {"nl": "Fijn, je kunt weer voorgesteld worden voor een wandeling.", "en": "Good, you can be suggested for a walk again."},
    "walks.with_usage": {"nl": "Gebruik: /ritual walks with @naam", "en": "Usage: /ritual walks with @name"},
    "walks.with_done": {"nl": "Genoteerd: deze week wandel je met {who}.", "en": "Noted: this week you walk with {who}."},
    "walks.help": {"nl": ("/ritual walks: je eigen wandelingen · walks team: aantallen (beheerders) · walks with @naam: zelf "
                          "iemand kiezen · walks optout / optin: wel of niet gevraagd worden"),
                   "en": ("/ritual walks: your own walks · walks team: counts (admins) · walks with @name: choose someone "
                          "yourself · walks optout / optin: be asked or not")},
}
