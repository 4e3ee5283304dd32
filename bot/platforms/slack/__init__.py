"""The Slack adapter (bot/platforms/__init__.py imports it only when a team uses Slack).

Modules: `connector` (slack-bolt app, Socket Mode or HTTP; wires the rest), `client` (the
ChatPlatform over the Web API), `inbound` (payloads -> typed requests), `render` (Block Kit),
`home` (App Home tab), `doctor` (the `ritualbot doctor` probe), `texts` (the adapter's catalog).
`from bot.platforms.slack import SlackConnector, connector_from_env` is the entry point.
"""

from bot.platforms.slack.connector import DEFAULT_API_URL, EVENTS_PATH, SlackConnector, connector_from_env

__all__ = ["DEFAULT_API_URL", "EVENTS_PATH", "SlackConnector", "connector_from_env"]
