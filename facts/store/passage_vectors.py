"""Passage vectors: computed at extraction (:mod:`facts.extract.context_vectors`), kept in
``passage_vectors``, searched by nearest neighbour.

Search is a Hamming prefilter over the sign bits of every vector with context (four ``uint64``
words each, held in memory and extended with new passages as they are added), then a cosine
rescoring of the shortlist: each passage's own vector is kept at 4 bits a coordinate, and its
vector with context is mixed again from its own, its neighbours' and its headline's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from facts.extract import embedding
from facts.extract.context_vectors import ANSWER_KINDS, context_vectors, mix
from facts.store.row_builders import NamedRow, passage_hit
from facts.store.rows import PassageHit
from facts.store.text_spans import passage_text

__all__ = ["ANSWER_KINDS", "AskPassage", "VectorIndex", "ask_passages", "backfill"]


@dataclass(frozen=True, eq=False)
class AskPassage:
    """A candidate answer line with what is read around it (never cited) and its vectors: with
    its context (``vec``) and alone (``svec``), unit float32."""

    hit: PassageHit
    previous: str
    heading: str
    headline: str
    vec: np.ndarray
    svec: np.ndarray

    @property
    def context(self) -> str:
        return " ".join(t for t in (self.headline, self.heading, self.previous) if t)


def ask_passages(rows: Sequence[NamedRow]) -> list[AskPassage]:
    """Candidates from rows of the store's ask query: the passage (``passage_hit`` columns), its
    own vector ``own``, the passage before it in its section (``before_*``), the section heading
    (``heading``, ``heading_own``) and the headline (``headline``, ``headline_own``). The vector
    with context is mixed here as extraction mixed it (:func:`mix`), from the stored 4-bit ones."""
    if not rows:
        return []
    zero = bytes(embedding.INT4_BYTES)

    def blob(row: NamedRow, name: str, use: bool = True) -> bytes:
        return (row[name] or zero) if use else zero

    before = [r["before_kind"] in ANSWER_KINDS for r in rows]
    own = embedding.from_int4([blob(r, "own") for r in rows])
    previous = embedding.from_int4([blob(r, "before_own", b) for r, b in zip(rows, before, strict=True)])
    heading = embedding.from_int4([blob(r, "heading_own") for r in rows])
    headline = embedding.from_int4([blob(r, "headline_own") for r in rows])
    vecs = mix(own, headline, previous, heading)
    out = []
    for i, r in enumerate(rows):
        adjacent = before[i] and r["before_idx"] == r["idx"] - 1
        out.append(
            AskPassage(
                hit=passage_hit(r),
                previous=(r["before_text"] or "") if adjacent else "",
                heading=r["heading"] or "",
                headline=r["headline"] or "",
                vec=vecs[i],
                svec=own[i],
            )
        )
    return out


def backfill(conn: sqlite3.Connection, *, batch_docs: int = 200) -> int:
    """Embed the passages stored without vectors (a store migrated from an older schema); returns
    how many were added."""
    added = 0
    while True:
        docs = conn.execute(
            "SELECT DISTINCT p.doc_id FROM passages p LEFT JOIN passage_vectors v ON v.passage_id = p.id"
            " WHERE v.passage_id IS NULL LIMIT ?",
            (batch_docs,),
        ).fetchall()
        if not docs:
            return added
        rows: list[tuple[int, bytes, bytes]] = []
        heads: list[tuple[int, bytes]] = []
        for doc in docs:
            title = conn.execute("SELECT title FROM documents WHERE id = ?", (doc["doc_id"],)).fetchone()
            ps = conn.execute(
                f"SELECT p.id, p.kind, {passage_text()} AS text FROM passages p"
                " JOIN documents d ON d.id = p.doc_id WHERE p.doc_id = ? ORDER BY p.idx",
                (doc["doc_id"],),
            ).fetchall()
            vectors = context_vectors([(p["kind"], p["text"]) for p in ps], title["title"] if title else "")
            rows += [(p["id"], v.bits, v.own) for p, v in zip(ps, vectors.passages, strict=True)]
            heads.append((doc["doc_id"], vectors.headline))
        sql = "INSERT OR REPLACE INTO passage_vectors (passage_id, bits, own) VALUES (?, ?, ?)"
        conn.executemany(sql, rows)
        conn.executemany("INSERT OR REPLACE INTO document_vectors (doc_id, headline) VALUES (?, ?)", heads)
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
