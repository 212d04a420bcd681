"""The one place factdesk touches discord.py beyond its public API: where it sends requests.

discord.py has no public setting for the REST base URL or the gateway URL; it reads the class
attributes ``discord.http.Route.BASE`` and ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``.
Pointing them at ``FACTDESK_DISCORD_API_URL`` / ``FACTDESK_DISCORD_GATEWAY_URL`` is what lets the
end-to-end tests drive the real client against the local fake (and a proxy be used in
production). ``discord.py~=2.7`` is pinned; if a release renames either attribute,
:func:`point_at` fails at start-up with an ``AttributeError`` rather than silently reaching
discord.com, and ``tests/test_discord_e2e.py`` fails with it.

``tests/test_private_names.py`` keeps every other module of ``bot/`` and ``facts/`` off these
names and off any private (``_``-prefixed) attribute of a library.
"""

from __future__ import annotations

import discord
import yarl

from bot.settings import Settings

__all__ = ["point_at"]


def point_at(settings: Settings) -> None:
    """Aim discord.py's REST client and gateway at the configured base URLs."""
    route, gateway = discord.http.Route, discord.gateway.DiscordWebSocket
    if not hasattr(route, "BASE") or not hasattr(gateway, "DEFAULT_GATEWAY"):
        raise AttributeError("discord.py no longer has Route.BASE / DEFAULT_GATEWAY: see discordpy_shim.py")
    route.BASE = settings.discord_api_url.rstrip("/")
    gateway.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)
