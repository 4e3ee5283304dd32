"""The adapter kit: what every chat adapter needs, written once for Slack, Mattermost and local.

- `texts`: what an adapter says when something goes wrong, in nl and en (`say`).
- `users`: a bounded cache of the platform's user records, and a locale lookup that
  never stops an answer.
- `private_reply`: the ways back to one person (first the platform's own answer, then an
  ephemeral, then a DM) and the traceless way that never falls back to a stored DM.
- `window`: answer within the platform's window, then finish in the background.

Each adapter supplies only what is its own (how to show an ephemeral, how to send a DM,
how long its platform waits) and keeps no copy of these rules.
"""
