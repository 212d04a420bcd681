"""Passage vectors: computed at extraction (:mod:`facts.extract.context_vectors`), kept in
``passage_vectors``, searched by nearest neighbour.

Search is a Hamming prefilter over the sign bits of every vector (four ``uint64`` words each, held
in memory and extended with new passages as they are added), then a cosine rescoring of the
shortlist from the stored signed bytes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from facts.extract import embedding
from facts.extract.context_vectors import ANSWER_KINDS, context_vectors
from facts.store.rows import PassageHit

__all__ = ["ANSWER_KINDS", "AskPassage", "VectorIndex", "backfill", "has_sentence_vectors"]


@dataclass(frozen=True)
class AskPassage:
    """A candidate answer line with what is read around it (never cited) and its stored vector."""

    hit: PassageHit
    previous: str
    heading: str
    headline: str
    vec: bytes | None
    svec: bytes | None = None  # the sentence alone (None in rows stored before it was kept)

    @property
    def context(self) -> str:
        return " ".join(t for t in (self.headline, self.heading, self.previous) if t)


def has_sentence_vectors(conn: sqlite3.Connection) -> bool:
    """Whether the store keeps the sentence-alone vector (migration 0008)."""
    return any(r["name"] == "svec" for r in conn.execute("PRAGMA table_info(passage_vectors)"))


def backfill(conn: sqlite3.Connection, *, batch_docs: int = 200) -> int:
    """Embed the passages stored before vectors existed; returns how many were added."""
    added = 0
    while True:
        docs = conn.execute(
            "SELECT DISTINCT p.doc_id FROM passages p LEFT JOIN passage_vectors v ON v.passage_id = p.id"
            " WHERE v.passage_id IS NULL LIMIT ?",
            (batch_docs,),
        ).fetchall()
        if not docs:
            return added
        rows: list[tuple[int, bytes, bytes, bytes]] = []
        for doc in docs:
            title = conn.execute("SELECT title FROM documents WHERE id = ?", (doc["doc_id"],)).fetchone()
            ps = conn.execute(
                "SELECT id, kind, text FROM passages WHERE doc_id = ? ORDER BY idx", (doc["doc_id"],)
            ).fetchall()
            vectors = context_vectors([(p["kind"], p["text"]) for p in ps], title["title"] if title else "")
            rows += [(p["id"], v.bits, v.vec, v.svec) for p, v in zip(ps, vectors, strict=True)]
        if has_sentence_vectors(conn):
            sql = "INSERT OR REPLACE INTO passage_vectors (passage_id, bits, vec, svec) VALUES (?, ?, ?, ?)"
            conn.executemany(sql, rows)
        else:
            sql = "INSERT OR REPLACE INTO passage_vectors (passage_id, bits, vec) VALUES (?, ?, ?)"
            conn.executemany(sql, [r[:3] for r in rows])
        added += len(rows)


class VectorIndex:
    """Sign bits of every stored passage vector, in memory, for a Hamming prefilter."""

    def __init__(self) -> None:
        self._ids = np.zeros(0, dtype=np.int64)
        self._bits = np.zeros((0, embedding.DIM // 64), dtype=np.uint64)
        self._last = 0

    def __len__(self) -> int:
        return len(self._ids)

    def extend(self, rows: Sequence[tuple[int, bytes]]) -> None:
        """Add ``(passage_id, bits)`` rows with ids above every id already held."""
        if not rows:
            return
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        bits = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint64).reshape(len(rows), -1)
        self._ids = np.concatenate([self._ids, ids])
        self._bits = np.concatenate([self._bits, bits])
        self._last = int(ids.max())

    @property
    def last_id(self) -> int:
        return self._last

    def nearest(self, query: np.ndarray, k: int) -> list[int]:
        """Ids of the ``k`` passages whose sign bits are nearest to ``query``'s (a unit vector)."""
        if not len(self._ids):
            return []
        q = embedding.pack_bits(query.reshape(1, -1))[0]
        dist = np.bitwise_count(self._bits ^ q).sum(axis=1, dtype=np.int32)
        k = min(k, len(dist))
        top = np.argpartition(dist, k - 1)[:k]
        top = top[np.argsort(dist[top], kind="stable")]
        return [int(i) for i in self._ids[top]]
