"""Digest subscriptions and the record of every digest sent (the store's side of exactly-once).

A digest run is keyed by (channel, scheduled period). Every attempt to post it is claimed by
one runner in one statement whose row count decides (see :func:`claim_run`), with a lease that
runs out if that runner dies; so two runners, a second scheduler pass or a restart never send
one attempt twice. These functions run on the store's connection thread inside a transaction
the store opened.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields

__all__ = [
    "DigestChange",
    "DigestRun",
    "Subscription",
    "begin_post",
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
    lease_owner: str | None = None
    lease_until: str | None = None
    posting_at: str | None = None


_RUN_FIELDS = tuple(f.name for f in fields(DigestRun))
_RUN_COLUMNS = ", ".join(_RUN_FIELDS)


@dataclass(frozen=True)
class DigestChange:
    """A change the desk made to a fact: corrected, retracted, restored or added."""

    fact_id: int
    action: str
    note: str | None
    actor: str
    at: str


_SUBSCRIPTION_FIELDS = tuple(f.name for f in fields(Subscription))


def subscriptions(conn: sqlite3.Connection) -> list[Subscription]:
    rows = conn.execute(
        "SELECT channel, schedule, timezone, origin, created_at FROM digest_subscriptions WHERE active = 1"
        " ORDER BY channel"
    ).fetchall()
    return [Subscription(**{f: r[f] for f in _SUBSCRIPTION_FIELDS}) for r in rows]


def subscribe(
    conn: sqlite3.Connection, channel: str, schedule: str, timezone: str, origin: str, actor: str, now: str
) -> None:
    """Add or change a channel's subscription; a channel subscribed by command keeps its own
    schedule when the settings list it too."""
    row = conn.execute(
        "SELECT origin, active FROM digest_subscriptions WHERE channel = ?", (channel,)
    ).fetchone()
    if row and origin == "settings" and row["origin"] == "command":
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
        f"SELECT {_RUN_COLUMNS} FROM digest_runs WHERE channel = ? ORDER BY period DESC LIMIT 1",
        (channel,),
    ).fetchone()
    return _run_from(row) if row else None


def _run_from(row: sqlite3.Row) -> DigestRun:
    return DigestRun(**{f: row[f] for f in _RUN_FIELDS})


def claim_run(
    conn: sqlite3.Connection,
    channel: str,
    period: str,
    covered_from: str,
    covered_to: str,
    *,
    owner: str,
    now: str,
    lease_until: str,
    max_attempts: int,
) -> DigestRun | None:
    """Claim the next attempt of the run for (channel, period) for ``owner``, or ``None``.

    The first attempt is a unique insert; a later one is a single conditional ``UPDATE`` on
    the attempt number read, so of two runners racing for one attempt exactly one changes the
    row (its rowcount is 1) and only that one may send. A later attempt is claimable when the
    last one failed transiently and its retry time has come, or when its runner's lease ran
    out before it started posting (the runner died: nothing was sent). A lease that ran out
    after its runner started posting leaves the outcome unknown: the run is marked
    ``unknown`` and never retried, so it cannot appear twice. (A row claimed before leases
    existed has none and is left as it is.)
    """
    cur = conn.execute(
        "INSERT INTO digest_runs (channel, period, covered_from, covered_to, status, attempts,"
        " lease_owner, lease_until, updated_at) VALUES (?, ?, ?, ?, 'sending', 1, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (channel, period, covered_from, covered_to, owner, lease_until, now),
    )
    if cur.rowcount == 1:
        return _run(conn, channel, period)
    row = conn.execute(
        "SELECT attempts FROM digest_runs WHERE channel = ? AND period = ?", (channel, period)
    ).fetchone()
    if row is None:
        return None
    attempt = row["attempts"]
    cur = conn.execute(
        "UPDATE digest_runs SET status = 'sending', attempts = attempts + 1, lease_owner = ?,"
        " lease_until = ?, posting_at = NULL, next_attempt = NULL, updated_at = ?"
        " WHERE channel = ? AND period = ? AND attempts = ? AND attempts < ? AND ("
        "  (status = 'failed' AND next_attempt IS NOT NULL AND next_attempt <= ?)"
        "  OR (status = 'sending' AND posting_at IS NULL AND lease_until <= ?))",
        (owner, lease_until, now, channel, period, attempt, max_attempts, now, now),
    )
    if cur.rowcount == 1:
        return _run(conn, channel, period)
    conn.execute(
        "UPDATE digest_runs SET status = 'unknown', lease_owner = NULL, lease_until = NULL, updated_at = ?,"
        " error = 'its runner stopped while posting; not retried, so it cannot appear twice'"
        " WHERE channel = ? AND period = ? AND attempts = ? AND status = 'sending'"
        " AND posting_at IS NOT NULL AND lease_until <= ?",
        (now, channel, period, attempt, now),
    )
    return None


def begin_post(
    conn: sqlite3.Connection, channel: str, period: str, *, attempt: int, owner: str, now: str
) -> bool:
    """Record that ``owner`` is about to post its attempt; false when it no longer holds the
    attempt (its lease ran out and another runner took it over), and then it must not post."""
    cur = conn.execute(
        "UPDATE digest_runs SET posting_at = ?, updated_at = ? WHERE channel = ? AND period = ?"
        " AND attempts = ? AND lease_owner = ? AND status = 'sending' AND posting_at IS NULL"
        " AND lease_until > ?",
        (now, now, channel, period, attempt, owner, now),
    )
    return cur.rowcount == 1


def finish_run(
    conn: sqlite3.Connection,
    channel: str,
    period: str,
    *,
    attempt: int,
    owner: str,
    status: str,
    now: str,
    message_ref: str | None = None,
    error: str | None = None,
    next_attempt: str | None = None,
) -> bool:
    """The outcome of ``owner``'s attempt, which releases its lease; false (nothing written)
    when the attempt is not its own any more."""
    cur = conn.execute(
        "UPDATE digest_runs SET status = ?, message_ref = coalesce(?, message_ref), error = ?,"
        " next_attempt = ?, lease_until = NULL, updated_at = ?"
        " WHERE channel = ? AND period = ? AND attempts = ? AND lease_owner = ?",
        (status, message_ref, error, next_attempt, now, channel, period, attempt, owner),
    )
    return cur.rowcount == 1


def _run(conn: sqlite3.Connection, channel: str, period: str) -> DigestRun | None:
    row = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM digest_runs WHERE channel = ? AND period = ?", (channel, period)
    ).fetchone()
    return _run_from(row) if row else None


def changes_between(conn: sqlite3.Connection, start: str, end: str) -> tuple[list[int], list[DigestChange]]:
    """Facts first stored in [start, end) (new reporting), and the desk's changes in that time."""
    new = [
        r["id"]
        for r in conn.execute(
            "SELECT id FROM facts WHERE created_at >= ? AND created_at < ? AND status = 'active'"
            " AND origin = 'extracted' ORDER BY salience DESC, id LIMIT 200",
            (start, end),
        )
    ]
    changes = [
        DigestChange(fact_id=r["fact_id"], action=r["action"], note=r["note"], actor=r["actor"], at=r["at"])
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
    return [r["id"] for r in rows]
