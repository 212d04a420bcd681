"""The fact store: one SQLite file, one connection, one thread that owns it.

WAL, foreign keys, named migrations, FTS5 over passages, and one writer with explicit
``BEGIN IMMEDIATE`` transactions: an article goes in whole or not at all. Every statement is
parameterised and runs on the store's own connection thread
(:class:`facts.store.connection_thread.ConnectionThread`); rows are read by column name
(:mod:`facts.store.row_builders`). :class:`SQLiteStore` implements every role of
:mod:`facts.store.protocols`, most of them in :class:`facts.store.sql_store.SQLRecordStore`,
which it shares with the PostgreSQL store.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from facts.store.checkpointer import BACKSTOP_PAGES, Checkpointer
from facts.store.connection_thread import ConnectionThread, StoreClosed
from facts.store.migrations import migrate
from facts.store.passage_vectors import backfill
from facts.store.protocols import FactStore, PassageQuery
from facts.store.row_builders import DOC_COLUMNS, passage_hit
from facts.store.rows import IngestResult, PassageHit
from facts.store.sql_store import SQLRecordStore, extract_all
from facts.store.text_spans import passage_text
from facts.store.timestamps import now_utc
from facts.store.writer import SET_CACHE, WorkItem, set_cache_for

__all__ = [
    "FactStore",
    "SQLiteStore",
    "StoreClosed",
    "StoreUnavailable",
    "extract_all",
    "fts_match",
    "open_store",
    "open_store_read_only",
]


class StoreUnavailable(Exception):
    """The store cannot be opened: no such file (read-only), not SQLite, no permission, locked,
    or (PostgreSQL) no server answers at the url."""


T = TypeVar("T")


def fts_match(query: PassageQuery) -> str:
    """The FTS5 ``MATCH`` expression for ``query``: each phrase quoted (``"`` doubled, so nothing
    a user typed is FTS syntax), joined by ``AND`` or ``OR``."""
    op = " AND " if query.require == "all" else " OR "
    return op.join('"' + p.replace('"', '""') + '"' for p in query.phrases)


_COUNT_SQL = "SELECT count(*) AS n FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)"
DEFAULT_MEMORY_MB = 500


class SQLiteStore(SQLRecordStore):
    """The SQLite implementation of every store role (:class:`FactStore`). Use :func:`open_store`."""

    def __init__(self, sql: ConnectionThread, path: str, *, set_cache: int = SET_CACHE) -> None:
        super().__init__(set_cache=set_cache)
        self._sql = sql
        self.path = path
        self._checkpointer: Checkpointer | None = None

    # ------------------------------------------------------------------ primitives

    async def _fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return await self._sql.fetchall(sql, args)

    async def _fetchone(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return await self._sql.fetchone(sql, args)

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self._sql.run(fn, *args, **kwargs)

    async def _run_batch(self, items: Sequence[WorkItem], *, each_in_savepoint: bool) -> list[IngestResult]:
        return await self._sql.run(self._writer.write_batch, items, each_in_savepoint=each_in_savepoint)

    def _hint(self, index: str) -> str:
        return f"INDEXED BY {index}"

    @property
    def connection(self) -> ConnectionThread:
        """The store's connection thread: raw SQL for maintenance, benchmarks and tests (never
        part of a role protocol)."""
        return self._sql

    async def state(self) -> tuple[int, int]:
        """(writes through this store, SQLite's ``data_version``): the second changes when another
        connection, in this process or another, commits to the file."""
        row = await self._sql.fetchone("PRAGMA data_version")
        return self._writes, int(row[0]) if row else 0

    def is_open(self) -> bool:
        return self._sql.is_open()

    async def close(self) -> None:
        await self._sql.close()
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None

    @property
    def checkpointer(self) -> Checkpointer | None:
        """The background checkpoint's thread, while the store is open on a file."""
        return self._checkpointer

    def checkpoint_in_background(self) -> None:
        """Move checkpoints off the writer's commits onto a thread of their own (a store on a
        file; see :mod:`facts.store.checkpointer`)."""
        if self._checkpointer is None and self.path != ":memory:":
            self._checkpointer = Checkpointer(self.path)
            self._checkpointer.start()
            self._writer.after_commit = self._checkpointer.notify

    async def probe(self) -> None:
        """One cheap read on a connection of its own, so a health check is not queued behind the
        commands the store's thread is serving. Raises when the store is closed or unreadable."""
        if not self.is_open():
            raise StoreClosed("the store is closed")
        if self.path == ":memory:":  # no file to open a second connection on
            await self._sql.fetchone("SELECT count(*) FROM _migrations")
            return
        async with (
            aiosqlite.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1.0) as db,
            db.execute("SELECT count(*) FROM _migrations") as cur,
        ):
            await cur.fetchone()

    # ------------------------------------------------------------------ full-text search (FTS5)

    async def count_passages(self, query: PassageQuery, *, cap: int) -> int:
        """How many passages match, counted up to ``cap`` (cheap: no ranking)."""
        if not query.phrases:
            return 0
        row = await self._sql.fetchone(_COUNT_SQL, (fts_match(query), cap))
        return int(row["n"]) if row else 0

    async def count_passages_each(self, queries: Sequence[PassageQuery], *, cap: int) -> list[int]:
        """:meth:`count_passages` for several queries in one trip to the connection's thread."""
        matches = [fts_match(q) if q.phrases else None for q in queries]

        def run(conn: sqlite3.Connection) -> list[int]:
            return [int(conn.execute(_COUNT_SQL, (m, cap)).fetchone()["n"]) if m else 0 for m in matches]

        return await self._sql.run(run) if matches else []

    async def search_passages(
        self, query: PassageQuery, *, limit: int = 40, newest_first: bool = False
    ) -> list[PassageHit]:
        """Passages holding ``query``'s words, best first (FTS5 bm25).

        ``newest_first`` orders by recency instead of relevance: for a match set too large to
        rank quickly (FTS5 scores every match before it sorts), and nearly flat in relevance.
        """
        if not query.phrases:
            return []
        order = "rowid DESC" if newest_first else "rank"
        sql = (
            f"SELECT p.id AS passage_id, {passage_text()} AS text, p.kind, r.rank, {DOC_COLUMNS},"
            " (SELECT s.fact_id FROM fact_sources s WHERE s.passage_id = p.id) AS fact_id"
            " FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ?"
            f" ORDER BY {order} LIMIT ?) r"
            " JOIN passages p ON p.id = r.rowid JOIN documents d ON d.id = p.doc_id"
            " WHERE d.superseded_by IS NULL AND p.kind IN ('sentence', 'caption', 'headline')"
            f" ORDER BY {'p.id DESC' if newest_first else 'r.rank'}"
        )
        rows = await self._sql.fetchall(sql, (fts_match(query), limit))
        return [passage_hit(r, rank=float(r["rank"])) for r in rows]

    # ------------------------------------------------------------------ maintenance

    async def backup(self, target: str | Path) -> None:
        """A consistent copy of the store at ``target`` while it keeps serving (SQLite's online
        backup: one read snapshot, so concurrent writes neither block it nor tear it)."""
        target = Path(target)
        if target.exists():
            raise FileExistsError(f"{target} exists; give a new file name for the backup")
        target.parent.mkdir(parents=True, exist_ok=True)

        def copy(conn: sqlite3.Connection) -> None:
            dest = sqlite3.connect(target)
            try:
                conn.backup(dest)
            finally:
                dest.close()

        await self._sql.run(copy)

    async def check(self) -> tuple[str, list[str]]:
        """(``PRAGMA quick_check`` result, the migrations applied)."""
        result = ", ".join(str(r["quick_check"]) for r in await self._sql.fetchall("PRAGMA quick_check"))
        names = [r["name"] for r in await self._sql.fetchall("SELECT name FROM _migrations ORDER BY name")]
        return result, names


