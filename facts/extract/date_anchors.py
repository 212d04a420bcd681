"""Anchors for expressions dated by a known event ("shortly after his inauguration").

First the document itself ("was inaugurated on Jan. 20"); failing that, the public record of
US presidential inaugurations, keyed by the surname the sentence names. An anchor that
cannot be found leaves the expression undated rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re

from facts.text.prefilter import fold_lower, has_any

__all__ = ["inauguration_anchor", "mentions_inauguration"]

# Public record: the dates US presidents took office (first and later terms).
_US_INAUGURATIONS: dict[str, tuple[dt.date, ...]] = {
    "clinton": (dt.date(1993, 1, 20), dt.date(1997, 1, 20)),
    "bush": (dt.date(2001, 1, 20), dt.date(2005, 1, 20)),
    "obama": (dt.date(2009, 1, 20), dt.date(2013, 1, 20)),
    "trump": (dt.date(2017, 1, 20), dt.date(2025, 1, 20)),
    "biden": (dt.date(2021, 1, 20),),
}
_INAUGURATION = re.compile(r"\binaugurat\w*|\bsworn in\b|\btook office\b", re.I)
_INAUGURATION_WORDS = ("inaugurat", "sworn in", "took office")
_SURNAME = re.compile(r"\b(?:President|Mr\.|former President)\s+(?:[A-Z][a-z]+\s+)?([A-Z][a-z]+)")


def mentions_inauguration(sentence: str) -> bool:
    """Could the sentence need an inauguration anchor? (cheap; callers skip building context)"""
    return has_any(fold_lower(sentence), _INAUGURATION_WORDS) and _INAUGURATION.search(sentence) is not None


def inauguration_anchor(sentence: str, context: str, published: dt.date) -> dt.date | None:
    """The inauguration a sentence refers to, from the sentence's named president.

    ``context`` is the text before the sentence in the same document; the nearest
    "President X" before or in the sentence is taken as "his".
    """
    if not mentions_inauguration(sentence):
        return None
    names = _SURNAME.findall(sentence) or _SURNAME.findall(context)[-1:]
    for name in names:
        dates = [d for d in _US_INAUGURATIONS.get(name.lower(), ()) if d <= published]
        if dates:
            return dates[-1]
    return None
