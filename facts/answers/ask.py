"""/ask: hybrid retrieval (FTS5 bm25 candidates plus nearest stored vectors), then an answer check.

Every candidate sentence is scored on the question's words (weighted by rarity, found in the
sentence or, for less, in its context: previous sentence, section heading, headline), the
countries it names (any form), and the cosine between the question's embedding and the
sentence's, with and without context. A line answers only when it also holds what the question's
kind asks for (:func:`facts.answers.answer_check.holds_answer`) and its score reaches ``ANSWER_SCORE``;
otherwise the answer says the documents do not say, and shows the nearest passage, labelled so.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from facts.answers.answer_check import asked_events, figure_near, figures_of, holds_answer, in_period
from facts.answers.question import Question, country_forms, read_question
from facts.extract import embedding
from facts.extract.entities import find_entities
from facts.store.protocols import PassageQuery, PassageSearch
from facts.store.rows import PassageHit

__all__ = ["ANSWER_SCORE", "NEAREST_LABEL", "Scored", "rank_candidates", "retrieve"]

ANSWER_SCORE = 0.25  # calibrated on the development /ask questions (see README, "How it works")
# A when-line whose date shares a clause with the asked event ("ruled on Wednesday" for "when did
# the judges throw out the plan") has passed a check strong enough to need less relevance.
BOUND_SCORE = 0.20
ANSWER_MARGIN = 0.15  # lines this close to the best answering line are shown with it
# Figures and dates change over time: each report of one is worth showing, so a wider margin.
CHANGING_MARGIN = 0.18
NEAR_FLOOR = 0.6  # of the floor: the least a line shown beside a passing best one may score
FIGURE_BONUS = 0.08  # a figure question's line with an amount next to one of the question's words
FIGURE_REACH = 0.3  # how far below the best a line giving a different figure is still shown
FIGURE_FLOOR = 0.75 * ANSWER_SCORE  # ... and the least it may score (the best must pass ANSWER_SCORE)
FTS_CANDIDATES = 80
VECTOR_CANDIDATES = 120
RESCORED = 60  # candidates given the full (slower) scoring
COMMON = 2000  # passages holding a word beyond which it is not ranked on (see _idf)
RANKED_MATCHES = 4000  # passages bm25 ranks for one question at most: its rarest words first
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


def _words_query(q: Question, common: set[str], absent: set[str] = frozenset()) -> PassageQuery:  # type: ignore[assignment]
    """Rare words, any of them (bm25 over words in thousands of passages is slow and says little;
    with only common words, all of them must appear); words in no passage are left out. An
    apostrophe splits a word into a phrase ("d'Ivoire": "d ivoire")."""
    rare = [t for t in q.words if t not in common and t not in absent]
    if not rare and q.words and not absent.intersection(q.words):
        return PassageQuery.all_of(q.words)
    parts = list(rare)
    for code in q.countries:
        skip = common | absent
        parts += [f for f in country_forms(code) if len(f) > 2 and "." not in f and f not in skip]
    return PassageQuery.any_of(dict.fromkeys(p.replace("'", " ").replace("’", " ") for p in parts))


Vector = np.ndarray


def _country_pattern(code: str) -> re.Pattern[str]:
    """Every prose form of one country as one case-sensitive pattern (compiled once per country)."""
    return _country_patterns(code)


@cache
def _country_patterns(code: str) -> re.Pattern[str]:
    forms = sorted((f for f in country_forms(code) if len(f) > 1), key=len, reverse=True)
    if not forms:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w])")


def rank_candidates(
    q: Question,
    qvec: np.ndarray,
    cands: Sequence[tuple[PassageHit, str, np.ndarray] | tuple[PassageHit, str, np.ndarray, Vector | None]],
    idf: dict[str, float],
) -> list[Scored]:
    """Score ``(hit, context, context_vector[, sentence_vector])`` candidates for ``q``; best first.

    A cheap first pass (words, context vector; one matrix product) keeps the best ``RESCORED``;
    only those get the sentence-alone cosine (stored at ingest; embedded here only for rows
    stored before it was kept), the country forms and the check for the answer's kind.
    """
    if not cands:
        return []
    total = sum(idf.get(t, 1.0) for t in q.words) or 1.0
    weights = [(t, idf.get(t, 1.0)) for t in q.words]
    lexical = np.zeros(len(cands), dtype=np.float32)
    seen: dict[str, tuple[set[str], set[str]]] = {}  # contexts repeat (one headline per document)

    def read(text: str) -> tuple[set[str], set[str]]:
        if text not in seen:
            ws = _words(text)
            seen[text] = (ws, {w[:5] for w in ws})
        return seen[text]

    for i, cand in enumerate(cands):
        sw, s_stems = read(cand[0].text)
        cw, c_stems = read(cand[1])
        got = 0.0
        for t, w in weights:
            if _has(t, sw, s_stems):
                got += w
            elif _has(t, cw, c_stems):
                got += 0.5 * w
        lexical[i] = got / total
    cvecs = np.stack([c[2] for c in cands]).astype(np.float32, copy=False)
    near = cvecs @ qvec
    first = 0.45 * lexical + 0.55 * near
    keep = np.argsort(-first, kind="stable")[:RESCORED]
    svecs: list[np.ndarray | None] = [cands[i][3] if len(cands[i]) > 3 else None for i in keep]  # type: ignore[misc]
    missing = [j for j, v in enumerate(svecs) if v is None]
    if missing:
        fresh = embedding.embed([cands[keep[j]][0].text for j in missing])
        for j, v in zip(missing, fresh, strict=True):
            svecs[j] = v
    own = np.stack(svecs) @ qvec  # type: ignore[arg-type]
    patterns = [_country_pattern(c) for c in q.countries]
    out: list[Scored] = []
    for j, i in enumerate(keep):
        hit, context = cands[i][0], cands[i][1]
        place, elsewhere = 1.0, False
        if patterns:
            found = [1.0 if p.search(hit.text) else 0.6 if p.search(context) else 0.0 for p in patterns]
            place = sum(found) / len(patterns)
            elsewhere = 0.0 in found
        semantic = 0.5 * float(near[i]) + 0.5 * float(own[j])
        score = (0.45 * float(lexical[i]) + 0.55 * semantic) * (0.6 + 0.4 * place)
        if q.kind == "figure" and figure_near(q, hit.text):  # the asked thing's own amount
            score += FIGURE_BONUS
        if q.kind == "who":  # the more people named, the likelier the line says who
            score += min(0.16, 0.04 * sum(e.kind == "person" for e in find_entities(hit.text)))
        # A line about somewhere else does not answer a question about a named country.
        answers = not elsewhere and holds_answer(q, hit.text, context)
        out.append(Scored(hit, score, answers and in_period(q, hit.doc.published, hit.text, context)))
    out.sort(key=lambda s: -s.score)
    return out


async def _idf(store: PassageSearch, q: Question) -> tuple[dict[str, float], set[str], set[str]]:
    """Inverse document frequency of the question's words, and the words not to rank by: too
    common (counts stop at ``COMMON``, so a word in a million passages costs what one in 2,000
    does) or in no passage. All counted in one trip to the store's thread."""
    n = max(await store.passage_count(), 100)
    idf: dict[str, float] = {}
    common: set[str] = set()
    absent: set[str] = set()
    forms = [f for c in q.countries for f in country_forms(c) if len(f) > 2 and "." not in f]
    asked = list(dict.fromkeys([*q.words, *forms]))
    counts = await store.count_passages_each([PassageQuery.all_of([t]) for t in asked], cap=COMMON)
    for t, df in zip(asked, counts, strict=True):
        if df >= COMMON:
            common.add(t)
        elif df == 0:  # in no passage: not worth a phrase in bm25 (each costs per matching row)
            absent.add(t)
        idf[t] = math.log((n + 1) / (df + 1)) + 0.5
    # bm25 scores every passage holding any ranked word: past RANKED_MATCHES of them (a large
    # archive, several words each in a thousand passages) the commoner words are scored on the
    # candidates but not ranked on, so a question's cost does not grow with the archive.
    df_of = dict(zip(asked, counts, strict=True))
    ranked = 0
    for t in sorted((t for t in q.words if t not in common and t not in absent), key=lambda t: df_of[t]):
        ranked += df_of[t]
        if ranked > RANKED_MATCHES and ranked > df_of[t]:  # the rarest word is always ranked
            common.add(t)
    return idf, common, absent


