"""The fact store on PostgreSQL: several replicas on one database.

Every role but full-text search and upkeep is :class:`facts.store.sql_store.SQLRecordStore`'s,
the same SQL and the same functions as on SQLite (:mod:`facts.store.dialect`). They are plain
functions over one connection, so they run here on a psycopg connection from a pool, in a
worker thread (``asyncio.to_thread``): one body of transaction logic for both engines, where an
async driver would have needed a second copy of every ledger, correction and the writer.

What several replicas need of the database, the database does: writers of the record take a
transaction-scoped advisory lock (ids are the largest plus one); a document version is unique
(``ON CONFLICT``); a digest run, a delivery and a posted answer are rows only one replica can
insert. Full-text search is a ``tsvector`` per passage (English configuration) in a GIN index,
queried with ``websearch_to_tsquery`` and ranked with ``ts_rank_cd``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg_pool

from facts.store.connection_thread import StoreClosed
from facts.store.postgres.connection import PgConnection
from facts.store.postgres.migrations import migrate as apply_migrations
from facts.store.protocols import PassageQuery
from facts.store.row_builders import DOC_COLUMNS, passage_hit
from facts.store.rows import IngestResult, PassageHit
from facts.store.sql_store import SQLRecordStore
from facts.store.sqlite_store import StoreUnavailable
from facts.store.text_spans import passage_text
from facts.store.writer import SET_CACHE, WorkItem, set_cache_for

__all__ = ["POOL_SIZE", "PostgresStore", "is_postgres_url", "open_postgres_store", "redacted", "websearch"]

T = TypeVar("T")

POOL_SIZE = 8
"""Connections a replica keeps at most: ten replicas stay within PostgreSQL's default 100."""
_CONNECT_SECONDS = 10.0


