"""Copying a SQLite store into a PostgreSQL one (``factdesk migrate-store``).

Every table, in an order that keeps foreign keys satisfied, read from one SQLite read
transaction (a consistent snapshot while the source keeps serving) and written in batches, each
batch one PostgreSQL transaction with ``ON CONFLICT DO NOTHING``: a copy stopped halfway is
finished by running it again, and a finished one run again adds nothing. Ids are kept, so
citations, ``/fact 12`` and posted answers mean the same on both. Full-text words are computed
again on PostgreSQL from each passage's text (SQLite's FTS5 index keeps no text to copy).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg

__all__ = ["TABLES", "CopyRefused", "TableCount", "copy_store", "count_rows"]

TABLES: tuple[str, ...] = (
    "_meta",
    "documents",
    "passages",
    "passage_vectors",
    "entities",
    "passage_entities",
    "events",
    "facts",
    "fact_countries",
    "fact_shingles",
    "fact_sources",
    "fact_agreements",
    "fact_history",
    "digest_subscriptions",
    "digest_runs",
    "deliveries",
    "posted_answers",
    "posted_answer_facts",
    "posted_updates",
    "feeds",
    "feed_items",
    "answer_views",
)
"""The record's tables, parents before children. ``_migrations`` is each store's own."""

BATCH = 2000
_IDENTITY = (
    "documents",
    "entities",
    "events",
    "fact_history",
    "posted_answers",
    "posted_updates",
    "feeds",
    "answer_views",
)


class CopyRefused(Exception):
    """The target holds a different store's record: copying into it would mix two archives."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def matches(self) -> bool:
        return self.source == self.target


def _columns_pg(pg: psycopg.Connection[Any], table: str) -> list[str]:
    sql = (
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position"
    )
    return [r[0] for r in pg.execute(sql, (table,)).fetchall()]


def _columns_sqlite(src: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in src.execute(f"PRAGMA table_info({table})")]


def _key(pg: psycopg.Connection[Any], table: str) -> list[str]:
    sql = (
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
        " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary"
    )
    return [r[0] for r in pg.execute(sql, (table,)).fetchall()]


def count_rows(src: sqlite3.Connection, pg: psycopg.Connection[Any]) -> list[TableCount]:
    """Rows in each table of both stores."""
    return [
        TableCount(
            table,
            src.execute(f"SELECT count(*) FROM {table}").fetchone()[0],
            pg.execute(f"SELECT count(*) FROM {table}").fetchone()[0],
        )
        for table in TABLES
    ]


def _check_same_archive(src: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
    """Refuse a target whose documents are not the source's (same id, url and content)."""
    theirs = pg.execute("SELECT id, url, content_hash FROM documents ORDER BY id").fetchall()
    for i in range(0, len(theirs), 500):
        chunk = theirs[i : i + 500]
        marks = ",".join("?" * len(chunk))
        ours = {
            (r[0], r[1], r[2])
            for r in src.execute(
                f"SELECT id, url, content_hash FROM documents WHERE id IN ({marks})", [r[0] for r in chunk]
            )
        }
        for row in chunk:
            if tuple(row) not in ours:
                raise CopyRefused(
                    f"the target already holds document {row[0]} ({row[1]}), which the source does not:"
                    " copy into an empty PostgreSQL database"
                )


def _rows(src: sqlite3.Connection, table: str, columns: list[str], order: list[str]) -> Iterator[list[Any]]:
    quoted = ", ".join(f'"{c}"' for c in columns)
    cur = src.execute(f"SELECT {quoted} FROM {table} ORDER BY {', '.join(order)}")
    while rows := cur.fetchmany(BATCH):
        yield [list(r) for r in rows]


def copy_store(
    src: sqlite3.Connection,
    pg: psycopg.Connection[Any],
    *,
    advance: Callable[[str, int], None] = lambda table, n: None,
) -> list[TableCount]:
    """Copy every table of ``src`` (a migrated SQLite store) into ``pg`` (a migrated PostgreSQL
    store, autocommit), calling ``advance(table, rows)`` after each batch; returns both stores'
    counts. Raises :class:`CopyRefused` when ``pg`` holds another store's documents."""
    _check_same_archive(src, pg)
    src.execute("BEGIN")  # one snapshot of the source for the whole copy
    try:
        for table in TABLES:
            _copy_table(src, pg, table, advance)
        _copy_table_links(src, pg)
        _index_words(pg)
        for table in _IDENTITY:  # the next id a PostgreSQL insert hands out follows the copied ones
            pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        pg.execute("VACUUM ANALYZE")  # statistics and visibility map, for a store empty a minute ago
        return count_rows(src, pg)
    finally:
        src.execute("ROLLBACK")


def _copy_table(
    src: sqlite3.Connection, pg: psycopg.Connection[Any], table: str, advance: Callable[[str, int], None]
) -> None:
    wanted = _columns_pg(pg, table)
    have = set(_columns_sqlite(src, table))
    columns = [c for c in wanted if c in have]
    key = _key(pg, table)
    marks = ", ".join(["%s"] * len(columns))
    quoted = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    nulled = columns.index("superseded_by") if table == "documents" else None
    for rows in _rows(src, table, columns, key):
        if nulled is not None:  # points at a later document: linked once all are in
            for row in rows:
                row[nulled] = None
        with pg.transaction(), pg.cursor() as cur:
            cur.executemany(sql, rows)
        advance(table, len(rows))


def _copy_table_links(src: sqlite3.Connection, pg: psycopg.Connection[Any]) -> None:
    """Each superseded document's link to its newer version (left out of the first pass)."""
    rows = src.execute("SELECT superseded_by, id FROM documents WHERE superseded_by IS NOT NULL").fetchall()
    for i in range(0, len(rows), BATCH):
        with pg.transaction(), pg.cursor() as cur:
            cur.executemany(
                "UPDATE documents SET superseded_by = %s WHERE id = %s AND superseded_by IS NULL",
                [tuple(r) for r in rows[i : i + BATCH]],
            )


def _index_words(pg: psycopg.Connection[Any]) -> None:
    """Full-text words for every passage that has none yet, from its text in its document."""
    while True:
        with pg.transaction():
            cur = pg.execute(
                "INSERT INTO passage_words (passage_id, words)"
                " SELECT p.id, to_tsvector('english', substr(d.body, p.start + 1, p.\"end\" - p.start))"
                " FROM passages p JOIN documents d ON d.id = p.doc_id"
                " WHERE NOT EXISTS (SELECT 1 FROM passage_words w WHERE w.passage_id = p.id)"
                " ORDER BY p.id LIMIT %s",
                (BATCH * 10,),
            )
        if cur.rowcount == 0:
            return
