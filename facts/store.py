"""The fact store: one SQLite file through aiosqlite.

WAL, foreign keys, named migrations, FTS5 over passages, and one writer with explicit
``BEGIN IMMEDIATE`` transactions: an article goes in whole or not at all. Every statement is
parameterised. The bot reaches data only through :class:`FactStore`, a protocol a
PostgreSQL implementation could satisfy as well.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

from facts.article import ArticleInput
from facts.countries import all_countries
from facts.dedup import near_enough, overlap
from facts.extract import Candidate, Extraction, extract
from facts.migrations import migrate
from facts.records import DocumentRow, FactRow, IngestResult, PassageHit, SourceRow

__all__ = ["FactStore", "SQLiteStore", "open_store"]

_CHUNK = 500
COMMON_SHINGLE_FACTS = 32  # a shingle shared by this many facts is too common to show duplication
_EVENT_PRECISIONS = frozenset({"day", "week", "month"})


class FactStore(Protocol):
    """What the conversation layer may ask of a store."""

    async def close(self) -> None: ...
    async def ingest(self, article: ArticleInput) -> IngestResult: ...
    async def documents(self) -> list[DocumentRow]: ...
    async def document(self, *, doc_id: int | None = None, url: str | None = None) -> DocumentRow | None: ...
    async def agreement_facts(self, country: str, *, limit: int = 300) -> list[FactRow]: ...
    async def range_facts(
        self, start: str, end: str, *, country: str | None = None, limit: int = 400
    ) -> list[FactRow]: ...
    async def document_facts(self, doc_id: int) -> list[FactRow]: ...
    async def search_passages(self, match: str, *, limit: int = 40) -> list[PassageHit]: ...
    async def facts_by_ids(self, ids: Sequence[int]) -> list[FactRow]: ...
    async def agreement_countries(self) -> list[str]: ...


def _content_hash(article: ArticleInput) -> str:
    return hashlib.sha256(
        "\x1f".join([article.title, article.outlet, article.published, article.body]).encode()
    ).hexdigest()


def extract_all(articles: Sequence[ArticleInput]) -> list[Extraction]:
    """Extraction of a batch, a top-level function so a process pool can run it."""
    return [extract(a) for a in articles]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


_DOC_COLUMNS = (
    "d.id, d.url, d.version, d.outlet, d.title, d.published, d.published_precision, "
    "d.author, d.date_note, d.superseded_by"
)
_FACT_COLUMNS = (
    "f.id, f.text, f.date_start, f.date_end, f.date_precision, f.date_mod, f.date_label, "
    "f.date_end_label, f.event_id, f.salience, f.facets, f.agreement_name, f.status, f.origin"
)


def _doc(row: Sequence[Any], facts: int = 0) -> DocumentRow:
    return DocumentRow(*row[:10], facts=facts)


class SQLiteStore:
    """The SQLite implementation of :class:`FactStore`. Use :func:`open_store`."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path
        self._write_lock = asyncio.Lock()
        self._entity_ids: dict[tuple[str, str], int] = {}

    @property
    def connection(self) -> aiosqlite.Connection:
        return self._db

    async def close(self) -> None:
        await self._db.close()

    # ------------------------------------------------------------------ writing

    async def ingest(self, article: ArticleInput) -> IngestResult:
        """Add one article in its own transaction; idempotent on content, versioned on url.

        Raises whatever stopped the write; the store is then exactly as before.
        """
        content_hash = _content_hash(article)
        current = await self._current(article.url)
        if current and current[2] == content_hash:
            return IngestResult(article.origin, "unchanged", current[0], current[1])
        extraction = await asyncio.to_thread(extract, article)
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                result = await self._ingest_prepared(article, content_hash, extraction)
            except BaseException:
                await self._db.rollback()
                raise
            await self._db.commit()
        return result

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
        pending = list(articles)
        for start in range(0, len(pending), batch):
            chunk = pending[start : start + batch]
            hashes = [_content_hash(a) for a in chunk]
            stale = [i for i, (a, h) in enumerate(zip(chunk, hashes, strict=True))
                     if not await self._is_current(a.url, h)]
            todo = [chunk[i] for i in stale]
            if executor is not None:
                done = await loop.run_in_executor(executor, extract_all, todo)
            else:
                done = await asyncio.to_thread(extract_all, todo)
            extractions = dict(zip(stale, done, strict=True))
            results: list[IngestResult] = []
            async with self._write_lock:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    for i, (article, content_hash) in enumerate(zip(chunk, hashes, strict=True)):
                        extraction = extractions.get(i)
                        results.append(await self._ingest_in_savepoint(article, content_hash, extraction))
                except BaseException:
                    await self._db.rollback()
                    raise
                await self._db.commit()
            for result in results:
                yield result

    async def _ingest_in_savepoint(
        self, article: ArticleInput, content_hash: str, extraction: Extraction | None
    ) -> IngestResult:
        await self._db.execute("SAVEPOINT article")
        try:
            if extraction is None:  # unchanged when checked before the batch
                current = await self._current(article.url)
                assert current is not None
                result = IngestResult(article.origin, "unchanged", current[0], current[1])
            else:
                result = await self._ingest_prepared(article, content_hash, extraction)
        except Exception as exc:  # one article's failure must not sink the batch
            await self._db.execute("ROLLBACK TO article")
            await self._db.execute("RELEASE article")
            return IngestResult(article.origin, "failed", 0, 0, error=f"{type(exc).__name__}: {exc}")
        await self._db.execute("RELEASE article")
        return result

    async def _current(self, url: str) -> Sequence[Any] | None:
        async with self._db.execute(
            "SELECT id, version, content_hash FROM documents WHERE url = ? AND superseded_by IS NULL", (url,)
        ) as cur:
            return await cur.fetchone()

    async def _is_current(self, url: str, content_hash: str) -> bool:
        current = await self._current(url)
        return bool(current and current[2] == content_hash)

    async def _ingest_prepared(
        self, article: ArticleInput, content_hash: str, extraction: Extraction
    ) -> IngestResult:
        """Inside an open transaction: unchanged, or written as a new document/version."""
        current = await self._current(article.url)
        if current and current[2] == content_hash:
            return IngestResult(article.origin, "unchanged", current[0], current[1])
        return await self._write(article, content_hash, current, extraction)

    async def _next_id(self, table: str) -> int:
        # Table names are constants of this module, never user input.
        async with self._db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}") as cur:
            row = await cur.fetchone()
        return int(row[0])

    async def _write(
        self, article: ArticleInput, content_hash: str, current: Sequence[Any] | None, ex: Extraction
    ) -> IngestResult:
        db = self._db
        now = _now()
        version = (current[1] + 1) if current else 1
        cur = await db.execute(
            "INSERT INTO documents (url, version, outlet, title, headline, published, published_precision,"
            " author, date_note, metadata, content_hash, body, origin, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                article.url,
                version,
                article.outlet,
                article.title,
                ex.headline,
                article.published,
                article.published_precision,
                article.author,
                article.date_note,
                json.dumps(article.metadata, sort_keys=True, default=str),
                content_hash,
                article.body,
                article.origin,
                now,
            ),
        )
        doc_id = int(cur.lastrowid or 0)
        if current:
            await db.execute("UPDATE documents SET superseded_by = ? WHERE id = ?", (doc_id, current[0]))

        first_passage = await self._next_id("passages")
        passage_ids = {p.index: first_passage + i for i, p in enumerate(ex.passages)}
        await db.executemany(
            "INSERT INTO passages (id, doc_id, idx, paragraph, start, end, kind, is_caption, text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    passage_ids[p.index],
                    doc_id,
                    p.index,
                    p.paragraph,
                    p.start,
                    p.end,
                    p.kind,
                    int(p.kind == "caption"),
                    p.text,
                )
                for p in ex.passages
            ],
        )
        await self._write_entities(ex, passage_ids)

        matches = await self._find_duplicates(ex.candidates)
        next_fact = await self._next_id("facts")
        new_facts: list[tuple[Any, ...]] = []
        shingle_rows: list[tuple[int, int]] = []
        source_rows: list[tuple[Any, ...]] = []
        agreement_rows: list[tuple[str, int, int]] = []
        country_rows: list[tuple[str, int]] = []
        merged = 0
        fact_of: dict[int, int] = {}
        for cand in ex.candidates:
            fact_id = matches.get(cand.passage)
            if fact_id is None:
                fact_id = next_fact
                next_fact += 1
                d = cand.date
                event_id = await self._event_for(cand) if cand.is_event else None
                new_facts.append(
                    (
                        fact_id,
                        cand.text,
                        cand.words,
                        len(cand.shingles),
                        d.start.isoformat() if d and cand.is_event else None,
                        d.end.isoformat() if d and cand.is_event else None,
                        d.precision if d and cand.is_event else None,
                        d.mod if d and cand.is_event else None,
                        d.iso if d and cand.is_event else None,
                        d.iso_end if d and cand.is_event else None,
                        d.text if d and cand.is_event else None,
                        event_id,
                        cand.salience.score,
                        " ".join(sorted(cand.salience.facets)),
                        cand.agreement_name,
                        ex.topic,
                        now,
                        now,
                    )
                )
                shingle_rows.extend((h, fact_id) for h in cand.shingles)
            else:
                merged += 1
            fact_of[cand.passage] = fact_id
            d = cand.date if cand.is_event else None
            source_rows.append(
                (
                    fact_id,
                    passage_ids[cand.passage],
                    doc_id,
                    cand.text,
                    d.start.isoformat() if d else None,
                    d.end.isoformat() if d else None,
                    d.precision if d else None,
                    d.iso if d else None,
                    " ".join(cand.numbers),
                )
            )
            if cand.agreement:
                agreement_rows.extend(
                    (c, fact_id, int(cand.agreement.explicit)) for c in cand.agreement.countries
                )
            country_rows.extend((c, fact_id) for c in cand.countries)

        await db.executemany(
            "INSERT INTO facts (id, text, words, shingles, date_start, date_end, date_precision, date_mod,"
            " date_label, date_end_label, date_text, event_id, salience, facets, agreement_name, topic,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new_facts,
        )
        await db.executemany(
            "INSERT OR IGNORE INTO fact_shingles (hash, fact_id) VALUES (?, ?)", shingle_rows
        )
        await db.executemany(
            "INSERT INTO shingle_df (hash, df) VALUES (?, 1) ON CONFLICT (hash) DO UPDATE SET df = df + 1",
            [(h,) for h, _ in shingle_rows],
        )
        await db.executemany(
            "INSERT OR IGNORE INTO fact_sources (fact_id, passage_id, doc_id, quote, date_start, date_end,"
            " date_precision, date_label, numbers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            source_rows,
        )
        # An explicit link wins over an inherited one for the same fact and country.
        await db.executemany(
            "INSERT INTO fact_agreements (country, fact_id, explicit) VALUES (?, ?, ?)"
            " ON CONFLICT (country, fact_id) DO UPDATE SET explicit = max(explicit, excluded.explicit)",
            agreement_rows,
        )
        await db.executemany(
            "INSERT OR IGNORE INTO fact_countries (country, fact_id) VALUES (?, ?)", country_rows
        )
        if merged:
            await self._raise_merged_salience(
                [(fact_of[c.passage], c.salience.score) for c in ex.candidates if matches.get(c.passage)]
            )
        return IngestResult(
            article.origin,
            "new_version" if current else "added",
            doc_id,
            version,
            passages=len(ex.passages),
            new_facts=len(new_facts),
            merged_facts=merged,
        )

    async def _raise_merged_salience(self, pairs: list[tuple[int, float]]) -> None:
        """A fact carried by one more outlet keeps its best sentence score."""
        await self._db.executemany(
            "UPDATE facts SET salience = max(salience, ?) WHERE id = ?",
            [(score, fid) for fid, score in pairs],
        )

    async def _find_duplicates(self, candidates: list[Candidate]) -> dict[int, int]:
        """passage index -> existing fact id, for sentences another document already carries.

        One query per batch of sentences: SQLite counts, for each sentence and each stored fact,
        the 3-grams they share (skipping 3-grams too common to mean anything); Python then
        applies the near-duplicate rule to the few pairs sharing at least two.
        """
        pairs = [(c.passage, h) for c in candidates for h in c.shingles]
        found: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
        for chunk in _chunks(pairs, 4000):
            values = ",".join("(?, ?)" for _ in chunk)
            sql = (
                f"WITH q(cand, hash) AS (VALUES {values}),"
                " m AS (SELECT q.cand AS cand, s.fact_id AS fid, count(*) AS shared"
                "       FROM q JOIN shingle_df d ON d.hash = q.hash AND d.df < ?"
                "       JOIN fact_shingles s ON s.hash = q.hash"
                "       GROUP BY q.cand, s.fact_id HAVING count(*) >= 2)"
                " SELECT m.cand, m.fid, m.shared, f.words, f.shingles FROM m JOIN facts f ON f.id = m.fid"
            )
            args = [v for pair in chunk for v in pair] + [COMMON_SHINGLE_FACTS]
            async with self._db.execute(sql, args) as cur:
                for cand, fid, shared, words, n in await cur.fetchall():
                    found[cand].append((fid, shared, words, n))
        out: dict[int, int] = {}
        for c in candidates:
            best, best_score = None, 0.0
            for fid, shared, words, n in found.get(c.passage, ()):
                jac, cont = overlap(shared, len(c.shingles), n)
                if near_enough(jac, cont, c.words, words) and jac + cont > best_score:
                    best, best_score = fid, jac + cont
            if best is not None:
                out[c.passage] = best
        return out

    async def _event_for(self, cand: Candidate) -> int | None:
        """The event a dated sentence reports: same lifecycle verb, same date, same agreement."""
        d = cand.date
        verb = cand.salience.event_verb
        if d is None or verb is None or d.precision not in _EVENT_PRECISIONS:
            return None
        if not cand.agreement or not cand.agreement.countries:
            return None
        country = ",".join(sorted(cand.agreement.countries))
        async with self._db.execute(
            "SELECT id FROM events WHERE date_start = ? AND date_end = ? AND verb = ? AND country = ?",
            (d.start.isoformat(), d.end.isoformat(), verb, country),
        ) as cur:
            row = await cur.fetchone()
        if row:
            return int(row[0])
        cur = await self._db.execute(
            "INSERT INTO events (date_start, date_end, date_precision, verb, country) VALUES (?, ?, ?, ?, ?)",
            (d.start.isoformat(), d.end.isoformat(), d.precision, verb, country),
        )
        return int(cur.lastrowid or 0)

    async def _write_entities(self, ex: Extraction, passage_ids: dict[int, int]) -> None:
        names = {c.code: c.name for c in all_countries()}
        wanted: dict[tuple[str, str], str] = {}
        links: list[tuple[int, tuple[str, str], str | None]] = []
        for index, codes in ex.country_mentions.items():
            for code in codes:
                key = ("country", code)
                wanted[key] = names.get(code, code)
                links.append((passage_ids[index], key, None))
        for cand in ex.candidates:
            for e in cand.entities:
                key = (e.kind, e.name.lower())
                wanted[key] = e.name
                links.append((passage_ids[cand.passage], key, e.title))
        missing = [k for k in wanted if k not in self._entity_ids]
        if missing:
            await self._db.executemany(
                "INSERT OR IGNORE INTO entities (kind, key, name) VALUES (?, ?, ?)",
                [(k[0], k[1], wanted[k]) for k in missing],
            )
            for kind in {k[0] for k in missing}:
                keys = [k[1] for k in missing if k[0] == kind]
                for chunk in _chunks(keys):
                    async with self._db.execute(
                        f"SELECT id, key FROM entities WHERE kind = ? AND key IN ({_marks(len(chunk))})",
                        (kind, *chunk),
                    ) as cur:
                        for eid, key in await cur.fetchall():
                            self._entity_ids[(kind, key)] = eid
        await self._db.executemany(
            "INSERT OR IGNORE INTO passage_entities (passage_id, entity_id, title) VALUES (?, ?, ?)",
            [(pid, self._entity_ids[key], title) for pid, key, title in links],
        )

    # ------------------------------------------------------------------ reading

    async def documents(self) -> list[DocumentRow]:
        async with self._db.execute(
            f"SELECT {_DOC_COLUMNS},"
            " (SELECT count(DISTINCT fact_id) FROM fact_sources s WHERE s.doc_id = d.id)"
            " FROM documents d ORDER BY d.id"
        ) as cur:
            return [_doc(row, row[10]) for row in await cur.fetchall()]

    async def document(self, *, doc_id: int | None = None, url: str | None = None) -> DocumentRow | None:
        if doc_id is not None:
            sql, arg = f"SELECT {_DOC_COLUMNS} FROM documents d WHERE d.id = ?", doc_id
        else:
            sql = f"SELECT {_DOC_COLUMNS} FROM documents d WHERE d.url = ? ORDER BY d.version DESC LIMIT 1"
            arg = url
        async with self._db.execute(sql, (arg,)) as cur:
            row = await cur.fetchone()
        return _doc(row) if row else None

    async def agreement_countries(self) -> list[str]:
        async with self._db.execute("SELECT DISTINCT country FROM fact_agreements ORDER BY country") as cur:
            return [r[0] for r in await cur.fetchall()]

    async def agreement_facts(self, country: str, *, limit: int = 300) -> list[FactRow]:
        return await self._facts(
            f"SELECT {_FACT_COLUMNS}, a.explicit FROM fact_agreements a JOIN facts f ON f.id = a.fact_id"
            " WHERE a.country = ? AND f.status = 'active' ORDER BY a.explicit DESC, f.salience DESC LIMIT ?",
            (country, limit),
        )

    async def range_facts(
        self, start: str, end: str, *, country: str | None = None, limit: int = 400
    ) -> list[FactRow]:
        """Dated facts whose interval overlaps [start, end] (ISO days), most salient first."""
        if country:
            sql = (
                f"SELECT {_FACT_COLUMNS}, 0 FROM facts f JOIN fact_countries c ON c.fact_id = f.id"
                " WHERE c.country = ? AND f.date_start <= ? AND f.date_end >= ? AND f.status = 'active'"
                " ORDER BY f.salience DESC LIMIT ?"
            )
            args: tuple[Any, ...] = (country, end, start, limit)
        else:
            sql = (
                f"SELECT {_FACT_COLUMNS}, 0 FROM facts f WHERE f.date_start <= ? AND f.date_end >= ?"
                " AND f.status = 'active' ORDER BY f.salience DESC LIMIT ?"
            )
            args = (end, start, limit)
        return await self._facts(sql, args)

    async def document_facts(self, doc_id: int) -> list[FactRow]:
        return await self._facts(
            f"SELECT DISTINCT {_FACT_COLUMNS}, 0 FROM fact_sources s JOIN facts f ON f.id = s.fact_id"
            " WHERE s.doc_id = ? ORDER BY f.id",
            (doc_id,),
        )

    async def facts_by_ids(self, ids: Sequence[int]) -> list[FactRow]:
        out: list[FactRow] = []
        for chunk in _chunks(list(ids)):
            out += await self._facts(
                f"SELECT {_FACT_COLUMNS}, 0 FROM facts f WHERE f.id IN ({_marks(len(chunk))})", tuple(chunk)
            )
        return out

    async def search_passages(self, match: str, *, limit: int = 40) -> list[PassageHit]:
        """Passages matching an FTS5 query (already built and quoted by the caller), best first."""
        sql = (
            f"SELECT p.id, p.text, p.kind, r.rank, {_DOC_COLUMNS},"
            " (SELECT s.fact_id FROM fact_sources s WHERE s.passage_id = p.id)"
            " FROM (SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT ?) r"
            " JOIN passages p ON p.id = r.rowid JOIN documents d ON d.id = p.doc_id"
            " WHERE d.superseded_by IS NULL AND p.kind IN ('sentence', 'caption', 'headline')"
            " ORDER BY r.rank"
        )
        async with self._db.execute(sql, (match, limit)) as cur:
            rows = await cur.fetchall()
        return [PassageHit(r[0], _doc(r[4:14]), r[1], r[2], float(r[3]), r[14]) for r in rows]

    async def _facts(self, sql: str, args: tuple[Any, ...]) -> list[FactRow]:
        async with self._db.execute(sql, args) as cur:
            rows = await cur.fetchall()
        if not rows:
            return []
        sources = await self._sources([r[0] for r in rows])
        events = await self._events([r[8] for r in rows if r[8] is not None])
        out = []
        for r in rows:
            srcs = sources.get(r[0], ())
            if not srcs:
                continue  # every source superseded by a newer version of its article
            out.append(
                FactRow(
                    id=r[0],
                    text=r[1],
                    date_start=r[2],
                    date_end=r[3],
                    date_precision=r[4],
                    date_mod=r[5],
                    date_label=r[6],
                    date_end_label=r[7],
                    event_id=r[8],
                    salience=r[9],
                    facets=frozenset((r[10] or "").split()),
                    agreement_name=r[11],
                    status=r[12],
                    origin=r[13],
                    explicit=bool(r[14]),
                    sources=tuple(srcs),
                    event_key=events.get(r[8]) if r[8] is not None else None,
                )
            )
        return out

    async def _events(self, event_ids: list[int]) -> dict[int, tuple[str, str]]:
        out: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(sorted(set(event_ids))):
            async with self._db.execute(
                f"SELECT id, verb, country FROM events WHERE id IN ({_marks(len(chunk))})", tuple(chunk)
            ) as cur:
                for eid, verb, country in await cur.fetchall():
                    out[eid] = (verb, country)
        return out

    async def _sources(self, fact_ids: list[int]) -> dict[int, list[SourceRow]]:
        out: dict[int, list[SourceRow]] = defaultdict(list)
        for chunk in _chunks(sorted(set(fact_ids))):
            async with self._db.execute(
                f"SELECT s.fact_id, s.passage_id, s.quote, p.idx, s.date_start, s.date_end, s.date_precision,"
                f" s.date_label, s.numbers, {_DOC_COLUMNS}"
                " FROM fact_sources s JOIN passages p ON p.id = s.passage_id"
                " JOIN documents d ON d.id = s.doc_id"
                f" WHERE s.fact_id IN ({_marks(len(chunk))}) AND d.superseded_by IS NULL"
                " ORDER BY d.published, d.id, p.idx",
                tuple(chunk),
            ) as cur:
                for r in await cur.fetchall():
                    out[r[0]].append(
                        SourceRow(
                            fact_id=r[0],
                            passage_id=r[1],
                            doc=_doc(r[9:19]),
                            quote=r[2],
                            passage_index=r[3],
                            date_start=r[4],
                            date_end=r[5],
                            date_precision=r[6],
                            date_label=r[7],
                            numbers=tuple((r[8] or "").split()),
                        )
                    )
        return out


