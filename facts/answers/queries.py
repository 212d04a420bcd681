"""The knowledge core's questions: agreement, timeline, search, ask and source.

Each takes typed arguments (a :class:`Country`, dates, a checked query) and a store and returns
an :class:`Answer`; it raises :class:`UsageError` / :class:`NotFound` when the store says no
(a page past the end, an unknown source). Reading chat text is the bot's job
(``bot/commands/queries.py``); the core sets ``Answer.command`` after the run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Sequence

from facts.answers.answer_lines import AnswerBuilder, cluster_by_event
from facts.answers.contract import Answer
from facts.answers.summary import agreement_periods, period_name, select_lines
from facts.countries import Country
from facts.errors import NotFound, UsageError
from facts.store.protocols import DocumentReader, PassageQuery, PassageSearch, SearchReader
from facts.store.rows import FactRow, PassageHit
from facts.text.clip import clip

__all__ = ["agreement", "ask", "search", "source", "terms", "timeline"]

SUMMARY_LINES = 12
TIMELINE_PAGE = 20
SEARCH_RESULTS = 10
ASK_RESULTS = 5
CROWDED = 2000  # matching passages beyond which relevance ranking is too slow to be worth it
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


_ECHOED = 60  # characters of what was typed that a reply repeats back


async def agreement(store: DocumentReader, country: Country) -> Answer:
    facts = await store.agreement_facts(country.code)
    title = f"Agreements with {country.name}"
    if not facts:
        return Answer(title=title, notes=[f"The documents report no agreement with {country.name}."])
    clusters = cluster_by_event(facts)
    chosen = select_lines(clusters, limit=SUMMARY_LINES)
    picked = [clusters[i] for i in chosen]
    periods = agreement_periods(picked)
    names = {
        p: period_name([c for c, q in zip(picked, periods, strict=True) if q == p]) for p in set(periods)
    }
    grouped = len(names) > 1
    b = AnswerBuilder(title)
    for cluster, p in sorted(zip(picked, periods, strict=True), key=lambda cp: (cp[1], _sort_key(cp[0]))):
        b.add_cluster(cluster, group=names[p] if grouped else None, clauses=True)
    more = len(clusters) - len(picked)
    if more > 0:
        b.answer.notes.append(f"{more} more reported lines; /search {country.slug} lists passages.")
    return b.answer


def _sort_key(cluster: Sequence[FactRow]) -> tuple[str, int]:
    from facts.answers.answer_lines import display_date

    date, _, _ = display_date(cluster)
    first = min(s.passage_index for f in cluster for s in f.sources)
    return (date or "9999", first)


async def timeline(
    store: DocumentReader, start: dt.date, end: dt.date, country: Country | None, page: int, *, again: str
) -> Answer:
    """Events dated in [start, end], the salient first, ``TIMELINE_PAGE`` a page; ``again`` is the
    years (and country) as the user wrote them, repeated in the hint to the next page."""
    facts = await store.range_facts(
        start.isoformat(), end.isoformat(), country=country.code if country else None
    )
    label = str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if start.month != 1 or end.month != 12:
        label = f"{start.isoformat()} to {end.isoformat()}"
    title = f"Timeline {label}" + (f" — {country.name}" if country else "")
    clusters = cluster_by_event(facts)
    b = AnswerBuilder(title)
    if not clusters:
        b.answer.notes.append(f"The documents date no events in {label}.")
        return b.answer
    ranked = sorted(clusters, key=lambda c: -max(f.salience + 0.75 * (len(f.sources) - 1) for f in c))
    pages = (len(ranked) + TIMELINE_PAGE - 1) // TIMELINE_PAGE
    if page > pages:
        raise UsageError(f"There are only {pages} page(s) for {label}.")
    shown = ranked[(page - 1) * TIMELINE_PAGE : page * TIMELINE_PAGE]
    for cluster in sorted(shown, key=lambda c: (min(f.date_start or "" for f in c), _sort_key(c))):
        b.add_cluster(cluster, clauses=True)
    if page < pages:
        rest = len(ranked) - page * TIMELINE_PAGE
        b.answer.notes.append(f"{rest} more — use /timeline {again} page {page + 1}")
    return b.answer


def terms(text: str) -> list[str]:
    """The words of a query, lower-cased, as search looks for them."""
    return [w.lower() for w in _WORD.findall(text)]


async def _cite_hits(
    b: AnswerBuilder,
    store: DocumentReader,
    hits: Sequence[PassageHit],
    limit: int,
    *,
    prefer_dated: bool = False,
) -> None:
    """One line per fact or event among the hits, in hit order; captions stand alone."""
    fact_ids = list(dict.fromkeys(h.fact_id for h in hits if h.fact_id is not None))
    facts = {f.id: f for f in await store.facts_by_ids(fact_ids)} if fact_ids else {}
    retracted = {i for i, f in facts.items() if f.status != "active"}
    hits = [h for h in hits if h.fact_id not in retracted]  # a retracted fact leaves every answer
    lines: list[list[FactRow] | PassageHit] = []
    cluster_of = {f.id: c for c in cluster_by_event(facts[i] for i in fact_ids if i in facts) for f in c}
    placed: set[int] = set()
    for h in hits:
        fact = facts.get(h.fact_id) if h.fact_id is not None else None
        if fact is None:
            lines.append(h)
            continue
        cluster = cluster_of.get(fact.id, [fact])
        if cluster[0].id not in placed:
            placed.add(cluster[0].id)
            lines.append(cluster)
    if prefer_dated:
        lines.sort(key=lambda line: isinstance(line, PassageHit) or not any(f.date_start for f in line))
    for line in lines[:limit]:
        if isinstance(line, PassageHit):
            b.add_passage(line.text, line.doc, caption=line.kind == "caption")
        else:
            b.add_cluster(line)


async def _matching(
    store: PassageSearch, query: PassageQuery, limit: int
) -> tuple[list[PassageHit], bool]:
    """Passages for a query, best first; for a query matching more than ``CROWDED``
    passages (common words), the most recently added first, and ``True``."""
    n = await store.count_passages(query, cap=CROWDED)
    if n == 0:
        return [], False
    crowded = n >= CROWDED
    return await store.search_passages(query, limit=limit, newest_first=crowded), crowded


async def search(store: SearchReader, text: str) -> Answer:
    """Passages with the words of ``text`` (already checked: it has some), best first."""
    words = terms(text)
    b = AnswerBuilder(f"Search: {clip(text, _ECHOED)}")
    hits: list[PassageHit] = []
    crowded = False
    for query in ([PassageQuery.all_of([" ".join(words)])] if len(words) > 1 else []) + [
        PassageQuery.all_of(words),
        PassageQuery.any_of(words),
    ]:
        found, crowded = await _matching(store, query, 40)
        known = {h.passage_id for h in hits}
        hits += [h for h in found if h.passage_id not in known]
        if len(hits) >= SEARCH_RESULTS:
            break
    await _cite_hits(b, store, hits, SEARCH_RESULTS)
    if not b.answer.items:
        b.answer.notes.append(f"No passage in the documents mentions {clip(text, _ECHOED)}.")
    elif crowded:
        b.answer.notes.append(
            f"More than {CROWDED:,} passages match {clip(text, _ECHOED)}: the most recently added come first."
            " More words narrow the search."
        )
    return b.answer


async def ask(store: SearchReader, question: str) -> Answer:
    """Hybrid retrieval, then an answer check (facts/answers/ask.py); says so when nothing answers.
    A question in two parts ("which date did X set, and what date did Y set instead?") is asked
    part by part: the lines answering either are shown, and a part nothing answers is said."""
    from facts.answers.ask import answer_floor, answering, label_nearest, retrieve
    from facts.answers.question import question_parts

    b = AnswerBuilder(f"Q: {clip(question, 120)}")
    parts = question_parts(question)
    # The whole question first, then each of its parts when it has two.
    asked = [await retrieve(store, text) for text in dict.fromkeys([question, *parts])]
    q, scored = asked[0]
    if not q.words and not q.countries:
        b.answer.notes.append("The documents do not say: the question names nothing to look for.")
        return b.answer
    found = [answering(sc, ASK_RESULTS, pq.kind, answer_floor(pq)) for pq, sc in asked]
    if len(parts) > 1 and any(found):
        # The lines of each part in turn (first of each, then second of each, …), then the rest.
        rounds = itertools.zip_longest(*found[1:], found[0])
        hits = list(dict.fromkeys(s.hit for line in rounds for s in line if s is not None))
        await _cite_hits(b, store, hits, ASK_RESULTS, prefer_dated=q.kind == "when")
        for part, lines in zip(parts, found[1:], strict=True):
            if not lines:
                b.answer.notes.append(f"The documents do not say: no passage answers “{clip(part, 120)}”.")
        return b.answer
    good = found[0]
    if good:
        await _cite_hits(b, store, [s.hit for s in good], ASK_RESULTS, prefer_dated=q.kind == "when")
        if q.kind in ("when", "figure") and len({it.date for it in b.answer.items}) > 1:
            b.answer.items.sort(key=lambda it: it.date or "9999")
            b.answer.notes.append(
                "The documents give different figures or dates over time; each is shown with its date."
            )
        return b.answer
    b.answer.notes.append(f"The documents do not say: no passage answers “{clip(question, 120)}”.")
    if scored:
        await _cite_hits(b, store, [scored[0].hit], 1)
        b.answer.items[:] = label_nearest(b.answer.items)
        b.answer.notes.append("The line shown is the nearest passage, not an answer.")
    return b.answer


async def check(store: SearchReader, text: str) -> Answer:
    """Each claim of a message (facts/answers/claims.py) asked as /ask asks a question: the lines
    that bear on it, under the claim, or "the documents do not say". Lines are what the documents
    say, never a verdict on the claim; a nearest passage that does not answer is not shown."""
    from facts.answers.ask import NEAREST_LABEL
    from facts.answers.claims import MAX_CLAIMS, claims

    found = claims(text)
    b = AnswerBuilder("What the documents say about the message's claims")
    if not found:
        b.answer.notes.append(
            "The message states nothing to check: no sentence with a figure, a date, a name or an agreement."
        )
    for i, claim in enumerate(found[:MAX_CLAIMS], 1):
        label = f"Claim {i}: {clip(claim, 150)}"
        asked = await ask(store, claim)
        lines = [it for it in asked.items if it.group != NEAREST_LABEL]
        known = {s.n for s in b.answer.sources}
        cited = {c.source for it in lines for c in it.citations}
        b.answer.sources += [s for s in asked.sources if s.n in cited and s.n not in known]
        b.answer.items += [dataclasses.replace(it, group=label) for it in lines]
        if not lines:
            b.answer.notes.append(f"Claim {i}, the documents do not say: “{clip(claim, 150)}”")
    if len(found) > MAX_CLAIMS:
        more = len(found) - MAX_CLAIMS
        b.answer.notes.append(f"{more} more claims were not checked; ask about them with /ask.")
    return b.answer


async def source(store: DocumentReader, ref: int | str) -> Answer:
    """The document numbered ``ref`` (an int) or at the url ``ref`` (a str), and its facts."""
    doc = await (store.document(doc_id=ref) if isinstance(ref, int) else store.document(url=ref))
    if doc is None:
        raise NotFound(f"No source {clip(str(ref), _ECHOED)} in the store; `factdesk sources` lists them.")
    b = AnswerBuilder(f"{doc.outlet}: {doc.title}")
    b.source_number(doc)
    for fact in await store.document_facts(doc.id):
        if fact.status == "active" and any(s.doc.id == doc.id for s in fact.sources):
            b.add_cluster([fact], only_doc=doc.id)
    if doc.superseded_by:
        b.answer.notes.append(f"This version was replaced by source {doc.superseded_by}.")
    if doc.date_note:
        b.answer.notes.append(f"Date note: {doc.date_note}")
    if not b.answer.items:
        b.answer.notes.append("No facts were taken from this document.")
    return b.answer
