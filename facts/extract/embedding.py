"""Static word embeddings for /ask, from the model inside the ``wordllama`` wheel.

Nothing is downloaded, ever: the model and its tokenizer ship in the wheel, and the loader is
pointed at the package folder with downloads disabled (its default looks for the tokenizer in a
folder that does not exist and then asks the network). The model loads once per process, on first
use. The store keeps each passage's own vector at 4 bits a coordinate (:func:`to_int4`, 128 bytes)
and 32 bytes of signs of its vector with context (binary quantised, for a Hamming prefilter);
:func:`to_int8` is the finer form for callers that can afford 256 bytes.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DIM", "INT4_BYTES", "embed", "from_int4", "from_int8", "pack_bits", "to_int4", "to_int8"]

DIM = 256
_lock = threading.Lock()


@cache
def _model() -> Any:
    import wordllama
    from wordllama import WordLlama

    with _lock:
        return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True, dim=DIM)


@dataclass(frozen=True)
class _Pooling:
    """The model's token table and a copy of its tokenizer without padding."""

    table: np.ndarray  # (vocabulary, DIM) float32
    tokenizer: Any


@cache
def _pooling() -> _Pooling:
    model = _model()
    tokenizer = copy.deepcopy(model.tokenizer)  # the model's own keeps the padding it relies on
    tokenizer.no_padding()
    return _Pooling(model.embedding, tokenizer)


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors (float32, ``len(texts) x DIM``); an empty text gets a zero vector.

    The mean of the text's token vectors, as wordllama's ``embed`` computes it, but without
    padding every text of a batch to the longest and with the tokenizer's fast path (no
    offsets): about half the cost at ingest, where every passage is embedded.
    """
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    pooling = _pooling()
    ids = [e.ids for e in pooling.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)]
    lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
    total = int(lengths.sum())
    raw = np.zeros((len(ids), DIM), dtype=np.float32)
    if total:
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=total)
        np.clip(flat, 0, len(pooling.table) - 1, out=flat)
        filled = lengths > 0
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[filled]
        sums = np.add.reduceat(pooling.table[flat], starts, axis=0, dtype=np.float32)
        raw[filled] = sums / lengths[filled, None].astype(np.float32)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    return np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)


def to_int8(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors as signed bytes: each coordinate scaled so the largest is ±127."""
    peak = np.maximum(np.abs(vectors).max(axis=1, keepdims=True), 1e-9)
    return np.round(vectors / peak * 127).astype(np.int8)


def from_int8(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored signed bytes back to unit vectors (float32)."""
    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    m = np.frombuffer(b"".join(blobs), dtype=np.int8).reshape(len(blobs), DIM).astype(np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)


INT4_BYTES = DIM // 2


def to_int4(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors as 4-bit codes, two per byte (``len x DIM/2`` uint8): each coordinate scaled
    so the largest is ±7. Half the bytes of :func:`to_int8`; the cosine it gives differs from the
    float one by about 0.01 (tests/test_ask_retrieval.py)."""
    peak = np.maximum(np.abs(vectors).max(axis=1, keepdims=True), 1e-9)
    codes = (np.round(vectors / peak * 7) + 8).astype(np.uint8)  # 1..15
    return (codes[:, 0::2] << 4) | codes[:, 1::2]


def from_int4(blobs: Sequence[bytes]) -> np.ndarray:
    """Stored 4-bit codes back to unit vectors (float32); an empty blob is a zero vector."""
    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    raw = np.frombuffer(b"".join(b or bytes(INT4_BYTES) for b in blobs), dtype=np.uint8)
    raw = raw.reshape(len(blobs), INT4_BYTES)
    m = np.empty((len(blobs), DIM), dtype=np.float32)
    m[:, 0::2] = (raw >> 4).astype(np.float32)
    m[:, 1::2] = (raw & 15).astype(np.float32)
    m -= 8
    m[m == -8] = 0  # a zero byte (missing vector) reads as zero, not as -8
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)


def pack_bits(vectors: np.ndarray) -> np.ndarray:
    """Signs of each coordinate, 256 bits packed into 4 ``uint64`` per vector."""
    bits = np.packbits(vectors > 0, axis=1)
    return bits.view(np.uint64).reshape(len(vectors), DIM // 64)
