"""The Slack app manifest (``deploy/slack/manifest.yml``), generated from the registry.

``python -m bot.surfaces.slack.manifest > deploy/slack/manifest.yml`` after adding a command; a
test fails while the file and the registry differ.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.commands.registry import COMMANDS
from bot.surfaces.slack.payloads import FIND_SOURCES

__all__ = ["manifest", "manifest_yaml"]

EVENTS_URL = "https://factdesk.example.org/slack/events"
HEADER = """# Slack app manifest for factdesk: paste it at https://api.slack.com/apps -> Create New App ->
# From an app manifest. Socket Mode is on (no public URL needed); for HTTP, set
# socket_mode_enabled: false and replace https://factdesk.example.org with your server's address.
# Generated from bot/registry.py: python -m bot.surfaces.slack.manifest > deploy/slack/manifest.yml
"""


def manifest() -> dict[str, Any]:
    return {
        "display_information": {
            "name": "factdesk",
            "description": "Cited answers from the newsroom's documents, every line with its source.",
            "background_color": "#1d3557",
        },
        "features": {
            "bot_user": {"display_name": "factdesk", "always_online": True},
            "shortcuts": [
                {
                    "name": "Find sources",
                    "type": "message",
                    "callback_id": FIND_SOURCES,
                    "description": "What the documents say about this message's claims",
                }
            ],
            "slash_commands": [
                {
                    "command": f"/{c.name}",
                    "url": EVENTS_URL,
                    "description": c.help,
                    "usage_hint": c.usage.partition(" ")[2][:1000],
                    "should_escape": False,
                }
                for c in COMMANDS
            ],
        },
        # app_mentions:read: "@factdesk …" in channels and threads (answered in the thread).
        "oauth_config": {
            "scopes": {"bot": ["commands", "chat:write", "chat:write.public", "app_mentions:read"]}
        },
        "settings": {
            "event_subscriptions": {"request_url": EVENTS_URL, "bot_events": ["app_mention"]},
            "interactivity": {"is_enabled": True, "request_url": EVENTS_URL},
            "org_deploy_enabled": False,
            "socket_mode_enabled": True,
            "token_rotation_enabled": False,
        },
    }


def manifest_yaml() -> str:
    return HEADER + yaml.safe_dump(manifest(), sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    print(manifest_yaml(), end="")
