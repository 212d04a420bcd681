"""``factdesk bench``: ingest throughput and command latency on generated news.

One run, one fresh store file: the generator alone is timed first (the floor any ingest rate
should be read against), then ``articles`` generated articles are ingested one by one, then
each command is timed ``repeat`` times through the same path a chat message takes
(:func:`parse_command_line` then :func:`handle`; with the answer cache off, so every answer is
computed, then again with it on), and the same lookups are timed as bare FTS5
queries with the stdlib :mod:`sqlite3` on the same file, so the table shows what factdesk
costs on top of the index. The report is Markdown, printed to stdout; progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import io
import itertools
import math
import os
import platform
import pstats
import random
import re
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.articles import COUNTRIES, generate_articles
from bot import answer_cache
from bot.extraction_pool import extraction_pool
from bot.handler import handle
from bot.requests import parse_command_line
from bot.runtime.heap import settle
from facts.countries import all_countries
from facts.read.article import ArticleInput
from facts.store.opening import describe, is_postgres_url, open_store
from facts.store.postgres.store import PostgresStore, redacted
from facts.store.sqlite_store import SQLiteStore, extract_all

__all__ = ["Options", "run_bench"]

INGEST_TARGET = 300.0  # articles per second (issue 2)
STEADY_TARGET = 150.0  # articles per second in every tenth of a run, however large (issue 14)
ONE_BY_ONE = 500  # articles for the one-transaction-per-article baseline
P99_TARGET_MS = 50.0  # for /agreement, /timeline and /search
LOOKUPS_PER_COMMAND = 10
SAMPLE_ARTICLES = 300  # generated articles the search words and questions are taken from
GENERATOR_PASSES = 3  # the best pass is reported: the others measure the machine's other tenants
GENERATOR_SAMPLE = 20_000
RAW_SAMPLE = 20_000  # articles the raw-SQLite ingest baseline writes
PROGRESS_EVERY = 10_000
RAW_SQL = "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT 20"
_P99_COMMANDS = frozenset({"agreement", "timeline", "search"})
_WORD = re.compile(r"[A-Za-z][a-z]+")
_STOP = frozenset(
    "about after also among been before between both could does from have into more most much only over "
    "said says some such than that their them then there these they this those through under very were "
    "what when where which while will with would your".split()
)


@dataclass
class IngestStats:
    articles: int = 0
    seconds: float = 0.0  # inside store.ingest only
    wall: float = 0.0  # generation included
    statuses: dict[str, int] = field(default_factory=dict)
    new_facts: int = 0
    merged_facts: int = 0
    one_by_one: float = 0.0
    resumed_from: int = 0  # articles already in the store when this run started
    tenths: list[float] = field(default_factory=list)  # articles/s in each tenth of the run
    workers: int = 1
    writer_seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process and the extraction workers, user + system
    peak_rss_mb: float = 0.0  # this process, at the end of ingest
    worker_rss_mb: float = 0.0  # the largest extraction worker
    raw_rate: float = 0.0  # the raw-SQLite baseline: bodies and an FTS5 index, no extraction
    raw_bytes: float = 0.0  # its file, per article

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Options:
    """What one run measures besides the defaults."""

    resume: bool = False  # go on with the store a stopped run left in --db-dir
    profile: bool = False  # name where ingest time goes (cProfile of writer and extraction)
    workers: int = 0  # extraction processes (0: one per core)
    memory_mb: int = 500  # the store's memory budget (FACTDESK_STORE_MEMORY_MB)


@dataclass(frozen=True)
class Lookup:
    """One timed argument: the chat line factdesk gets and the FTS5 query the baseline runs."""

    line: str
    match: str


@dataclass(frozen=True)
class Timing:
    runs: int
    p50_ms: float
    p99_ms: float
    errors: int = 0
    empty: int = 0


# ------------------------------------------------------------------ measuring


def _percentile(values_ns: Sequence[int], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(values_ns)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1] / 1e6


def _generation_rates(n: int, passes: int = GENERATOR_PASSES) -> list[float]:
    """Articles/s of the generator alone, one figure per pass over the first ``n`` articles (at
    most ``GENERATOR_SAMPLE``: the rate does not depend on how many)."""
    n = min(n, GENERATOR_SAMPLE)
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        for _ in generate_articles(n):
            pass
        rates.append(n / max(time.perf_counter() - start, 1e-9))
    return rates


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


async def _ingest(store: SQLiteStore, n: int, options: Options) -> IngestStats:
    """The bulk path ``factdesk ingest`` takes: extraction in a process per core, batched writes.

    Articles are generated as they are ingested, never all held; with ``options.resume`` the
    articles a stopped run already stored (a prefix: batches commit in order) are skipped.
    """
    stats = IngestStats(workers=options.workers or os.cpu_count() or 1)
    row = await store.connection.fetchone("SELECT count(*) AS n FROM documents")
    stats.resumed_from = int(row["n"]) if options.resume and row else 0
    todo = n - stats.resumed_from
    wall = time.perf_counter()
    cpu = _cpu_seconds()
    store.writer.seconds = 0.0
    start = tenth_started = time.perf_counter()
    articles = itertools.islice(generate_articles(n), stats.resumed_from, None)
    with extraction_pool(stats.workers) as pool:
        async for result in store.ingest_many(articles, executor=pool):
            stats.articles += 1
            stats.statuses[result.status] = stats.statuses.get(result.status, 0) + 1
            stats.new_facts += result.new_facts
            stats.merged_facts += result.merged_facts
            if todo >= 10 and stats.articles % (todo // 10) == 0 and len(stats.tenths) < 10:
                now = time.perf_counter()
                stats.tenths.append((todo // 10) / (now - tenth_started))
                tenth_started = now
            if stats.articles % PROGRESS_EVERY == 0:
                rate = stats.articles / (time.perf_counter() - start)
                print(f"  ingested {stats.articles:,}/{todo:,} ({rate:,.0f}/s, RSS {_peak_rss_mb():,.0f} MB)",
                      file=sys.stderr, flush=True)
    stats.seconds = time.perf_counter() - start
    stats.wall = time.perf_counter() - wall
    stats.writer_seconds = store.writer.seconds
    stats.cpu_seconds = _cpu_seconds() - cpu
    stats.peak_rss_mb = _peak_rss_mb()
    stats.worker_rss_mb = _peak_rss_mb(resource.RUSAGE_CHILDREN)
    return stats


def _raw_ingest(path: Path, n: int) -> tuple[float, float]:
    """The raw-SQLite baseline: the same articles' bodies into a table and their paragraphs into
    an FTS5 index, one transaction per 200, no extraction. (articles/s, bytes per article)"""
    _fresh(path)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, url TEXT, body TEXT)")
        db.execute("CREATE VIRTUAL TABLE paragraphs USING fts5(text, content='')")
        start = time.perf_counter()
        batch: list[ArticleInput] = []

        def write(rows: list[ArticleInput]) -> None:
            with db:
                for a in rows:
                    cur = db.execute("INSERT INTO documents (url, body) VALUES (?, ?)", (a.url, a.body))
                    doc = int(cur.lastrowid or 0)
                    db.executemany(
                        "INSERT INTO paragraphs (rowid, text) VALUES (?, ?)",
                        [(doc * 1000 + i, p) for i, p in enumerate(a.body.split("\n\n")[:999])],
                    )

        for article in generate_articles(n):
            batch.append(article)
            if len(batch) == 200:
                write(batch)
                batch = []
        write(batch)
        seconds = time.perf_counter() - start
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return n / max(seconds, 1e-9), path.stat().st_size / n


async def _ingest_one_by_one(path: Path, n: int) -> float:
    """Baseline in the same run: ``store.ingest`` per article (one transaction each), articles/s."""
    store = await open_store(path, bundled_corpus=False)
    try:
        articles = list(generate_articles(n, seed=7))
        start = time.perf_counter()
        for article in articles:
            await store.ingest(article)
        return n / (time.perf_counter() - start)
    finally:
        await store.close()


async def _time_command(store: SQLiteStore, lookups: Sequence[Lookup], repeat: int) -> Timing:
    """``repeat`` runs rotating over ``lookups``, after one untimed pass over them. Whether each
    answer is computed or comes from the answer cache is the caller's choice
    (:func:`bot.answer_cache.enabled`)."""
    for lookup in lookups:
        await handle(parse_command_line(lookup.line), store)
    times: list[int] = []
    errors = empty = 0
    for i in range(repeat):
        request = parse_command_line(lookups[i % len(lookups)].line)
        start = time.perf_counter_ns()
        answer = await handle(request, store)
        times.append(time.perf_counter_ns() - start)
        errors += answer.error is not None
        empty += answer.error is None and not answer.items
    return Timing(repeat, _percentile(times, 50), _percentile(times, 99), errors, empty)


def _time_queries(run: Callable[[str], list[Any]], lookups: Sequence[Lookup], repeat: int) -> Timing:
    """``repeat`` runs of ``run`` rotating over the lookups' match text, after one untimed pass."""
    for lookup in lookups:
        run(lookup.match)
    times: list[int] = []
    empty = 0
    for i in range(repeat):
        match = lookups[i % len(lookups)].match
        start = time.perf_counter_ns()
        rows = run(match)
        times.append(time.perf_counter_ns() - start)
        empty += not rows
    return Timing(repeat, _percentile(times, 50), _percentile(times, 99), empty=empty)