async def retrieve(store: PassageSearch, question: str) -> tuple[Question, list[Scored]]:
    """The question read, and its candidate lines scored, best first."""
    q = read_question(question)
    qvec = embedding.embed([question])[0]
    ids: list[int] = []
    idf, common, absent = await _idf(store, q) if q.words else ({}, set(), set())
    if absent:  # a name no passage holds is the question's own wording, not a name to find
        q = dataclasses.replace(q, proper=tuple(p for p in q.proper if p.lower() not in absent))
    words = _words_query(q, common, absent)
    if words.phrases:
        # Only words in thousands of passages each: ranking their intersection costs a pass over
        # all of it (tens of ms on a large archive) and tells little, so the newest passages holding
        # them all are read instead (SQLite stops at the limit); the vectors bring the rest.
        crowded = all(t in common for t in q.words if t not in absent)
        found = await store.search_passages(words, limit=FTS_CANDIDATES, newest_first=crowded)
        ids += [h.passage_id for h in found]
    ids += await store.nearest_passages(qvec, VECTOR_CANDIDATES)
    found = await store.ask_passages(list(dict.fromkeys(ids)))
    cands = [(p.hit, p.context, p.vec, p.svec) for p in found]
    scored = rank_candidates(q, qvec, cands, idf)
    if q.years:
        scored = _by_year(q, scored)
    return q, scored


