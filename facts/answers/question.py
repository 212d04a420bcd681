"""Reading an /ask question: what kind of answer it wants, what it names, which dates it asks about.

Years, months and dates in a question narrow or boost by event date instead of being words a
passage must hold; countries (by name, demonym, code or capital) match every form a passage may
use; capitalised names are phrases; the question's kind (who / when / figure / why / what) decides
what an answering line must hold (see :mod:`facts.answers.answer_check`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from facts.countries import find_countries, resolve_country
from facts.text.stopwords import QUESTION_WORDS

__all__ = ["Question", "country_forms", "question_parts", "read_question"]

_MONTHS = "january february march april may june july august september october november december".split()
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(_MONTHS)} | {"sept": 9}
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTH_WORD = re.compile(
    r"\b(" + "|".join(_MONTHS) + r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?\b", re.I
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w’'-]+)+")

_KINDS: tuple[tuple[str, str], ...] = (
    ("when", r"when|since when|how long ago|(?:on|in|by)? ?what (?:year|month|day|date|time)"),
    (
        "who",
        r"who|whom|whose|which (?:person|people|officials?|leaders?|ministers?|country|countries|sides?)",
    ),
    ("why", r"why|for what reason|what (?:was|were|is|are) the reasons?|what reason"),
    (
        "figure",
        r"how (?:many|much|long|far|big|large|often|narrowly|closely|close)|by how much|"
        r"by what (?:margin|amount|share)|"
        r"what (?:share|percentage|proportion|number|amount|fraction|sum|percent)|"
        r"what (?:was|were|is|are) the (?:final |vote |voting )?(?:tally|count|margin|score|result)",
    ),
)
_MONEY = re.compile(
    r"\b(?:money|pay|pays|paid|paying|cost|costs|fund|funds|funding|spend|spent|worth|price|budget|aid|"
    r"dollars?|euros?)\b",
    re.I,
)
_DURATION = re.compile(r"^\s*how (?:long\b(?! ago)|much (?:longer|more time|time)\b)", re.I)
_SAY = re.compile(r"\b(?:say|said|says|think|thought|claim|claimed|call|called|describe|described)\b", re.I)


@dataclass(frozen=True)
class Question:
    text: str
    kind: str  # "who" | "when" | "figure" | "why" | "what"
    terms: tuple[str, ...]  # lower-case content words, countries, dates and names removed
    names: tuple[str, ...] = ()  # capitalised multiword names, as phrases
    countries: tuple[str, ...] = ()  # ISO codes
    years: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    money: bool = False
    amount: bool = False  # "how much" not about money: an amount or a measured quantity
    duration: bool = False
    speech: bool = False  # "what did X say"
    unit: str | None = None  # "how many <unit>"
    margin: bool = False  # "by what margin": a vote count or a gap
    share: bool = False  # "what share / percentage": a proportion
    roles: tuple[tuple[str, str], ...] = ()  # ("MX", "president") for "Mexico's president"
    head: str | None = None  # "airline" in "which charter airline was hired": the line must name one
    proper: tuple[str, ...] = ()  # its names, and capitalised words that are no country ("Stormont")
    period: tuple[int, ...] = ()  # years the question is set in ("in June 2021"), not named after

    @property
    def words(self) -> tuple[str, ...]:
        """Everything lexical the question asks about (terms plus the words of its names)."""
        name_words = [w.lower() for n in self.names for w in _WORD.findall(n)]
        name_words = [w for w in name_words if w not in QUESTION_WORDS]
        return tuple(dict.fromkeys([*self.terms, *name_words]))


@cache
def _capitals() -> dict[str, str]:
    """Capital city -> country code, for news that writes "Ottawa" for Canada's government."""
    from countryinfo import all_countries as ci_all

    out: dict[str, str] = {}
    for entry in ci_all():
        info = entry.info()
        capital, name = info.get("capital"), info.get("name")
        if isinstance(capital, str) and capital and isinstance(name, str):
            country = resolve_country(name)
            if country:
                out.setdefault(capital.lower(), country.code)
                out.setdefault(re.split(r"[,(]| D\.C\.", capital)[0].strip().lower(), country.code)
    for seat in _SEATS:
        out.pop(seat, None)
    return out


# Capitals that news writes for an international body seated there, not for their country
# ("Brussels" is the European Union's executive far more often than Belgium's government).
_SEATS = frozenset({"brussels"})


