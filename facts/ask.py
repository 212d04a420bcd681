"""/ask: hybrid retrieval (FTS5 bm25 candidates plus nearest stored vectors), then an answer check.

Every candidate sentence is scored on the question's words (weighted by rarity, found in the
sentence or, for less, in its context: previous sentence, section heading, headline), the
countries it names (any form), and the cosine between the question's embedding and the
sentence's, with and without context. A line answers only when it also holds what the question's
kind asks for (:func:`facts.answer_check.holds_answer`) and its score reaches ``ANSWER_SCORE``;
otherwise the answer says the documents do not say, and shows the nearest passage, labelled so.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from facts import embedding
from facts.answer_check import holds_answer
from facts.countries import find_countries
from facts.entities import find_entities
from facts.question import Question, country_forms, read_question
from facts.records import PassageHit
from facts.store import FactStore

__all__ = ["ANSWER_SCORE", "NEAREST_LABEL", "Scored", "rank_candidates", "retrieve"]

ANSWER_SCORE = 0.25  # calibrated on the development /ask questions (see README, "How it works")
ANSWER_MARGIN = 0.15  # lines this close to the best answering line are shown with it
# Figures and dates change over time: each report of one is worth showing, so a wider margin.
CHANGING_MARGIN = 0.18
FTS_CANDIDATES = 80
VECTOR_CANDIDATES = 120
RESCORED = 60  # candidates given the full (slower) scoring
COMMON = 2000  # passages holding a word beyond which it is not ranked on (see _idf)
NEAREST_LABEL = "Nearest passage (not an answer)"
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class Scored:
    hit: PassageHit
    score: float
    answers: bool  # holds what the question's kind asks for


_LOWER_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _words(text: str) -> set[str]:
    """Lower-case words (a possessive's "s" becomes a word of its own, which matches nothing)."""
    return set(_LOWER_WORD.findall(text.lower()))


def _has(term: str, words: set[str], stems: set[str]) -> bool:
    return term in words or (len(term) >= 5 and term[:5] in stems)


def _fts_query(q: Question, common: set[str]) -> str:
    """Rare words OR'ed (bm25 over words in thousands of passages is slow and says little;
    with only common words, all of them must appear)."""
    rare = [t for t in q.words if t not in common]
    if not rare and q.words:
        return " AND ".join(f'"{t}"' for t in q.words)
    parts = [f'"{t}"' for t in rare]
    for code in q.countries:
        parts += [f'"{f}"' for f in country_forms(code) if len(f) > 2 and "." not in f and f not in common]
    return " OR ".join(dict.fromkeys(p.replace("'", " ").replace("’", " ") for p in parts))


def rank_candidates(
    q: Question, qvec: np.ndarray, cands: Sequence[tuple[PassageHit, str, np.ndarray]], idf: dict[str, float]
) -> list[Scored]:
    """Score ``(hit, context, context_vector)`` candidates for ``q``; best first.

    A cheap first pass (words, context vector) keeps the best ``RESCORED``; only those are
    embedded alone, searched for countries and people, and checked for the answer's kind.
    """
    if not cands:
        return []
    total = sum(idf.get(t, 1.0) for t in q.words) or 1.0
    first: list[tuple[float, float, PassageHit, str, float]] = []
    for hit, context, cvec in cands:
        sw, cw = _words(hit.text), _words(context)
        s_stems, c_stems = {w[:5] for w in sw}, {w[:5] for w in cw}
        in_s = sum(idf.get(t, 1.0) for t in q.words if _has(t, sw, s_stems))
        in_c = sum(idf.get(t, 1.0) for t in q.words if not _has(t, sw, s_stems) and _has(t, cw, c_stems))
        lexical = (in_s + 0.5 * in_c) / total
        near = float(cvec @ qvec)
        first.append((0.45 * lexical + 0.55 * near, lexical, hit, context, near))
    first.sort(key=lambda f: -f[0])
    first = first[:RESCORED]
    own = embedding.embed([f[2].text for f in first])
    out: list[Scored] = []
    for (_, lexical, hit, context, near), svec in zip(first, own, strict=True):
        place, elsewhere = 1.0, False
        if q.countries:
            s_codes = {m.country.code for m in find_countries(hit.text)}
            c_codes = {m.country.code for m in find_countries(context)}
            found = (1.0 if c in s_codes else 0.6 if c in c_codes else 0.0 for c in q.countries)
            place = sum(found) / len(q.countries)
            elsewhere = not all(c in s_codes or c in c_codes for c in q.countries)
        semantic = 0.5 * near + 0.5 * float(svec @ qvec)
        score = (0.45 * lexical + 0.55 * semantic) * (0.6 + 0.4 * place)
        if q.kind == "who":  # the more people named, the likelier the line says who
            score += min(0.16, 0.04 * sum(e.kind == "person" for e in find_entities(hit.text)))
        # A line about somewhere else does not answer a question about a named country.
        out.append(Scored(hit, score, not elsewhere and holds_answer(q, hit.text, context)))
    out.sort(key=lambda s: -s.score)
    return out


async def _idf(store: FactStore, q: Question) -> tuple[dict[str, float], set[str]]:
    """Inverse document frequency of the question's words, and the words too common to rank by
    (counts stop at ``COMMON``, so a word in a million passages costs what one in 2,000 does)."""
    n = max(await store.passage_count(), 100)
    idf: dict[str, float] = {}
    common: set[str] = set()
    forms = [f for c in q.countries for f in country_forms(c) if len(f) > 2 and "." not in f]
    for t in [*q.words, *forms]:
        df = await store.count_passages(f'"{t.replace(chr(34), "")}"', cap=COMMON)
        if df >= COMMON:
            common.add(t)
        idf[t] = math.log((n + 1) / (df + 1)) + 0.5
    return idf, common


async def retrieve(store: FactStore, question: str) -> tuple[Question, list[Scored]]:
    """The question read, and its candidate lines scored, best first."""
    q = read_question(question)
    qvec = embedding.embed([question])[0]
    ids: list[int] = []
    idf, common = await _idf(store, q) if q.words else ({}, set())
    match = _fts_query(q, common)
    if match:
        ids += [h.passage_id for h in await store.search_passages(match, limit=FTS_CANDIDATES)]
    ids += await store.nearest_passages(qvec, VECTOR_CANDIDATES)
    found = await store.ask_passages(list(dict.fromkeys(ids)))
    vecs = embedding.from_int8([p.vec or bytes(embedding.DIM) for p in found])
    cands = [(p.hit, p.context, v) for p, v in zip(found, vecs, strict=True)]
    scored = rank_candidates(q, qvec, cands, idf)
    if q.years:
        scored = _by_year(q, scored)
    return q, scored


def _by_year(q: Question, scored: list[Scored]) -> list[Scored]:
    """Lines from documents of the asked years first (a year is a filter, not a word)."""
    years = {str(y) for y in q.years}

    def key(s: Scored) -> tuple[bool, float]:
        published = s.hit.doc.published[:4]
        in_text = any(y in s.hit.text for y in years)
        return (not (published in years or in_text), -s.score)

    return sorted(scored, key=key)


def answering(scored: Sequence[Scored], limit: int, kind: str = "what") -> list[Scored]:
    """The lines that answer: of the right kind, above the calibrated score, near the best."""
    good = [s for s in scored if s.answers and s.score >= ANSWER_SCORE]
    if not good:
        return []
    margin = CHANGING_MARGIN if kind in ("when", "figure") else ANSWER_MARGIN
    best = good[0].score
    return [s for s in good if s.score >= best - margin][:limit]


def label_nearest(items: list) -> list:
    return [dataclasses.replace(it, group=NEAREST_LABEL) for it in items]
