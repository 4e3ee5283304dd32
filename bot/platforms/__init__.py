"""Platform adapters. Each turns raw Slack/Mattermost traffic into typed requests at the edge.

`await connector_for(name, ...)` imports an adapter only when a team uses that platform, so a
Slack-only install never loads the Mattermost driver (and the other way round). Each
adapter module provides `await connector_from_env(env, config, store, metrics) -> Connector | None`,
returning None when its environment variables are not set.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping
from typing import Any

ADAPTER_MODULES = {"slack": "bot.platforms.slack", "mattermost": "bot.platforms.mattermost"}


async def connector_for(name: str, env: Mapping[str, str], config: Any, store: Any, metrics: Any = None) -> Any | None:
    """The connector for `name`, or None when it is not configured in `env`; it reports to `metrics`."""
    module_name = ADAPTER_MODULES.get(name)
    if module_name is None:
        return None
    try:
        module = await asyncio.to_thread(importlib.import_module, module_name)  # a big import: off the loop
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return await module.connector_from_env(env, config, store, metrics)