def _time_raw(path: Path, lookups: Sequence[Lookup], repeat: int) -> Timing:
    """The same lookups as bare FTS5 queries through the stdlib sqlite3 module."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _time_queries(lambda match: db.execute(RAW_SQL, (match,)).fetchall(), lookups, repeat)
    finally:
        db.close()


RAW_PG_SQL = (
    "SELECT passage_id FROM passage_words WHERE words @@ websearch_to_tsquery('english', %s) LIMIT 20"
)


def _time_raw_pg(url: str, lookups: Sequence[Lookup], repeat: int) -> Timing:
    """The same lookups as bare ``tsvector`` queries through psycopg (the FTS5 phrase syntax the
    lookups carry, quoted words joined by a space or OR, is also ``websearch_to_tsquery``'s)."""
    with psycopg.connect(url) as db:
        return _time_queries(lambda match: db.execute(RAW_PG_SQL, (match,)).fetchall(), lookups, repeat)


def _table_bytes_pg(url: str, articles: int) -> list[str]:
    """Bytes per article of each table with its indexes and TOAST, against the text."""
    with psycopg.connect(url) as db:
        sizes = db.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'r' AND n.nspname = current_schema()"
        ).fetchall()
        row = db.execute("SELECT coalesce(sum(octet_length(body)), 0) FROM documents").fetchone()
    by_table = {name: int(size) for name, size in sizes}
    what = "passage_words with its GIN index, "
    return _size_lines(by_table, int(row[0]) if row else 0, articles, "passage_words", what)


