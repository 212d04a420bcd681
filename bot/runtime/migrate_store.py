"""``factdesk migrate-store --from sqlite:///factdesk.db --to postgresql://…``: a SQLite store
copied into PostgreSQL, with a progress line, and both stores' counts compared at the end."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path
from typing import Any

import psycopg

from bot.runtime.progress import Progress
from facts.store.opening import describe, is_postgres_url, open_store, sqlite_path
from facts.store.postgres.copy import TABLES, CopyRefused, copy_store

__all__ = ["migrate_store"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


async def migrate_store(source: str, target: str) -> int:
    """Copy ``source`` (a SQLite path, or ``sqlite:///path``) into ``target`` (a PostgreSQL url).
    Both are brought to the current migrations first; running it again adds nothing."""
    if is_postgres_url(source) or not is_postgres_url(target):
        print(
            "error: copy from a SQLite store to a PostgreSQL one: migrate-store --from sqlite:///factdesk.db"
            " --to postgresql://user:password@host/database",
            file=sys.stderr,
        )
        return EXIT_USAGE
    path = Path(sqlite_path(source))
    if not path.is_file():
        print(f"error: no store at {path}; give the SQLite file to copy with --from", file=sys.stderr)
        return EXIT_USAGE
    for db in (str(path), target):  # each at the current schema (the target is never seeded)
        store = await open_store(db, bundled_corpus=False)
        await store.close()
    return await asyncio.to_thread(_copy, path, target)


def _copy(path: Path, target: str) -> int:
    src = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        total = sum(src.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES)
        with psycopg.connect(target, autocommit=True) as pg:
            progress = Progress(total, label="copy", unit="rows")

            def advance(table: str, rows: int) -> None:
                progress.advance(rows)

            try:
                counts = copy_store(src, pg, advance=advance)
            except CopyRefused as exc:
                progress.stop()
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_FAILED
            finally:
                progress.finish()
    finally:
        src.close()
    _report(counts, path, target)
    return EXIT_OK if all(c.matches for c in counts) else EXIT_FAILED


def _report(counts: Any, path: Path, target: str) -> None:
    width = max(len(c.table) for c in counts)
    for c in counts:
        mark = "ok" if c.matches else "DIFFERS"
        print(f"{c.table:<{width}}  {c.source:>10,}  {c.target:>10,}  {mark}")
    differ = [c.table for c in counts if not c.matches]
    if differ:
        print(f"error: the counts differ in {', '.join(differ)}; run the same command again", file=sys.stderr)
    else:
        rows = sum(c.source for c in counts)
        print(
            f"copied {describe(str(path))} to {describe(target)}: {rows:,} rows, every table's count matches"
        )
