"""The record of platform deliveries already handled (the store's side of answering once).

A platform such as Slack delivers at least once: Socket Mode redelivers an envelope it thinks
was lost, and a signed HTTP request can be replayed within its five minutes. Claiming a
delivery key is one ``INSERT … ON CONFLICT DO NOTHING``: of two claims of the same key, also from two
processes on one store file, exactly one wins. Rows expire, so the table stays small. These
functions run on the store's connection thread inside a transaction the store opened.
"""

from __future__ import annotations

import sqlite3

__all__ = ["claim", "expire"]


def claim(conn: sqlite3.Connection, key: str, now: float, ttl: float) -> bool:
    """True if ``key`` was not claimed (or its claim has expired) and is now claimed."""
    conn.execute("DELETE FROM deliveries WHERE key = ? AND expires_at <= ?", (key, now))
    cur = conn.execute(
        "INSERT INTO deliveries (key, seen_at, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        (key, now, now + ttl),
    )
    return cur.rowcount == 1


def expire(conn: sqlite3.Connection, now: float) -> int:
    """Forget every claim whose expiry has passed; returns how many."""
    return conn.execute("DELETE FROM deliveries WHERE expires_at <= ?", (now,)).rowcount
