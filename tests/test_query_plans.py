"""Every command reads a bounded set of rows through an index: no query a command runs scans one of
the tables that grow with the archive (checked with SQLite's own EXPLAIN QUERY PLAN).

Each command runs through the one handler on a store of generated articles; every statement it
sends to SQLite is recorded (with its arguments bound, by SQLite's trace hook) and explained.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from benchmarks.articles import generate_articles
from bot.handler import handle
from bot.requests import parse_command_line
from facts.store.sqlite_store import SQLiteStore, open_store

# The tables that grow with the archive (and their FTS5 shadow tables).
GROWING = (
    "documents", "passages", "facts", "fact_sources", "fact_agreements", "fact_countries", "fact_shingles",
    "passage_entities", "passage_vectors", "document_vectors", "events", "entities", "fact_history",
)
# A full scan that is not one: "SCAN t USING INTEGER PRIMARY KEY (rowid>?)" is a bounded range.
_SCAN = re.compile(r"\bSCAN (\w+)(?: AS \w+)?(?! VIRTUAL TABLE)(.*)$")


async def _build(path: Path) -> None:
    store = await open_store(path, bundled_corpus=False)
    try:
        async for _ in store.ingest_many(generate_articles(120)):
            pass
    finally:
        await store.close()


@pytest.fixture(scope="module")
def archive_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "plans.db"
    asyncio.run(_build(path))
    return path


@pytest.fixture
async def archive(archive_file: Path) -> AsyncIterator[SQLiteStore]:
    store = await open_store(archive_file, bundled_corpus=False)
    yield store
    await store.close()


def _full_scans(conn: sqlite3.Connection, statements: list[str]) -> list[tuple[str, str]]:
    found = []
    for sql in statements:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head not in ("SELECT", "WITH"):
            continue
        for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"):
            m = _SCAN.search(row[3])
            if m and m.group(1) in GROWING:
                found.append((row[3], sql[:200]))
    return found


async def _statements_of(store: SQLiteStore, line: str) -> list[str]:
    sent: list[str] = []
    await store.connection.run(lambda conn: conn.set_trace_callback(sent.append))
    try:
        answer = await handle(parse_command_line(line), store)
    finally:
        await store.connection.run(lambda conn: conn.set_trace_callback(None))
    assert answer.error is None, answer.error
    return sent


@pytest.mark.parametrize(
    "line",
    [
        "/agreement united-states",
        "/agreement mexico",
        "/timeline 2019",
        "/timeline 2015-2020",
        "/timeline 2019 mexico",
        "/search fishing quotas",
        "/search grid",
        "/ask When did Mexico and the United States sign the trade pact?",
        "/ask Who criticized the accord with Mexico?",
        "/source 3",
        "/fact show 7",
    ],
)
async def test_no_command_scans_a_table_that_grows_with_the_archive(archive: SQLiteStore, line: str) -> None:
    statements = await _statements_of(archive, line)
    assert statements, "the command read nothing from the store"
    scans = await archive.connection.run(_full_scans, statements)
    assert scans == [], f"{line}: full scans: {scans}"


@pytest.mark.parametrize(
    ("line", "index"),
    [
        ("/agreement united-states", "fact_agreements_ranked"),
        ("/timeline 2019", "facts_by_year"),
        ("/timeline 2016-2018 mexico", "facts_by_year"),
        ("/timeline 2019", "facts_crossing_from"),  # facts that cross into the next year
        ("/timeline 2016-2018 mexico", "facts_crossing_into"),  # ... and into this one
    ],
)
async def test_ranked_candidates_are_read_in_index_order_not_sorted(
    archive: SQLiteStore, line: str, index: str
) -> None:
    """The candidates of a summary or a timeline page come off an index in the order they are
    ranked, so SQLite stops at the page's limit instead of sorting everything that matches."""
    statements = [s for s in await _statements_of(archive, line) if f"INDEXED BY {index}" in s]
    assert statements

    def plans(conn: sqlite3.Connection) -> list[str]:
        return [row[3] for sql in statements for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")]

    steps = await archive.connection.run(plans)
    assert any(index in step for step in steps)
    assert not [step for step in steps if "TEMP B-TREE" in step]


async def test_the_check_itself_sees_a_full_scan(archive: SQLiteStore) -> None:
    sql = "SELECT count(*) FROM facts WHERE words > 3"
    assert await archive.connection.run(_full_scans, [sql])
    assert not await archive.connection.run(_full_scans, ["SELECT text FROM facts WHERE id = 3"])
