"""What the platform fakes share: an aiohttp app on 127.0.0.1 at a free port, its shutdown, and
waiting (without polling) for a change in what the fake has recorded.

A fake subclasses :class:`LoopbackServer`, builds its routes in :meth:`~LoopbackServer._app`,
calls :meth:`~LoopbackServer._notify` after each change it records, and describes its state in
:meth:`~LoopbackServer.summary` for failure messages. A fake that holds more open (websockets, a
client session) extends :meth:`~LoopbackServer.stop` and closes them before the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Self

from aiohttp import web

__all__ = ["LoopbackServer"]


class LoopbackServer:
    """An aiohttp server on 127.0.0.1, port 0. ``async with Fake(...) as fake`` or start/stop."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._cond: asyncio.Condition | None = None

    def _app(self) -> web.Application:
        """The fake's routes."""
        raise NotImplementedError

    def summary(self) -> str:
        """A one-line account of the fake's state, for failure messages."""
        raise NotImplementedError

    # -- lifecycle --

    async def start(self) -> Self:
        """Bind 127.0.0.1 on a free port and serve."""
        self._cond = asyncio.Condition()
        self._runner = web.AppRunner(self._app(), shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Stop the server (and drop its connections); a second stop does nothing."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._port

    # -- waiting for a change --

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait (without polling) until ``predicate()`` is truthy after some change in the fake; return it."""
        cond = self._condition()
        async with cond:
            try:
                return await asyncio.wait_for(cond.wait_for(predicate), timeout)
            except TimeoutError:
                message = f"{type(self).__name__}.wait_for timed out after {timeout} s; {self.summary()}"
                raise TimeoutError(message) from None

    def _condition(self) -> asyncio.Condition:
        if self._cond is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._cond

    async def _notify(self) -> None:
        cond = self._condition()
        async with cond:
            cond.notify_all()
