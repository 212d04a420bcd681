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

__all__ = ["finditer_at", "fold_lower", "has_any", "has_digit", "word_starts"]

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


def word_starts(text: str, words: tuple[str, ...], *, fold: bool = True) -> list[int]:
    """Sorted offsets where a word of ``text`` (no ``\\w`` before it) begins with one of ``words``.

    For a pattern that opens with ``\\b`` and then one of a few words, these are the only places
    a match can begin, and a few ``str.find`` calls cost less than ``re`` trying every character.
    ``fold``: the words are case-insensitive (found in :func:`fold_lower`), else as written.
    """
    subject = fold_lower(text) if fold else text
    found: set[int] = set()
    for word in words:
        i = subject.find(word)
        while i >= 0:
            if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
                found.add(i)
            i = subject.find(word, i + 1)
    return sorted(found)


def finditer_at(rx: re.Pattern[str], text: str, starts: list[int]) -> list[re.Match[str]]:
    """``list(rx.finditer(text))`` for a pattern whose every match is non-empty and begins at one of
    ``starts``: the leftmost match, then the next one from where it ended, and so on."""
    out: list[re.Match[str]] = []
    end = 0
    for start in starts:
        if start < end:
            continue
        m = rx.match(text, start)
        if m is not None:
            out.append(m)
            end = m.end()
    return out


def has_any(low: str, words: tuple[str, ...]) -> bool:
    """Does the folded text ``low`` hold one of the lower-case literals ``words``?"""
    return any(map(low.__contains__, words))


_DIGIT = re.compile(r"\d")


def has_digit(text: str) -> bool:
    """``re.search(r"\\d", text) is not None``, faster on ASCII text."""
    if any(d in text for d in "0123456789"):
        return True
    return not text.isascii() and _DIGIT.search(text) is not None
