"""When each gateway shard may IDENTIFY, by Discord's rule rather than discord.py's default.

Discord lets a bot start ``max_concurrency`` sessions every five seconds: shard ``i`` is in rate
limit bucket ``i % max_concurrency``, and each bucket takes one IDENTIFY per window (more gets an
INVALID_SESSION). discord.py's default hook waits five seconds before every shard but the first,
whatever ``max_concurrency`` allows (discord.py issue #8430 suggests overriding the hook).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["IDENTIFY_WINDOW_SECONDS", "IdentifyPacer"]

IDENTIFY_WINDOW_SECONDS = 5.0

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class IdentifyPacer:
    """Holds each IDENTIFY until its bucket is free. A shard identifying again (its session was
    invalidated) also waits a whole window first, as Discord asks after an INVALID_SESSION."""

    def __init__(
        self,
        max_concurrency: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        window: float = IDENTIFY_WINDOW_SECONDS,
    ) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self.clock = clock
        self.sleep = sleep
        self.window = window
        self._last: dict[int, float] = {}  # bucket -> when it last identified
        self._locks: dict[int, asyncio.Lock] = {}
        self._identified: set[int] = set()

    def bucket(self, shard_id: int) -> int:
        return shard_id % self.max_concurrency

    async def wait(self, shard_id: int) -> None:
        """Return when ``shard_id`` may IDENTIFY; the caller sends it at once."""
        bucket = self.bucket(shard_id)
        async with self._locks.setdefault(bucket, asyncio.Lock()):
            delay = self.window if shard_id in self._identified else 0.0
            last = self._last.get(bucket)
            if last is not None:
                delay = max(delay, last + self.window - self.clock())
            if delay > 0:
                await self.sleep(delay)
            self._last[bucket] = self.clock()
            self._identified.add(shard_id)
