"""``FACTDESK_DISCORD_SHARDS``: the gateway as discord.py's ``AutoShardedClient``, one connection
per shard.

Discord sends a guild's events on one shard only, ``(guild_id >> 22) % shard_count``. One process
may run every shard, or several processes one range each (``FACTDESK_DISCORD_SHARD_IDS``); every
other process on the store runs with ``FACTDESK_DISCORD_GATEWAY=false`` and uses REST only.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import discord
from discord.gateway import KeepAliveHandler

from bot.backpressure import Limiter
from bot.desk import Desk
from bot.settings import Settings
from bot.surfaces.discord.app import FactdeskDiscord
from bot.surfaces.discord.identify_pacing import IdentifyPacer

__all__ = ["ShardedFactdeskDiscord", "discord_client", "shards_shown", "stop_orphan_heartbeats"]

log = logging.getLogger("factdesk.discord")


class ShardedFactdeskDiscord(FactdeskDiscord, discord.AutoShardedClient):
    """The factdesk client over the shards the settings name, each IDENTIFYing as soon as
    Discord's ``max_concurrency`` allows (:class:`IdentifyPacer`)."""

    def __init__(
        self, settings: Settings, desk: Desk, *, sync_on_start: bool = True, limiter: Limiter | None = None
    ) -> None:
        super().__init__(
            settings,
            desk,
            sync_on_start=sync_on_start,
            limiter=limiter,
            shard_count=settings.discord_shards,
            shard_ids=settings.discord_shard_ids,
        )
        self._pacer: IdentifyPacer | None = None
        self._pacer_made = asyncio.Lock()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        async with self._pacer_made:
            if self._pacer is None:
                self._pacer = IdentifyPacer(await self._max_concurrency())
        await self._pacer.wait(shard_id or 0)

    async def _max_concurrency(self) -> int:
        """How many shards may IDENTIFY at once (``GET /gateway/bot``); 1 if Discord cannot say."""
        try:
            limits = await self.fetch_session_start_limits()
        except discord.DiscordException as exc:
            log.warning("Discord's session start limits unknown (%s): one shard every 5 s", exc)
            return 1
        log.info(
            "Discord session starts: %d of %d left, %d at once",
            limits.remaining,
            limits.total,
            limits.max_concurrency,
        )
        return limits.max_concurrency


def discord_client(
    settings: Settings, desk: Desk, *, sync_on_start: bool = True, limiter: Limiter | None = None
) -> FactdeskDiscord:
    """The sharded client when ``FACTDESK_DISCORD_SHARDS`` is set, else the one-connection one."""
    kind = FactdeskDiscord if settings.discord_shards is None else ShardedFactdeskDiscord
    return kind(settings, desk, sync_on_start=sync_on_start, limiter=limiter)


def shards_shown(settings: Settings) -> str:
    """The shards this process runs, for the list of surfaces: ``shards 0-3 of 8``, ``shard 1 of 2``."""
    count = settings.discord_shards
    if count is None:
        return ""
    ids = settings.discord_shard_ids or list(range(count))
    runs: list[str] = []
    start = previous = ids[0]
    for shard in [*ids[1:], None]:
        if shard is not None and shard == previous + 1:
            previous = shard
            continue
        runs.append(str(start) if start == previous else f"{start}-{previous}")
        if shard is not None:
            start = previous = shard
    return f"{'shard' if len(ids) == 1 else 'shards'} {','.join(runs)} of {count}"


def stop_orphan_heartbeats(loop: asyncio.AbstractEventLoop) -> int:
    """Stop discord.py's heartbeat threads of gateway connections on ``loop``; how many were still
    running. Called once the client is closed: a shard stopped after Discord's HELLO but before
    its turn to IDENTIFY is no shard of the client yet, so closing the client leaves its
    heartbeat thread running, to wake later on a closed loop."""
    stopped = 0
    for thread in threading.enumerate():
        if isinstance(thread, KeepAliveHandler) and thread.ws.loop is loop and thread.is_alive():
            thread.stop()
            stopped += 1
    return stopped
