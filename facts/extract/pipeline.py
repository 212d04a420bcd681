"""From one article's text to passages and candidate facts, with no database involved.

Pure and synchronous: the store calls it (in a worker thread) and only writes the result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from facts.countries import find_countries
from facts.extract.agreements import (
    AgreementLink,
    SentenceCountries,
    agreement_name,
    attribute,
    has_agreement_term,
    has_plural_term,
    is_venue,
)
from facts.extract.context_vectors import context_signs
from facts.extract.date_anchors import inauguration_anchor, mentions_inauguration
from facts.extract.date_clauses import clause_spans, clause_text
from facts.extract.dates import DateMention, concessive_end, find_anaphor, find_dates, main_date
from facts.extract.entities import EntityMention, find_entities, link_surnames
from facts.extract.near_duplicates import numbers_in, shingles, tokens
from facts.extract.salience import Salience, event_verb, is_no_comment, score_sentence
from facts.read.article import ArticleInput
from facts.text.passages import Passage, split_passages

__all__ = ["Candidate", "Extraction", "extract", "published_date"]

FACT_KINDS = frozenset({"sentence"})
MIN_FACT_WORDS = 4


@dataclass(frozen=True)
class Candidate:
    """A sentence that may become a fact (or a new source of an existing one)."""

    passage: int
    text: str  # the sentence, or one event clause of it (verbatim) when it reports several
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
    quote: str = ""  # the whole sentence the text comes from ("" = the text itself)
    # The home country, when a line that names another country's agreement names it too: the
    # line is also one of the home country's agreements ("/agreement usa"), never explicitly.
    home_party: str | None = None

    @property
    def sentence(self) -> str:
        return self.quote or self.text


@dataclass(frozen=True)
class Extraction:
    headline: str | None
    topic: str | None
    passages: list[Passage]
    candidates: list[Candidate]
    country_mentions: dict[int, tuple[str, ...]]
    signs: list[bytes]  # the sign bits of each passage's vector for /ask, in the same order


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
    parties = _parties(article.title, headline, home)
    if topic is None:
        parties = _parties_from_story(spans, home)
        topic = parties[0] if parties else None
    links = attribute(spans, topic=topic, home=home, parties=parties)

    # People are found per sentence, then "Lee said" is linked to the "Tom Lee" named earlier.
    linked = link_surnames([find_entities(p.text) for p in story])
    candidates: list[Candidate] = []
    context: list[str] = []
    last_dated: tuple[int, DateMention] | None = None  # (paragraph, date) of the story's last event
    for position, (p, link, found, sc) in enumerate(zip(story, links, linked, spans, strict=True)):
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
        pieces = clause_spans(p.text, dates) if len(dates) > 1 else []
        no_comment = is_no_comment(p.text)
        plural = bool(pieces) and has_plural_term(p.text)
        for a, b in [clause_text(p.text, span) for span in pieces] or [(0, len(p.text))]:
            text = p.text[a:b]
            own_from = max(a, concessive_end(p.text))  # "Although X in 2003, Y …": 2003 is X's
            date = main_date([d for d in dates if own_from <= d.span[0] < b])
            if date is None and last_dated and p.paragraph - last_dated[0] <= 1:
                date = find_anaphor(text, last_dated[1])  # "the day before", "that week"
            if date is None and position < LEAD_SENTENCES and article.published_precision == "day":
                date = reported_today(text, dct)  # "X has signed ...": the lead's news is the day's
            own = tuple(dict.fromkeys(code for code, s0, _ in sc.mentions if a <= s0 < b))
            clause_link = _clause_link(link, own, home) if plural else link
            cand = _candidate(
                p,
                text,
                date,
                found,
                clause_link,
                position,
                no_comment,
                countries=own if pieces else mentions[p.index],
                quote=p.text if pieces else "",
                span=(a, b),
                words=None if pieces else words,
            )
            named_home = clause_link and clause_link.explicit and home in cand.countries
            if named_home and home not in clause_link.countries:
                cand = dataclasses.replace(cand, home_party=home)
            if cand.is_event and cand.date is not None:
                last_dated = (p.paragraph, cand.date)
            candidates.append(cand)
        context.append(p.text)
    signs = context_signs([(p.kind, p.text) for p in passages], article.title)
    return Extraction(headline, topic, passages, candidates, mentions, signs)


LEAD_SENTENCES = 2
# The present perfect of a lead ("The bill has been passed", "Peru has left the pact"): news of
# the day the story was published, though the sentence names no date.
_PERFECT = re.compile(
    r"\b(?:has|have)\s+(?:now\s+|officially\s+|formally\s+|finally\s+|just\s+)?(?:been\s+)?"
    r"(?:[a-z]+ed|made|held|taken|given|won|begun|set|brought|sent|struck|done|seen|built|sold|paid|"
    r"put|cut|led|met|shown|spent|found|laid|chosen|frozen|broken|left|lost|become|risen|fallen|gone|"
    r"come|quit|withdrawn|signed)\b"
)


def reported_today(text: str, dct: dt.date) -> DateMention | None:
    """The publication day as the date of a lead in the present perfect, else None."""
    m = _PERFECT.search(text)
    if m is None or (not has_agreement_term(text) and not event_verb(text)):
        return None
    return DateMention(dct, dct, "day", None, "", m.span(), True, False)


def _clause_link(link: AgreementLink | None, own: tuple[str, ...], home: str) -> AgreementLink | None:
    """A clause of a sentence about several deals ("the deals Ruritania signed on May 4 and
    Freedonia on June 9") belongs to the countries it names itself, when it names any."""
    foreign = tuple(c for c in own if c != home)
    if not foreign:
        return link
    return AgreementLink(foreign, True, bool(link and link.has_term))


def _candidate(
    p: Passage,
    text: str,
    date: DateMention | None,
    found: list[EntityMention],
    link: AgreementLink | None,
    position: int,
    no_comment: bool,
    *,
    countries: tuple[str, ...],
    quote: str,
    span: tuple[int, int],
    words: list[str] | None = None,
) -> Candidate:
    """``words``: the text's tokens when already known (the whole sentence)."""
    if words is None:
        words = tokens(text)
    entities = tuple(e for e in found if span[0] <= e.start < span[1]) if quote else tuple(found)
    people = sum(1 for e in entities if e.kind == "person")
    name = agreement_name(text) if has_agreement_term(text) else None
    salience = score_sentence(
        text,
        dated=date is not None and not no_comment,
        people=people,
        has_term=bool(link and link.has_term),
        explicit=bool(link and link.explicit),
        position=position,
        named_agreement=name is not None,
        length=len(p.text.split()) if quote else None,
    )
    return Candidate(
        passage=p.index,
        text=text,
        words=len(words),
        shingles=frozenset(shingles(words)),
        date=date,
        countries=countries,
        entities=entities,
        agreement=link,
        agreement_name=name,
        salience=salience,
        numbers=tuple(numbers_in(text)),
        is_event=date is not None and not no_comment,
        quote=quote,
    )


def _parties(title: str, headline: str | None, home: str) -> tuple[str, ...]:
    """The foreign countries the title (or headline) names: the parties of the story's agreement."""
    for text in (title, headline or ""):
        codes = tuple(dict.fromkeys(m.country.code for m in find_countries(text) if m.country.code != home))
        if codes:
            return codes
    return ()


def _parties_from_story(spans: list[SentenceCountries], home: str) -> tuple[str, ...]:
    """Without a country in the title: the foreign countries the body names most near agreement
    words (the most named first; others named at least twice there are parties too)."""
    counts: dict[str, int] = {}
    for s in spans:
        if has_agreement_term(s.text):
            for code in dict.fromkeys(code for code, _, end in s.mentions if not is_venue(s.text, end)):
                if code != home:
                    counts[code] = counts.get(code, 0) + 1
    if not counts:
        return ()
    top = max(counts.values())
    ranked = sorted(counts, key=lambda c: -counts[c])  # stable: first named first among equals
    return tuple(c for c in ranked if counts[c] == top or counts[c] >= 2)
