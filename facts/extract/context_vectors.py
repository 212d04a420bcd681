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

__all__ = ["ANSWER_KINDS", "PassageVectors", "context_vectors"]

ANSWER_KINDS = ("sentence", "caption")
_PREV, _HEADING, _HEADLINE = 0.5, 0.3, 0.3


@dataclass(frozen=True)
class PassageVectors:
    """What the store keeps per passage: sign bits (Hamming prefilter), the vector with its
    context and the sentence's own vector, as bytes."""

    bits: bytes
    vec: bytes
    svec: bytes


def context_vectors(passages: Sequence[tuple[str, str]], title: str) -> list[PassageVectors]:
    """One :class:`PassageVectors` per ``(kind, text)`` passage of one document, in reading order.

    Every passage gets vectors (headings too, for the record), but only sentences and captions
    carry context.
    """
    if not passages:
        return []
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
    v = (
        own[:-1][answer]
        + _HEADLINE * headline_vec
        + _PREV * padded[prev_of[answer]]
        + _HEADING * padded[heading_of[answer]]
    )
    mixed[answer] = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
    bits = embedding.pack_bits(mixed)
    vecs = embedding.to_int8(mixed)
    alone = embedding.to_int8(own[:-1])
    return [
        PassageVectors(bits[i].tobytes(), vecs[i].tobytes(), alone[i].tobytes()) for i in range(len(kinds))
    ]
