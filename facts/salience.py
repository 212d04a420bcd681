"""How much a sentence tells a reader about an agreement, and which facet it tells.

A summary should say what the agreement is, who signed it and when, how it changed, where
it stands and who criticised it. Each facet is recognised by the verbs and phrases news
writing uses for it; salience adds the signals an editor would weigh (a dated event, named
people, more than one outlet carrying it, a lead sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["FACETS", "Salience", "event_verb", "score_sentence"]

FACETS: dict[str, re.Pattern[str]] = {
    "signing": re.compile(r"\b(?:sign(?:ed|s|ing)?|inked)\b", re.I),
    "change": re.compile(
        r"\b(?:finali[sz]\w*|terminat\w*|cancel\w*|revok\w*|revive\w*|renew\w*|amend\w*|expand\w*|"
        r"suspend\w*|withdr[ae]w\w*|ratif\w*|approv\w*|assent\w*|negotiat\w*|reach(?:ed)?|announc\w*|"
        r"propos\w*|develop(?:ing)?|review\w*|struck|scrap\w*|end(?:ed)?|replac\w*)\b",
        re.I,
    ),
    "status": re.compile(
        r"\b(?:implement\w*|in effect|into effect|in place|take effect|took effect|yet to|not yet|"
        r"never|pending|transfer\w*|sent|deport\w*|applied|stalled|in force|remains?)\b",
        re.I,
    ),
    "definition": re.compile(
        r"\b(?:known as|described as|designed to|aims? to|would allow|could allow|would enable|"
        r"will enable|would give|recogni[sz]\w*|builds? on|under (?:the|which)|calls? for|requires?|"
        r"could lead|asylum system|framework|capacity|so-called)\b",
        re.I,
    ),
    "criticism": re.compile(
        r"\b(?:critici[sz]\w*|condemn\w*|denounc\w*|farce|mockery|dangerous|concerns?|opposed|"
        r"slammed|decried|illegal|unlawful|lawsuit|sued|challenge[ds]?|warn(?:ed|s)?)\b",
        re.I,
    ),
}

_EVENT_VERBS: list[tuple[str, re.Pattern[str]]] = [
    ("sign", re.compile(r"\bsign(?:ed|s|ing)?\b", re.I)),
    ("finalize", re.compile(r"\bfinali[sz](?:ed|es|e|ing)\b", re.I)),
    ("terminate", re.compile(r"\bterminat(?:ed|es|e|ing)\b", re.I)),
    ("ratify", re.compile(r"\bratif(?:ied|ies|y)\b", re.I)),
    ("approve", re.compile(r"\bapprov(?:ed|es|e)\b", re.I)),
    ("announce", re.compile(r"\bannounc(?:ed|es|e)\b", re.I)),
    ("suspend", re.compile(r"\bsuspend(?:ed|s)?\b", re.I)),
    ("cancel", re.compile(r"\bcancel(?:l?ed|s)?\b", re.I)),
]
_FIGURE = re.compile(r"\d[\d,.]*\s?(?:%|percent|million|billion|thousand|people|migrants|dollars)|\$\d", re.I)
_QUOTE_START = re.compile(r"^[\"“'`‘]")
_NO_COMMENT = re.compile(
    r"\b(?:respond(?:ed)?|reply|replied)\s+to\s+(?:a\s+)?requests?\s+for\s+comment", re.I
)


@dataclass(frozen=True)
class Salience:
    score: float
    facets: frozenset[str]
    event_verb: str | None


def event_verb(text: str) -> str | None:
    """The lifecycle verb that names a sentence's event ("sign", "finalize", ...), if any."""
    for stem, pattern in _EVENT_VERBS:
        if pattern.search(text):
            return stem
    return None


def score_sentence(
    text: str,
    *,
    dated: bool,
    people: int,
    has_term: bool,
    explicit: bool,
    position: int,
    named_agreement: bool,
) -> Salience:
    """Score one sentence for summaries; ``position`` is its index among the story's sentences."""
    facets = frozenset(name for name, rx in FACETS.items() if rx.search(text))
    words = len(text.split())
    score = 1.0
    score += 1.5 * len(facets - {"criticism"}) + (1.0 if "criticism" in facets else 0.0)
    score += 2.0 if dated else 0.0
    score += 0.75 * min(people, 2)
    score += 1.5 if has_term else 0.0
    score += 1.0 if explicit else 0.0
    score += 1.0 if named_agreement else 0.0
    score += 1.5 if position == 0 else (0.75 if position < 3 else 0.0)
    score += 0.5 if _FIGURE.search(text) else 0.0
    if _QUOTE_START.match(text):
        score -= 1.0
    if _NO_COMMENT.search(text):
        score -= 3.0
    if words < 7:
        score -= 2.0
    elif words > 60:
        score -= 1.0
    return Salience(round(score, 3), facets, event_verb(text))


def is_no_comment(text: str) -> bool:
    """ "X did not respond to a request for comment": newsroom furniture, not an event."""
    return _NO_COMMENT.search(text) is not None
