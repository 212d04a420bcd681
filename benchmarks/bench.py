"""``factdesk bench``: ingest throughput and command latency on generated news.

One run, one fresh store file: the generator alone is timed first (the floor any ingest rate
should be read against), then ``articles`` generated articles are ingested one by one, then
each command is timed ``repeat`` times through the same path a chat message takes
(:func:`parse_command_line` then :func:`handle`), and the same lookups are timed as bare FTS5
queries with the stdlib :mod:`sqlite3` on the same file, so the table shows what factdesk
costs on top of the index. The report is Markdown, printed to stdout; progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import platform
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

from benchmarks.articles import COUNTRIES, generate_articles
from bot.extraction_pool import extraction_pool
from bot.handler import handle
from bot.requests import parse_command_line
from facts.countries import all_countries
from facts.read.article import ArticleInput
from facts.store.sqlite_store import SQLiteStore, open_store

__all__ = ["run_bench"]

INGEST_TARGET = 300.0  # articles per second
ONE_BY_ONE = 500  # articles for the one-transaction-per-article baseline
P99_TARGET_MS = 50.0  # for /agreement, /timeline and /search
LOOKUPS_PER_COMMAND = 10
SAMPLE_ARTICLES = 300  # generated articles the search words and questions are taken from
GENERATOR_PASSES = 3  # the best pass is reported: the others measure the machine's other tenants
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
    per_article_ns: list[int] = field(default_factory=list)
    one_by_one: float = 0.0

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


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
    """Articles/s of the generator alone, one figure per pass over the same ``n`` articles."""
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        for _ in generate_articles(n):
            pass
        rates.append(n / max(time.perf_counter() - start, 1e-9))
    return rates


async def _ingest(store: SQLiteStore, n: int) -> IngestStats:
    """The bulk path ``factdesk ingest`` takes: extraction in a process per core, batched writes."""
    stats = IngestStats()
    wall = time.perf_counter()
    articles = list(generate_articles(n))
    workers = os.cpu_count() or 1
    start = time.perf_counter()
    with extraction_pool(workers) as pool:
        last = time.perf_counter_ns()
        async for result in store.ingest_many(articles, executor=pool):
            now = time.perf_counter_ns()
            stats.per_article_ns.append(now - last)
            last = now
            stats.articles += 1
            stats.statuses[result.status] = stats.statuses.get(result.status, 0) + 1
            stats.new_facts += result.new_facts
            stats.merged_facts += result.merged_facts
            if stats.articles % 2000 == 0:
                rate = stats.articles / (time.perf_counter() - start)
                print(f"  ingested {stats.articles:,}/{n:,} ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    stats.seconds = time.perf_counter() - start
    stats.wall = time.perf_counter() - wall
    return stats


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
    """``repeat`` runs rotating over ``lookups``, after one untimed pass over them."""
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


def _time_raw(path: Path, lookups: Sequence[Lookup], repeat: int) -> Timing:
    """The same lookups as bare FTS5 queries through the stdlib sqlite3 module."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for lookup in lookups:
            db.execute(RAW_SQL, (lookup.match,)).fetchall()
        times: list[int] = []
        empty = 0
        for i in range(repeat):
            match = lookups[i % len(lookups)].match
            start = time.perf_counter_ns()
            rows = db.execute(RAW_SQL, (match,)).fetchall()
            times.append(time.perf_counter_ns() - start)
            empty += not rows
    finally:
        db.close()
    return Timing(repeat, _percentile(times, 50), _percentile(times, 99), empty=empty)


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


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _file_mb(path: Path) -> float:
    return path.stat().st_size / 1e6 if path.exists() else 0.0


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _ingest_section(stats: IngestStats, gen_rates: list[float], path: Path) -> list[str]:
    wal = Path(f"{path}-wal")
    statuses = ", ".join(f"{n:,} {s}" for s, n in sorted(stats.statuses.items()))
    merged_share = stats.merged_facts / max(1, stats.new_facts + stats.merged_facts)
    ok = stats.rate >= INGEST_TARGET
    return [
        "## Ingest",
        "",
        f"- generator alone: **{max(gen_rates):,.0f} articles/s** (best of {len(gen_rates)} passes over the "
        f"{stats.articles:,} articles: {', '.join(f'{r:,.0f}' for r in gen_rates)})",
        f"- bulk ingest (`store.ingest_many`, extraction in {os.cpu_count()} processes, batched writes, as "
        f"`factdesk ingest`): {stats.articles:,} articles in {stats.seconds:.1f} s = "
        f"**{stats.rate:,.1f} articles/s** (wall {stats.wall:.1f} s with generation)",
        f"- baseline, same run: `store.ingest` one article per transaction on a fresh store: "
        f"**{stats.one_by_one:,.1f} articles/s** ({ONE_BY_ONE:,} articles); ratio bulk/baseline "
        f"{stats.rate / max(stats.one_by_one, 1e-9):.2f}",
        f"- results: {statuses}; {stats.new_facts:,} new facts, {stats.merged_facts:,} merged into known "
        f"facts ({merged_share:.1%})",
        f"- store: {_file_mb(path):.1f} MB (+ WAL {_file_mb(wal):.1f} MB); peak RSS {_peak_rss_mb():.0f} MB",
        f"- target ingest >= {INGEST_TARGET:.0f} articles/s: **{_verdict(ok)}**",
    ]