def _size_lines(by_table: dict[str, int], text: int, articles: int, index: str, what: str = "") -> list[str]:
    """The store section: bytes per article, per table and in all, against the article text,
    the full-text index (table ``index``) apart."""
    total = sum(by_table.values())
    fts = by_table.get(index, 0)
    per = max(articles, 1)
    lines = [
        "## Store",
        "",
        f"Article text (document bodies): {text / per:,.0f} bytes per article. Store: "
        f"{total / per:,.0f} bytes per article = **{(total - fts) / max(text, 1):.2f}× the text** plus the "
        f"full-text index ({what}{fts / per:,.0f} bytes).",
        "",
        "| table (with its indexes) | bytes per article | share |",
        "|---|---:|---:|",
    ]
    for name, size in sorted(by_table.items(), key=lambda kv: -kv[1]):
        if size / per >= 1:
            lines.append(f"| {name} | {size / per:,.0f} | {size / max(total, 1):.1%} |")
    return lines


# ------------------------------------------------------------------ choosing what to look up


def _quoted(words: Iterable[str], op: str = " ") -> str:
    return op.join('"' + w.replace('"', '""') + '"' for w in words)


async def _agreement_lookups(store: SQLiteStore) -> list[Lookup]:
    """The countries with the most agreement facts in this store."""
    rows = await store.connection.fetchall(
        "SELECT country FROM fact_agreements GROUP BY country ORDER BY count(*) DESC, country LIMIT ?",
        (LOOKUPS_PER_COMMAND,),
    )
    codes = [r["country"] for r in rows]
    by_code = {c.code: c for c in all_countries()}
    found = [by_code[c] for c in codes if c in by_code]
    return [Lookup(f"/agreement {c.slug}", _quoted([c.name])) for c in found]