@cache
def country_forms(code: str) -> tuple[str, ...]:
    """Every surface form of a country in prose (names, demonyms, codes) and its capital."""
    from facts.countries import _tables

    forms = [s for s, v in _tables().surface.items() if v and v[0].code == code]
    forms += [c.title() for c, k in _capitals().items() if k == code]
    return tuple(dict.fromkeys(forms))


_SECOND_PART = re.compile(
    r",?\s+and\s+(?=(?:what|when|who|whom|whose|which|why|how|where)\b)", re.IGNORECASE
)


def _things_asked(q: Question) -> int:
    return len(q.terms) + len(q.countries) + len(q.names)


def question_parts(text: str) -> list[str]:
    """``text`` as the questions it asks: "how many backed it, and how many votes did it need?"
    is two; "how far, and how fast, did it shrink?" is one (its first part asks nothing alone)."""
    m = _SECOND_PART.search(text)
    if m is None:
        return [text]
    first, second = text[: m.start()].rstrip(" ,?") + "?", text[m.end() :]
    if min(_things_asked(read_question(first)), _things_asked(read_question(second))) < 2:
        return [text]
    return [first, second]


def read_question(text: str) -> Question:
    kind = next((k for k, rx in _KINDS if re.match(rf"\s*(?:{rx})\b", text, re.I)), "what")
    years = tuple(int(y) for y in _YEAR.findall(text))
    months = tuple(
        _MONTH_ABBR[m.group(1).lower()[:3]]
        for m in _MONTH_WORD.finditer(text)
        if m.group(1)[0].isupper() or len(m.group(1)) > 3
    )
    spans: list[tuple[int, int]] = []
    codes: list[str] = []
    for m in find_countries(text):
        codes.append(m.country.code)
        spans.append((m.start, m.end))
    for m in _WORD.finditer(text):
        code = _capitals().get(re.sub(r"['’]s$", "", m.group()).lower()) if m.group()[0].isupper() else None
        after = text[m.end() :].lstrip()
        if code and _NAMED_AFTER.match(after) and not re.match(r"['’]s\b", text[m.end() - 2 : m.end()]):
            continue  # "the Paris climate pact", "the Ruritown Accord": a thing named after the city
        if code and not any(s <= m.start() < e for s, e in spans):
            codes.append(code)
            spans.append((m.start(), m.end()))
    names = []
    for m in _NAME.finditer(text):
        if m.start() == 0 or any(s <= m.start() < e or s < m.end() <= e for s, e in spans):
            continue
        names.append(m.group())
        spans.append((m.start(), m.end()))
    drop = {str(y) for y in years} | set(_MONTHS) | set(_MONTH_ABBR)
    terms = []
    for m in _WORD.finditer(text):
        if any(s <= m.start() < e for s, e in spans):
            continue
        w = re.sub(r"['’]s$", "", m.group().lower())
        if w in QUESTION_WORDS or w in drop or len(w) < 2 or w in _KIND_WORDS:
            continue
        terms.append(w)
    roles = []
    for m in find_countries(text):
        after = re.match(r"['’]s\s+(?:own\s+)?([a-z]+)(?:\s+([a-z]+))?", text[m.end :])
        if m.form == "demonym":
            after = re.match(r"\s+([a-z]+)(?:\s+([a-z]+))?", text[m.end :])
        # "Mexico's president", "Mexico's foreign minister"; "Britain's highest judges" names no office
        role = next((w for w in (after.groups() if after else ()) if w in _OFFICES), None)
        if role:
            roles.append((m.country.code, role))
    unit = _unit_of(text)
    head = _WHICH.match(text)
    head_word = head.group(1).lower() if head else None
    if head_word in _WHEN_HEADS:
        kind, head_word = "when", None
    elif head_word in _KIND_WORDS or head_word in _WHO_HEADS or kind != "what":
        head_word = None
    elif head_word:
        kind = "who"  # a named thing of that sort: "which airline", "what company"
    return Question(
        head=head_word,
        period=tuple(int(y) for y in _PERIOD_YEAR.findall(text)),
        roles=tuple(roles),
        unit=unit,
        proper=tuple(w for w in _proper_words(text, spans) if w.lower() != unit),  # "MPs" is counted
        margin=bool(re.search(_MARGIN, text, re.I)),
        share=bool(re.search(r"\b(?:share|percentage|proportion|fraction|percent)\b", text, re.I)),
        text=text,
        kind=kind,
        terms=tuple(dict.fromkeys(terms)),
        names=tuple(dict.fromkeys(names)),
        countries=tuple(dict.fromkeys(codes)),
        years=years,
        months=months,
        money=kind == "figure" and bool(_MONEY.search(text)),
        amount=bool(re.match(r"\s*how much\b", text, re.I))
        and not _MONEY.search(text)
        and not _DURATION.match(text),
        duration=bool(_DURATION.match(text)),
        speech=kind == "what" and bool(_SAY.search(text)),
    )