def _target(command: str, timing: Timing) -> str:
    if command not in _P99_COMMANDS:
        return "—"
    return f"p99 <= {P99_TARGET_MS:.0f} ms: {_verdict(timing.p99_ms <= P99_TARGET_MS)}"


def _commands_section(lookups: dict[str, list[Lookup]], mine: dict[str, Timing],
                      raw: dict[str, Timing]) -> list[str]:
    lines = [
        "## Commands",
        "",
        "| command | runs | p50 ms | p99 ms | raw FTS5 p50 ms | ratio | target |",
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
    lines += ["", f"Raw FTS5 baseline: `{RAW_SQL}` with the country name, the year, the words, or the "
              "question's words joined by OR."]
    return lines


# ------------------------------------------------------------------ the run


async def _run(path: Path, articles: int, repeat: int) -> str:
    print(f"factdesk bench: generating {articles:,} articles (timing the generator alone)", file=sys.stderr)
    gen_rates = _generation_rates(articles)
    sample = list(generate_articles(min(articles, SAMPLE_ARTICLES)))
    print(f"factdesk bench: ingesting into {path}", file=sys.stderr)
    store = await open_store(path, bundled_corpus=False)
    try:
        stats = await _ingest(store, articles)
        baseline_db = path.with_name("one_by_one.db")
        _fresh(baseline_db)  # a reused --db-dir would otherwise time "unchanged" re-ingests
        stats.one_by_one = await _ingest_one_by_one(baseline_db, min(ONE_BY_ONE, articles))
        lookups = await _lookups(store, sample)
        lookups = {c: items for c, items in lookups.items() if items}
        print("factdesk bench: timing commands", file=sys.stderr)
        mine = {c: await _time_command(store, items, repeat) for c, items in lookups.items()}
    finally:
        await store.close()
    raw = {c: _time_raw(path, items, repeat) for c, items in lookups.items()}
    head = [f"# factdesk bench — {articles:,} articles, {repeat} runs per command", "", _machine(), ""]
    return "\n".join(head + _ingest_section(stats, gen_rates, path) + [""]
                     + _commands_section(lookups, mine, raw))


def _fresh(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def run_bench(*, articles: int, repeat: int, workdir: Path | None) -> int:
    """Build a fresh store of generated articles, time ingest and commands, print a Markdown report."""
    articles, repeat = max(1, articles), max(1, repeat)
    with contextlib.ExitStack() as stack:
        folder = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="factdesk-bench-")))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench-{articles}.db"
        _fresh(path)
        report = asyncio.run(_run(path, articles, repeat))
    print(report)
    return 0
