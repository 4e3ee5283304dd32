"""The Mattermost adapter (bot/platforms/__init__.py imports it only when a team uses Mattermost).

Modules: `connector` (settings from the environment, DMs to the bot; wires the rest),
`connection` / `client` / `retry` / `websocket` (driver, retries, events), `platform` (the
ChatPlatform), `channels` (direct channels), `routes` (slash command, buttons, dialogs over
HTTP), `tokens` (slash-command tokens per team), `render`, `signing`, `doctor`.
`from bot.platforms.mattermost import MattermostConnector, connector_from_env` is the entry point.
"""

from bot.platforms.mattermost.connector import (
    MattermostConnector,
    MattermostSettings,
    command_tokens,
    connector_from_env,
    settings_from_env,
)

__all__ = ["MattermostConnector", "MattermostSettings", "command_tokens", "connector_from_env", "settings_from_env"]
