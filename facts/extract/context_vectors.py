"""Each passage's vector for /ask, computed with the rest of the extraction.

A sentence's vector is its own embedding plus, with smaller weights, the previous sentence, the
section heading above it and the article's headline, so "She said her government would…" is
found by a question about the government the paragraph is about. The cited line stays the
verbatim sentence; headings and headlines are embedded only as context and are never answers.

The store keeps only the signs of that vector (32 bytes, for the Hamming prefilter). The few
hundred candidates a question reads are embedded again from their text and their context's
(:func:`answer_vectors`): the static model costs about a millisecond for them, and the 128 bytes
a passage that a stored vector took were a sixth of the store (issue 14).

Signs are computed in the extraction workers, not in the store's single writing thread:
embedding is about a third of the CPU an article costs the writer otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from facts.extract import embedding

__all__ = ["ANSWER_KINDS", "answer_vectors", "context_signs", "embed_passages", "mix"]

ANSWER_KINDS = ("sentence", "caption")
_PREV, _HEADING, _HEADLINE = 0.5, 0.3, 0.3


def embed_passages(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors of passage texts as extraction embeds them (a heading without its ``#``)."""
    return embedding.embed([text.lstrip("# ").strip() for text in texts])


def mix(own: np.ndarray, headline: np.ndarray, previous: np.ndarray, heading: np.ndarray) -> np.ndarray:
    """Unit vectors of answer passages with their context (rows: one per passage; a missing
    previous sentence or heading is a zero row)."""
    v = own + _HEADLINE * headline + _PREV * previous + _HEADING * heading
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def answer_vectors(rows: Sequence[tuple[str, str, str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """For ``(text, previous, heading, headline)`` rows (``""``: none), each passage's vector with
    its context and its own vector, both unit float32 (``len x DIM``). Each distinct text is
    embedded once: candidates share headlines and are often each other's previous sentence."""
    if not rows:
        empty = np.zeros((0, embedding.DIM), dtype=np.float32)
        return empty, empty
    texts = list(dict.fromkeys(t for row in rows for t in row if t))
    vecs = embed_passages(texts)
    at = {t: i for i, t in enumerate(texts)}
    padded = np.concatenate([vecs, np.zeros((1, embedding.DIM), dtype=np.float32)])  # -1: none
    cols = [
        np.fromiter((at.get(row[j], -1) if row[j] else -1 for row in rows), dtype=np.int64) for j in range(4)
    ]
    own, previous, heading, headline = (padded[c] for c in cols)
    return mix(own, headline, previous, heading), own


def context_signs(passages: Sequence[tuple[str, str]], title: str) -> list[bytes]:
    """The sign bits (32 bytes) of the vector of each ``(kind, text)`` passage of one document, in
    reading order: with its context for sentences and captions, its own for the rest."""
    if not passages:
        return []
    kinds = [kind for kind, _ in passages]
    own = embed_passages([text for _, text in passages] + [title])
    headline_vec = own[-1]
    for i, kind in enumerate(kinds):
        if kind == "headline":
            headline_vec = own[i]
            break
    # For each answer passage: the sentence before it in its section and the section's heading
    # (-1: none); other passages keep their own vector.
    answer = np.zeros(len(kinds), dtype=bool)
    prev_of = np.full(len(kinds), -1)
    heading_of = np.full(len(kinds), -1)
    prev, heading = -1, -1
    for i, kind in enumerate(kinds):
        if kind == "heading":
            heading, prev = i, -1
        elif kind in ANSWER_KINDS:
            answer[i], prev_of[i], heading_of[i] = True, prev, heading
            prev = i
    mixed = own[:-1].copy()
    zero = np.zeros((1, own.shape[1]), dtype=own.dtype)
    padded = np.concatenate([own[:-1], zero])  # index -1 reads the zero row
    mixed[answer] = mix(own[:-1][answer], headline_vec, padded[prev_of[answer]], padded[heading_of[answer]])
    bits = embedding.pack_bits(mixed)
    return [bits[i].tobytes() for i in range(len(kinds))]
