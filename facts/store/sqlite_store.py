"""The fact store: one SQLite file, one connection, one thread that owns it.

WAL, foreign keys, named migrations, FTS5 over passages, and one writer with explicit
``BEGIN IMMEDIATE`` transactions: an article goes in whole or not at all. Every statement is
parameterised and runs on the store's own connection thread
(:class:`facts.store.connection_thread.ConnectionThread`); rows are read by column name
(:mod:`facts.store.row_builders`). :class:`SQLiteStore` implements every role of
:mod:`facts.store.protocols`, which is all the rest of factdesk sees of it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import itertools
import sqlite3
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from facts.extract.pipeline import Extraction, extract
from facts.read.article import ArticleInput
from facts.store import corrections
from facts.store import delivery_ledger as deliveries
from facts.store import digest_ledger as digest_records
from facts.store import feed_ledger as feed_records
from facts.store import posted_ledger as posted
from facts.store.checkpointer import BACKSTOP_PAGES, Checkpointer
from facts.store.connection_thread import ConnectionThread, StoreClosed
from facts.store.corrections import DateSpec, Editor, HistoryRow
from facts.store.digest_ledger import DigestChange, DigestRun, Subscription
from facts.store.feed_ledger import Feed
from facts.store.migrations import migrate
from facts.store.passage_vectors import AskPassage, VectorIndex, ask_passages, backfill
from facts.store.posted_ledger import PostRow, PostUpdate
from facts.store.protocols import FactStore, PassageQuery
from facts.store.row_builders import (
    DOC_COLUMNS,
    FACT_COLUMNS,
    SOURCE_COLUMNS,
    document_row,
    fact_row,
    passage_hit,
    source_row,
)
from facts.store.rows import DocumentRow, FactRow, IngestResult, PassageHit, SourceRow
from facts.store.text_spans import passage_text
from facts.store.timestamps import now_utc
from facts.store.writer import SET_BYTES, SET_CACHE, ArticleWriter, _chunks, _marks

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
    """The store cannot be opened: no such file (read-only), not SQLite, no permission, locked."""


T = TypeVar("T")


def _content_hash(article: ArticleInput) -> str:
    return hashlib.sha256(
        "\x1f".join([article.title, article.outlet, article.published, article.body]).encode()
    ).hexdigest()


def extract_all(articles: Sequence[ArticleInput]) -> list[Extraction]:
    """Extraction of a batch, a top-level function so a process pool can run it."""
    return [extract(a) for a in articles]


def fts_match(query: PassageQuery) -> str:
    """The FTS5 ``MATCH`` expression for ``query``: each phrase quoted (``"`` doubled, so nothing
    a user typed is FTS syntax), joined by ``AND`` or ``OR``."""
    op = " AND " if query.require == "all" else " OR "
    return op.join('"' + p.replace('"', '""') + '"' for p in query.phrases)


_COUNT_SQL = "SELECT count(*) AS n FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)"
_EXTRACT_CHUNK = 25  # articles per task handed to an extraction worker
DEFAULT_MEMORY_MB = 500
_VECTOR_CHUNK = 100_000


async def _concatenated(parts: Sequence[Awaitable[list[Extraction]]]) -> list[Extraction]:
    out: list[Extraction] = []
    for chunk in await asyncio.gather(*parts):
        out += chunk
    return out


class SQLiteStore:
    """The SQLite implementation of every store role (:class:`FactStore`). Use :func:`open_store`."""

    def __init__(self, sql: ConnectionThread, path: str, *, set_cache: int = SET_CACHE) -> None:
        self._sql = sql
        self.path = path
        self._write_lock = asyncio.Lock()
        self._writer = ArticleWriter(set_cache=set_cache)
        self._checkpointer: Checkpointer | None = None
        self._writes = 0  # transactions written through this store (see state)
        self._vectors = VectorIndex()

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

    @property
    def writer(self) -> ArticleWriter:
        """The article writer (its time and profiler, for benchmarks; never part of a role)."""
        return self._writer

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

    # ------------------------------------------------------------------ writing

    async def ingest(self, article: ArticleInput) -> IngestResult:
        """Add one article in its own transaction; idempotent on content, versioned on url.

        Raises whatever stopped the write; the store is then exactly as before.
        """
        content_hash = _content_hash(article)
        current = await self._current(article.url)
        if current and current["content_hash"] == content_hash:
            return IngestResult(article.origin, "unchanged", current["id"], current["version"])
        extraction = await asyncio.to_thread(extract, article)
        async with self._write_lock:
            self._writes += 1
            results = await self._sql.run(
                self._writer.write_batch, [(article, content_hash, extraction)], each_in_savepoint=False
            )
        return results[0]

    async def ingest_many(
        self,
        articles: Iterable[ArticleInput],
        *,
        batch: int = 200,
        executor: concurrent.futures.Executor | None = None,
    ) -> AsyncIterator[IngestResult]:
        """Bulk ingest: extraction in ``executor`` (e.g. a process pool), writes in batches.

        Each article is written inside its own savepoint, so a failing article is rolled back
        whole (reported with status ``"failed"``) and the rest of the batch still goes in; each
        batch is one transaction, which is what makes bulk loads fast (one WAL commit per batch).
        """
        loop = asyncio.get_running_loop()
        source = iter(articles)
        Prepared = tuple[list[ArticleInput], list[str], dict[str, str]]

        async def prepare(writing: Sequence[ArticleInput]) -> Prepared | None:
            """Read the next batch from ``source`` and the stored hashes of its urls. A url of the
            batch being ``writing`` counts as unknown: its hash is read before that write."""
            pending = list(itertools.islice(source, batch))
            if not pending:
                return None
            hashes = [_content_hash(a) for a in pending]
            known = await self._current_hashes([a.url for a in pending])
            for a in writing:
                known.pop(a.url, None)
            return pending, hashes, known

        async def extract(prepared: Prepared) -> tuple[Prepared, list[Extraction]]:
            """Extract what changed in a prepared batch (in ``executor``); no store access."""
            pending, hashes, known = prepared
            todo = [a for a, h in zip(pending, hashes, strict=True) if known.get(a.url) != h]
            if executor is None:
                return prepared, await asyncio.to_thread(extract_all, todo)
            parts = [  # several chunks, so every worker of the pool has a share of the batch
                loop.run_in_executor(executor, extract_all, todo[i : i + _EXTRACT_CHUNK])
                for i in range(0, len(todo), _EXTRACT_CHUNK)
            ]
            return prepared, await _concatenated(parts)

        # The next batch is read, and its stored hashes looked up, before this one's write takes
        # the store's connection: its extraction then runs in the workers while this batch is
        # written (looked up after the write, it waited for it, and the two took turns). At most
        # two batches of articles are held, however many the source yields.
        first = await prepare(())
        upcoming: asyncio.Task[Any] | None = asyncio.ensure_future(extract(first)) if first else None
        try:
            while upcoming is not None:
                (pending, hashes, known), extracted = await upcoming
                upcoming = None
                following = await prepare(pending)
                if following is not None:
                    upcoming = asyncio.ensure_future(extract(following))
                done = iter(extracted)
                items = [
                    (a, h, next(done) if known.get(a.url) != h else None)
                    for a, h in zip(pending, hashes, strict=True)
                ]
                async with self._write_lock:
                    self._writes += 1
                    results = await self._sql.run(self._writer.write_batch, items, each_in_savepoint=True)
                for result in results:
                    yield result
        finally:
            if upcoming is not None and not upcoming.done():
                upcoming.cancel()

    async def _current(self, url: str) -> sqlite3.Row | None:
        return await self._sql.fetchone(
            "SELECT id, version, content_hash FROM documents WHERE url = ? AND superseded_by IS NULL", (url,)
        )

    async def _current_hashes(self, urls: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(urls))):
            rows = await self._sql.fetchall(
                f"SELECT url, content_hash FROM documents WHERE superseded_by IS NULL AND url IN"
                f" ({_marks(len(chunk))})",
                tuple(chunk),
            )
            for row in rows:
                out[row["url"]] = row["content_hash"]
        return out

    # ------------------------------------------------------------------ reading

    async def documents(self) -> list[DocumentRow]:
        rows = await self._sql.fetchall(
            f"SELECT {DOC_COLUMNS},"
            " (SELECT count(DISTINCT fact_id) FROM fact_sources s WHERE s.doc_id = d.id) AS facts"
            " FROM documents d ORDER BY d.id"
        )
        return [document_row(row, facts=row["facts"]) for row in rows]

    async def document(self, *, doc_id: int | None = None, url: str | None = None) -> DocumentRow | None:
        if doc_id is not None:
            sql, arg = f"SELECT {DOC_COLUMNS} FROM documents d WHERE d.id = ?", doc_id
        else:
            sql = f"SELECT {DOC_COLUMNS} FROM documents d WHERE d.url = ? ORDER BY d.version DESC LIMIT 1"
            arg = url
        row = await self._sql.fetchone(sql, (arg,))
        return document_row(row) if row else None

    async def document_bodies(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """The text of each document in ``doc_ids`` (what its passages' offsets point into)."""
        out: dict[int, str] = {}
        for chunk in _chunks(sorted(set(doc_ids))):
            sql = f"SELECT id, body FROM documents WHERE id IN ({_marks(len(chunk))})"
            out.update((r["id"], r["body"]) for r in await self._sql.fetchall(sql, tuple(chunk)))
        return out

    async def agreement_countries(self) -> list[str]:
        """Countries with agreement facts, in order. Asked on every autocomplete keystroke, so the
        index is skipped through one country at a time instead of scanned (0.3 ms, not 20, at
        20,000 articles)."""
        sql = (
            "WITH RECURSIVE c(code) AS (SELECT min(country) FROM fact_agreements"
            " UNION ALL SELECT (SELECT min(country) FROM fact_agreements WHERE country > c.code)"
            " FROM c WHERE c.code IS NOT NULL) SELECT code FROM c WHERE code IS NOT NULL"
        )
        return [r["code"] for r in await self._sql.fetchall(sql)]

    async def agreement_facts(self, country: str, *, limit: int = 200) -> list[FactRow]:
        """A country's agreement facts, explicit links first, then the most salient: the ``limit``
        ids are read in that order from ``fact_agreements_ranked`` (no sort, however many links the
        country has), then the facts themselves."""
        ranked = await self._sql.fetchall(
            "SELECT a.fact_id FROM fact_agreements a INDEXED BY fact_agreements_ranked WHERE a.country = ?"
            " AND EXISTS (SELECT 1 FROM facts f WHERE f.id = a.fact_id AND f.status = 'active')"
            " ORDER BY a.explicit DESC, a.salience DESC LIMIT ?",
            (country, limit),
        )
        ids = [r["fact_id"] for r in ranked]
        found = (
            await self._facts(
                f"SELECT {FACT_COLUMNS}, a.explicit FROM fact_agreements a JOIN facts f ON f.id = a.fact_id"
                f" WHERE a.country = ? AND a.fact_id IN ({_marks(len(ids))})",
                (country, *ids),
            )
            if ids
            else []
        )
        by_id = {f.id: f for f in found}
        return [by_id[i] for i in ids if i in by_id]

    async def range_facts(
        self, start: str, end: str, *, country: str | None = None, limit: int = 200
    ) -> list[FactRow]:
        """Dated facts whose interval overlaps [start, end] (ISO days), most salient first.

        Each year of the range is read from indexes ranked by salience, ``limit`` at most from
        each: facts within the year (``facts_by_year``), facts that cross into the next year from
        it (``facts_crossing_from``) and into it from the year before (``facts_crossing_into``);
        spans around the whole range come from ``facts_long_spans`` (few). Each part is cut in SQLite
        and merged here: a UNION would first copy every overlapping fact (a year holds tens of
        thousands) into a temporary b-tree, and reading crossings by date then sorting them grew
        with the archive.
        """
        in_country = (
            " AND EXISTS (SELECT 1 FROM fact_countries c WHERE c.country = ? AND c.fact_id = facts.id)"
            if country
            else ""
        )
        same_year = (
            "SELECT id, salience FROM facts INDEXED BY facts_by_year WHERE substr(date_start, 1, 4) = ?"
            " AND date_start IS NOT NULL AND substr(date_start, 1, 4) = substr(date_end, 1, 4)"
            f" AND status = 'active' AND date_start <= ? AND date_end >= ?{in_country}"
            " ORDER BY salience DESC LIMIT ?"
        )
        crossing = (
            "SELECT id, salience FROM facts INDEXED BY {index} WHERE substr({column}, 1, 4) = ?"
            " AND date_start IS NOT NULL AND substr(date_start, 1, 4) != substr(date_end, 1, 4)"
            f" AND status = 'active' AND date_start <= ? AND date_end >= ?{in_country}"
            " ORDER BY salience DESC LIMIT ?"
        )
        crossing_from = crossing.format(index="facts_crossing_from", column="date_start")
        crossing_into = crossing.format(index="facts_crossing_into", column="date_end")
        # Spans around the whole range (a fact that starts or ends in one of its years is read
        # above): they start before it and end after it.
        long = (
            "SELECT id, salience FROM facts INDEXED BY facts_long_spans WHERE date_start IS NOT NULL"
            " AND julianday(date_end) - julianday(date_start) >= 366 AND date_start < ? AND date_end > ?"
            f" AND status = 'active'{in_country} ORDER BY salience DESC LIMIT ?"
        )
        tail: tuple[Any, ...] = (country, limit) if country else (limit,)
        parts: list[tuple[str, tuple[Any, ...]]] = []
        for year in range(int(start[:4]), int(end[:4]) + 1):
            args = (f"{year:04d}", end, start, *tail)
            parts += [(same_year, args), (crossing_from, args), (crossing_into, args)]
        parts.append((long, (start, end, *tail)))

        def run(conn: sqlite3.Connection) -> dict[int, float]:
            best: dict[int, float] = {}
            for sql, args in parts:
                for fid, salience in conn.execute(sql, args):
                    best[fid] = salience
            return best

        best = await self._sql.run(run)
        ids = sorted(best, key=lambda i: -best[i])[:limit]
        facts = {f.id: f for f in await self.facts_by_ids(ids)}
        return [facts[i] for i in ids if i in facts]

    async def document_facts(self, doc_id: int) -> list[FactRow]:
        return await self._facts(
            f"SELECT DISTINCT {FACT_COLUMNS}, 0 AS explicit"
            " FROM fact_sources s JOIN facts f ON f.id = s.fact_id WHERE s.doc_id = ? ORDER BY f.id",
            (doc_id,),
        )

    async def facts_by_ids(self, ids: Sequence[int]) -> list[FactRow]:
        out: list[FactRow] = []
        for chunk in _chunks(list(ids)):
            out += await self._facts(
                f"SELECT {FACT_COLUMNS}, 0 AS explicit FROM facts f WHERE f.id IN ({_marks(len(chunk))})",
                tuple(chunk),
            )
        return out

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

    async def passage_count(self) -> int:
        """About how many passages the store holds (ids are dense: the largest one)."""
        row = await self._sql.fetchone("SELECT coalesce(max(id), 0) AS n FROM passages")
        return int(row["n"]) if row else 0

    async def nearest_passages(self, vector: Any, k: int) -> list[int]:
        """Ids of the ``k`` passages whose stored vectors are nearest ``vector`` (Hamming on signs).

        The bits of passages added since the last question are read first, in chunks (a store's
        first question reads them all: 40 bytes a passage held in memory)."""
        sql = "SELECT passage_id, bits FROM passage_vectors WHERE passage_id > ? ORDER BY passage_id LIMIT ?"
        while rows := await self._sql.fetchall(sql, (self._vectors.last_id, _VECTOR_CHUNK)):
            self._vectors.extend([(r[0], r[1]) for r in rows])
        return self._vectors.nearest(vector, k)

    async def ask_passages(self, ids: Sequence[int]) -> list[AskPassage]:
        """Current sentences and captions among ``ids``, each with its context and its vectors
        (embedded again from the text: the store keeps only their signs)."""
        out: list[AskPassage] = []
        for chunk in _chunks(sorted(set(ids))):
            # The passage before each one in its section (a sentence, a caption or the heading
            # that opens the section), and the section's heading, found by (doc_id, idx) seeks.
            sql = (
                f"SELECT c.passage_id, {passage_text('c')} AS text, c.kind, {DOC_COLUMNS},"
                " (SELECT s.fact_id FROM fact_sources s WHERE s.passage_id = c.passage_id) AS fact_id,"
                f" c.idx, b.idx AS before_idx, b.kind AS before_kind, {passage_text('b')} AS before_text,"
                f" {passage_text('h')} AS heading, coalesce(d.headline, d.title) AS headline"
                " FROM (SELECT p.id AS passage_id, p.*,"
                "   (SELECT q.id FROM passages q WHERE q.doc_id = p.doc_id AND q.idx < p.idx"
                "    AND q.kind IN ('sentence', 'caption', 'heading') ORDER BY q.idx DESC LIMIT 1)"
                "   AS before_id,"
                "   (SELECT q.id FROM passages q WHERE q.doc_id = p.doc_id AND q.idx < p.idx"
                "    AND q.kind = 'heading' ORDER BY q.idx DESC LIMIT 1) AS heading_id"
                f"  FROM passages p WHERE p.id IN ({_marks(len(chunk))})"
                "   AND p.kind IN ('sentence', 'caption')) c"
                " JOIN documents d ON d.id = c.doc_id"
                " LEFT JOIN passages b ON b.id = c.before_id"
                " LEFT JOIN passages h ON h.id = c.heading_id"
                " WHERE d.superseded_by IS NULL"
            )
            rows = await self._sql.fetchall(sql, tuple(chunk))
            out += ask_passages(rows)
        return out

    # ------------------------------------------------------------------ the desk's changes

    async def fact(self, fact_id: int) -> FactRow | None:
        """One fact whatever its status (retracted ones too), with its current sources."""
        sql = f"SELECT {FACT_COLUMNS}, 0 AS explicit FROM facts f WHERE f.id = ?"
        found = await self._facts(sql, (fact_id,))
        return found[0] if found else None

    async def fact_history(self, fact_id: int) -> list[HistoryRow]:
        return await self._sql.run(corrections.history, fact_id)

    async def _change(self, fn: Callable[..., T], *args: Any, record: bool = True, **kwargs: Any) -> T:
        """One change and its audit row in one ``BEGIN IMMEDIATE`` transaction; ``record``: it
        changes what answers say (a digest's or a delivery's bookkeeping does not)."""

        def run(conn: sqlite3.Connection) -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn, *args, **kwargs)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            self._writer.committed()
            return result

        async with self._write_lock:
            self._writes += record
            return await self._sql.run(run)

    async def correct_fact(
        self,
        fact_id: int,
        *,
        text: str | None,
        date: DateSpec | None,
        note: str,
        expected_version: int | None,
        editor: Editor,
    ) -> int:
        return await self._change(
            corrections.correct_fact,
            fact_id,
            text=text,
            date=date,
            note=note,
            expected_version=expected_version,
            editor=editor,
        )

    async def change_status(
        self, fact_id: int, *, status: str, reason: str, expected_version: int | None, editor: Editor
    ) -> int:
        return await self._change(
            corrections.change_status,
            fact_id,
            status=status,
            reason=reason,
            expected_version=expected_version,
            editor=editor,
        )

    async def add_fact(self, **fields: Any) -> int:
        """See :func:`facts.store.corrections.add_fact` for the fields."""
        return await self._change(corrections.add_fact, **fields)

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

    # ------------------------------------------------------------------ digests

    async def digest_subscriptions(self) -> list[Subscription]:
        return await self._sql.run(digest_records.subscriptions)

    async def subscribe_digest(
        self, channel: str, schedule: str, timezone: str, *, origin: str, actor: str, at: str | None = None
    ) -> None:
        """``at``: when the subscription starts (the scheduler's clock); now by default."""
        start = at or now_utc()
        await self._change(
            digest_records.subscribe, channel, schedule, timezone, origin, actor, start, record=False
        )

    async def unsubscribe_digest(self, channel: str, *, actor: str) -> bool:
        return await self._change(digest_records.unsubscribe, channel, actor, now_utc(), record=False)

    async def last_digest_run(self, channel: str) -> DigestRun | None:
        return await self._sql.run(digest_records.last_run, channel)

    async def claim_digest_run(
        self, channel: str, period: str, covered_from: str, covered_to: str, **claim: Any
    ) -> DigestRun | None:
        """See :func:`facts.store.digest_ledger.claim_run` for the claim (owner, now, lease)."""
        return await self._change(
            digest_records.claim_run,
            channel,
            period,
            covered_from,
            covered_to,
            record=False,
            **claim,
        )

    async def begin_digest_post(self, channel: str, period: str, **attempt: Any) -> bool:
        return await self._change(digest_records.begin_post, channel, period, record=False, **attempt)

    async def finish_digest_run(self, channel: str, period: str, **outcome: Any) -> bool:
        return await self._change(digest_records.finish_run, channel, period, record=False, **outcome)

    async def digest_changes(self, start: str, end: str) -> tuple[list[int], list[DigestChange]]:
        return await self._sql.run(digest_records.changes_between, start, end)

    async def on_this_day(self, month_day: str, before_year: int) -> list[int]:
        return await self._sql.run(digest_records.on_this_day, month_day, before_year)

    # ------------------------------------------------------------------ deliveries

    async def claim_delivery(self, key: str, *, now: float, ttl: float) -> bool:
        """Claim a platform delivery (a Slack trigger id) for ``ttl`` seconds from ``now`` (the
        caller's clock, seconds since the epoch): True the first time, False for a redelivery."""
        return await self._change(deliveries.claim, key, now, ttl, record=False)

    async def expire_deliveries(self, *, now: float) -> int:
        """Forget the delivery claims expired at ``now``."""
        return await self._change(deliveries.expire, now, record=False)

    # ------------------------------------------------------------------ posted answers

    async def record_post(
        self,
        platform: str,
        channel: str,
        ref: str,
        answer: dict[str, Any],
        fact_ids: Sequence[int],
        *,
        asked_by: str | None = None,
        shown_from: int = 0,
    ) -> int:
        """Keep an answer posted in a channel or thread, with the facts it showed."""
        args = (platform, channel, ref, answer, fact_ids, asked_by, shown_from)
        return await self._change(posted.record, *args, record=False)

    async def posts_showing(self, fact_id: int) -> list[PostRow]:
        return await self._sql.run(posted.posts_showing, fact_id)

    async def post_updated(self, post_id: int, answer: dict[str, Any], fact_id: int, version: int) -> None:
        """A posted answer was edited for ``version`` of ``fact_id``: kept and recorded."""
        await self._change(posted.updated, post_id, answer, fact_id, version, record=False)

    async def post_updates(self, fact_id: int) -> list[PostUpdate]:
        return await self._sql.run(posted.updates_of, fact_id)

    # ------------------------------------------------------------------ answer views

    async def keep_view(self, command: str, actor: str) -> int:
        """Keep the command behind an answer's buttons; returns the number a button carries."""

        def keep(conn: sqlite3.Connection) -> int:
            sql = "INSERT INTO answer_views (command, actor, created_at) VALUES (?, ?, ?)"
            return int(conn.execute(sql, (command, actor, now_utc())).lastrowid or 0)

        return await self._change(keep, record=False)

    async def view_command(self, view_id: int) -> str | None:
        """The command behind the buttons numbered ``view_id``, or None (no such view)."""
        row = await self._sql.fetchone("SELECT command FROM answer_views WHERE id = ?", (view_id,))
        return str(row["command"]) if row else None

    # ------------------------------------------------------------------ feeds

    async def add_feed(self, url: str, *, origin: str, added_by: str, now: str) -> tuple[Feed, bool]:
        url = feed_records.check_feed_url(url)
        return await self._change(feed_records.add, url, origin, added_by, now, record=False)

    async def remove_feed(self, url: str) -> Feed:
        return await self._change(feed_records.remove, url.strip().strip("<>"), record=False)

    async def feeds(self) -> list[Feed]:
        return await self._sql.run(feed_records.listed)

    async def due_feeds(self, now: str) -> list[Feed]:
        return await self._sql.run(feed_records.due, now)

    async def feed_polled(
        self,
        feed_id: int,
        *,
        now: str,
        next_poll_at: str,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        await self._change(
            feed_records.polled, feed_id, now=now, next_poll_at=next_poll_at, error=error, etag=etag,
            last_modified=last_modified, record=False,
        )

    async def feed_items_seen(self, feed_id: int, keys: list[str]) -> set[str]:
        return await self._sql.run(feed_records.items_seen, feed_id, keys)

    async def feed_item_seen(self, feed_id: int, key: str, doc_url: str) -> None:
        await self._change(feed_records.item_seen, feed_id, key, doc_url, record=False)

    async def _facts(self, sql: str, args: tuple[Any, ...]) -> list[FactRow]:
        rows = await self._sql.fetchall(sql, args)
        if not rows:
            return []
        sources = await self._sources([r["id"] for r in rows])
        events = await self._events([r["event_id"] for r in rows if r["event_id"] is not None])
        out = []
        for r in rows:
            srcs = sources.get(r["id"], ())
            if not srcs:
                continue  # every source superseded by a newer version of its article
            event_key = events.get(r["event_id"]) if r["event_id"] is not None else None
            out.append(fact_row(r, sources=srcs, event_key=event_key))
        return out

    async def _events(self, event_ids: list[int]) -> dict[int, tuple[str, str]]:
        out: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(sorted(set(event_ids))):
            rows = await self._sql.fetchall(
                f"SELECT id, verb, country FROM events WHERE id IN ({_marks(len(chunk))})", tuple(chunk)
            )
            for row in rows:
                out[row["id"]] = (row["verb"], row["country"])
        return out

    async def _sources(self, fact_ids: list[int]) -> dict[int, list[SourceRow]]:
        out: dict[int, list[SourceRow]] = defaultdict(list)
        docs: dict[int, DocumentRow] = {}  # one row object per document, however many it sources
        for chunk in _chunks(sorted(set(fact_ids))):
            rows = await self._sql.fetchall(
                f"SELECT {SOURCE_COLUMNS}"
                " FROM fact_sources s JOIN passages p ON p.id = s.passage_id"
                " JOIN documents d ON d.id = s.doc_id"
                f" WHERE s.fact_id IN ({_marks(len(chunk))}) AND d.superseded_by IS NULL"
                " ORDER BY d.published, d.id, p.idx",
                tuple(chunk),
            )
            for row in rows:
                doc = docs.get(row["doc_id"])
                if doc is None:
                    doc = docs[row["doc_id"]] = document_row(row)
                out[row["fact_id"]].append(source_row(row, doc))
        return out


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
    store = SQLiteStore(sql, path, set_cache=memory_mb * 1024 * 1024 // 6 // SET_BYTES)
    try:
        await sql.run(migrate)
        store.checkpoint_in_background()
        await _backfill_vectors(store)
        if bundled_corpus:
            await _seed_bundled(store)
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


async def _seed_bundled(store: SQLiteStore) -> None:
    from facts.read.bundled import bundled_articles

    if await store.connection.fetchone("SELECT value FROM _meta WHERE key = 'seeded'"):
        return
    row = await store.connection.fetchone("SELECT count(*) AS n FROM documents")
    if row and row["n"] == 0:
        for article in bundled_articles():
            await store.ingest(article)
    sql = "INSERT OR REPLACE INTO _meta (key, value) VALUES ('seeded', ?)"
    await store.connection.execute(sql, (now_utc(),))
