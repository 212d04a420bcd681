"""One sqlite3 connection on one thread the store owns: every statement of the store runs there.

sqlite3 connections are not to be shared between threads, and an event loop must not wait on
SQLite. So the store creates its connection on a single-worker executor and hands that worker
whole units of work: one statement (:meth:`ConnectionThread.fetchall`) or a function of the
connection (:meth:`ConnectionThread.run`), which is how a batch of articles or a correction
with its audit row is written in one hop instead of one per statement. Nothing here reaches
into a library's private state; the connection keeps ``check_same_thread`` on, so any use
from another thread fails loudly.

Example::

    conn = await ConnectionThread.open(lambda: sqlite3.connect("facts.db"))
    rows = await conn.fetchall("SELECT id, url FROM documents WHERE id = ?", (1,))
    await conn.close()
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

__all__ = ["ConnectionThread", "StoreClosed"]

T = TypeVar("T")
P = ParamSpec("P")


class StoreClosed(sqlite3.ProgrammingError):
    """The store was closed; nothing more can be read or written through it."""


class ConnectionThread:
    """A ``sqlite3.Connection`` created on, and only ever used from, one worker thread.

    Rows come back as :class:`sqlite3.Row`: readable by column name (``row["url"]``).
    Use :meth:`open`.
    """

    def __init__(self, executor: concurrent.futures.ThreadPoolExecutor, conn: sqlite3.Connection) -> None:
        self._executor = executor
        self._sqlite: sqlite3.Connection | None = conn

    @classmethod
    async def open(cls, connect: Callable[[], sqlite3.Connection]) -> ConnectionThread:
        """Create the connection with ``connect()`` on a new worker thread; raises what it raises."""
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="factdesk-store")

        def create() -> sqlite3.Connection:
            conn = connect()
            conn.row_factory = sqlite3.Row
            return conn

        try:
            conn = await asyncio.get_running_loop().run_in_executor(executor, create)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(executor, conn)

    def is_open(self) -> bool:
        return self._sqlite is not None

    async def run(
        self, fn: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(connection, *args, **kwargs)`` on the connection's thread, in one hop."""
        conn = self._sqlite
        if conn is None:
            raise StoreClosed("the store is closed")
        call = functools.partial(fn, conn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return await self.run(_fetchall, sql, args)

    async def fetchone(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Row | None:
        return await self.run(_fetchone, sql, args)

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """One statement outside any transaction of the store's; returns the rows it changed."""
        return await self.run(_rowcount, sql, args)

    async def total_changes(self) -> int:
        """Rows inserted, changed or deleted through this connection since it was opened."""
        return await self.run(_total_changes)

    async def close(self) -> None:
        """Close the connection on its thread, then let the thread end. Closing twice is harmless."""
        conn, self._sqlite = self._sqlite, None
        if conn is None:
            return
        try:
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        finally:
            self._executor.shutdown(wait=False)


def _fetchall(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[sqlite3.Row]:
    return conn.execute(sql, args).fetchall()


def _fetchone(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(sql, args).fetchone()
    return row


def _total_changes(conn: sqlite3.Connection) -> int:
    return conn.total_changes


def _rowcount(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> int:
    return conn.execute(sql, args).rowcount
