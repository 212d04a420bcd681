"""Does a line hold what the question's kind asks for?

who: a named person or body that the question does not itself name; when: a date or a time
word; figure: a number (money for "how much ... pay", a length of time for "how long"); why: a
reason clause; what: anything (relevance alone decides).
"""

from __future__ import annotations

import re

from facts.countries import find_countries
from facts.entities import find_entities
from facts.question import Question, country_forms

__all__ = ["holds_answer"]

_MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|March|Mar\.|April|Apr\.|May|June|Jun\.|July|Jul\.|"
    r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}\b|\d{{1,2}}\s+{_MONTH}|{_MONTH}(?:\s+of)?\s+(?:1[89]|20)\d\d|in\s+{_MONTH}\b|"
    r"(?:on|last|next|this|late|early)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:night|morning|evening|afternoon))?|"
    r"yesterday|today|tonight|overnight|(?:in|since|by|until|from)\s+(?:1[89]|20)\d\d|\d{4}-\d\d-\d\d)\b"
)
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|million|millions|billion|"
    r"billions|trillion|dozen|dozens|half|third|quarter|double|twice"
)
_FIGURE = re.compile(rf"(?:\d|\b(?:{_NUMBER_WORDS})\b|%|\bper ?cent\b)", re.I)
_MONEY = re.compile(
    r"(?:[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:million|billion|trillion)?\s*(?:dollars|euros|pounds|yen|pesos)\b|"
    r"\b(?:USD|EUR|GBP)\s?\d)",
    re.I,
)
_DURATION = re.compile(
    rf"\b(?:\d[\d,.]*|{_NUMBER_WORDS}|several|a few)[- ](?:more\s+|further\s+)?"
    r"(?:days?|weeks?|months?|years?|hours?)\b",
    re.I,
)
_REASON = re.compile(
    r"\b(?:because|since|due to|owing to|as a result|in response to|in protest|in retaliation|"
    r"citing|cited|blamed|blaming|complain(?:ed|s|ing)?|accus(?:ed|ing)|demand(?:ed|s|ing)?|"
    r"so that|in order to|over (?:its|their|the|concerns?)|concerns? (?:about|over)|obstacles?|"
    r"fail(?:ed|ure)|not (?:been )?(?:implemented|met|fulfilled|honou?red)|unless)\b",
    re.I,
)


_SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|stated|announced|added|argued|warned|wrote|called|described|"
    r"insisted|declared|according to|in a statement|tweeted|posted)\b",
    re.I,
)
_VOTES = re.compile(r"\b\d{1,4}\s*(?:-|–|to)\s*\d{1,4}\b|\bvotes?\b.*\b\d+\b|\bunanimous(?:ly)?\b", re.I)
_SHARE = re.compile(
    r"%|\bper ?cent\b|\b(?:half|a third|two-thirds|a quarter|three-quarters|a fifth|majority|most)\s+of\b",
    re.I,
)
_NUMBER = re.compile(rf"^(?:[$€£]?\d[\d,.]*%?|{_NUMBER_WORDS}|dozens?|hundreds?|thousands?|millions?)$", re.I)
_GENERIC_UNITS = frozenset("people persons individuals times cases".split())
_TOKEN = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*|[$€£%]\S*", re.UNICODE)


def holds_answer(q: Question, sentence: str, context: str = "") -> bool:
    """Whether ``sentence`` (the verbatim line, with its ``context`` only for who is meant) holds
    an answer of ``q``'s kind."""
    for code, role in q.roles:
        if not _role_of(code, role, sentence) and not _role_of(code, role, context):
            return False
    if q.speech and not _SPEECH.search(sentence):
        return False
    if q.kind == "when":
        return bool(_DATE.search(sentence))
    if q.kind == "figure":
        if q.money:
            return bool(_MONEY.search(sentence))
        if q.duration:
            return bool(_DURATION.search(sentence))
        if q.margin:
            return bool(_VOTES.search(sentence))
        if q.share:
            return bool(_SHARE.search(sentence))
        if q.unit and q.unit not in _GENERIC_UNITS:
            return _counts((q.unit, *q.terms), sentence)
        return bool(_FIGURE.search(sentence))
    if q.kind == "why":
        return bool(_REASON.search(sentence))
    if q.kind == "who":
        return _names_someone_new(q, sentence)
    return True


def _names_someone_new(q: Question, sentence: str) -> bool:
    asked = {w.lower() for n in q.names for w in n.split()}
    for e in find_entities(sentence):
        if not set(e.name.lower().split()) <= asked:
            return True
    return any(m.country.code not in q.countries for m in find_countries(sentence))


def _counts(units: tuple[str, ...], sentence: str) -> bool:
    """A number just before one of ``units`` (the counted noun first, then the question's other
    words; a demonym also matches its country's other forms)."""
    from facts.countries import country_surface

    forms: set[str] = set()
    for unit in units:
        forms.add(unit[:5])
        hit = country_surface(unit.title())
        if hit:
            forms |= {f.lower()[:5] for f in country_forms(hit[0].code)}
    tokens = _TOKEN.findall(sentence)
    for i, tok in enumerate(tokens):
        if tok.lower()[:5] in forms and any(_NUMBER.match(t) for t in tokens[max(0, i - 3) : i]):
            return True
    return False


def _role_of(code: str, role: str, text: str) -> bool:
    """Is ``role`` (e.g. "president") tied to the country ``code`` in ``text``?"""
    if not text:
        return False
    low = text.lower()
    for m in re.finditer(rf"\b{re.escape(role[:5])}\w*", low):
        window = text[max(0, m.start() - 40) : m.end() + 25]
        if any(c.country.code == code for c in find_countries(window)):
            return True
    return False
