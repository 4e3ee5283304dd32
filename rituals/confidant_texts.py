"""The texts of the confidant line (`rituals/confidant_line.py`), in nl and en."""

from __future__ import annotations

TEXTS = {
    "no_confidant": {"nl": ("Jullie team heeft (nog) geen vertrouwenspersoon ingesteld in de bot, dus ik kan je zorg "
                            "nergens heen brengen. Ik heb niets bewaard. Vraag een beheerder om een vertrouwenspersoon "
                            "in te stellen, of zoek de vertrouwenspersoon van je organisatie zelf op."),
                     "en": ("Your team has no confidant set up in the bot (yet), so I cannot take your worry anywhere. "
                            "I kept nothing. Ask an admin to set up a confidant, or contact your organisation's "
                            "confidant yourself.")},
    "no_secret": {"nl": ("Anoniem melden kan nu niet: de bot heeft geen sleutel om je route te versleutelen, en onversleuteld "
                         "bewaar ik die nooit. Ik heb niets bewaard of verstuurd. Kies 'met naam', of vraag wie de bot "
                         "beheert om RITUALBOT_SECRET in te stellen."),
                  "en": ("Anonymous signals are not possible right now: the bot has no key to encrypt your route, and I "
                         "never keep it unencrypted. I kept and sent nothing. Choose 'named', or ask whoever runs the bot "
                         "to set RITUALBOT_SECRET.")},
    "confidant_unreachable": {"nl": "Ik kon de vertrouwenspersoon nu geen bericht sturen; ik heb niets bewaard. Probeer het later opnieuw.",
                              "en": "I could not message the confidant just now; I kept nothing. Please try again later."},
    "form.title": {"nl": "Naar de vertrouwenspersoon", "en": "To the confidant"},
    "form.intro": {"nl": ("Alleen de vertrouwenspersoon van je team leest dit; beheerders en je team zien niet eens dat het "
                          "bestaat. Kies je 'anoniem', dan ziet de vertrouwenspersoon geen naam. Let op: noem geen "
                          "cliëntgegevens."),
                   "en": ("Only your team's confidant reads this; admins and your team don't even see that it exists. "
                          "If you choose 'anonymous', the confidant sees no name. Please mention no client data.")},
    "form.worry": {"nl": "Wat houdt je bezig?", "en": "What is on your mind?"},
    "form.answer": {"nl": "Wil je een antwoord?", "en": "Would you like an answer?"},
    "form.submit": {"nl": "Versturen", "en": "Send"},
    "yes": {"nl": "Ja", "en": "Yes"},
    "no": {"nl": "Nee", "en": "No"},
    "sent": {"nl": "Je zorg is bij de vertrouwenspersoon (gesprek {id}). Met /ritual signal status zie je hoe het ervoor staat.",
             "en": "Your worry is with the confidant (conversation {id}). /ritual signal status shows where it stands."},
    "notice": {"nl": ("Wie ziet wat: de vertrouwenspersoon leest je bericht, bij 'anoniem' zonder naam. Beheerders en je "
                      "team zien niets. In de database staat bij een anoniem gesprek alleen een versleutelde route naar "
                      "jou; wie de bot draait én zijn sleutel heeft, zou die kunnen openen. Het gesprek blijft bewaard "
                      "zolang het loopt plus de bewaartermijn."),
               "en": ("Who sees what: the confidant reads your message, without a name if you chose 'anonymous'. Admins "
                      "and your team see nothing. For an anonymous conversation the database holds only an encrypted "
                      "route to you; whoever runs the bot and has its key could open it. The conversation is kept while "
                      "it runs plus the retention period.")},
    "from.named": {"nl": "Van: {who}", "en": "From: {who}"},
    "from.anonymous": {"nl": "Van: iemand die anoniem wil blijven (de bot laat jou niet zien wie)",
                       "en": "From: someone who wishes to stay anonymous (the bot does not show you who)"},
    "to_confidant.new": {"nl": "Een nieuwe zorg via de bot (gesprek {id}):", "en": "A new worry through the bot (conversation {id}):"},
    "to_confidant.reply": {"nl": "Een reactie in gesprek {id}:", "en": "A reply in conversation {id}:"},
    "to_confidant.closed": {"nl": "Gesprek {id} is gesloten door de melder.", "en": "Conversation {id} was closed by the sender."},
    "to_confidant.revealed": {"nl": "In gesprek {id} heeft de melder besloten de naam te laten zien.",
                              "en": "In conversation {id} the sender chose to show their name."},
    "to_confidant.reminder": {"nl": "Herinnering: op gesprek {id} is nog niet gereageerd.",
                              "en": "Reminder: conversation {id} has had no answer yet."},
    "no_answer_wanted": {"nl": "De melder heeft aangegeven geen antwoord nodig te hebben.",
                         "en": "The sender said they do not need an answer."},
    "button.reply": {"nl": "Beantwoorden", "en": "Reply"},
    "button.close": {"nl": "Gesprek sluiten", "en": "Close the conversation"},
    "button.reveal": {"nl": "Mijn naam laten zien", "en": "Show my name"},
    "reply.title": {"nl": "Antwoord", "en": "Answer"},
    "reply.field": {"nl": "Je bericht", "en": "Your message"},
    "reply.sent": {"nl": "Verstuurd.", "en": "Sent."},
    "closed": {"nl": "Gesprek {id} is gesloten.", "en": "Conversation {id} is closed."},
    "revealed": {"nl": "De vertrouwenspersoon ziet nu je naam.", "en": "The confidant now sees your name."},
    "gone": {"nl": "Dit gesprek bestaat niet (meer) of is niet van jou.", "en": "This conversation does not exist (any more) or is not yours."},
    "update.read": {"nl": "Gesprek {id}: de vertrouwenspersoon heeft je bericht gelezen.",
                    "en": "Conversation {id}: the confidant has read your message."},
    "update.answered": {"nl": "Gesprek {id}: de vertrouwenspersoon heeft geantwoord:",
                        "en": "Conversation {id}: the confidant answered:"},
    "update.closed": {"nl": "Gesprek {id} is gesloten door de vertrouwenspersoon.",
                      "en": "Conversation {id} was closed by the confidant."},
    "update.no_action": {"nl": ("Gesprek {id}: eerlijk gezegd is er nog niets mee gedaan, ook niet na een herinnering. "
                                "Andere wegen binnen je organisatie:"),
                         "en": ("Conversation {id}: honestly, nothing has been done with it yet, not even after a reminder. "
                                "Other routes in your organisation:")},
    "routes.none": {"nl": "vraag HR of een externe vertrouwenspersoon.", "en": "ask HR or an external confidant."},
    "status.none": {"nl": "Je hebt geen lopende gesprekken met de vertrouwenspersoon.",
                    "en": "You have no conversations with the confidant."},
    "status.title": {"nl": "Je gesprekken met de vertrouwenspersoon:", "en": "Your conversations with the confidant:"},
    "status.line": {"nl": "• {id}: {state}", "en": "• {id}: {state}"},
    "state.received": {"nl": "ontvangen", "en": "received"},
    "state.read": {"nl": "gelezen", "en": "read"},
    "state.answered": {"nl": "beantwoord", "en": "answered"},
    "state.closed": {"nl": "gesloten", "en": "closed"},
}
