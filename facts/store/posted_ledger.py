"""The record of answers posted where everyone sees them, so that a correction can reach them.

Every answer factdesk posts in a channel or a thread (Post to channel, Post to thread, a reply to
a mention, a digest) is kept with the ids of the facts it showed. When an editor corrects,
retracts or restores a fact, the posts that showed it are found by the fact (an index), edited in
place by the surface that posted them, and each edit is recorded against the fact's version:
the fact's history names the messages. Private answers are not recorded. These functions run on
the store's connection thread inside a transaction the store opened.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from facts.store.timestamps import now_utc

__all__ = ["POSTS_PER_CHANGE", "PostRow", "PostUpdate", "posts_showing", "record", "updated", "updates_of"]

POSTS_PER_CHANGE = 50  # the most recent posts a change edits (a fact shown in a daily digest for years)


@dataclass(frozen=True)
class PostRow:
    """A posted answer: where it is (platform, channel, the platform's message reference), who
    asked, the first line the message shows, and the answer as posted (the JSON contract)."""

    id: int
    platform: str
    channel: str
    ref: str
    asked_by: str | None
    shown_from: int
    answer: dict[str, Any]


@dataclass(frozen=True)
class PostUpdate:
    """One edit of a posted answer for a version of a fact."""

    fact_id: int
    version: int
    platform: str
    channel: str
    ref: str
    at: str


def record(
    conn: sqlite3.Connection,
    platform: str,
    channel: str,
    ref: str,
    answer: dict[str, Any],
    fact_ids: Sequence[int],
    asked_by: str | None,
    shown_from: int = 0,
) -> int:
    """Keep a posted answer (once per message: posting it again replaces what is kept)."""
    now = now_utc()
    text = json.dumps(answer, ensure_ascii=False)
    row = conn.execute(
        "INSERT INTO posted_answers (platform, channel, ref, asked_by, shown_from, answer, posted_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (platform, channel, ref) DO UPDATE SET"
        " answer = excluded.answer, asked_by = excluded.asked_by, shown_from = excluded.shown_from,"
        " updated_at = excluded.updated_at RETURNING id",
        (platform, channel, ref, asked_by, shown_from, text, now, now),
    ).fetchone()
    post_id = int(row[0])
    conn.executemany(
        "INSERT INTO posted_answer_facts (fact_id, post_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(f, post_id) for f in sorted(set(fact_ids))],
    )
    return post_id


def posts_showing(conn: sqlite3.Connection, fact_id: int, limit: int = POSTS_PER_CHANGE) -> list[PostRow]:
    """The most recent posts that showed ``fact_id``, newest first."""
    rows = conn.execute(
        "SELECT p.id, p.platform, p.channel, p.ref, p.asked_by, p.shown_from, p.answer"
        " FROM posted_answer_facts f JOIN posted_answers p ON p.id = f.post_id WHERE f.fact_id = ?"
        " ORDER BY f.post_id DESC LIMIT ?",
        (fact_id, limit),
    ).fetchall()
    return [PostRow(r[0], r[1], r[2], r[3], r[4], int(r[5]), json.loads(r[6])) for r in rows]


def updated(
    conn: sqlite3.Connection, post_id: int, answer: dict[str, Any], fact_id: int, version: int
) -> None:
    """The post now shows ``answer``, edited for ``version`` of ``fact_id``: kept, and recorded."""
    now = now_utc()
    conn.execute(
        "UPDATE posted_answers SET answer = ?, updated_at = ? WHERE id = ?",
        (json.dumps(answer, ensure_ascii=False), now, post_id),
    )
    conn.execute(
        "INSERT INTO posted_updates (post_id, fact_id, version, at) VALUES (?, ?, ?, ?)",
        (post_id, fact_id, version, now),
    )


def updates_of(conn: sqlite3.Connection, fact_id: int) -> list[PostUpdate]:
    """Every edit made to posted answers for ``fact_id``, oldest first."""
    rows = conn.execute(
        "SELECT u.fact_id, u.version, p.platform, p.channel, p.ref, u.at FROM posted_updates u"
        " JOIN posted_answers p ON p.id = u.post_id WHERE u.fact_id = ? ORDER BY u.id",
        (fact_id,),
    ).fetchall()
    return [PostUpdate(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5]) for r in rows]
