"""Static word embeddings for /ask, from the model inside the ``wordllama`` wheel.

Nothing is downloaded, ever: the model and its tokenizer ship in the wheel, and the loader is
pointed at the package folder with downloads disabled (its default looks for the tokenizer in a
folder that does not exist and then asks the network). The model loads once per process, on first
use. The store keeps 32 bytes of signs of each passage's vector with context (binary quantised,
for a Hamming prefilter); a question's candidates are embedded again from their text.
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

__all__ = ["DIM", "embed", "pack_bits"]

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
        rows = pooling.table[flat]
        ends = np.cumsum(lengths).tolist()
        # A sum per text over its slice: ``np.add.reduceat`` along rows is about six times slower.
        for i, (start, end) in enumerate(zip([0, *ends[:-1]], ends, strict=True)):
            if end > start:
                raw[i] = rows[start:end].sum(axis=0) / (end - start)
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    return np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)


def pack_bits(vectors: np.ndarray) -> np.ndarray:
    """Signs of each coordinate, 256 bits packed into 4 ``uint64`` per vector."""
    bits = np.packbits(vectors > 0, axis=1)
    return bits.view(np.uint64).reshape(len(vectors), DIM // 64)