def answer_floor(q: Question) -> float:
    """The least score an answering line needs for ``q``: lower where the kind's check binds the
    answer to the asked event."""
    return BOUND_SCORE if q.kind == "when" and any(asked_events(q)) else ANSWER_SCORE


def _by_year(q: Question, scored: list[Scored]) -> list[Scored]:
    """Lines from documents of the asked years first (a year is a filter, not a word)."""
    years = {str(y) for y in q.years}

    def key(s: Scored) -> tuple[bool, float]:
        published = s.hit.doc.published[:4]
        in_text = any(y in s.hit.text for y in years)
        return (not (published in years or in_text), -s.score)

    return sorted(scored, key=key)


def answering(
    scored: Sequence[Scored], limit: int, kind: str = "what", floor: float = ANSWER_SCORE
) -> list[Scored]:
    """The lines that answer: of the right kind, above the calibrated score (``floor``), near the best.

    For a figure, each line reporting an amount not yet shown (an amount and its document's date)
    within ``FIGURE_REACH`` of the best, and above ``FIGURE_FLOOR``, is shown too (a term renewed
    for 90 days, then 90 again, then 60: every report with its date)."""
    good = [s for s in scored if s.answers and s.score >= floor]
    if not good:
        return []
    margin = CHANGING_MARGIN if kind in ("when", "figure") else ANSWER_MARGIN
    best = good[0].score
    # Once the best line passes, another answering line near it is shown though it scores under
    # the floor itself (a second outlet's "about to expire on February 5", worded further off).
    near = max(best - margin, NEAR_FLOOR * floor)
    shown = [s for s in scored if s.answers and s.score >= near]
    if kind == "figure":
        seen = {(f, s.hit.doc.published) for s in shown for f in figures_of(s.hit.text)}
        for s in scored:
            if s in shown or not s.answers or s.score < max(best - FIGURE_REACH, FIGURE_FLOOR):
                continue
            reports = {(f, s.hit.doc.published) for f in figures_of(s.hit.text)}
            if reports - seen:
                shown.append(s)
                seen |= reports
    return shown[:limit]


def label_nearest(items: list) -> list:
    return [dataclasses.replace(it, group=NEAREST_LABEL) for it in items]
