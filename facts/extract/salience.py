"""How much a sentence tells a reader about an agreement, and which facet it tells.

A summary should say what the agreement is, who signed it and when, how it changed, where
it stands and who criticised it. Each facet is recognised by the verbs and phrases news
writing uses for it; salience adds the signals an editor would weigh (a dated event, named
people, more than one outlet carrying it, a lead sentence).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from facts.text.prefilter import fold_lower, has_any

__all__ = ["FACETS", "Salience", "event_verb", "facets_of", "score_sentence"]

# Facet cues, matched on lower-case words: whole words, word stems (prefixes) and two-word phrases.
# One pass over a sentence's words serves every facet (a regex per facet was the hot spot of ingest).
_FACET_WORDS: dict[str, tuple[str, ...]] = {
    "signing": ("sign", "signed", "signs", "signing", "inked"),
    "change": ("reach", "reached", "struck", "end", "ended", "develop", "developing"),
    "status": ("never", "pending", "sent", "applied", "stalled", "remain", "remains"),
    "definition": ("framework", "capacity", "requires", "require", "so-called", "allows", "allow", "permits",
                   "obliges", "valid"),
    "criticism": ("farce", "mockery", "dangerous", "concern", "concerns", "opposed", "slammed", "decried",
                  "illegal", "unlawful", "lawsuit", "sued", "challenge", "challenged", "challenges", "warned",
                  "warns", "warn"),
}
_FACET_STEMS: dict[str, tuple[str, ...]] = {
    "change": ("finalis", "finaliz", "terminat", "cancel", "revok", "reviv", "renew", "amend", "expand",
               "suspend", "withdr", "ratif", "approv", "assent", "negotiat", "announc", "propos", "review",
               "scrap", "replac", "extend", "extens", "adopt", "re-enter", "rejoin", "normaliz", "normalis"),
    "status": ("implement", "transfer", "deport"),
    "definition": ("recognis", "recogniz"),
    "criticism": ("criticis", "criticiz", "condemn", "denounc"),
}
_FACET_PHRASES: dict[str, tuple[str, ...]] = {
    "status": ("in effect", "into effect", "in place", "take effect", "took effect", "yet to", "not yet",
               "in force", "into force"),
    "definition": ("known as", "described as", "designed to", "aims to", "aim to", "would allow",
                   "could allow", "would enable", "will enable", "would give", "builds on", "build on",
                   "under the", "under which", "calls for", "call for", "could lead"),
}
FACETS = tuple(_FACET_WORDS)
_WORD_FACETS: dict[str, set[str]] = {}
for _facet, _words in _FACET_WORDS.items():
    for _w in _words:
        _WORD_FACETS.setdefault(_w, set()).add(_facet)
_STEM_FACETS = {stem: facet for facet, stems in _FACET_STEMS.items() for stem in stems}
_STEMS_BY_PREFIX: dict[str, list[tuple[str, str]]] = {}
for _stem, _facet in _STEM_FACETS.items():
    _STEMS_BY_PREFIX.setdefault(_stem[:5], []).append((_stem, _facet))
# Words already classified, and those of them that carry a facet: a sentence's facet words are then
# one set intersection away, with no per-word Python work.
_CLASSIFIED: set[str] = set()
_FACET_HITS: dict[str, frozenset[str]] = {}
_CLASSIFIED_MAX = 200_000
_PHRASE_FACETS = {phrase: facet for facet, phrases in _FACET_PHRASES.items() for phrase in phrases}
_PHRASE_STARTS = frozenset(phrase.split()[0] for phrase in _PHRASE_FACETS)
_EVENT_STEMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sign", ("sign", "signed", "signs", "signing")),
    ("finalize", ("finalized", "finalised", "finalizes", "finalises", "finalize", "finalise", "finalizing")),
    ("terminate", ("terminated", "terminates", "terminate", "terminating")),
    ("ratify", ("ratified", "ratifies", "ratify")),
    ("approve", ("approved", "approves", "approve")),
    ("announce", ("announced", "announces", "announce")),
    ("suspend", ("suspended", "suspends", "suspend")),
    ("cancel", ("canceled", "cancelled", "cancels", "cancel")),
    ("reach", ("reached", "reaches", "reach")),
    ("extend", ("extended", "extends", "extend")),
    ("withdraw", ("withdrew", "withdraws", "withdrawn", "withdraw")),
    ("normalize", ("normalize", "normalise", "normalized", "normalised", "normalizes", "normalises")),
)
_WORD_EVENT = {w: stem for stem, forms in _EVENT_STEMS for w in forms}
_EVENT_WORDS = frozenset(_WORD_EVENT)
_LOWER_WORD = re.compile(r"[a-z]+(?:-[a-z]+)?")
_FIGURE = re.compile(r"\d[\d,.]*\s?(?:%|percent|million|billion|thousand|people|migrants|dollars)|\$\d", re.I)
_QUOTE_START = re.compile(r"^[\"“'`‘]")
_NO_COMMENT = re.compile(
    r"\b(?:respond(?:ed)?|reply|replied)\s+to\s+(?:a\s+)?requests?\s+for\s+comment", re.I
)
_NO_COMMENT_WORDS = ("respond", "reply", "replied")  # one of them is in every _NO_COMMENT match
_DIGIT = re.compile(r"\d")  # every _FIGURE match holds a digit


@dataclass(frozen=True)
class Salience:
    score: float
    facets: frozenset[str]
    event_verb: str | None


def _lower_words(text: str) -> list[str]:
    return _LOWER_WORD.findall(text.lower())


def event_verb(text: str) -> str | None:
    """The lifecycle verb that names a sentence's event ("sign", "finalize", ...), if any."""
    return _event_verb(set(_lower_words(text)))