def _connect(
    path: str, *, read_only: bool = False, cache_kb: int = 131072
) -> Callable[[], sqlite3.Connection]:
    """How the store's thread opens its connection (autocommit: the store opens every
    transaction itself, ``BEGIN IMMEDIATE``)."""

    def connect() -> sqlite3.Connection:
        if read_only:
            conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        else:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            if read_only:
                conn.execute("PRAGMA query_only = ON")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header
            else:
                _configure(conn, cache_kb)
                _refuse_foreign(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    return connect


def _configure(conn: sqlite3.Connection, cache_kb: int) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 5000")
    # Indexes (shingles, FTS) are written at random places: a page cache that holds them
    # keeps ingest from re-reading the file (SQLite's default cache is 2 MB).
    conn.execute(f"PRAGMA cache_size = -{int(cache_kb)}")
    # Checkpoints run on a thread of their own after every few commits (facts/store/checkpointer.py);
    # the connection's own automatic checkpoint is only a backstop should that thread fall behind.
    conn.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
    conn.execute("PRAGMA temp_store = MEMORY")


def _refuse_foreign(conn: sqlite3.Connection) -> None:
    """A SQLite file holding other tables and no factdesk migrations is someone else's database:
    it is not turned into a store."""
    row = conn.execute(
        "SELECT count(*) AS tables, sum(name = '_migrations') AS ours FROM sqlite_master WHERE type = 'table'"
    ).fetchone()
    if row and row["tables"] and not row["ours"]:
        raise StoreUnavailable("it is a SQLite database but not a factdesk store (no _migrations table)")


async def open_store(
    path: str | Path, *, bundled_corpus: bool = True, memory_mb: int = DEFAULT_MEMORY_MB
) -> SQLiteStore:
    """Open (creating and migrating if needed) the store at ``path``.

    ``memory_mb`` bounds what the store's caches hold whatever the archive's size: a quarter for
    SQLite's page cache (at most 128 MB), a sixth for the duplicate check's shingle sets (at the
    default 500 MB, every fact of the duplicate check's window).

    A store that has never held a document is seeded with the bundled corpus unless
    ``bundled_corpus`` is false. Raises :class:`StoreUnavailable` (with the connection closed,
    so nothing keeps the process alive) when the file cannot be used.
    """
    path = str(path)
    try:  # the file itself: a folder that cannot be made, not SQLite, someone else's database
        sql = await ConnectionThread.open(_connect(path, cache_kb=min(131072, memory_mb * 1024 // 4)))
    except (sqlite3.DatabaseError, OSError, StoreUnavailable) as exc:
        raise StoreUnavailable(f"the store {path} cannot be opened: {exc}") from exc
    store = SQLiteStore(sql, path, set_cache=set_cache_for(memory_mb))
    try:
        await sql.run(migrate)
        store.checkpoint_in_background()
        await _backfill_vectors(store)
        if bundled_corpus:
            await store.seed_bundled()
    except BaseException:
        await store.close()
        raise
    return store


async def open_store_read_only(path: str | Path) -> SQLiteStore:
    """Open an existing store without writing anything (no folder, file, migration or seed):
    for checks such as ``factdesk doctor``. Raises :class:`StoreUnavailable`."""
    file = Path(path)
    if not file.is_file():
        raise StoreUnavailable(f"no store at {file}")
    try:
        sql = await ConnectionThread.open(_connect(str(file), read_only=True))
    except (sqlite3.DatabaseError, OSError) as exc:
        raise StoreUnavailable(f"the store {file} cannot be opened: {exc}") from exc
    return SQLiteStore(sql, str(file))


async def _backfill_vectors(store: SQLiteStore) -> None:
    """Vectors for passages stored before they existed, once per store (then ingest writes them)."""
    if await store.connection.fetchone("SELECT value FROM _meta WHERE key = 'vectors_complete'"):
        return

    def run(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            backfill(conn)
            conn.execute(
                "INSERT OR REPLACE INTO _meta (key, value) VALUES ('vectors_complete', ?)", (now_utc(),)
            )
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    await store.connection.run(run)