async def _timeline_lookups(store: SQLiteStore) -> list[Lookup]:
    """The years with dated facts, most dated first."""
    rows = await store.connection.fetchall(
        "SELECT substr(date_start, 1, 4) y FROM facts WHERE date_start IS NOT NULL"
        " GROUP BY y ORDER BY count(*) DESC LIMIT ?",
        (LOOKUPS_PER_COMMAND,),
    )
    years = [r["y"] for r in rows if r["y"] and r["y"].isdigit()]
    return [Lookup(f"/timeline {y}", _quoted([y])) for y in years]


def _content_words(sentence: str) -> list[str]:
    return [w for w in _WORD.findall(sentence) if len(w) >= 4 and w.lower() not in _STOP]


def _search_lookups(sample: Sequence[ArticleInput], rng: random.Random) -> list[Lookup]:
    """1-3 consecutive content words taken from generated sentences."""
    out: list[Lookup] = []
    for _ in range(100 * LOOKUPS_PER_COMMAND):
        if len(out) == LOOKUPS_PER_COMMAND:
            break
        para = rng.choice(rng.choice(sample).body.split("\n\n"))
        words = _content_words(para)
        size = 1 + len(out) % 3
        if len(words) < size:
            continue
        start = rng.randrange(len(words) - size + 1)
        chosen = [w.lower() for w in words[start : start + size]]
        out.append(Lookup(f"/search {' '.join(chosen)}", _quoted(chosen)))
    return out


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _ask_lookups(sample: Sequence[ArticleInput], rng: random.Random) -> list[Lookup]:
    """Questions about the agreements the sample articles report."""
    names = {c[0]: c[1] for c in COUNTRIES}
    forms: tuple[Callable[[str, str, str], str], ...] = (
        lambda a, b, kind: f"When did {a} and {b} sign the {kind}?",
        lambda a, b, kind: f"Who criticized the {kind} between {a} and {b}?",
        lambda a, b, kind: f"Is the {kind} with {b} in force?",
        lambda a, b, kind: f"Why did {b} suspend the {kind}?",
    )
    out: list[Lookup] = []
    for i in range(LOOKUPS_PER_COMMAND):
        meta = rng.choice(sample).metadata
        a, b = (names[c] for c in meta["countries"][:2])
        question = _cap(forms[i % len(forms)](a, b, meta["agreement"]))
        words = [w.lower() for w in _content_words(question)]
        out.append(Lookup(f"/ask {question}", _quoted(words, " OR ")))
    return out


async def _lookups(store: SQLiteStore, sample: Sequence[ArticleInput]) -> dict[str, list[Lookup]]:
    rng = random.Random(20191)
    return {
        "agreement": await _agreement_lookups(store),
        "timeline": await _timeline_lookups(store),
        "search": _search_lookups(sample, rng),
        "ask": _ask_lookups(sample, rng),
    }


# ------------------------------------------------------------------ reporting


