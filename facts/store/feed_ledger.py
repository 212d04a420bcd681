"""The newsroom's feeds and the items already taken from them.

A feed is kept with what its last poll learnt: the validators for the next conditional request
(``ETag``, ``Last-Modified``), when it is next due, and, when it failed, how often in a row and
why (a failing feed backs off; ``doctor`` and ``/metrics`` report it). An item is recorded once
it is in the store, so a poll never ingests it twice and a failed one is tried again. Removing a
feed stops its polls and keeps its record. These functions run on the store's connection thread
inside a transaction the store opened.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from facts.errors import NotFound, UsageError
from facts.store.timestamps import now_utc

__all__ = ["Feed", "add", "check_feed_url", "due", "item_seen", "items_seen", "listed", "polled", "remove"]


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    origin: str  # "settings" (FACTDESK_FEEDS) or "command" (factdesk feed add)
    active: bool
    etag: str | None
    last_modified: str | None
    next_poll_at: str
    last_polled_at: str | None
    failures: int
    last_error: str | None
    items: int = 0


_COLUMNS = (
    "f.id, f.url, f.origin, f.active, f.etag, f.last_modified, f.next_poll_at, f.last_polled_at,"
    " f.failures, f.last_error, (SELECT count(*) FROM feed_items i WHERE i.feed_id = f.id) AS items"
)


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(
        row["id"],
        row["url"],
        row["origin"],
        bool(row["active"]),
        row["etag"],
        row["last_modified"],
        row["next_poll_at"],
        row["last_polled_at"],
        row["failures"],
        row["last_error"],
        row["items"],
    )


def add(conn: sqlite3.Connection, url: str, origin: str, added_by: str, now: str) -> tuple[Feed, bool]:
    """Follow ``url`` (due at once); a removed feed is followed again. (feed, whether it is new)."""
    found = conn.execute(f"SELECT {_COLUMNS} FROM feeds f WHERE f.url = ?", (url,)).fetchone()
    if found is not None and found["active"]:
        return _feed(found), False
    if found is not None:
        conn.execute(
            "UPDATE feeds SET active = 1, origin = ?, added_by = ?, next_poll_at = ?, failures = 0,"
            " last_error = NULL WHERE id = ?",
            (origin, added_by, now, found["id"]),
        )
    else:
        conn.execute(
            "INSERT INTO feeds (url, origin, added_by, active, next_poll_at, failures, created_at)"
            " VALUES (?, ?, ?, 1, ?, 0, ?)",
            (url, origin, added_by, now, now_utc()),
        )
    row = conn.execute(f"SELECT {_COLUMNS} FROM feeds f WHERE f.url = ?", (url,)).fetchone()
    return _feed(row), True


def remove(conn: sqlite3.Connection, url: str) -> Feed:
    """Stop polling ``url``; its record and the items taken from it stay."""
    cur = conn.execute("UPDATE feeds SET active = 0 WHERE url = ? AND active = 1", (url,))
    if cur.rowcount == 0:
        raise NotFound(f"No feed {url[:80]} is followed; `factdesk feed list` shows them.")
    return _feed(conn.execute(f"SELECT {_COLUMNS} FROM feeds f WHERE f.url = ?", (url,)).fetchone())


def listed(conn: sqlite3.Connection) -> list[Feed]:
    """Every feed followed, in the order they were added."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM feeds f WHERE f.active = 1 ORDER BY f.id").fetchall()
    return [_feed(r) for r in rows]


def due(conn: sqlite3.Connection, now: str) -> list[Feed]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM feeds f WHERE f.active = 1 AND f.next_poll_at <= ? ORDER BY f.next_poll_at",
        (now,),
    ).fetchall()
    return [_feed(r) for r in rows]


def claim_poll(conn: sqlite3.Connection, feed_id: int, *, due_at: str, until: str) -> bool:
    """Take the poll of a feed that fell due at ``due_at``: True for the one runner (of several
    replicas) whose compare-and-set moves its next poll to ``until``, the lease after which
    another runner polls it should this one die meanwhile."""
    cur = conn.execute(
        "UPDATE feeds SET next_poll_at = ? WHERE id = ? AND active = 1 AND next_poll_at = ?",
        (until, feed_id, due_at),
    )
    return cur.rowcount == 1


def polled(
    conn: sqlite3.Connection,
    feed_id: int,
    *,
    now: str,
    next_poll_at: str,
    error: str | None,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A poll ended: ``error`` None for a good one (its validators kept), else the reason."""
    if error is None:
        conn.execute(
            "UPDATE feeds SET last_polled_at = ?, next_poll_at = ?, failures = 0, last_error = NULL,"
            " etag = coalesce(?, etag), last_modified = coalesce(?, last_modified) WHERE id = ?",
            (now, next_poll_at, etag, last_modified, feed_id),
        )
    else:
        conn.execute(
            "UPDATE feeds SET last_polled_at = ?, next_poll_at = ?, failures = failures + 1, last_error = ?"
            " WHERE id = ?",
            (now, next_poll_at, error[:500], feed_id),
        )


def items_seen(conn: sqlite3.Connection, feed_id: int, keys: list[str]) -> set[str]:
    """Which of ``keys`` were already taken from the feed."""
    seen: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT item_key FROM feed_items WHERE feed_id = ? AND item_key IN ({marks})"
        seen.update(r[0] for r in conn.execute(sql, (feed_id, *chunk)))
    return seen


def item_seen(conn: sqlite3.Connection, feed_id: int, key: str, doc_url: str) -> None:
    conn.execute(
        "INSERT INTO feed_items (feed_id, item_key, doc_url, seen_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (feed_id, key, doc_url, now_utc()),
    )


def check_feed_url(url: str) -> str:
    """A feed's url as kept: trimmed; only http and https, at most 2,000 characters."""
    url = url.strip().strip("<>")
    if not url.startswith(("http://", "https://")) or len(url) > 2000 or any(c.isspace() for c in url):
        raise UsageError(f"'{url[:80]}' is not a feed's web address (http or https).")
    return url