def is_postgres_url(db: str) -> bool:
    return db.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """``url`` without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def websearch(query: PassageQuery) -> str:
    """The ``websearch_to_tsquery`` text for ``query``: each phrase in double quotes (a quote a
    user typed is dropped, so nothing is search syntax), joined by ``or`` or by spaces (all)."""
    phrases = ['"' + " ".join(p.replace('"', " ").split()) + '"' for p in query.phrases]
    return (" or " if query.require == "any" else " ").join(phrases)


_COUNT_SQL = (
    "SELECT count(*) AS n FROM (SELECT 1 FROM passage_words"
    " WHERE words @@ websearch_to_tsquery('english', ?) LIMIT ?) x"
)


class PostgresStore(SQLRecordStore):
    """Every store role on a PostgreSQL database. Use :func:`open_postgres_store`."""

    _DAYS_SPANNED = "factdesk_days(date_end) - factdesk_days(date_start)"  # see migrations.SCHEMA
    _SAME_YEAR = "same_year"  # a stored column: the planner rewrites the SQLite expression away

    def __init__(self, pool: psycopg_pool.ConnectionPool, url: str, *, set_cache: int = SET_CACHE) -> None:
        super().__init__(set_cache=set_cache)
        self._pool = pool
        self.url = url
        self.path = redacted(url)  # what messages name the store by

    @property
    def connection(self) -> Statements:
        """Raw SQL on the pool (see :class:`Statements`)."""
        return Statements(self)

    # ------------------------------------------------------------------ primitives

    def _on_connection(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        if self._pool.closed:
            raise StoreClosed("the store is closed")
        with self._pool.connection() as raw:
            return fn(PgConnection(raw), *args, **kwargs)

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(self._on_connection, fn, *args, **kwargs)

    async def _fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return await self._read(lambda conn: conn.execute(sql, args).fetchall())

    async def _fetchone(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return await self._read(lambda conn: conn.execute(sql, args).fetchone())

    async def _run_batch(self, items: Sequence[WorkItem], *, each_in_savepoint: bool) -> list[IngestResult]:
        return await self._read(self._writer.write_batch, items, each_in_savepoint=each_in_savepoint)

    # ------------------------------------------------------------------ the store as a resource

    def is_open(self) -> bool:
        return not self._pool.closed

    async def close(self) -> None:
        if not self._pool.closed:
            await asyncio.to_thread(self._pool.close)

    async def probe(self) -> None:
        """One cheap read on a pooled connection. Raises when the store is closed or the server
        does not answer within two seconds."""
        if self._pool.closed:
            raise StoreClosed("the store is closed")

        def ping() -> None:
            with self._pool.connection(timeout=2.0) as raw:
                raw.execute("SELECT count(*) FROM _migrations").fetchone()

        await asyncio.to_thread(ping)

    async def state(self) -> tuple[int, int, int]:
        """(writes through this replica, the last document id, the last history row): every
        change to the record by any replica adds a document or a history row."""
        row = await self._fetchone(
            "SELECT (SELECT last_value FROM documents_id_seq) AS docs,"
            " (SELECT coalesce(max(id), 0) FROM fact_history) AS changes"
        )
        return self._writes, int(row["docs"]), int(row["changes"])

    async def vacuum_analyze(self) -> None:
        """Now what autovacuum does in time after a bulk load (``factdesk bench``, ``migrate-store``):
        the planner's statistics (else the first queries are planned for empty tables) and the
        visibility map (else counting a word's passages visits every row the index names)."""
        await self._read(lambda conn: conn.execute("VACUUM ANALYZE"))

    async def check(self) -> tuple[str, list[str]]:
        """("ok" when the server answers, the migrations applied)."""
        rows = await self._fetchall("SELECT name FROM _migrations ORDER BY name")
        return "ok", [r["name"] for r in rows]

    # ------------------------------------------------------------------ full-text search

    async def count_passages(self, query: PassageQuery, *, cap: int) -> int:
        """How many passages match, counted up to ``cap`` (no ranking)."""
        if not query.phrases:
            return 0
        row = await self._fetchone(_COUNT_SQL, (websearch(query), cap))
        return int(row["n"]) if row else 0

    async def count_passages_each(self, queries: Sequence[PassageQuery], *, cap: int) -> list[int]:
        """:meth:`count_passages` for several queries on one pooled connection."""

        def run(conn: PgConnection) -> list[int]:
            return [
                int(conn.execute(_COUNT_SQL, (websearch(q), cap)).fetchone()["n"]) if q.phrases else 0
                for q in queries
            ]

        return await self._read(run) if queries else []

    async def search_passages(
        self, query: PassageQuery, *, limit: int = 40, newest_first: bool = False
    ) -> list[PassageHit]:
        """Passages holding ``query``'s words, best first (``ts_rank_cd``; as on SQLite, a lower
        rank is better), or newest first for a match set too large to rank quickly."""
        if not query.phrases:
            return []
        order = "w.passage_id DESC" if newest_first else "rank"
        sql = (
            f"SELECT p.id AS passage_id, {passage_text()} AS text, p.kind, r.rank, {DOC_COLUMNS},"
            " (SELECT s.fact_id FROM fact_sources s WHERE s.passage_id = p.id ORDER BY s.fact_id LIMIT 1)"
            " AS fact_id FROM (SELECT w.passage_id, -ts_rank_cd(w.words, q) AS rank"
            " FROM passage_words w, websearch_to_tsquery('english', ?) q WHERE w.words @@ q"
            f" ORDER BY {order} LIMIT ?) r"
            " JOIN passages p ON p.id = r.passage_id JOIN documents d ON d.id = p.doc_id"
            " WHERE d.superseded_by IS NULL AND p.kind IN ('sentence', 'caption', 'headline')"
            f" ORDER BY {'p.id DESC' if newest_first else 'r.rank, p.id'}"
        )
        rows = await self._fetchall(sql, (websearch(query), limit))
        return [passage_hit(r, rank=float(r["rank"])) for r in rows]


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Each pooled connection's planner settings (this session only, nothing on the server).

    factdesk's reads are index lookups of a few hundred rows; with PostgreSQL's defaults, which
    price a random read as four sequential ones (spinning disks), the planner preferred to scan
    every passage and hash them, a cost that grows with the archive. 1.1 is the usual value for
    SSDs and for a database that fits in memory. JIT compiling pays off only for long analytic
    queries; for these it adds tens of milliseconds."""
    conn.execute("SET random_page_cost = 1.1")
    conn.execute("SET jit = off")


async def open_postgres_store(
    url: str,
    *,
    bundled_corpus: bool = True,
    memory_mb: int = 500,
    pool_size: int = POOL_SIZE,
    migrate: bool = True,
) -> PostgresStore:
    """Open the store in the PostgreSQL database at ``url``, migrating it if needed (replicas
    starting together take turns; ``migrate=False`` for a check that writes nothing), and seed a
    new one with the bundled corpus unless ``bundled_corpus`` is false. Raises
    :class:`facts.store.sqlite_store.StoreUnavailable` when no server answers, with nothing left
    open."""
    pool = psycopg_pool.ConnectionPool(
        url,
        min_size=1,
        max_size=pool_size,
        kwargs={"autocommit": True},
        configure=_configure,
        timeout=_CONNECT_SECONDS,  # a command waits this long for a connection, then fails (logged)
        open=False,
        check=psycopg_pool.ConnectionPool.check_connection,
        name="factdesk",
    )
    try:
        await asyncio.to_thread(pool.open, wait=True, timeout=_CONNECT_SECONDS)

        def run_migrations() -> list[str]:
            with pool.connection() as raw:
                return apply_migrations(raw)

        if migrate:
            await asyncio.to_thread(run_migrations)
    except (psycopg.Error, psycopg_pool.PoolTimeout, OSError) as exc:
        with contextlib.suppress(Exception):
            await asyncio.to_thread(pool.close)
        raise StoreUnavailable(f"the store {redacted(url)} cannot be opened: {exc}") from exc
    except BaseException:
        await asyncio.to_thread(pool.close)
        raise
    store = PostgresStore(pool, url, set_cache=set_cache_for(memory_mb))
    try:
        if bundled_corpus:
            await store.seed_bundled()
    except BaseException:
        await store.close()
        raise
    return store


class Statements:
    """Raw SQL on the store's pool, ``?`` placeholders, as :attr:`SQLiteStore.connection` offers:
    for maintenance, benchmarks and tests (never part of a role protocol)."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store

    async def fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        return await self._store._fetchall(sql, args)

    async def fetchone(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return await self._store._fetchone(sql, args)

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """One statement, a transaction of its own (the pool's connections autocommit); how many
        rows it changed."""
        return await self._store._read(lambda conn: conn.execute(sql, args).rowcount)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self._store._read(fn, *args, **kwargs)
