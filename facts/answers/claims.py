"""A message's checkable claims: the sentences that state something the documents could back.

A draft or a chat message mixes claims ("Freedonia signed the accord on 3 May") with talk ("can
someone check this?"). A sentence is a claim when it holds a figure, a date, a name (a
capitalised word past its first, or a country) or an agreement word, and is not a question or a
request. Sentences are cut as the passages of an article are (sentencex, per line), so a
pasted paragraph and a pasted list read alike.
"""

from __future__ import annotations

import re

import sentencex

from facts.countries import find_countries

__all__ = ["MAX_CLAIMS", "claims"]

MAX_CLAIMS = 6  # claims checked in one message; the rest are named as not checked
_MIN_WORDS = 4
_FIGURE = re.compile(r"\d")
_MONTH = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|yesterday|last (?:week|month|year))\b",
    re.IGNORECASE,
)
_AGREEMENT = re.compile(
    r"\b(?:agreements?|accords?|deals?|pacts?|treat(?:y|ies)|memorand(?:um|a)|signed|ratif\w*|sanction\w*)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]+")
_REQUEST = re.compile(r"^(?:can|could|would|will|please|pls|anyone|does anyone|is it|are we|should)\b", re.I)


def _is_claim(sentence: str) -> bool:
    if len(sentence.split()) < _MIN_WORDS or sentence.rstrip().endswith("?") or _REQUEST.match(sentence):
        return False
    return bool(
        _FIGURE.search(sentence)
        or _MONTH.search(sentence)
        or _AGREEMENT.search(sentence)
        or _NAME.search(sentence)
        or find_countries(sentence)
    )


def claims(text: str) -> list[str]:
    """The claims of ``text`` in their order, each once (whitespace collapsed)."""
    found: dict[str, None] = {}
    for line in text.splitlines():
        line = line.strip().lstrip("-*•>").strip()
        if not line:
            continue
        for bound in sentencex.get_sentence_boundaries("en", line):
            sentence = " ".join(line[bound["start_index"] : bound["end_index"]].split())
            if _is_claim(sentence):
                found.setdefault(sentence)
    return list(found)
