"""`/ritual members add` and `leaders add` check the person on the platform (issue 14).

"bob is added", and every later DM to "bob" bounces: not any more. The person is looked
up by id, by Slack's escaped mention or by `@name`, and refused with the reason when they
do not exist, are deactivated or are a bot. Against the Slack and Mattermost fakes.
"""

from __future__ import annotations

from bot.store import Store
from tests import test_mattermost_support as mms
from tests import test_slack_support as sls
from tests.test_slack_support import ANNA, running_bot, until

EMRE, GONE, HELPER = "U0EMRE0001", "U0GONE0001", "B0HELPER01"


def slack_answers(r: sls.Running) -> list[str]:
    return [str(resp.body.get("text", "")) for resp in r.slack.responses]


async def test_slack_members_add_resolves_and_refuses_with_the_reason(store: Store) -> None:
    async with running_bot(store) as r:
        r.slack.add_user(EMRE, "emre", locale="nl-NL")
        r.slack.add_user(GONE, "gijs", deleted=True)
        r.slack.add_user("U0HELPER01", "helper", is_bot=True)
        for line, expected in [
            ("members add bob", "Ik kan 'bob' niet vinden in Slack"),
            ("members add U0NOBODY99", "Ik kan 'U0NOBODY99' niet vinden in Slack"),
            (f"members add <@{GONE}|gijs>", "geen actief account meer in Slack"),
            ("members add @helper", "is een bot in Slack, geen collega"),
        ]:
            before = len(r.slack.responses)
            assert (await r.command(ANNA, line))[0] == 200
            await until(lambda b=before: len(r.slack.responses) > b, f"an answer to {line}")
            assert expected in slack_answers(r)[-1] and "Er is niets veranderd" in slack_answers(r)[-1], line
        assert await r.store.team_settings() == {} and await r.store.audit_log("noord") == []

        for line in ("members add @emre", "leaders add emre"):  # by user name, with or without @
            before = len(r.slack.responses)
            await r.command(ANNA, line)
            await until(lambda b=before: len(r.slack.responses) > b, f"an answer to {line}")
        assert EMRE in (r.bot.teams["noord"].configured_members or ()) and r.bot.teams["noord"].is_leader(EMRE)
        added, leader = slack_answers(r)[-2:]
        assert added == f"<@{EMRE}> doet voortaan mee als lid van het team."  # a name, not "U0EMRE0001 (members)"
        assert leader == f"<@{EMRE}> is voortaan leidinggevende in het team."


async def test_mattermost_members_add_resolves_and_refuses_with_the_reason(store: Store) -> None:
    async with mms.running_bot(store) as r:
        r.mm.add_user("emre00000000000000000000aa", "emre", locale="nl")
        r.mm.add_user("gijs00000000000000000000aa", "gijs", locale="nl", delete_at=1700000000000)
        r.mm.add_user("helper000000000000000000aa", "helper", is_bot=True)
        for line, expected in [
            ("members add bob", "Ik kan 'bob' niet vinden in Mattermost"),
            ("members add @nobody", "Ik kan '@nobody' niet vinden in Mattermost"),
            ("members add zzzz0000000000000000000000", "niet vinden in Mattermost"),
            ("members add @gijs", "geen actief account meer in Mattermost"),
            ("leaders add @helper", "is een bot in Mattermost, geen collega"),
        ]:
            response = await r.command(mms.ANNA, line)
            assert response.status == 200 and expected in response.json["text"], (line, response.json)
        assert await r.store.team_settings() == {}

        added = await r.command(mms.ANNA, "members add @emre")
        assert added.json["text"] == "@emre doet voortaan mee als lid van het team."
        assert "emre00000000000000000000aa" in (r.bot.teams["noord"].configured_members or ())
