"""Writing one article's extraction into the store, synchronously, on the store's own connection.

The store runs these functions on its own connection thread (one hop per batch of articles
instead of one per statement): a bulk load is bound by SQLite and extraction, not by
thread hand-offs. Everything here runs inside a transaction the caller opened.
"""

from __future__ import annotations

import cProfile
import itertools
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from facts.countries import all_countries, find_countries
from facts.errors import ChangedMeanwhile
from facts.extract.near_duplicates import (
    anchors,
    near_enough,
    overlap,
    pack,
    shingles,
    spread_through,
    tokens,
)
from facts.extract.pipeline import Candidate, Extraction
from facts.read.article import ArticleInput
from facts.store.dialect import begin_write, id_list, index_passage_text, next_id
from facts.store.rows import IngestResult
from facts.store.text_spans import FACT_SPAN, FACT_TEXT
from facts.store.timestamps import now_utc
from facts.text.passages import Passage

__all__ = [
    "COMMON_SHINGLE_FACTS",
    "DEDUP_WINDOW",
    "SET_BYTES",
    "SET_CACHE",
    "ArticleWriter",
    "WorkItem",
    "set_cache_for",
]

COMMON_SHINGLE_FACTS = 10  # distinct facts sharing a 3-gram: beyond this it is a stock phrase
# A sentence is compared with the facts of the last DEDUP_WINDOW extracted (about 18,000 generated
# articles; weeks of a large desk's intake): the copies of one story that outlets carry arrive
# together, and a bounded window keeps the check's cost and its idea of a stock phrase the same
# however large the archive grows. Anchors of older facts are pruned every PRUNE_EVERY facts.
DEDUP_WINDOW = 300_000
PRUNE_EVERY = 50_000
PRUNE_ROWS = 500_000
_CHUNK = 500
SET_BYTES = 250  # a cached shingle set: its packed hashes, the tuple and the dict entry
SET_CACHE = 350_000  # cached shingle sets by default (the window and more): 88 MB at most
_ID_CACHE = 200_000  # entity ids and common anchors remembered (each about 100 bytes)
_EVENT_PRECISIONS = frozenset({"day", "week", "month"})

WorkItem = tuple[ArticleInput, str, Extraction | None]


def set_cache_for(memory_mb: int) -> int:
    """Shingle sets the duplicate check may cache within ``memory_mb``: a sixth of it (at the
    default 500 MB, every fact of the window)."""
    return memory_mb * 1024 * 1024 // 6 // SET_BYTES


