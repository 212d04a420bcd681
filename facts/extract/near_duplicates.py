"""Near-duplicate sentences: the same wire sentence carried, perhaps lightly edited, by two outlets.

Rule measured on news text (shared notes, section 4): word-3-shingle Jaccard >= 0.2, or
containment >= 0.8 when both sentences have at least 8 words. Lexical overlap, not
embeddings: embeddings also merge *related* sentences, which must stay apart.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections.abc import Callable, Container

from facts.text.stopwords import STOP_WORDS

__all__ = [
    "JACCARD_MIN",
    "anchors",
    "is_near_duplicate",
    "near_enough",
    "normalise",
    "numbers_in",
    "overlap",
    "pack",
    "shingle_list",
    "shingles",
    "similarity",
    "spread_through",
    "tokens",
    "unpack",
]

JACCARD_MIN = 0.2
CONTAINMENT_MIN = 0.8
CONTAINMENT_WORDS = 8
SPREAD_FREE = 0.5  # from here on two sentences are one whatever part of them is shared

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


def shingle_list(words: list[str]) -> list[int | None]:
    """The 3-gram hashes of :func:`shingles` in sentence order, ``None`` for stop-word-only grams.

    Only the rare pairs the stock-clause guard looks at need the order, so the hot path above
    builds the set directly.
    """
    ids = [_word_id(w) for w in words]
    stop = [w in STOP_WORDS for w in words]
    out: list[int | None] = []
    for i in range(len(words) - 2):
        if stop[i] and stop[i + 1] and stop[i + 2]:
            out.append(None)
        else:
            out.append(((ids[i] * 1_000_003) ^ (ids[i + 1] * 8_191) ^ ids[i + 2]) & 0x7FFFFFFF)
    return out


def spread_through(words: list[str], other: Container[int]) -> bool:
    """Whether the 3-grams ``words`` shares with ``other`` reach both its first and last third.

    Two different facts often share a stock clause ("the two governments said in a joint
    statement that ...", "..., the ministry said on Monday"): enough 3-grams for the Jaccard
    rule, all bunched at one end. An edited copy of one sentence shares text on both sides of
    the edit.
    """
    grams = shingle_list(words)
    hits = [i for i, h in enumerate(grams) if h is not None and h in other]
    n = len(grams)
    return bool(hits) and hits[0] * 3 < n and hits[-1] * 3 >= 2 * n - 3


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


def is_near_duplicate(
    a: set[int], b: set[int], words_a: int, words_b: int, *, tokens_a: list[str] | None = None
) -> bool:
    """The rule on two shingle sets; with ``tokens_a`` (the words of ``a``) the stock-clause check
    applies too (see :func:`near_enough`)."""
    jac, cont = similarity(a, b)
    spread = (lambda: spread_through(tokens_a, b)) if tokens_a is not None else None
    return near_enough(jac, cont, words_a, words_b, spread=spread)


def overlap(shared: int, size_a: int, size_b: int) -> tuple[float, float]:
    """(Jaccard, containment) from the count of shared shingles and the two set sizes."""
    union = size_a + size_b - shared
    smaller = min(size_a, size_b)
    return (shared / union if union else 0.0), (shared / smaller if smaller else 0.0)


def near_enough(
    jaccard: float,
    containment: float,
    words_a: int,
    words_b: int,
    *,
    spread: Callable[[], bool] | None = None,
) -> bool:
    """The measured rule (Jaccard >= 0.2, or containment >= 0.8 with >= 8 words each), with one
    guard: below Jaccard 0.5 the shared text must run through the sentence (``spread``, when
    given), not only fill one end of it."""
    if containment >= CONTAINMENT_MIN and min(words_a, words_b) >= CONTAINMENT_WORDS:
        return True
    if jaccard >= SPREAD_FREE:
        return True
    if jaccard >= JACCARD_MIN:
        return spread() if spread is not None else True
    return False


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
