"""The few places where the store's shared SQL differs between SQLite and PostgreSQL.

The ledgers, corrections and the article writer are written once, as functions over a
connection with ``execute``/``executemany`` and ``?`` parameters: SQLite's own
:class:`sqlite3.Connection`, or :class:`facts.store.postgres.connection.PgConnection` over
psycopg. Their SQL is the subset both engines speak (``ON CONFLICT``, ``RETURNING``, ``CASE``);
what cannot be (how a write transaction starts, the full-text index, string aggregation) is
asked of this module, which looks at the connection it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["WRITER_LOCK", "begin", "begin_write", "id_list", "index_passage_text", "is_postgres", "next_id"]

WRITER_LOCK = 0x66616374  # PostgreSQL advisory lock of the record's writers ("fact")


def is_postgres(conn: Any) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgresql"


def begin_write(conn: Any) -> None:
    """Open a transaction that may add documents, passages and facts.

    New ids are the largest plus one, so such writers go one at a time: SQLite's ``BEGIN
    IMMEDIATE`` takes the file's write lock; on PostgreSQL a transaction-scoped advisory lock
    does the same for every replica on the database (released at commit or rollback).
    """
    if is_postgres(conn):
        conn.execute("BEGIN")
        conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITER_LOCK,))
    else:
        conn.execute("BEGIN IMMEDIATE")


def begin(conn: Any) -> None:
    """Open a transaction that touches only the ledgers (digests, deliveries, posts, feeds)."""
    conn.execute("BEGIN" if is_postgres(conn) else "BEGIN IMMEDIATE")


def index_passage_text(conn: Any, rows: Iterable[tuple[int, str]]) -> None:
    """Give the full-text index each passage's words: ``rows`` are (passage id, text).

    SQLite's FTS5 table keeps no copy of the text (contentless); PostgreSQL keeps a ``tsvector``
    per passage in ``passage_words`` (English configuration, GIN index)."""
    if is_postgres(conn):
        sql = "INSERT INTO passage_words (passage_id, words) VALUES (?, to_tsvector('english', ?))"
    else:
        sql = "INSERT INTO passages_fts (rowid, text) VALUES (?, ?)"
    conn.executemany(sql, list(rows))


def id_list(column: str, conn: Any) -> str:
    """SQL aggregating ``column`` (integer ids) into one comma-separated string."""
    return f"string_agg({column}::text, ',')" if is_postgres(conn) else f"group_concat({column})"


_NUMBERED = frozenset({"passages", "facts"})


def next_id(conn: Any, table: str) -> int:
    """The next id of ``passages`` or ``facts``: the largest plus one (inside :func:`begin_write`,
    so no other writer takes it). The writer hands out a whole article's ids at once from it."""
    if table not in _NUMBERED:
        raise ValueError(f"ids of {table} are not numbered here")
    row = conn.execute(f"SELECT coalesce(max(id), 0) + 1 AS next FROM {table}").fetchone()
    return int(row["next"])