def _chunks(values: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _spread(text: str, stored: memoryview) -> bool:
    return spread_through(tokens(text), frozenset(stored))


def _span(passage: Passage, text: str) -> tuple[int, int] | None:
    """Where ``text`` (a sentence or one clause of it) sits in the article body, or None when
    the passage does not hold it word for word (the fact then keeps its own text)."""
    at = passage.text.find(text)
    return (passage.start + at, passage.start + at + len(text)) if at >= 0 else None


def _marks(n: int) -> str:
    return ",".join("?" * n)


class ArticleWriter:
    """Writes extractions through one sqlite3 connection; caches entity ids between articles."""

    def __init__(self, *, set_cache: int = SET_CACHE) -> None:
        self.set_cache = set_cache
        self._entity_ids: dict[tuple[str, str], int] = {}
        # fact id -> (words, packed shingle set): facts are never deleted, so entries stay true
        # until a rollback undoes the ids they were read or written under.
        self._sets: dict[int, tuple[int, bytes]] = {}
        self._common: set[int] = set()  # anchors carried by COMMON_SHINGLE_FACTS facts or more
        self._common_since = 0  # the window's start when _common was begun
        self._pruned_at = 0  # the fact id up to which anchors were last pruned
        self.conn: sqlite3.Connection
        self.seconds = 0.0  # spent writing batches, for `factdesk bench`
        self.profiler: cProfile.Profile | None = None  # set by `factdesk bench --profile`
        self.after_commit: Callable[[], None] | None = None  # the store's background checkpoint

    def write_batch(
        self, conn: sqlite3.Connection, items: Sequence[WorkItem], *, each_in_savepoint: bool
    ) -> list[IngestResult]:
        """One transaction for the batch; with ``each_in_savepoint`` a failing article is rolled
        back alone and reported as ``failed``, otherwise the first failure undoes the batch and
        is raised."""
        started = time.perf_counter()
        if self.profiler is not None:
            self.profiler.enable()  # this thread only: the store's connection thread
        try:
            return self._write_batch(conn, items, each_in_savepoint=each_in_savepoint)
        finally:
            if self.profiler is not None:
                self.profiler.disable()
            self.seconds += time.perf_counter() - started

    def _write_batch(
        self, conn: sqlite3.Connection, items: Sequence[WorkItem], *, each_in_savepoint: bool
    ) -> list[IngestResult]:
        self.conn = conn
        begin_write(conn)
        results: list[IngestResult] = []
        try:
            for article, content_hash, extraction in items:
                if each_in_savepoint:
                    results.append(self._in_savepoint(article, content_hash, extraction))
                else:
                    results.append(self._ingest(article, content_hash, extraction))
        except BaseException:
            conn.rollback()
            self._forget()
            raise
        conn.commit()
        self.committed()
        return results

    def committed(self) -> None:
        """Say a transaction committed (the background checkpoint counts them)."""
        if self.after_commit is not None:
            self.after_commit()

    def _in_savepoint(
        self, article: ArticleInput, content_hash: str, extraction: Extraction | None
    ) -> IngestResult:
        self.conn.execute("SAVEPOINT article")
        try:
            result = self._ingest(article, content_hash, extraction)
        except Exception as exc:  # one article's failure must not sink the batch
            self.conn.execute("ROLLBACK TO article")
            self.conn.execute("RELEASE article")
            self._forget()
            return IngestResult(article.origin, "failed", 0, 0, error=f"{type(exc).__name__}: {exc}")
        self.conn.execute("RELEASE article")
        return result

    def _ingest(
        self, article: ArticleInput, content_hash: str, extraction: Extraction | None
    ) -> IngestResult:
        current = self.conn.execute(
            "SELECT id, version, content_hash FROM documents WHERE url = ? AND superseded_by IS NULL",
            (article.url,),
        ).fetchone()
        if current and current["content_hash"] == content_hash:
            return IngestResult(article.origin, "unchanged", current["id"], current["version"])
        if extraction is None:
            raise ValueError(f"{article.origin}: changed since it was checked; ingest it again")
        return self._write(article, content_hash, current, extraction)

    def _next_id(self, table: str) -> int:
        return next_id(self.conn, table)

    def _write(
        self, article: ArticleInput, content_hash: str, current: sqlite3.Row | None, ex: Extraction
    ) -> IngestResult:
        db = self.conn
        now = now_utc()
        version = (current["version"] + 1) if current else 1
        cur = db.execute(
            "INSERT INTO documents (url, version, outlet, title, headline, published, published_precision,"
            " author, date_note, metadata, content_hash, body, origin, ingested_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (url, version) DO NOTHING RETURNING id",
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
        row = cur.fetchone()
        if row is None:  # another writer stored this version of the article first
            raise ChangedMeanwhile(f"{article.origin}: stored meanwhile by another writer; ingest it again")
        doc_id = int(row[0])
        if current:
            db.execute("UPDATE documents SET superseded_by = ? WHERE id = ?", (doc_id, current["id"]))

        first_passage = self._next_id("passages")
        passage_ids = {p.index: first_passage + i for i, p in enumerate(ex.passages)}
        db.executemany(
            'INSERT INTO passages (id, doc_id, idx, paragraph, start, "end", kind, is_caption)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
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
                )
                for p in ex.passages
            ],
        )
        # The index keeps no copy of the text (contentless FTS5): it is given it here, once.
        index_passage_text(db, [(passage_ids[p.index], p.text) for p in ex.passages])
        db.executemany(
            "INSERT INTO passage_vectors (passage_id, bits) VALUES (?, ?)",
            [(passage_ids[p.index], bits) for p, bits in zip(ex.passages, ex.signs, strict=True)],
        )
        self._write_entities(ex, passage_ids)

        anchor_sets = [anchors(c.shingles) for c in ex.candidates]
        next_fact = self._next_id("facts")
        since = max(0, next_fact - 1 - DEDUP_WINDOW)  # facts after this id are looked through
        matches = self._find_duplicates(ex.candidates, anchor_sets, since)
        new_facts: list[tuple[Any, ...]] = []
        shingle_rows: list[tuple[int, int]] = []
        source_rows: list[tuple[Any, ...]] = []
        agreement_rows: list[tuple[str, int, int, float]] = []
        country_rows: list[tuple[str, int]] = []
        merged = 0
        fact_of: dict[int, int] = {}
        # A paragraph the article repeats word for word (a standfirst printed again at the end) is
        # one fact with two passages, not two lines.
        said: dict[str, int] = {}
        by_index = {p.index: p for p in ex.passages}
        for i, (cand, cand_anchors) in enumerate(zip(ex.candidates, anchor_sets, strict=True)):
            fact_id = matches.get(i)
            said_key = " ".join(cand.text.lower().split())
            if fact_id is None and said_key in said:
                fact_id = matches[i] = said[said_key]
            if fact_id is None:
                fact_id = next_fact
                next_fact += 1
                d = cand.date
                event_id = self._event_for(cand) if cand.is_event else None
                self._sets[fact_id] = (cand.words, pack(cand.shingles))
                span = _span(by_index[cand.passage], cand.text)
                new_facts.append(
                    (
                        fact_id,
                        None if span else cand.text,
                        doc_id if span else None,
                        span[0] if span else None,
                        span[1] if span else None,
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
                shingle_rows.extend((h, fact_id) for h in cand_anchors)
            else:
                merged += 1
            said.setdefault(said_key, fact_id)
            fact_of[i] = fact_id
            d = cand.date if cand.is_event else None
            source_rows.append(
                (
                    fact_id,
                    passage_ids[cand.passage],
                    doc_id,
                    d.start.isoformat() if d else None,
                    d.end.isoformat() if d else None,
                    d.precision if d else None,
                    d.iso if d else None,
                    " ".join(cand.numbers),
                )
            )
            if cand.agreement:
                score = cand.salience.score
                agreement_rows.extend(
                    (c, fact_id, int(cand.agreement.explicit), score) for c in cand.agreement.countries
                )
                if cand.home_party:
                    agreement_rows.append((cand.home_party, fact_id, 0, score))
            country_rows.extend((c, fact_id) for c in cand.countries)

        db.executemany(
            "INSERT INTO facts (id, text, span_doc, span_start, span_end, words, shingles, date_start,"
            " date_end, date_precision, date_mod, date_label, date_end_label, date_text, event_id, salience,"
            " facets, agreement_name, topic, created_at, updated_at) VALUES (" + _marks(21) + ")",
            new_facts,
        )
        # Each new fact's anchors are a set and its id is new: no pair can be there already.
        db.executemany("INSERT INTO fact_shingles (hash, fact_id) VALUES (?, ?)", shingle_rows)
        if since and next_fact - self._pruned_at >= PRUNE_EVERY:
            # At most PRUNE_ROWS a write, so a store from before the window (millions of rows
            # to drop) is pruned over several batches, in bounded memory.
            cur = db.execute(
                "DELETE FROM fact_shingles WHERE (hash, fact_id) IN"
                " (SELECT hash, fact_id FROM fact_shingles WHERE fact_id <= ? LIMIT ?)",
                (since, PRUNE_ROWS),
            )
            if cur.rowcount < PRUNE_ROWS:
                self._pruned_at = next_fact
        db.executemany(
            "INSERT INTO fact_sources (fact_id, passage_id, doc_id, date_start, date_end,"
            " date_precision, date_label, numbers) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            source_rows,
        )
        # An explicit link wins over an inherited one for the same fact and country; the link
        # keeps its fact's salience, the order /agreement reads links in.
        db.executemany(
            "INSERT INTO fact_agreements (country, fact_id, explicit, salience) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (country, fact_id) DO UPDATE SET"
            " explicit = CASE WHEN excluded.explicit > fact_agreements.explicit THEN excluded.explicit"
            " ELSE fact_agreements.explicit END,"
            " salience = CASE WHEN excluded.salience > fact_agreements.salience THEN excluded.salience"
            " ELSE fact_agreements.salience END",
            agreement_rows,
        )
        db.executemany(
            "INSERT INTO fact_countries (country, fact_id) VALUES (?, ?) ON CONFLICT DO NOTHING", country_rows
        )
        if merged:
            self._raise_merged_salience(
                [(fact_of[i], c.salience.score) for i, c in enumerate(ex.candidates) if matches.get(i)]
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

    def _raise_merged_salience(self, pairs: list[tuple[int, float]]) -> None:
        """A fact carried by one more outlet keeps its best sentence score (its agreement links too)."""
        rows = [(score, fid, score) for fid, score in pairs]
        for table in ("facts", "fact_agreements"):
            key = "id" if table == "facts" else "fact_id"
            sql = f"UPDATE {table} SET salience = ? WHERE {key} = ? AND salience < ?"
            self.conn.executemany(sql, rows)

    def _find_duplicates(
        self, candidates: list[Candidate], anchor_sets: list[set[int]], since: int
    ) -> dict[int, int]:
        """candidate index -> existing fact id, for sentences another document already carries.

        One query per batch of anchors: for each anchor shingle, SQLite returns up to
        ``COMMON_SHINGLE_FACTS`` facts indexed by it; an anchor carried by that many facts is a
        stock phrase ("the two countries said"), says nothing about duplication, and is
        remembered as such so it is never looked up again. Python then applies the
        near-duplicate rule to every fact sharing an anchor with a sentence.
        """
        if since - self._common_since >= DEDUP_WINDOW // 4:  # the window moved: phrases age out
            self._common.clear()
            self._common_since = since
        wanted = sorted(set().union(*anchor_sets) - self._common)
        posting: dict[int, list[int]] = {}
        for chunk in _chunks(wanted):
            values = ",".join("(?)" for _ in chunk)
            ids = id_list("fact_id", self.conn)
            cur = self.conn.execute(
                f"WITH q(hash) AS (VALUES {values}) SELECT q.hash, (SELECT {ids} FROM"
                " (SELECT fact_id FROM fact_shingles WHERE hash = q.hash AND fact_id > ? LIMIT ?) x) FROM q",
                (*chunk, since, COMMON_SHINGLE_FACTS),
            )
            for h, ids in cur.fetchall():
                if not ids:
                    continue
                fids = [int(i) for i in ids.split(",")]
                if len(fids) >= COMMON_SHINGLE_FACTS:
                    if len(self._common) >= _ID_CACHE:  # bounded: forgotten ones are asked again
                        self._common.clear()
                    self._common.add(h)
                else:
                    posting[h] = fids
        found = [{f for h in hashes for f in posting.get(h, ())} for hashes in anchor_sets]
        self._load_sets({f for fids in found for f in fids}, since)
        passing: list[list[tuple[float, int]]] = []
        for c, fids in zip(candidates, found, strict=True):
            scored: list[tuple[float, int]] = []
            mine = len(c.shingles)
            for fid in fids:
                words, blob = self._sets[fid]
                stored = memoryview(blob).cast("I")
                shared = len(c.shingles.intersection(stored))
                theirs = len(stored)
                # Most candidates share a 3-gram or two: below both thresholds of the rule
                # (Jaccard 0.2 <=> 6 * shared >= |a| + |b|; containment 0.8) whatever else holds.
                if 6 * shared < mine + theirs and 5 * shared < 4 * min(mine, theirs):
                    continue
                jac, cont = overlap(shared, mine, theirs)
                if near_enough(jac, cont, c.words, words, spread=partial(_spread, c.text, stored)):
                    scored.append((-(jac + cont), fid))
            passing.append(sorted(scored))
        places = self._places({fid for scored in passing for _, fid in scored})
        out: dict[int, int] = {}
        for i, (c, scored) in enumerate(zip(candidates, passing, strict=True)):
            mine = set(c.countries)
            for _, fid in scored:
                theirs = places[fid]
                if not (mine - theirs and theirs - mine):
                    out[i] = fid
                    break
        return out

    def _places(self, fact_ids: set[int]) -> dict[int, set[str]]:
        """Countries each fact's sentence names. Two sentences naming different countries ("Mexico's
        foreign ministry did not return calls", "Guatemala's ...") are two facts, however alike."""
        out: dict[int, set[str]] = {}
        for chunk in _chunks(sorted(fact_ids)):
            sql = f"SELECT f.id, {FACT_TEXT} AS text FROM facts f WHERE f.id IN ({_marks(len(chunk))})"
            cur = self.conn.execute(sql, tuple(chunk))
            for fid, text in cur.fetchall():
                out[fid] = {m.country.code for m in find_countries(text)}
        return out

    def _load_sets(self, fact_ids: set[int], since: int = 0) -> None:
        """Bring the shingle sets of ``fact_ids`` into the cache (packed: about 100 bytes each).

        The store keeps no shingles beyond the anchors: a set is computed again from the sentence
        the fact was extracted from (its span, whatever an editor made of its wording since).
        Sized by default to hold the whole window, the cache makes that rare: after a restart,
        and for facts a full cache let go.
        """
        missing = sorted(f for f in fact_ids if f not in self._sets)
        if len(self._sets) + len(missing) > self.set_cache:
            # Facts the window has left are never compared again: they go first. Then, if that
            # is not enough, the oldest half (in the order they were seen; new facts come last):
            # a wire copy's original is a recent fact and stays.
            for fid in [f for f in self._sets if f <= since]:
                del self._sets[fid]
        if len(self._sets) + len(missing) > self.set_cache:
            for fid in list(itertools.islice(self._sets, len(self._sets) // 2)):
                if fid not in fact_ids:
                    del self._sets[fid]
        for chunk in _chunks(missing):
            cur = self.conn.execute(
                f"SELECT f.id, f.words, coalesce({FACT_SPAN}, f.text) AS text FROM facts f"
                f" WHERE f.id IN ({_marks(len(chunk))})",
                tuple(chunk),
            )
            for fid, words, text in cur.fetchall():
                self._sets[fid] = (words, pack(shingles(tokens(text))))

    def _forget(self) -> None:
        """After a rollback: ids handed out in the undone transaction may be handed out again."""
        self._entity_ids.clear()
        self._sets.clear()
        self._common.clear()

    def _event_for(self, cand: Candidate) -> int | None:
        """The event a dated sentence reports: same lifecycle verb, same date, same agreement."""
        d = cand.date
        verb = cand.salience.event_verb
        if d is None or verb is None or d.precision not in _EVENT_PRECISIONS:
            return None
        if not cand.agreement or not cand.agreement.countries:
            return None
        country = ",".join(sorted(cand.agreement.countries))
        cur = self.conn.execute(
            "SELECT id FROM events WHERE date_start = ? AND date_end = ? AND verb = ? AND country = ?",
            (d.start.isoformat(), d.end.isoformat(), verb, country),
        )
        row = cur.fetchone()
        if row:
            return int(row["id"])
        cur = self.conn.execute(
            "INSERT INTO events (date_start, date_end, date_precision, verb, country) VALUES (?, ?, ?, ?, ?)"
            " RETURNING id",
            (d.start.isoformat(), d.end.isoformat(), d.precision, verb, country),
        )
        return int(cur.fetchone()[0])

    def _write_entities(self, ex: Extraction, passage_ids: dict[int, int]) -> None:
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
        if len(self._entity_ids) + len(missing) > _ID_CACHE:  # bounded: read again when needed
            self._entity_ids.clear()
            missing = list(wanted)
        if missing:
            self.conn.executemany(
                "INSERT INTO entities (kind, key, name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(k[0], k[1], wanted[k]) for k in missing],
            )
            for kind in {k[0] for k in missing}:
                keys = [k[1] for k in missing if k[0] == kind]
                for chunk in _chunks(keys):
                    cur = self.conn.execute(
                        f"SELECT id, key FROM entities WHERE kind = ? AND key IN ({_marks(len(chunk))})",
                        (kind, *chunk),
                    )
                    for eid, key in cur.fetchall():
                        self._entity_ids[(kind, key)] = eid
        self.conn.executemany(
            "INSERT INTO passage_entities (passage_id, entity_id, title) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(pid, self._entity_ids[key], title) for pid, key, title in links],
        )