def _event_verb(words: set[str]) -> str | None:
    if _EVENT_WORDS.isdisjoint(words):
        return None
    for stem, forms in _EVENT_STEMS:
        if words.intersection(forms):
            return stem
    return None


def facets_of(text: str) -> frozenset[str]:
    """Which facets of an agreement story the sentence speaks to."""
    words = _lower_words(text)
    return _facets(words, set(words))


def _facets(words: list[str], distinct: set[str]) -> frozenset[str]:
    found: set[str] = set()
    for w in distinct - _CLASSIFIED:  # new words (rare once warm)
        hit = _word_facets(w)
        found |= hit
        if len(_CLASSIFIED) < _CLASSIFIED_MAX:
            _CLASSIFIED.add(w)
            if hit:
                _FACET_HITS[w] = hit
    for w in distinct.intersection(_FACET_HITS):
        found |= _FACET_HITS[w]
    if not _PHRASE_STARTS.isdisjoint(distinct):
        for a, b in itertools.pairwise(words):
            if a in _PHRASE_STARTS and (facet := _PHRASE_FACETS.get(f"{a} {b}")):
                found.add(facet)
    return frozenset(found)


def _word_facets(word: str) -> frozenset[str]:
    found = set(_WORD_FACETS.get(word, ()))
    for stem, facet in _STEMS_BY_PREFIX.get(word[:5], ()):
        if word.startswith(stem):
            found.add(facet)
    return frozenset(found)


def score_sentence(
    text: str,
    *,
    dated: bool,
    people: int,
    has_term: bool,
    explicit: bool,
    position: int,
    named_agreement: bool,
    length: int | None = None,
) -> Salience:
    """Score one sentence for summaries; ``position`` is its index among the story's sentences.

    ``length`` is the word count the length rules read (the whole sentence's, for one event
    clause of it: a short clause of a full sentence is not a fragment)."""
    lower_words = _lower_words(text)
    distinct = set(lower_words)
    facets = _facets(lower_words, distinct)
    words = length if length is not None else len(text.split())
    score = 1.0
    score += 1.5 * len(facets - {"criticism"}) + (1.0 if "criticism" in facets else 0.0)
    score += 2.0 if dated else 0.0
    score += 0.75 * min(people, 2)
    score += 1.5 if has_term else 0.0
    score += 1.0 if explicit else 0.0
    score += 1.0 if named_agreement else 0.0
    score += 1.5 if position == 0 else (0.75 if position < 3 else 0.0)
    score += 0.5 if _DIGIT.search(text) and _FIGURE.search(text) else 0.0
    if _QUOTE_START.match(text):
        score -= 1.0
    if is_no_comment(text):
        score -= 3.0
    if words < 7:
        score -= 2.0
    elif words > 60:
        score -= 1.0
    return Salience(round(score, 3), facets, _event_verb(distinct))


def is_no_comment(text: str) -> bool:
    """ "X did not respond to a request for comment": newsroom furniture, not an event."""
    if not has_any(fold_lower(text), _NO_COMMENT_WORDS):
        return False
    return _NO_COMMENT.search(text) is not None