async def open_store(path: str | Path, *, bundled_corpus: bool = True) -> SQLiteStore:
    """Open (creating and migrating if needed) the store at ``path``.

    A store that has never held a document is seeded with the bundled corpus unless
    ``bundled_corpus`` is false.
    """
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = await aiosqlite.connect(path, isolation_level=None)
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA foreign_keys = ON")
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.execute("PRAGMA busy_timeout = 5000")
    # Indexes (shingles, FTS) are written at random places: a page cache that holds them
    # keeps ingest from re-reading the file (SQLite's default cache is 2 MB).
    await db.execute("PRAGMA cache_size = -131072")
    await db.execute("PRAGMA temp_store = MEMORY")
    store = SQLiteStore(db, path)
    try:
        await migrate(db)
        if bundled_corpus:
            await _seed_bundled(store)
    except BaseException:
        await db.close()
        raise
    return store


async def _seed_bundled(store: SQLiteStore) -> None:
    from facts.bundled_corpus import bundled_articles

    async with store.connection.execute("SELECT value FROM _meta WHERE key = 'seeded'") as cur:
        if await cur.fetchone():
            return
    async with store.connection.execute("SELECT count(*) FROM documents") as cur:
        row = await cur.fetchone()
    if row and row[0] == 0:
        for article in bundled_articles():
            await store.ingest(article)
    await store.connection.execute(
        "INSERT OR REPLACE INTO _meta (key, value) VALUES ('seeded', ?)", (_now(),)
    )
