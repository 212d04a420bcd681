"""Cheap tests that prove a slow pattern cannot match, so it need not be run.

A case-insensitive pattern (``re.IGNORECASE``) only matches text whose lower-cased form holds
the pattern's literal words. :func:`fold_lower` is that lower-cased form, made safe for the
four non-ASCII characters ``re`` folds onto an ASCII letter while ``str.lower`` does not
("İ", "ı", "ſ" and the Kelvin sign), so a substring test on it may skip a pattern but can
never skip a match.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["fold_lower", "has_any", "has_digit"]

# Every non-ASCII character that re.IGNORECASE equates with an ASCII letter (checked over all
# of Unicode in tests/test_prefilter.py), mapped to that letter.
_RE_FOLDS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
_FOLD_TABLE = str.maketrans(_RE_FOLDS)
_ODD = re.compile("[" + "".join(_RE_FOLDS) + "]")


@lru_cache(maxsize=512)
def fold_lower(text: str) -> str:
    """``text.lower()``, with the characters ``re`` folds onto ASCII letters folded the same way.

    Cached: one sentence is lower-cased by several extractors in turn.
    """
    if not text.isascii() and _ODD.search(text):
        text = text.translate(_FOLD_TABLE)
    return text.lower()


def has_any(low: str, words: tuple[str, ...]) -> bool:
    """Does the folded text ``low`` hold one of the lower-case literals ``words``?"""
    return any(map(low.__contains__, words))


_DIGIT = re.compile(r"\d")


def has_digit(text: str) -> bool:
    """``re.search(r"\\d", text) is not None``, faster on ASCII text."""
    if any(d in text for d in "0123456789"):
        return True
    return not text.isascii() and _DIGIT.search(text) is not None
