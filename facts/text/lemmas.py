"""English lemmas of single words, so a question's "fell" finds an article's "fall".

simplemma's English table (no model, no download) does the work; a few news words it reads as
other words of the same spelling ("won", the currency; "left", the side) are set right here.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma

__all__ = ["lemma"]

_NEWS_VERBS = {"won": "win", "left": "leave", "lay": "lie", "found": "find", "saw": "see", "met": "meet"}


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The lemma of one lower-case word ("fell" -> "fall", "talks" -> "talk"); the word itself when
    the table does not know it."""
    return _NEWS_VERBS.get(word) or simplemma.lemmatize(word, lang="en").lower()
