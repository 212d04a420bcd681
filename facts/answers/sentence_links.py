"""Links to the cited sentence itself on the publisher's page: URL text fragments.

A citation's link is the article's url with a text directive (``#:~:text=start,end``, the WICG
Text Fragments spec): a browser that supports it scrolls to the first match of ``start`` and
highlights through the first match of ``end`` after it. The words are chosen against the
article's own text: ``start`` grows until its first occurrence in the article is the cited
sentence's (a sentence that opens like an earlier one gets more words), and ``end`` until its
first occurrence after that is where the sentence ends. A short sentence is given whole.

Matching in browsers ignores case and collapses white space, so both are normalised here too.
The values are percent-encoded as the spec requires: ``&``, ``,`` and ``-`` are syntax there
and are always encoded, as is everything outside the unreserved characters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import quote

from facts.answers.contract import Answer, Citation

__all__ = ["EDGE_WORDS", "link_sentences", "sentence_url", "text_directive"]

EDGE_WORDS = 4  # words at each end of a long sentence; a sentence of up to twice that goes whole


class BodyReader(Protocol):
    async def document_bodies(self, doc_ids: Sequence[int]) -> dict[int, str]: ...


def _encode(words: Sequence[str]) -> str:
    return quote(" ".join(words), safe="").replace("-", "%2D")


def _first(haystack: str, needle: str, start: int = 0) -> int:
    return haystack.find(needle, start)


def text_directive(body: str, sentence: str) -> str:
    """``text=…`` for ``sentence`` as it stands in ``body`` (the article's text)."""
    words = sentence.split()
    if not words:
        return ""
    low = [w.casefold() for w in words]
    page = " ".join(body.split()).casefold()
    whole = " ".join(low)
    at = page.find(whole)
    n = len(words)
    if n <= 2 * EDGE_WORDS:
        return "text=" + _encode(words)
    k = EDGE_WORDS
    # The start: its first occurrence on the page must be the sentence's own.
    while at >= 0 and k < n and _first(page, " ".join(low[:k])) != at:
        k += 1
    if k + EDGE_WORDS >= n:
        return "text=" + _encode(words)
    start_end = at + len(" ".join(low[:k]))
    sentence_end = at + len(whole)
    e = EDGE_WORDS
    # The end: its first occurrence after the start must close the sentence.
    while at >= 0 and k + e < n:
        end = " ".join(low[n - e :])
        if _first(page, end, start_end) + len(end) == sentence_end:
            break
        e += 1
    if k + e >= n:
        return "text=" + _encode(words)
    return f"text={_encode(words[:k])},{_encode(words[n - e :])}"


def sentence_url(url: str, body: str, sentence: str) -> str:
    """``url`` pointing at ``sentence`` on its page (``url`` unchanged when there is no sentence
    or no web address to point into)."""
    directive = text_directive(body, sentence)
    if not directive or not url.startswith(("http://", "https://")):
        return url
    return f"{url}{':~:' if '#' in url else '#:~:'}{directive}"


async def link_sentences(store: BodyReader, answer: Answer) -> Answer:
    """Give every citation of ``answer`` its link to the quoted sentence (in place)."""
    docs = {s.n: s for s in answer.sources}
    cited = sorted(
        {docs[c.source].doc_id for it in answer.items for c in it.citations if c.source in docs and not c.url}
    )
    if not cited:  # nothing cited, or every citation linked already (a digest built, then previewed)
        return answer
    bodies = await store.document_bodies(cited)

    def linked(c: Citation) -> Citation:
        src = docs.get(c.source)
        if src is None or not src.url or c.url:
            return c
        return dataclasses.replace(c, url=sentence_url(src.url, bodies.get(src.doc_id, ""), c.quote))

    answer.items = [
        dataclasses.replace(it, citations=tuple(linked(c) for c in it.citations)) for it in answer.items
    ]
    return answer
