"""Each passage's vectors for /ask, computed with the rest of the extraction.

A sentence's vector is its own embedding plus, with smaller weights, the previous sentence, the
section heading above it and the article's headline, so "She said her government would…" is
found by a question about the government the paragraph is about. The cited line stays the
verbatim sentence; headings and headlines are embedded only as context and are never answers.

This runs in the extraction workers, not in the store's single writing thread: embedding is
about a third of the CPU an article costs the writer otherwise (``factdesk bench``, README).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from facts.extract import embedding

__all__ = ["ANSWER_KINDS", "DocumentVectors", "PassageVectors", "context_vectors", "mix"]

ANSWER_KINDS = ("sentence", "caption")
_PREV, _HEADING, _HEADLINE = 0.5, 0.3, 0.3


@dataclass(frozen=True)
class PassageVectors:
    """What the store keeps per passage: the sign bits of its vector with context (Hamming
    prefilter) and its own vector, 4-bit (:func:`facts.extract.embedding.to_int4`). The vector
    with context is mixed again from the neighbours' own vectors when asked (:func:`mix`)."""

    bits: bytes
    own: bytes


@dataclass(frozen=True)
class DocumentVectors:
    """One document's passage vectors and the headline vector their context mixes in (4-bit)."""

    passages: list[PassageVectors]
    headline: bytes


def mix(own: np.ndarray, headline: np.ndarray, previous: np.ndarray, heading: np.ndarray) -> np.ndarray:
    """Unit vectors of answer passages with their context (rows: one per passage; a missing
    previous sentence or heading is a zero row)."""
    v = own + _HEADLINE * headline + _PREV * previous + _HEADING * heading
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def context_vectors(passages: Sequence[tuple[str, str]], title: str) -> DocumentVectors:
    """The :class:`PassageVectors` of each ``(kind, text)`` passage of one document, in reading
    order. Every passage gets vectors (headings too, for the record), but only sentences and
    captions carry context."""
    if not passages:
        return DocumentVectors([], b"")
    kinds = [kind for kind, _ in passages]
    own = embedding.embed([text.lstrip("# ").strip() for _, text in passages] + [title])
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
    alone = embedding.to_int4(own[:-1])
    headline = embedding.to_int4(headline_vec.reshape(1, -1))[0].tobytes()
    return DocumentVectors(
        [PassageVectors(bits[i].tobytes(), alone[i].tobytes()) for i in range(len(kinds))], headline
    )
