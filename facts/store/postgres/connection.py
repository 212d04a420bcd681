"""A psycopg connection that the store's shared SQL can run on as it runs on SQLite's.

The shared functions (ledgers, corrections, the article writer) call ``execute`` and
``executemany`` with ``?`` placeholders and read rows by column name or position, as
:class:`sqlite3.Connection` lets them. :class:`PgConnection` gives them that over a psycopg
connection in autocommit mode (each function opens its own transaction with ``BEGIN``):
placeholders become ``%s`` and rows are :class:`Row`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg

__all__ = ["PgConnection", "Row", "to_format_style"]


class Row(tuple[Any, ...]):
    """A row read by position or by column name, and convertible with ``dict(row)``."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return super().__getitem__(self._index[key])
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: psycopg.Cursor[Any]) -> Any:
    description = cursor.description or []
    index = {column.name: i for i, column in enumerate(description)}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


@functools.lru_cache(maxsize=1024)  # the store's statements are a few hundred texts, run again and again
def to_format_style(sql: str) -> str:
    """``?`` placeholders (outside quoted strings) as psycopg's ``%s``; a literal ``%`` doubled."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


ROWS_PER_INSERT = 500
_MAX_PARAMS = 65535  # bind parameters one statement may carry
_INSERT = re.compile(r"^\s*INSERT\s.*?\sVALUES\s*", re.S | re.I)


def _multi_row(sql: str) -> tuple[str, str, str] | None:
    """(head, the row's ``(…)``, tail) of an ``INSERT … VALUES (…) [ON CONFLICT DO NOTHING]``
    that may carry many rows, or None. An ``ON CONFLICT … DO UPDATE`` keeps one row a statement:
    two rows of one statement may not update the same row."""
    found = _INSERT.match(sql)
    if found is None or "DO UPDATE" in sql.upper():
        return None
    start = found.end()
    if start >= len(sql) or sql[start] != "(":
        return None
    depth, quote = 0, None
    for i in range(start, len(sql)):
        ch = sql[i]
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return sql[:start], sql[start : i + 1], sql[i + 1 :]
    return None


_COPYABLE = re.compile(
    r"^\s*INSERT INTO (\w+) \(([\w\s,\"]+)\)\s*"  # the table and its columns
    r"VALUES \((\s*\?\s*,)*\s*\?\s*\)\s*$",  # parameters only, no ON CONFLICT
    re.S | re.I,
)


def _copyable(sql: str) -> tuple[str, str] | None:
    """(table, columns) of an ``INSERT INTO t (…) VALUES (?, …, ?)`` whose values are all
    parameters and that has no ``ON CONFLICT`` (``COPY`` has none), or None."""
    found = _COPYABLE.match(sql)
    return (found[1], found[2]) if found else None


class Cursor:
    """What the shared SQL reads of a statement: its rows, and how many rows it changed."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def fetchone(self) -> Row | None:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Row]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


class PgConnection:
    """One psycopg connection, spoken to as the shared SQL speaks to SQLite."""

    dialect = "postgresql"

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.raw = conn
        conn.row_factory = _row_factory

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Cursor:
        return Cursor(self.raw.execute(to_format_style(sql), tuple(args)))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Each row's statement. A plain ``INSERT … VALUES (?, …)`` goes in by ``COPY``; one with
        ``ON CONFLICT DO NOTHING`` or expressions as one statement per :data:`ROWS_PER_INSERT`
        rows (a statement per row cost the writer most of its time)."""
        rows = list(rows)
        if not rows:
            return
        copy = _copyable(sql)
        if copy is not None:
            self._copy(*copy, rows)
            return
        multi = _multi_row(sql)
        if multi is None:
            with self.raw.cursor() as cur:
                cur.executemany(to_format_style(sql), rows)
            return
        head, values, tail = multi
        per = max(1, min(ROWS_PER_INSERT, _MAX_PARAMS // max(1, len(rows[0]))))
        for i in range(0, len(rows), per):
            chunk = rows[i : i + per]
            statement = head + ", ".join([values] * len(chunk)) + tail
            self.raw.execute(to_format_style(statement), [v for row in chunk for v in row])

    def _copy(self, table: str, columns: str, rows: list[Sequence[Any]]) -> None:
        """Rows in by ``COPY``: no statement to parse and plan (measured at 2,000 articles: ingest
        84 → 96 articles/s against multi-row ``INSERT``s). Table and column names are the shared
        SQL's own, never input."""
        with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def commit(self) -> None:
        self.raw.execute("COMMIT")

    def rollback(self) -> None:
        self.raw.execute("ROLLBACK")
