"""What the SQLite and PostgreSQL stores share: every role written once over a few primitives.

:class:`SQLRecordStore` reads and changes the record with SQL both engines speak, and runs the
shared functions of the ledgers, corrections and the article writer (see
:mod:`facts.store.dialect`). A store gives it five primitives (read rows, run a function on a
connection, run one in a write transaction, write a batch of articles, name an index to use) and
implements what differs: full-text search, health, state and maintenance.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from facts.extract.pipeline import Extraction, extract
from facts.read.article import ArticleInput
from facts.store import corrections
from facts.store import delivery_ledger as deliveries
from facts.store import digest_ledger as digest_records
from facts.store import feed_ledger as feed_records
from facts.store import posted_ledger as posted
from facts.store.corrections import DateSpec, Editor, HistoryRow
from facts.store.dialect import begin, begin_write
from facts.store.digest_ledger import DigestChange, DigestRun, Subscription
from facts.store.feed_ledger import Feed
from facts.store.passage_vectors import AskPassage, VectorIndex, ask_passages
from facts.store.posted_ledger import PostRow, PostUpdate
from facts.store.row_builders import (
    DOC_COLUMNS,
    FACT_COLUMNS,
    SOURCE_COLUMNS,
    NamedRow,
    document_row,
    fact_row,
    source_row,
)
from facts.store.rows import DocumentRow, FactRow, IngestResult, SourceRow
from facts.store.text_spans import passage_text
from facts.store.timestamps import now_utc
from facts.store.writer import SET_CACHE, ArticleWriter, WorkItem, _chunks, _marks

__all__ = ["SQLRecordStore", "extract_all"]

T = TypeVar("T")

_EXTRACT_CHUNK = 25  # articles per task handed to an extraction worker
_VECTOR_CHUNK = 100_000


def _content_hash(article: ArticleInput) -> str:
    return hashlib.sha256(
        "\x1f".join([article.title, article.outlet, article.published, article.body]).encode()
    ).hexdigest()


def extract_all(articles: Sequence[ArticleInput]) -> list[Extraction]:
    """Extraction of a batch, a top-level function so a process pool can run it."""
    return [extract(a) for a in articles]


async def _concatenated(parts: Sequence[Awaitable[list[Extraction]]]) -> list[Extraction]:
    out: list[Extraction] = []
    for chunk in await asyncio.gather(*parts):
        out += chunk
    return out


class SQLRecordStore:
    """Every role of :class:`facts.store.protocols.FactStore` but the engine's own."""

    _DAYS_SPANNED = "julianday(date_end) - julianday(date_start)"
    """SQL for the days between a fact's first and last day (``range_facts``' long spans)."""
    _SAME_YEAR = "substr(date_start, 1, 4) = substr(date_end, 1, 4)"
    """SQL for "the fact starts and ends in one year", as the index of such facts names it."""

    def __init__(self, *, set_cache: int = SET_CACHE) -> None:
        self._write_lock = asyncio.Lock()  # one batch or change at a time from this process
        self._writer = ArticleWriter(set_cache=set_cache)
        self._writes = 0  # transactions written through this store (see state)
        self._vectors = VectorIndex()

    @property
    def writer(self) -> ArticleWriter:
        """The article writer (its time and profiler, for benchmarks; never part of a role)."""
        return self._writer

    # ------------------------------------------------------------------ the engine's primitives

    async def _fetchall(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        raise NotImplementedError

    async def _fetchone(self, sql: str, args: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(conn, *args)`` on a connection, outside any transaction."""
        raise NotImplementedError

    async def _run_change(self, fn: Callable[..., T], *args: Any, lock_writers: bool, **kwargs: Any) -> T:
        """``fn(conn, *args)`` in one transaction, committed, or rolled back on any error;
        ``lock_writers``: it may add documents, passages or facts (see :func:`begin_write`)."""

        def run(conn: Any) -> T:
            (begin_write if lock_writers else begin)(conn)
            try:
                result = fn(conn, *args, **kwargs)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            self._writer.committed()
            return result

        return await self._read(run)

    async def _run_batch(self, items: Sequence[WorkItem], *, each_in_savepoint: bool) -> list[IngestResult]:
        """The writer's :meth:`~facts.store.writer.ArticleWriter.write_batch` on a connection."""
        raise NotImplementedError

    def _hint(self, index: str) -> str:
        """The clause that makes a query read ``index`` (SQLite's ``INDEXED BY``), or nothing."""
        return ""

    async def _change(self, fn: Callable[..., T], *args: Any, record: bool = True, **kwargs: Any) -> T:
        """One change and its audit row in one transaction; ``record``: it changes what answers
        say (a digest's or a delivery's bookkeeping does not), and so takes the writers' lock."""
        async with self._write_lock:
            self._writes += record
            return await self._run_change(fn, *args, lock_writers=record, **kwargs)

    async def _write_items(self, items: Sequence[WorkItem], *, each_in_savepoint: bool) -> list[IngestResult]:
        async with self._write_lock:
            self._writes += 1
            return await self._run_batch(items, each_in_savepoint=each_in_savepoint)

    # ------------------------------------------------------------------ writing

    async def seed_bundled(self) -> None:
        """The bundled articles, into a store that has never held a document (once: a store
        emptied by hand is not seeded again). Two replicas starting together both may ingest
        them; ingest is idempotent on each article's content, so they go in once."""
        from facts.read.bundled import bundled_articles

        if await self._fetchone("SELECT value FROM _meta WHERE key = 'seeded'"):
            return
        row = await self._fetchone("SELECT count(*) AS n FROM documents")
        if row and row["n"] == 0:
            for article in bundled_articles():
                await self.ingest(article)

        def mark(conn: Any) -> None:
            sql = "INSERT INTO _meta (key, value) VALUES ('seeded', ?) ON CONFLICT (key) DO NOTHING"
            conn.execute(sql, (now_utc(),))

        await self._change(mark, record=False)

    async def ingest(self, article: ArticleInput) -> IngestResult:
        """Add one article in its own transaction; idempotent on content, versioned on url.

        Raises whatever stopped the write; the store is then exactly as before.
        """
        content_hash = _content_hash(article)
        current = await self._current(article.url)
        if current and current["content_hash"] == content_hash:
            return IngestResult(article.origin, "unchanged", current["id"], current["version"])
        extraction = await asyncio.to_thread(extract, article)
        results = await self._write_items([(article, content_hash, extraction)], each_in_savepoint=False)
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
                results = await self._write_items(items, each_in_savepoint=True)
                for result in results:
                    yield result
        finally:
            if upcoming is not None and not upcoming.done():
                upcoming.cancel()

    async def _current(self, url: str) -> NamedRow | None:
        return await self._fetchone(
            "SELECT id, version, content_hash FROM documents WHERE url = ? AND superseded_by IS NULL", (url,)
        )

    async def _current_hashes(self, urls: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(sorted(set(urls))):
            rows = await self._fetchall(
                f"SELECT url, content_hash FROM documents WHERE superseded_by IS NULL AND url IN"
                f" ({_marks(len(chunk))})",
                tuple(chunk),
            )
            for row in rows:
                out[row["url"]] = row["content_hash"]
        return out

    async def documents(self) -> list[DocumentRow]:
        rows = await self._fetchall(
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
        row = await self._fetchone(sql, (arg,))
        return document_row(row) if row else None

    async def document_bodies(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """The text of each document in ``doc_ids`` (what its passages' offsets point into)."""
        out: dict[int, str] = {}
        for chunk in _chunks(sorted(set(doc_ids))):
            sql = f"SELECT id, body FROM documents WHERE id IN ({_marks(len(chunk))})"
            out.update((r["id"], r["body"]) for r in await self._fetchall(sql, tuple(chunk)))
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
        return [r["code"] for r in await self._fetchall(sql)]

    async def agreement_facts(self, country: str, *, limit: int = 200) -> list[FactRow]:
        """A country's agreement facts, explicit links first, then the most salient: the ``limit``
        ids are read in that order from ``fact_agreements_ranked`` (no sort, however many links the
        country has), then the facts themselves."""
        ranked_sql = (
            f"SELECT a.fact_id FROM fact_agreements a {self._hint('fact_agreements_ranked')}"
            " WHERE a.country = ?"
            " AND EXISTS (SELECT 1 FROM facts f WHERE f.id = a.fact_id AND f.status = 'active')"
            " ORDER BY a.explicit DESC, a.salience DESC, a.fact_id LIMIT ?"
        )

        def run(conn: Any) -> tuple[list[int], list[FactRow]]:
            ids = [r["fact_id"] for r in conn.execute(ranked_sql, (country, limit)).fetchall()]
            if not ids:
                return ids, []
            sql = (
                f"SELECT {FACT_COLUMNS}, a.explicit FROM fact_agreements a JOIN facts f ON f.id = a.fact_id"
                f" WHERE a.country = ? AND a.fact_id IN ({_marks(len(ids))})"
            )
            return ids, _facts_on(conn, sql, (country, *ids))

        ids, found = await self._read(run)
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
            f"SELECT id, salience FROM facts {self._hint('facts_by_year')} WHERE substr(date_start, 1, 4) = ?"
            f" AND date_start IS NOT NULL AND {self._SAME_YEAR}"
            f" AND status = 'active' AND date_start <= ? AND date_end >= ?{in_country}"
            " ORDER BY salience DESC LIMIT ?"
        )
        crossing = (
            "SELECT id, salience FROM facts {hint} WHERE substr({column}, 1, 4) = ?"
            " AND date_start IS NOT NULL AND substr(date_start, 1, 4) != substr(date_end, 1, 4)"
            f" AND status = 'active' AND date_start <= ? AND date_end >= ?{in_country}"
            " ORDER BY salience DESC LIMIT ?"
        )
        crossing_from = crossing.format(hint=self._hint("facts_crossing_from"), column="date_start")
        crossing_into = crossing.format(hint=self._hint("facts_crossing_into"), column="date_end")
        # Spans around the whole range (a fact that starts or ends in one of its years is read
        # above): they start before it and end after it.
        long = (
            f"SELECT id, salience FROM facts {self._hint('facts_long_spans')} WHERE date_start IS NOT NULL"
            f" AND {self._DAYS_SPANNED} >= 366 AND date_start < ? AND date_end > ?"
            f" AND status = 'active'{in_country} ORDER BY salience DESC LIMIT ?"
        )
        tail: tuple[Any, ...] = (country, limit) if country else (limit,)
        parts: list[tuple[str, tuple[Any, ...]]] = []
        for year in range(int(start[:4]), int(end[:4]) + 1):
            args = (f"{year:04d}", end, start, *tail)
            parts += [(same_year, args), (crossing_from, args), (crossing_into, args)]
        parts.append((long, (start, end, *tail)))

        def run(conn: Any) -> list[FactRow]:
            best: dict[int, float] = {}
            for sql, args in parts:
                for fid, salience in conn.execute(sql, args):
                    best[fid] = salience
            ids = sorted(best, key=lambda i: (-best[i], i))[:limit]  # equals by id: the same on both engines
            facts = {f.id: f for f in _facts_by_ids_on(conn, ids)}
            return [facts[i] for i in ids if i in facts]

        return await self._read(run)

    async def document_facts(self, doc_id: int) -> list[FactRow]:
        return await self._facts(
            f"SELECT DISTINCT {FACT_COLUMNS}, 0 AS explicit"
            " FROM fact_sources s JOIN facts f ON f.id = s.fact_id WHERE s.doc_id = ? ORDER BY f.id",
            (doc_id,),
        )

    async def facts_by_ids(self, ids: Sequence[int]) -> list[FactRow]:
        return await self._read(_facts_by_ids_on, list(ids))

    async def passage_count(self) -> int:
        """About how many passages the store holds (ids are dense: the largest one)."""
        row = await self._fetchone("SELECT coalesce(max(id), 0) AS n FROM passages")
        return int(row["n"]) if row else 0

    async def nearest_passages(self, vector: Any, k: int) -> list[int]:
        """Ids of the ``k`` passages whose stored vectors are nearest ``vector`` (Hamming on signs).

        The bits of passages added since the last question are read first, in chunks (a store's
        first question reads them all: 40 bytes a passage held in memory)."""
        sql = "SELECT passage_id, bits FROM passage_vectors WHERE passage_id > ? ORDER BY passage_id LIMIT ?"
        while rows := await self._fetchall(sql, (self._vectors.last_id, _VECTOR_CHUNK)):
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
                " (SELECT s.fact_id FROM fact_sources s WHERE s.passage_id = c.passage_id"
                "  ORDER BY s.fact_id LIMIT 1) AS fact_id,"
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
            rows = await self._fetchall(sql, tuple(chunk))
            out += ask_passages(rows)
        return out

    async def fact(self, fact_id: int) -> FactRow | None:
        """One fact whatever its status (retracted ones too), with its current sources."""
        sql = f"SELECT {FACT_COLUMNS}, 0 AS explicit FROM facts f WHERE f.id = ?"
        found = await self._facts(sql, (fact_id,))
        return found[0] if found else None

    async def fact_history(self, fact_id: int) -> list[HistoryRow]:
        return await self._read(corrections.history, fact_id)

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

    async def digest_subscriptions(self) -> list[Subscription]:
        return await self._read(digest_records.subscriptions)

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
        return await self._read(digest_records.last_run, channel)

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
        return await self._read(digest_records.changes_between, start, end)

    async def on_this_day(self, month_day: str, before_year: int) -> list[int]:
        return await self._read(digest_records.on_this_day, month_day, before_year)

    async def claim_delivery(self, key: str, *, now: float, ttl: float) -> bool:
        """Claim a platform delivery (a Slack trigger id) for ``ttl`` seconds from ``now`` (the
        caller's clock, seconds since the epoch): True the first time, False for a redelivery."""
        return await self._change(deliveries.claim, key, now, ttl, record=False)

    async def expire_deliveries(self, *, now: float) -> int:
        """Forget the delivery claims expired at ``now``."""
        return await self._change(deliveries.expire, now, record=False)

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
        return await self._read(posted.posts_showing, fact_id)

    async def post_updated(self, post_id: int, answer: dict[str, Any], fact_id: int, version: int) -> None:
        """A posted answer was edited for ``version`` of ``fact_id``: kept and recorded."""
        await self._change(posted.updated, post_id, answer, fact_id, version, record=False)

    async def post_updates(self, fact_id: int) -> list[PostUpdate]:
        return await self._read(posted.updates_of, fact_id)

    async def keep_view(self, command: str, actor: str) -> int:
        """Keep the command behind an answer's buttons; returns the number a button carries."""

        def keep(conn: Any) -> int:
            sql = "INSERT INTO answer_views (command, actor, created_at) VALUES (?, ?, ?) RETURNING id"
            return int(conn.execute(sql, (command, actor, now_utc())).fetchone()[0])

        return await self._change(keep, record=False)

    async def view_command(self, view_id: int) -> str | None:
        """The command behind the buttons numbered ``view_id``, or None (no such view)."""
        row = await self._fetchone("SELECT command FROM answer_views WHERE id = ?", (view_id,))
        return str(row["command"]) if row else None

    async def add_feed(self, url: str, *, origin: str, added_by: str, now: str) -> tuple[Feed, bool]:
        url = feed_records.check_feed_url(url)
        return await self._change(feed_records.add, url, origin, added_by, now, record=False)

    async def remove_feed(self, url: str) -> Feed:
        return await self._change(feed_records.remove, url.strip().strip("<>"), record=False)

    async def feeds(self) -> list[Feed]:
        return await self._read(feed_records.listed)

    async def due_feeds(self, now: str) -> list[Feed]:
        return await self._read(feed_records.due, now)

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
            feed_records.polled,
            feed_id,
            now=now,
            next_poll_at=next_poll_at,
            error=error,
            etag=etag,
            last_modified=last_modified,
            record=False,
        )

    async def claim_feed_poll(self, feed_id: int, *, due_at: str, until: str) -> bool:
        """See :func:`facts.store.feed_ledger.claim_poll`."""
        return await self._change(feed_records.claim_poll, feed_id, due_at=due_at, until=until, record=False)

    async def feed_items_seen(self, feed_id: int, keys: list[str]) -> set[str]:
        return await self._read(feed_records.items_seen, feed_id, keys)

    async def feed_item_seen(self, feed_id: int, key: str, doc_url: str) -> None:
        await self._change(feed_records.item_seen, feed_id, key, doc_url, record=False)

    async def _facts(self, sql: str, args: tuple[Any, ...]) -> list[FactRow]:
        """The facts ``sql`` selects, with their sources and events: one trip to a connection."""
        return await self._read(_facts_on, sql, args)


def _facts_on(conn: Any, sql: str, args: Sequence[Any]) -> list[FactRow]:
    rows = conn.execute(sql, args).fetchall()
    if not rows:
        return []
    sources = _sources_on(conn, [r["id"] for r in rows])
    events = _events_on(conn, [r["event_id"] for r in rows if r["event_id"] is not None])
    out = []
    for r in rows:
        srcs = sources.get(r["id"], ())
        if not srcs:
            continue  # every source superseded by a newer version of its article
        event_key = events.get(r["event_id"]) if r["event_id"] is not None else None
        out.append(fact_row(r, sources=srcs, event_key=event_key))
    return out


def _events_on(conn: Any, event_ids: list[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(sorted(set(event_ids))):
        sql = f"SELECT id, verb, country FROM events WHERE id IN ({_marks(len(chunk))})"
        for row in conn.execute(sql, tuple(chunk)).fetchall():
            out[row["id"]] = (row["verb"], row["country"])
    return out


def _sources_on(conn: Any, fact_ids: list[int]) -> dict[int, list[SourceRow]]:
    out: dict[int, list[SourceRow]] = defaultdict(list)
    docs: dict[int, DocumentRow] = {}  # one row object per document, however many it sources
    for chunk in _chunks(sorted(set(fact_ids))):
        rows = conn.execute(
            f"SELECT {SOURCE_COLUMNS}"
            " FROM fact_sources s JOIN passages p ON p.id = s.passage_id"
            " JOIN documents d ON d.id = s.doc_id"
            f" WHERE s.fact_id IN ({_marks(len(chunk))}) AND d.superseded_by IS NULL"
            " ORDER BY d.published, d.id, p.idx",
            tuple(chunk),
        ).fetchall()
        for row in rows:
            doc = docs.get(row["doc_id"])
            if doc is None:
                doc = docs[row["doc_id"]] = document_row(row)
            out[row["fact_id"]].append(source_row(row, doc))
    return out


def _facts_by_ids_on(conn: Any, ids: Sequence[int]) -> list[FactRow]:
    out: list[FactRow] = []
    for chunk in _chunks(list(ids)):
        sql = f"SELECT {FACT_COLUMNS}, 0 AS explicit FROM facts f WHERE f.id IN ({_marks(len(chunk))})"
        out += _facts_on(conn, sql, tuple(chunk))
    return out