def _machine() -> str:
    return (f"Machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}")


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _file_mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _store_size(target: str | Path) -> str:
    if is_postgres_url(str(target)):
        with psycopg.connect(str(target)) as conn:
            row = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        return f"{(row[0] if row else 0) / 1e6:.1f} MB (the whole database, indexes and WAL-free)"
    wal = Path(f"{target}-wal")
    return f"{_file_mb(Path(target)):.1f} MB (+ WAL {_file_mb(wal):.1f} MB)"


def _ingest_section(
    stats: IngestStats, gen_rates: list[float], target: str | Path, options: Options
) -> list[str]:
    statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(stats.statuses.items()))
    merged_share = stats.merged_facts / max(1, stats.new_facts + stats.merged_facts)
    ok = stats.rate >= INGEST_TARGET
    resumed = (f" (resumed: {stats.resumed_from:,} articles were already in the store)"
               if stats.resumed_from else "")
    under = max(stats.peak_rss_mb, stats.worker_rss_mb) <= options.memory_mb
    return [
        "## Ingest",
        "",
        f"- generator alone: **{max(gen_rates):,.0f} articles/s** (best of {len(gen_rates)} passes over "
        f"{min(stats.articles + stats.resumed_from, GENERATOR_SAMPLE):,} articles: "
        f"{', '.join(f'{r:,.0f}' for r in gen_rates)})",
        f"- bulk ingest (`store.ingest_many`, extraction in {stats.workers} processes, batched writes, as "
        f"`factdesk ingest`, articles generated as they go in): {stats.articles:,} articles in "
        f"{stats.seconds:.1f} s = **{stats.rate:,.1f} articles/s**{resumed}",
        f"- CPU: {1000 * stats.cpu_seconds / max(stats.articles, 1):.1f} ms per article (this process and "
        f"the extraction workers, user + system); the writer (one batch at a time) was busy "
        f"{stats.writer_seconds:.1f} s = {stats.writer_seconds / max(stats.seconds, 1e-9):.0%} of the ingest",
        f"- baseline, same run: `store.ingest` one article per transaction on a fresh store: "
        f"**{stats.one_by_one:,.1f} articles/s** ({ONE_BY_ONE:,} articles); ratio bulk/baseline "
        f"{stats.rate / max(stats.one_by_one, 1e-9):.2f}",
        f"- raw SQLite, same run: the bodies and an FTS5 index of their paragraphs, no extraction: "
        f"**{stats.raw_rate:,.0f} articles/s**, {stats.raw_bytes / 1024:.1f} KB per article "
        f"({min(stats.articles + stats.resumed_from, RAW_SAMPLE):,} articles)",
        f"- results: {statuses}; {stats.new_facts:,} new facts, {stats.merged_facts:,} merged into known "
        f"facts ({merged_share:.1%})",
        f"- store: {_store_size(target)}",
        f"- peak RSS during ingest: this process {stats.peak_rss_mb:,.0f} MB, largest extraction worker "
        f"{stats.worker_rss_mb:,.0f} MB; bound {options.memory_mb} MB: **{_verdict(under)}**",
        f"- target ingest >= {INGEST_TARGET:.0f} articles/s: **{_verdict(ok)}**",
        *_tenths(stats),
    ]


def _tenths(stats: IngestStats) -> list[str]:
    """The rate in each tenth of the run: whether ingest slows as the store grows."""
    if len(stats.tenths) < 10:
        return []
    steady = min(stats.tenths) >= STEADY_TARGET
    return [
        f"- articles/s in each tenth of the run: {', '.join(f'{r:,.0f}' for r in stats.tenths)}; last tenth "
        f"/ first {stats.tenths[-1] / stats.tenths[0]:.2f}; target >= {STEADY_TARGET:.0f} in every tenth: "
        f"**{_verdict(steady)}**",
    ]


