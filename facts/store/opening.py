"""Which store ``FACTDESK_DB`` names: a path is the embedded SQLite store, a ``postgresql://``
url the PostgreSQL one. Everything that opens a store opens it here."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg

from facts.store.postgres.store import PostgresStore, is_postgres_url, open_postgres_store, redacted
from facts.store.sqlite_store import DEFAULT_MEMORY_MB, SQLiteStore, StoreUnavailable
from facts.store.sqlite_store import open_store as open_sqlite_store
from facts.store.sqlite_store import open_store_read_only as open_sqlite_read_only

__all__ = [
    "STORE_ERRORS",
    "AnyStore",
    "StoreUnavailable",
    "describe",
    "is_postgres_url",
    "open_store",
    "open_store_read_only",
]

AnyStore = SQLiteStore | PostgresStore
STORE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
"""What a store's engine raises for a database that is not (or no longer) a usable store."""


def describe(db: str | Path) -> str:
    """How messages name the store: the path, or the url without its password."""
    return redacted(str(db)) if is_postgres_url(str(db)) else str(db)


def sqlite_path(db: str | Path) -> str:
    """A path given as a url (``sqlite:///relative.db``, ``sqlite:////absolute.db``, as
    ``factdesk migrate-store`` takes it) or as it is."""
    return str(db).removeprefix("sqlite:///")


async def open_store(
    db: str | Path, *, bundled_corpus: bool = True, memory_mb: int = DEFAULT_MEMORY_MB
) -> AnyStore:
    """Open (creating and migrating if needed) the store ``db`` names. Raises
    :class:`StoreUnavailable` when it cannot be used."""
    if is_postgres_url(str(db)):
        return await open_postgres_store(str(db), bundled_corpus=bundled_corpus, memory_mb=memory_mb)
    return await open_sqlite_store(sqlite_path(db), bundled_corpus=bundled_corpus, memory_mb=memory_mb)


async def open_store_read_only(db: str | Path) -> AnyStore:
    """Open an existing store for checks, writing nothing (no file, migration or seed)."""
    if is_postgres_url(str(db)):
        return await open_postgres_store(str(db), bundled_corpus=False, migrate=False)
    return await open_sqlite_read_only(sqlite_path(db))