_HOW_MANY = re.compile(r"\bhow many\s+(?:of\s+the\s+|more\s+)?", re.I)
_UNIT_TOKEN = re.compile(r"[\w’'-]+|[?,.;]")
_AFTER_UNIT = re.compile(
    r"^(?:is|are|was|were|did|do|does|has|have|had|will|would|can|could|should|may|might|must|in|of|on|"
    r"at|for|from|to|with|by|under|per|each|a|an|the|[a-z]+ed|[?,.;])$"
)


def _unit_of(text: str) -> str | None:
    """The counted noun of "how many ...": the last word before the verb, preposition or stop
    that follows it ("how many American-built attack subs is ..." counts subs)."""
    m = _HOW_MANY.search(text)
    if not m:
        return None
    tokens = _UNIT_TOKEN.findall(text[m.end() :])[:6]
    for i, (word, after) in enumerate(zip(tokens, [*tokens[1:], "?"], strict=True)):
        if _AFTER_UNIT.match(after):
            if word.lower() in _MEASURE_ADJECTIVES and i > 0:  # "how many pages long": pages
                word = tokens[i - 1]
            return word.lower()
    return tokens[0].lower() if tokens else None


_MEASURE_ADJECTIVES = frozenset("long old tall high wide deep big large heavy strong more".split())


def _proper_words(text: str, taken: list[tuple[int, int]]) -> tuple[str, ...]:
    """Capitalised words past the first that no country, capital or question word accounts for."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group()
        if m.start() == 0 or not w[0].isupper() or any(s <= m.start() < e for s, e in taken):
            continue
        bare = re.sub(r"['’]s$", "", w)
        low = bare.lower()
        if low not in _NO_NAMES:
            out.append(bare)
    return tuple(dict.fromkeys(out))


# Capitalised words that say when, not what: a month or a holiday is no name to find.
_TIME_NAMES = frozenset(
    [
        *_MONTHS,
        *_MONTH_ABBR,
        *"monday tuesday wednesday thursday friday saturday sunday christmas easter thanksgiving".split(),
        *"ramadan eid hanukkah passover new year year's eve day".split(),
    ]
)

_WHICH = re.compile(
    r"\s*(?:which|what)\s+(?:[a-z-]+\s+){0,2}?([a-z-]+)\s+"
    r"(?:was|were|is|are|did|does|do|has|have|had|will|would|can|could|should|must)\b",
    re.I,
)
_WHEN_HEADS = frozenset("date day year month time deadline".split())
_WHO_HEADS = frozenset(
    "person people official officials leader leaders minister ministers country countries side sides".split()
)
# A year the question is set in ("in 2021", "during June 2021"), unlike "the 2015 accord".
_PERIOD_YEAR = re.compile(
    r"\b(?:in|during|since|by|until|before|after|of|on)\s+(?:(?:early|late|mid)[- ]?)?"
    r"(?:(?:[A-Z][a-z]+\.?|\d{1,2}(?:st|nd|rd|th)?)\s+){0,2},?\s*(1[89]\d\d|20\d\d)\b"
)
_MARGIN = r"\bmargin\b|\bhow many votes\b|\btally\b|\bvote count\b|\bhow (?:narrowly|closely|close)\b"
# Offices a question ties to a country ("Mexico's president"): the line must tie them too.
_OFFICES = frozenset(
    """president president-elect premier chancellor king queen monarch emperor ruler leader leaders
    government parliament congress senate senators lawmakers legislature cabinet minister ministers
    ambassador envoy negotiator negotiators army military navy house duma
    spokesman spokeswoman spokesperson embassy opposition""".split()
)

_NAMED_AFTER = re.compile(
    r"(?:[A-Z]\w+|climate|agreement|accord|accords|pact|deal|treaty|talks|summit|process|protocol|"
    r"declaration|convention|agenda|club|attack|attacks|peace)\b"
)

# Words that only say what kind of answer is wanted.
_KIND_WORDS = frozenset(
    "who whom whose many much long far often date year month day time reason share percentage "
    "proportion number amount margin which".split()
)

# Capitalised words in a question that name nothing to find (built once: read per word).
_NO_NAMES = QUESTION_WORDS | _KIND_WORDS | _TIME_NAMES | _SEATS
