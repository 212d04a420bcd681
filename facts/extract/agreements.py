"""Which agreement a sentence is about, sentence by sentence.

News articles switch referent: a story about one country's accord often closes with a
paragraph about a neighbour's. A sentence names the agreement's country explicitly
("an agreement with X", "X's accord", "X signed a deal"), or continues the agreement the
story was last talking about. The home country of most coverage (the United States for
US outlets) is a party to nearly every accord, so it only counts when no other country is
linked.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from facts.text.prefilter import finditer_at, fold_lower, has_any, word_starts

__all__ = [
    "AgreementLink",
    "SentenceCountries",
    "agreement_name",
    "attribute",
    "has_agreement_term",
    "has_plural_term",
    "is_venue",
]

_TERM = re.compile(
    r"\b(?:agreements?|accords?|deals?|pacts?|treat(?:y|ies)|arrangements?|memorand(?:um|a) of understanding"
    r"|compacts?|MOUs?|safe third country)\b",
    re.IGNORECASE,
)
# Agreements written as verbs: "agreed to take back", "will accept deportees", "agreed to
# normalize relations", "would restore diplomatic ties". No agreement noun, still a deal.
_DEAL_VERB = re.compile(
    r"\b(?:agree[sd]?\s+to|agreeing\s+to"
    r"|normali[sz](?:e[sd]?|ing|ation)\s+(?:of\s+)?(?:\w+\s+){0,2}?(?:relations|ties)"
    r"|(?:restor|establish|re-?establish)(?:e[sd]?|ing)\s+(?:full\s+)?(?:diplomatic\s+)?(?:\w+\s+){0,2}?"
    r"(?:relations|ties)"
    r"|(?:will|would|to)\s+(?:accept|take\s+back|receive|admit)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:deportees|migrants|returnees|nationals|citizens|asylum|refugees|flights|detainees))\b",
    re.IGNORECASE,
)
# Named agreements whose head word alone is too common to count ("an initiative", "a framework").
_NAMED_TERM = re.compile(r"\b[A-Z][\w-]+\s+(?:Initiative|Protocol|Convention|Framework|Partnership)\b")
_NAMED_HEADS = ("Initiative", "Protocol", "Convention", "Framework", "Partnership")
_DEAL_VERB_WORDS = ("agree", "normali", "restor", "establish", "accept", "take back", "receive", "admit")
_PLURAL_TERM = re.compile(r"\b(?:agreements|accords|deals|pacts|treaties|arrangements)\b", re.IGNORECASE)
_PARTY_VERB = re.compile(
    r"\b(?:signed|signs|sign|agreed|ratified|negotiated|reached|struck|concluded)\b", re.IGNORECASE
)
# A named agreement: quoted ("the 'safe third country' agreement", a quoted "... deal") or
# capitalised ("Paris Climate Accord"). The alternatives are searched one by one (see
# agreement_name): the quoted ones open with a quote mark, which ``re`` finds fast, and the
# capitalised one is only tried when its head word is in the text.
_NAME_ALTERNATIVES = (
    r"[\"“`']{1,2}([A-Z][\w-]*(?:\s+[A-Za-z][\w-]*){0,5}?)[\"”']{1,2}\s+(?:agreement|accord|deal|pact|treaty)",
    r"[\"“`']{1,2}([a-z][\w-]*(?:\s+[\w-]+){0,4}\s+(?:agreement|accord|deal|pact|treaty))[.,]?[\"”']{1,2}",
    r"\b((?:[A-Z][a-z]+\s+){1,5}(?:Agreement|Accord|Treaty|Pact))\b",
)
_NAME_QUOTED = tuple(re.compile(alt) for alt in _NAME_ALTERNATIVES[:2])
_NAME_CAPITALISED = re.compile(_NAME_ALTERNATIVES[2])
_NAME_HEADS = ("Agreement", "Accord", "Treaty", "Pact")
# Lower-case literals, one of which is in every _TERM match (a cheap test before the regex).
_TERM_WORDS = ("agreement", "accord", "deal", "pact", "treat", "arrangement", "memorand", "mou",
               "safe third country")
# The words every _TERM / _PARTY_VERB match begins with, after its leading \b.
_TERM_STARTS = ("agreement", "accord", "deal", "pact", "treat", "arrangement", "memorand", "compact", "mou",
                "safe third country")
_PARTY_WORDS = ("sign", "agreed", "ratified", "negotiated", "reached", "struck", "concluded")
_WINDOW_WORDS = 12
_LEAD_SENTENCES = 2  # a story's lead: its first two sentences
_SUBJECT_WORDS = 1  # a country among the sentence's first two words is its subject
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class SentenceCountries:
    """A sentence with the countries it mentions (ISO codes with their character spans)."""

    text: str
    paragraph: int
    mentions: Sequence[tuple[str, int, int]]


@dataclass(frozen=True)
class AgreementLink:
    """The countries whose agreement a sentence concerns; ``explicit`` when named in it."""

    countries: tuple[str, ...]
    explicit: bool
    has_term: bool


@lru_cache(maxsize=1024)
def has_agreement_term(text: str) -> bool:
    """An agreement noun ("accord", "deal"), a named one ("the Lodz Protocol") or a verb phrase
    ("agreed to take back"). Cached: every sentence is asked several times during one extraction."""
    low = fold_lower(text)
    if has_any(low, _TERM_WORDS) and _TERM.search(text) is not None:
        return True
    if has_any(text, _NAMED_HEADS) and _NAMED_TERM.search(text) is not None:
        return True
    return has_any(low, _DEAL_VERB_WORDS) and _DEAL_VERB.search(text) is not None


def has_plural_term(text: str) -> bool:
    """Does the sentence speak of several agreements ("the deals", "accords")?"""
    return _PLURAL_TERM.search(text) is not None


def _name_match(text: str) -> re.Match[str] | None:
    """The leftmost match of the three alternatives, the earlier one on a tie (as one regex would)."""
    found = [m for rx in _NAME_QUOTED if (m := rx.search(text))]
    if any(head in text for head in _NAME_HEADS) and (m := _NAME_CAPITALISED.search(text)):
        found.append(m)
    return min(found, key=lambda m: m.start(), default=None)  # min keeps the first of equals


def agreement_name(text: str) -> str | None:
    """A named agreement in the sentence ("Paris Climate Accord", a quoted "... agreement")."""
    m = _name_match(text)
    if not m:
        return None
    name = m.group(1)
    name = name.strip(" .,")
    if not name.lower().endswith(("agreement", "accord", "deal", "pact", "treaty")):
        name = f"{name} agreement"
    return name[0].upper() + name[1:]


def _word_ends(text: str) -> list[int]:
    return [m.end() for m in _TOKEN.finditer(text)]


def _position(ends: list[int], offset: int) -> int:
    """Index of the first word ending after ``offset`` (the word count when none does)."""
    return bisect_right(ends, offset)


_VENUE = re.compile(r"(?:['’]s)?\s+capital\b", re.IGNORECASE)


def is_venue(text: str, end: int) -> bool:
    """A country named as where a deal was made ("signed in the Qatari capital", "in Austria's
    capital") hosts it: it is no party to it."""
    return _VENUE.match(text, end) is not None


# "the Rwanda scheme", "Lodz's deportation plan", "the Peru policy": an arrangement named after
# a country, as stories about one often call it without the word agreement.
_ARRANGEMENT = re.compile(
    r"(?:['’]s)?\s+(?:[a-z-]+\s+){0,2}?(?:scheme|plan|policy|partnership|programme|program|deal)\b"
)


def _arrangement(sentence: SentenceCountries) -> bool:
    return any(_ARRANGEMENT.match(sentence.text, end) for _, _, end in sentence.mentions)


def linked_countries(sentence: SentenceCountries, home: str | None) -> list[str]:
    """Countries within a few words of an agreement word or a party verb, home country last."""
    if not sentence.mentions:
        return []
    text = sentence.text
    anchors = [m.start() for m in finditer_at(_TERM, text, word_starts(text, _TERM_STARTS))]
    anchors += [m.start() for m in finditer_at(_PARTY_VERB, text, word_starts(text, _PARTY_WORDS))]
    if has_any(fold_lower(text), _DEAL_VERB_WORDS):
        anchors += [m.start() for m in _DEAL_VERB.finditer(text)]
    if not anchors:
        return []
    ends = _word_ends(sentence.text)
    anchor_words = [_position(ends, a) for a in anchors]
    linked: list[str] = []
    for code, start, end in sentence.mentions:
        if is_venue(text, end):
            continue
        w = _position(ends, start)
        # The sentence's subject ("Peru is the third country to join the accord ...") is a party
        # however far the agreement word comes after it.
        subject = w <= _SUBJECT_WORDS
        if (subject or any(abs(w - a) <= _WINDOW_WORDS for a in anchor_words)) and code not in linked:
            linked.append(code)
    foreign = [c for c in linked if c != home]
    return foreign or linked


def attribute(
    sentences: Sequence[SentenceCountries],
    *,
    topic: str | None,
    home: str | None = "US",
    parties: Sequence[str] = (),
) -> list[AgreementLink | None]:
    """Attribute each sentence of one document to an agreement's countries (or None).

    ``topic`` is the country of the document's headline agreement and ``parties`` all the
    countries of that agreement (the foreign countries its title names, or the ones its body
    names most near agreement words): the starting context. A sentence with an agreement word
    takes the countries linked to it, or, if none, the context (the last explicitly linked
    agreement, when it was at most one paragraph ago, else the topic). Countries that are all
    parties of the current agreement ("Ruritania withdrew from the accord" in a story about
    Ruritania and Freedonia's accord) mean that agreement, with all its parties; a country
    outside it is another country's deal and belongs to that country only. A sentence without
    an agreement word joins the agreement of its own paragraph when it names that country or no
    country at all; a story told in one-sentence paragraphs carries it on to the next paragraph.
    """
    base: tuple[str, ...] = tuple(parties) or ((topic,) if topic else ())
    sizes: dict[int, int] = {}
    for s in sentences:
        sizes[s.paragraph] = sizes.get(s.paragraph, 0) + 1
    out: list[AgreementLink | None] = []
    context: tuple[str, ...] = base
    context_paragraph = -10
    paragraph_link: dict[int, AgreementLink] = {}
    # A story about an agreement opens with its news, often without the agreement's word ("Lodz
    # announced a partnership with Ruritania", "the flight to Ruritania was halted"): its first
    # sentences that name a party of the story's agreement belong to that agreement.
    about_agreement = bool(base) and any(has_agreement_term(s.text) or _arrangement(s) for s in sentences)
    for n, s in enumerate(sentences):
        named = [c for c, _, _ in s.mentions]
        if has_agreement_term(s.text):
            linked = linked_countries(s, home)
            if linked and linked != [home]:
                countries = tuple(linked)
                for known in (context, base):
                    if known and set(linked) <= set(known):
                        countries = known
                        break
                link = AgreementLink(countries, True, True)
                context, context_paragraph = link.countries, s.paragraph
            elif _PLURAL_TERM.search(s.text) and not linked:
                link = AgreementLink((topic,), False, True) if topic else None
            else:
                recent = s.paragraph - context_paragraph <= 1
                current = context if recent else base
                link = AgreementLink(current, False, True) if current else None
            if link:
                paragraph_link[s.paragraph] = link
            out.append(link)
            continue
        para = paragraph_link.get(s.paragraph)
        if para is None and (sizes[s.paragraph] == 1 or sizes.get(s.paragraph - 1) == 1):
            carried = paragraph_link.get(s.paragraph - 1)
            foreign = {c for c in named if c != home}
            if carried and not foreign - set(carried.countries):
                para = AgreementLink(carried.countries, False, False)
                paragraph_link[s.paragraph] = para  # a chain of one-sentence paragraphs
        foreign_named = [c for c in named if c != home]
        if para and (not foreign_named or set(foreign_named) & set(para.countries)):
            out.append(AgreementLink(para.countries, False, False))
        elif about_agreement and n < _LEAD_SENTENCES and set(foreign_named) & set(base):
            out.append(AgreementLink(base, False, False))
        else:
            out.append(None)
    return out
