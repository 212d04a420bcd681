"""Passage vectors: their signs computed at extraction (:mod:`facts.extract.context_vectors`),
kept in ``passage_vectors``, searched by nearest neighbour.

Search is a Hamming prefilter over the sign bits of every vector with context (four ``uint64``
words each, held in memory and extended with new passages as they are added), then a cosine
rescoring of the shortlist, whose vectors are embedded again from their text and context.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from facts.extract import embedding
from facts.extract.context_vectors import ANSWER_KINDS, answer_vectors, context_signs
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
    """Candidates from rows of the store's ask query: the passage (``passage_hit`` columns), the
    passage before it in its section (``before_*``), the section heading (``heading``) and the
    headline (``headline``). Their vectors are embedded here as extraction embedded them."""
    contexts = []
    for r in rows:
        adjacent = r["before_kind"] in ANSWER_KINDS and r["before_idx"] == r["idx"] - 1
        # Extraction mixes in the answer passage before it in the section, adjacent or not; the
        # line shown as read before it is only the one right before.
        before = (r["before_text"] or "") if r["before_kind"] in ANSWER_KINDS else ""
        contexts.append((adjacent, before))
    vecs, own = answer_vectors(
        [
            (r["text"], before, r["heading"] or "", r["headline"] or "")
            for r, (_, before) in zip(rows, contexts, strict=True)
        ]
    )
    return [
        AskPassage(
            hit=passage_hit(r),
            previous=before if adjacent else "",
            heading=r["heading"] or "",
            headline=r["headline"] or "",
            vec=vecs[i],
            svec=own[i],
        )
        for i, (r, (adjacent, before)) in enumerate(zip(rows, contexts, strict=True))
    ]


def backfill(conn: sqlite3.Connection, *, batch_docs: int = 200) -> int:
    """Compute the signs of the passages stored without them (a store migrated from an older
    schema); returns how many were added."""
    added = 0
    while True:
        docs = conn.execute(
            "SELECT DISTINCT p.doc_id FROM passages p LEFT JOIN passage_vectors v ON v.passage_id = p.id"
            " WHERE v.passage_id IS NULL LIMIT ?",
            (batch_docs,),
        ).fetchall()
        if not docs:
            return added
        rows: list[tuple[int, bytes]] = []
        for doc in docs:
            title = conn.execute("SELECT title FROM documents WHERE id = ?", (doc["doc_id"],)).fetchone()
            ps = conn.execute(
                f"SELECT p.id, p.kind, {passage_text()} AS text FROM passages p"
                " JOIN documents d ON d.id = p.doc_id WHERE p.doc_id = ? ORDER BY p.idx",
                (doc["doc_id"],),
            ).fetchall()
            signs = context_signs([(p["kind"], p["text"]) for p in ps], title["title"] if title else "")
            rows += [(p["id"], bits) for p, bits in zip(ps, signs, strict=True)]
        conn.executemany(
            "INSERT INTO passage_vectors (passage_id, bits) VALUES (?, ?)"
            " ON CONFLICT (passage_id) DO UPDATE SET bits = excluded.bits",
            rows,
        )
        added += len(rows)


COARSE_FROM = 50_000  # passages from which the first pass reads 64 bits, not 256
COARSE_KEEP = 4_000  # passages the 64-bit pass keeps for the full comparison


class VectorIndex:
    """Sign bits of every stored passage vector, in memory, for a Hamming prefilter.

    From ``COARSE_FROM`` passages on, the scan reads only each vector's first 64 bits (wordllama
    is trained so its leading dimensions carry the most: a Matryoshka model), keeps the nearest
    ``COARSE_KEEP`` (all those within the distance where that many are reached) and compares all
    256 bits on those: about 12 ms instead of 175 for 3.7 million passages on the 2-core
    development machine.
    """

    def __init__(self) -> None:
        self._ids = np.zeros(0, dtype=np.int64)
        self._bits = np.zeros((0, embedding.DIM // 64), dtype=np.uint64)
        self._lead = np.zeros(0, dtype=np.uint64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._last = 0

    def __len__(self) -> int:
        self._settle()
        return len(self._ids)

    def extend(self, rows: Sequence[tuple[int, bytes]]) -> None:
        """Add ``(passage_id, bits)`` rows with ids above every id already held (as arrays at
        once; copied into the index on the next question, once for all the rows added)."""
        if not rows:
            return
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        bits = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint64).reshape(len(rows), -1)
        self._pending.append((ids, bits))
        self._last = int(ids[-1])

    def _settle(self) -> None:
        if self._pending:
            self._ids = np.concatenate([self._ids, *(p[0] for p in self._pending)])
            self._bits = np.concatenate([self._bits, *(p[1] for p in self._pending)])
            self._lead = np.ascontiguousarray(self._bits[:, 0])
            self._pending = []

    @property
    def last_id(self) -> int:
        return self._last

    def nearest(self, query: np.ndarray, k: int) -> list[int]:
        """Ids of the ``k`` passages whose sign bits are nearest to ``query``'s (a unit vector)."""
        self._settle()
        if not len(self._ids):
            return []
        q = embedding.pack_bits(query.reshape(1, -1))[0]
        rows: np.ndarray | None = None
        if len(self._ids) >= COARSE_FROM:
            lead = np.bitwise_count(self._lead ^ q[0])  # 0..64, one byte each
            # The nearest COARSE_KEEP or a few more: every passage within the distance at which
            # the running count reaches it (a count per distance, not a partition of millions).
            reach = int(np.searchsorted(np.cumsum(np.bincount(lead, minlength=65)), COARSE_KEEP))
            rows = np.flatnonzero(lead <= reach)
            dist = np.bitwise_count(self._bits[rows] ^ q).sum(axis=1, dtype=np.int32)
        else:
            dist = np.bitwise_count(self._bits ^ q).sum(axis=1, dtype=np.int32)
        k = min(k, len(dist))
        top = np.argpartition(dist, k - 1)[:k]
        top = top[np.argsort(dist[top], kind="stable")]
        if rows is not None:
            top = rows[top]
        return [int(i) for i in self._ids[top]]