def _table_bytes(path: Path, articles: int) -> list[str]:
    """Bytes per article of each table with its indexes (SQLite's dbstat), against the text."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        sql = "SELECT name, tbl_name FROM sqlite_master WHERE name IS NOT NULL"
        tables = {r[0]: r[1] for r in db.execute(sql)}
        try:
            pages = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        except sqlite3.OperationalError:
            return ["(this SQLite has no dbstat table: per-table sizes not measured)"]
        (text,) = db.execute("SELECT coalesce(sum(length(CAST(body AS BLOB))), 0) FROM documents").fetchone()
    finally:
        db.close()
    by_table: dict[str, int] = {}
    for name, size in pages:
        owner = tables.get(name, name)
        if owner.startswith("passages_fts"):
            owner = "passages_fts (full-text index)"
        by_table[owner] = by_table.get(owner, 0) + int(size)
    return _size_lines(by_table, int(text), articles, "passages_fts (full-text index)")


def _target(command: str, timing: Timing) -> str:
    if command not in _P99_COMMANDS:
        return "—"
    return f"p99 <= {P99_TARGET_MS:.0f} ms: {_verdict(timing.p99_ms <= P99_TARGET_MS)}"


def _commands_section(lookups: dict[str, list[Lookup]], mine: dict[str, Timing],
                      raw: dict[str, Timing], engine: str = "SQLite") -> list[str]:
    search = "FTS5" if engine == "SQLite" else "tsvector"
    lines = [
        "## Commands",
        "",
        f"| command | runs | p50 ms | p99 ms | raw {search} p50 ms | ratio | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for command, timing in mine.items():
        base = raw[command]
        ratio = f"{timing.p50_ms / base.p50_ms:,.1f}×" if base.p50_ms > 0 else "—"
        lines.append(f"| /{command} | {timing.runs} | {timing.p50_ms:.2f} | {timing.p99_ms:.2f} | "
                     f"{base.p50_ms:.3f} | {ratio} | {_target(command, timing)} |")
    lines += ["", "Arguments (rotated; one untimed pass over them first):", ""]
    for command, items in lookups.items():
        t = mine[command]
        shown = "; ".join(f"`{x.line}`" for x in items)
        lines.append(f"- /{command} ({t.errors} errors, {t.empty} empty answers): {shown}")
    raw_sql = RAW_SQL if engine == "SQLite" else RAW_PG_SQL
    lines += ["", f"Raw {search} baseline: `{raw_sql}` with the country name, the year, the words, or the "
              "question's words joined by OR."]
    return lines


# ------------------------------------------------------------------ the run


async def _run(target: str | Path, folder: Path, articles: int, repeat: int, options: Options) -> str:
    print(f"factdesk bench: timing the generator (up to {GENERATOR_SAMPLE:,} articles)", file=sys.stderr)
    gen_rates = _generation_rates(articles)
    sample = list(generate_articles(min(articles, SAMPLE_ARTICLES)))
    print(f"factdesk bench: ingesting {articles:,} articles into {describe(target)}", file=sys.stderr)
    store = await open_store(target, bundled_corpus=False, memory_mb=options.memory_mb)
    path = folder / f"bench-{articles}.db"  # the SQLite store, or beside which the baselines go
    profiles: list[str] = []
    try:
        if options.profile:
            store.writer.profiler = cProfile.Profile()
        stats = await _ingest(store, articles, options)
        if isinstance(store, PostgresStore):
            await store.vacuum_analyze()  # what autovacuum does soon after a load like this one
        if store.writer.profiler is not None:
            profiles.append(_top("the writer (store thread, all batches)", store.writer.profiler))
            store.writer.profiler = None
        baseline_db = path.with_name("one_by_one.db")
        _fresh(baseline_db)  # a reused --db-dir would otherwise time "unchanged" re-ingests
        stats.one_by_one = await _ingest_one_by_one(baseline_db, min(ONE_BY_ONE, articles))
        stats.raw_rate, stats.raw_bytes = _raw_ingest(path.with_name("raw.db"), min(articles, RAW_SAMPLE))
        lookups = await _lookups(store, sample)
        lookups = {c: items for c, items in lookups.items() if items}
        print("factdesk bench: timing commands", file=sys.stderr)
        settle()  # as `factdesk serve` does once started
        answer_cache.enabled(False)  # every answer computed: what a new question costs
        try:
            mine = {c: await _time_command(store, items, repeat) for c, items in lookups.items()}
        finally:
            answer_cache.enabled(True)
        again = {c: await _time_command(store, items, repeat) for c, items in lookups.items()}
    finally:
        await store.close()
    if options.profile:
        profiles.append(_profile_extraction(sample))
    postgres = is_postgres_url(str(target))
    timed_raw = _time_raw_pg if postgres else _time_raw
    raw = {c: timed_raw(target, items, repeat) for c, items in lookups.items()}  # type: ignore[arg-type]
    engine = "PostgreSQL" if postgres else "SQLite"
    title = f"# factdesk bench — {articles:,} articles, {repeat} runs per command, {engine}"
    head = [title, "", _machine(), ""]
    sizes = _table_bytes_pg(str(target), articles) if postgres else _table_bytes(path, articles)
    body = [*_ingest_section(stats, gen_rates, target, options), "", *sizes, "",
            *_commands_section(lookups, mine, raw, engine), "", *_again_section(again)]
    if profiles:
        body += ["", "## Profile", "", *profiles]
    return "\n".join(head + body)


def _again_section(again: dict[str, Timing]) -> list[str]:
    shown = "; ".join(f"/{c} {t.p50_ms:.2f} / {t.p99_ms:.2f} ms" for c, t in again.items())
    return [f"Asked again (the same lookups with the answer cache on, p50 / p99): {shown}."]


def _top(title: str, profiler: cProfile.Profile, rows: int = 15) -> str:
    """The functions with the most time of their own, as a fenced block."""
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(rows)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if "ncalls" in ln), 0)
    return "\n".join([f"{title}, by own time:", "", "```", *lines[start - 1 : start + rows + 1], "```", ""])


def _profile_extraction(sample: Sequence[ArticleInput]) -> str:
    """Extraction of the sample in this process under cProfile (what each worker spends)."""
    extract_all(list(sample[:10]))  # models loaded outside the profile
    profiler = cProfile.Profile()
    profiler.enable()
    extract_all(list(sample))
    profiler.disable()
    return _top(f"extraction of {len(sample)} articles (one worker's share of the work)", profiler)


def _fresh(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def run_bench(
    *, articles: int, repeat: int, workdir: Path | None, options: Options | None = None, db: str | None = None
) -> int:
    """Build a fresh store of generated articles (or, with ``options.resume``, go on with the one
    a stopped run left in ``workdir``), time ingest and commands, print a Markdown report.

    ``db``, a ``postgresql://`` url, builds the store in that database instead of a SQLite file in
    ``workdir`` (the baselines stay SQLite files there); the database must hold no documents
    unless ``options.resume``."""
    options = options or Options()
    articles, repeat = max(1, articles), max(1, repeat)
    with contextlib.ExitStack() as stack:
        folder = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="factdesk-bench-")))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench-{articles}.db"
        if db is not None and is_postgres_url(db):
            held = _pg_documents(db)
            if held and not options.resume:
                print(f"error: {redacted(db)} already holds {held:,} documents; bench writes generated"
                      " articles: give it an empty database (or --resume)", file=sys.stderr)
                return 2
            target: str | Path = db
        else:
            if not (options.resume and workdir and path.exists()):
                _fresh(path)
            target = path
        report = asyncio.run(_run(target, folder, articles, repeat, options))
    print(report)
    return 0


def _pg_documents(url: str) -> int:
    """Documents in the PostgreSQL store at ``url`` (0 for a database with no store yet)."""
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT to_regclass('documents') IS NOT NULL").fetchone()
        if not found or not found[0]:
            return 0
        row = conn.execute("SELECT count(*) FROM documents").fetchone()
        return int(row[0]) if row else 0
