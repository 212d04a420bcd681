"""Digest subscriptions and the record of every digest sent (the store's side of exactly-once).

A digest run is keyed by (channel, scheduled period): claiming a run inserts its row, so a
second scheduler pass, or a restart, finds it and sends nothing twice. These functions run on
the store's connection thread inside a transaction the store opened.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = [
    "DigestChange",
    "DigestRun",
    "Subscription",
    "changes_between",
    "claim_run",
    "finish_run",
    "last_run",
    "on_this_day",
    "subscribe",
    "subscriptions",
    "unsubscribe",
]


@dataclass(frozen=True)
class Subscription:
    channel: str  # platform-qualified: slack:C123, discord:456
    schedule: str  # cron expression
    timezone: str
    origin: str  # "settings" | "command"
    created_at: str


@dataclass(frozen=True)
class DigestRun:
    channel: str
    period: str
    covered_from: str
    covered_to: str
    status: str
    attempts: int
    next_attempt: str | None
    message_ref: str | None


@dataclass(frozen=True)
class DigestChange:
    """A change the desk made to a fact: corrected, retracted, restored or added."""

    fact_id: int
    action: str
    note: str | None
    actor: str
    at: str


def subscriptions(conn: sqlite3.Connection) -> list[Subscription]:
    rows = conn.execute(
        "SELECT channel, schedule, timezone, origin, created_at FROM digest_subscriptions WHERE active = 1"
        " ORDER BY channel"
    ).fetchall()
    return [Subscription(*r) for r in rows]


def subscribe(
    conn: sqlite3.Connection, channel: str, schedule: str, timezone: str, origin: str, actor: str, now: str
) -> None:
    """Add or change a channel's subscription; a channel subscribed by command keeps its own
    schedule when the settings list it too."""
    row = conn.execute(
        "SELECT origin, active FROM digest_subscriptions WHERE channel = ?", (channel,)
    ).fetchone()
    if row and origin == "settings" and row[0] == "command":
        return
    conn.execute(
        "INSERT INTO digest_subscriptions (channel, schedule, timezone, origin, active, changed_by,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (channel) DO UPDATE SET"
        " schedule = excluded.schedule, timezone = excluded.timezone, origin = excluded.origin, active = 1,"
        " changed_by = excluded.changed_by, updated_at = excluded.updated_at",
        (channel, schedule, timezone, origin, actor, now, now),
    )


def unsubscribe(conn: sqlite3.Connection, channel: str, actor: str, now: str) -> bool:
    cur = conn.execute(
        "UPDATE digest_subscriptions SET active = 0, origin = 'command', changed_by = ?, updated_at = ?"
        " WHERE channel = ? AND active = 1",
        (actor, now, channel),
    )
    return cur.rowcount == 1


def last_run(conn: sqlite3.Connection, channel: str) -> DigestRun | None:
    row = conn.execute(
        "SELECT channel, period, covered_from, covered_to, status, attempts, next_attempt, message_ref"
        " FROM digest_runs WHERE channel = ? ORDER BY period DESC LIMIT 1",
        (channel,),
    ).fetchone()
    return DigestRun(*row) if row else None


def claim_run(
    conn: sqlite3.Connection, channel: str, period: str, covered_from: str, covered_to: str, now: str
) -> DigestRun | None:
    """Claim the run for (channel, period): the new row, or ``None`` if it exists already."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO digest_runs (channel, period, covered_from, covered_to, status, attempts,"
        " updated_at) VALUES (?, ?, ?, ?, 'sending', 0, ?)",
        (channel, period, covered_from, covered_to, now),
    )
    if cur.rowcount != 1:
        return None
    return DigestRun(channel, period, covered_from, covered_to, "sending", 0, None, None)


def finish_run(
    conn: sqlite3.Connection,
    channel: str,
    period: str,
    *,
    status: str,
    now: str,
    message_ref: str | None = None,
    error: str | None = None,
    next_attempt: str | None = None,
) -> None:
    conn.execute(
        "UPDATE digest_runs SET status = ?, attempts = attempts + 1, message_ref = coalesce(?, message_ref),"
        " error = ?, next_attempt = ?, updated_at = ? WHERE channel = ? AND period = ?",
        (status, message_ref, error, next_attempt, now, channel, period),
    )


def changes_between(conn: sqlite3.Connection, start: str, end: str) -> tuple[list[int], list[DigestChange]]:
    """Facts first stored in [start, end) (new reporting), and the desk's changes in that time."""
    new = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM facts WHERE created_at >= ? AND created_at < ? AND status = 'active'"
            " AND origin = 'extracted' ORDER BY salience DESC, id LIMIT 200",
            (start, end),
        )
    ]
    changes = [
        DigestChange(*r)
        for r in conn.execute(
            "SELECT fact_id, action, note, actor, at FROM fact_history WHERE at >= ? AND at < ?"
            " ORDER BY at, id",
            (start, end),
        )
    ]
    return new, changes


def on_this_day(conn: sqlite3.Connection, month_day: str, before_year: int, limit: int = 10) -> list[int]:
    """Day-dated events of ``month_day`` (``MM-DD``) in years before ``before_year``, most salient first."""
    rows = conn.execute(
        "SELECT id FROM facts WHERE date_precision = 'day' AND substr(date_start, 6, 5) = ?"
        " AND CAST(substr(date_start, 1, 4) AS INTEGER) < ? AND status = 'active'"
        " ORDER BY salience DESC, date_start LIMIT ?",
        (month_day, before_year, limit),
    ).fetchall()
    return [r[0] for r in rows]
