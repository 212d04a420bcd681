"""From one article's text to passages and candidate facts, with no database involved.

Pure and synchronous: the store calls it (in a worker thread) and only writes the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from facts.agreements import AgreementLink, SentenceCountries, agreement_name, attribute, has_agreement_term
from facts.anchors import inauguration_anchor, mentions_inauguration
from facts.article import ArticleInput
from facts.countries import find_countries
from facts.dates import DateMention, find_dates, main_date
from facts.dedup import numbers_in, shingles, tokens
from facts.entities import EntityMention, find_entities, link_surnames
from facts.passages import Passage, split_passages
from facts.salience import Salience, is_no_comment, score_sentence

__all__ = ["Candidate", "Extraction", "extract", "published_date"]

FACT_KINDS = frozenset({"sentence"})
MIN_FACT_WORDS = 4


@dataclass(frozen=True)
class Candidate:
    """A sentence that may become a fact (or a new source of an existing one)."""

    passage: int
    text: str
    words: int
    shingles: frozenset[int]
    date: DateMention | None
    countries: tuple[str, ...]
    entities: tuple[EntityMention, ...]
    agreement: AgreementLink | None
    agreement_name: str | None
    salience: Salience
    numbers: tuple[str, ...]
    is_event: bool


@dataclass(frozen=True)
class Extraction:
    headline: str | None
    topic: str | None
    passages: list[Passage]
    candidates: list[Candidate]
    country_mentions: dict[int, tuple[str, ...]]


def published_date(article: ArticleInput) -> dt.date:
    if article.published_precision == "month":
        return dt.date.fromisoformat(article.published + "-15")
    return dt.date.fromisoformat(article.published)


def _topic(title: str, headline: str | None, home: str) -> str | None:
    for text in (title, headline or ""):
        codes = [m.country.code for m in find_countries(text)]
        foreign = [c for c in codes if c != home]
        if foreign:
            return foreign[0]
    return None


def extract(article: ArticleInput, *, home: str = "US") -> Extraction:
    """Split, date, tag and attribute every sentence of ``article``."""
    passages = split_passages(article.body)
    dct = published_date(article)
    headline = next((p.text.lstrip("# ").strip() for p in passages if p.kind == "headline"), None)
    topic = _topic(article.title, headline, home)

    mentions: dict[int, tuple[str, ...]] = {}
    story: list[Passage] = []
    spans: list[SentenceCountries] = []
    for p in passages:
        found = find_countries(p.text)
        mentions[p.index] = tuple(dict.fromkeys(m.country.code for m in found))
        if p.kind in FACT_KINDS:
            story.append(p)
            spans.append(
                SentenceCountries(p.text, p.paragraph, [(m.country.code, m.start, m.end) for m in found])
            )
    if topic is None:
        topic = _topic_from_story(spans, home)
    links = attribute(spans, topic=topic, home=home)

    # People are found per sentence, then "Lee said" is linked to the "Tom Lee" named earlier.
    linked = link_surnames([find_entities(p.text) for p in story])
    candidates: list[Candidate] = []
    context: list[str] = []
    for position, (p, link, found) in enumerate(zip(story, links, linked, strict=True)):
        words = tokens(p.text)
        if len(words) < MIN_FACT_WORDS:
            context.append(p.text)
            continue
        anchors = None
        if mentions_inauguration(p.text):
            anchor = inauguration_anchor(p.text, " ".join(context[-12:]), dct)
            if anchor:
                anchors = {"inauguration": anchor}
        dates = find_dates(
            p.text, published=dct, published_precision=article.published_precision, anchors=anchors
        )
        date = main_date(dates)
        no_comment = is_no_comment(p.text)
        entities = tuple(found)
        people = sum(1 for e in entities if e.kind == "person")
        name = agreement_name(p.text) if has_agreement_term(p.text) else None
        salience = score_sentence(
            p.text,
            dated=date is not None and not no_comment,
            people=people,
            has_term=bool(link and link.has_term),
            explicit=bool(link and link.explicit),
            position=position,
            named_agreement=name is not None,
        )
        candidates.append(
            Candidate(
                passage=p.index,
                text=p.text,
                words=len(words),
                shingles=frozenset(shingles(words)),
                date=date,
                countries=mentions[p.index],
                entities=entities,
                agreement=link,
                agreement_name=name,
                salience=salience,
                numbers=tuple(numbers_in(p.text)),
                is_event=date is not None and not no_comment,
            )
        )
        context.append(p.text)
    return Extraction(headline, topic, passages, candidates, mentions)


def _topic_from_story(spans: list[SentenceCountries], home: str) -> str | None:
    """Without a country in the title: the foreign country most named near agreement words."""
    counts: dict[str, int] = {}
    for s in spans:
        if has_agreement_term(s.text):
            for code, _, _ in s.mentions:
                if code != home:
                    counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else None
