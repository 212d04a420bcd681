"""Near-duplicate sentences: the same wire sentence carried, perhaps lightly edited, by two outlets.

Rule measured on news text (shared notes, section 4): word-3-shingle Jaccard >= 0.2, or
containment >= 0.8 when both sentences have at least 8 words. Lexical overlap, not
embeddings: embeddings also merge *related* sentences, which must stay apart.
"""

from __future__ import annotations

import re
import zlib
from array import array

from facts.stopwords import STOP_WORDS

__all__ = [
    "JACCARD_MIN",
    "anchors",
    "is_near_duplicate",
    "near_enough",
    "normalise",
    "numbers_in",
    "overlap",
    "pack",
    "shingles",
    "similarity",
    "tokens",
    "unpack",
]

JACCARD_MIN = 0.2
CONTAINMENT_MIN = 0.8
CONTAINMENT_WORDS = 8

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_US = re.compile(r"\b(?:u\.s\.a?\.?|usa|the united states(?: of america)?|united states)(?![a-z])")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_NUMBER = re.compile(r"(?<![\w.])\$?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|million|billion|thousand))?")


def normalise(text: str) -> str:
    """Lower-case, straight quotes, one token for the United States."""
    text = text.translate(_QUOTES).replace("``", '"').replace("''", '"').lower()
    return _US.sub("unitedstates", text)


def tokens(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def shingles(words: list[str]) -> set[int]:
    """Stable 31-bit hashes of word 3-grams; grams made only of stop words are left out.

    Each word is hashed once (crc32, cached) and the three are mixed arithmetically, so the
    values are the same in every process and on every run (``hash()`` is salted per process).
    """
    ids = [_word_id(w) for w in words]
    stop = [w in STOP_WORDS for w in words]
    out: set[int] = set()
    for i in range(len(words) - 2):
        if stop[i] and stop[i + 1] and stop[i + 2]:
            continue
        out.add(((ids[i] * 1_000_003) ^ (ids[i + 1] * 8_191) ^ ids[i + 2]) & 0x7FFFFFFF)
    return out


_WORD_IDS: dict[str, int] = {}


def _word_id(word: str) -> int:
    wid = _WORD_IDS.get(word)
    if wid is None:
        wid = zlib.crc32(word.encode())
        if len(_WORD_IDS) < 500_000:
            _WORD_IDS[word] = wid
    return wid


ANCHOR_EVERY = 4


def anchors(hashes: set[int] | frozenset[int]) -> set[int]:
    """The shingles a sentence is indexed by: about one in four, plus its two smallest.

    Any two sentences sharing k shingles share an anchor with probability of at least
    1 - (3/4)^k (k=10: 0.94), and identical sentences always do (their smallest hashes are
    equal), while the index holds a quarter of the rows.
    """
    picked = {h for h in hashes if h % ANCHOR_EVERY == 0}
    picked.update(sorted(hashes)[:2])
    return picked


def pack(hashes: set[int] | frozenset[int]) -> bytes:
    return array("I", sorted(hashes)).tobytes()


def unpack(blob: bytes) -> set[int]:
    values = array("I")
    values.frombytes(blob)
    return set(values)


def similarity(a: set[int], b: set[int]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    shared = len(a & b)
    return shared / len(a | b), shared / min(len(a), len(b))


def is_near_duplicate(a: set[int], b: set[int], words_a: int, words_b: int) -> bool:
    jac, cont = similarity(a, b)
    return near_enough(jac, cont, words_a, words_b)


def overlap(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    """(Jaccard, containment) from the count of shared shingles and the two set sizes."""
    union = size_a + size_b - shared
    smaller = min(size_a, size_b)
    return (shared / union if union else 0.0), (shared / smaller if smaller else 0.0)


def near_enough(jaccard: float, containment: float, words_a: int, words_b: int) -> bool:
    if jaccard >= JACCARD_MIN:
        return True
    return containment >= CONTAINMENT_MIN and min(words_a, words_b) >= CONTAINMENT_WORDS


def numbers_in(text: str) -> list[str]:
    """Quantities a reader would check between two versions of one sentence ("$45 million", "12%")."""
    found = []
    for m in _NUMBER.finditer(text):
        value = m.group(0).replace(" ", "").replace("percent", "%")
        digits = value.replace(",", "").replace("$", "")
        if len(digits) == 4 and digits.isdigit() and 1800 <= int(digits) <= 2100:
            continue  # a year: dates are compared separately
        found.append(value)
    return found
