"""Does a line hold what the question's kind asks for?

who: a named person or body that the question does not itself name; when: a date or a time
word; figure: a number (money for "how much ... pay", a length of time for "how long"); why: a
reason clause; what: anything (relevance alone decides).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from facts.answers.question import Question, country_forms
from facts.countries import find_countries
from facts.extract import embedding
from facts.extract.entities import find_entities
from facts.text.lemmas import lemma

__all__ = ["asked_events", "date_bound_to_event", "figure_near", "figures_of", "holds_answer", "in_period"]

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
    r"fail(?:ed|ure)|not (?:been )?(?:implemented|met|fulfilled|honou?red)|unless|"
    # a name's reason, and a purpose: "referencing where it was agreed", "in a bid to"
    r"referencing|in reference to|named (?:after|for)|in (?:honou?r|memory) of|a nod to|"
    r"in a bid to|in an effort to|aim(?:ed|s|ing)? (?:at|to)|so as to|deterr(?:ent|ence)|"
    r"to (?:avoid|prevent|stop|protect|ensure|end)|never (?:been|worked|succeeded))\b",
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
    if not _names_what_is_asked(q, sentence, context):
        return False
    if q.speech and not _SPEECH.search(sentence):
        return False
    if q.kind == "when":
        return date_bound_to_event(q, sentence, context)
    if q.kind == "figure":
        if (q.money or q.amount) and not _says_the_asked_event(q, sentence):
            return False  # "$36.5 billion" for a contract does not say what was paid as compensation
        if q.money:
            return bool(_MONEY.search(sentence))
        if q.duration:
            return bool(_DURATION.search(sentence))
        if q.margin:
            return bool(_VOTES.search(sentence) or _SHARE.search(sentence))
        if q.share:
            return bool(_SHARE.search(sentence))
        if q.unit and q.unit not in _GENERIC_UNITS:
            return _counts(q.unit, q.terms, sentence)
        if q.amount:
            return bool(_QUANTITY.search(_AGE.sub(" ", sentence)))
        return bool(_FIGURE.search(_NOT_FIGURES.sub(" ", sentence)))
    if q.kind == "why":
        return bool(_REASON.search(sentence))
    if q.kind == "who":
        named = _names_someone_new(q, sentence) or (q.head is not None and _proper_word_new(q, sentence))
        return named and _names_the_asked(q, sentence)
    return True


def _names_what_is_asked(q: Question, sentence: str, context: str) -> bool:
    """A question that names something in one word ("the Stormont brake") is answered only by a
    line that names one of those things, itself or in its context. (A multiword name may be
    paraphrased, "North American" for "the US, Mexico and Canada"; :func:`retrieve` drops the
    words no passage holds, "Strasbourg" for the court that sits there.)"""
    asked = {re.sub(r"['’]s$", "", w.lower()) for w in q.proper}
    if not asked:
        return True
    words = {w.lower() for w in _TOKEN.findall(f"{sentence} {context}")}
    words |= {re.sub(r"['’]s$", "", w) for w in words}
    return not asked.isdisjoint(words)


def _says_the_asked_event(q: Question, sentence: str) -> bool:
    """When the question asks about a known kind of event ("how much did X pay"), the line says
    that event happened."""
    _, events = asked_events(q)
    return not events or bool(_groups_in(_event_words(sentence), events))


def _proper_word_new(q: Question, sentence: str) -> bool:
    """A capitalised word inside the sentence that the question does not hold ("the Nordlys ferry
    company"): a name too rare for the entity rules."""
    asked = {w.lower() for w in _TOKEN.findall(q.text)}
    words = _TOKEN.findall(sentence)
    return any(w[0].isupper() and w.lower() not in asked for w in words[1:])


def _names_the_asked(q: Question, sentence: str) -> bool:
    """A who-line names the sort of thing asked ("which airline": an airline) and, when the
    question asks about a known event ("who signed"), says that event happened."""
    if q.head and not any(lemma(w) == lemma(q.head) or w[:5] == q.head[:5] for w in _event_words(sentence)):
        return False
    return _says_the_asked_event(q, sentence)


def in_period(q: Question, published: str, sentence: str, context: str = "") -> bool:
    """A question set in a year ("in June 2021") is answered only by a line about that year: from
    a document of that year, or naming it."""
    if not q.period:
        return True
    text = f"{sentence} {context}"
    return any(published.startswith(str(y)) or str(y) in text for y in q.period)


# Announcing: a question's "declare" or "announce" is answered by a line's "said" or "wrote" too;
# but a question's own "told" or "said" is its framing, not the event it asks about.
_ANNOUNCE = ("announc", "unveil", "declar", "disclos")
_ANNOUNCED = (*_ANNOUNCE, "said", "say", "wrote", "tweet", "told", "stat")
# The events a "when" question may ask about, each with the words that say it happened (stems;
# a clause holding one of them and a date dates that event). The first table's events are
# predicates about another event ("when did the exit become official"): when a question names
# one, it is the one asked.
_PREDICATES: tuple[tuple[str, ...], ...] = (
    ("effect", "effective", "force", "in force", "kick in", "kicks in", "kicked in", "apply", "applies"),
    ("official", "formal", "final"),
)
_EVENTS: tuple[tuple[str, ...], ...] = (
    ("sign", "signat", "ink", "put their names", "seal"),
    ("withdr", "exit", "leave", "leaving", "left", "quit", "abandon", "pull out", "pulled out"),
    ("open", "inaugurat", "unveil"),
    ("ratif", "approv", "pass", "vote", "adopt", "endorse"),
    ("agree", "reach", "clinch", "struck", "strike", "broker", "conclud"),
    ("extend", "extens", "renew", "prolong", "roll over", "rolled over"),
    _ANNOUNCE,
    ("start", "begin", "began", "begun", "launch", "resum", "restart"),
    ("end", "expir", "collaps", "lapse", "terminat", "halt", "stop", "scrap"),
    ("join", "rejoin", "re-enter", "reenter", "accede", "return"),
    ("suspend", "suspens", "freez", "froze"),
    ("normaliz", "normalis", "restor", "establish"),
    ("meet", "met", "talks", "summit", "visit"),
    ("arriv", "deliver", "sent", "send"),
    ("rule", "ruling", "strike down", "struck down", "throw out", "threw out", "thrown out", "overturn",
     "quash", "unlawful", "illegal", "uphold", "upheld", "block"),
    ("fall", "captur", "seize", "overrun", "take over", "took over", "taken over", "takeover"),
    ("win", "won", "elect", "victor", "defeat", "beat"),
    ("reject", "vote down", "voted down", "turn down", "turned down", "oppos", "veto", "refus"),
    ("releas", "free", "swap", "exchang"),
    ("deport", "remov", "expel", "fly", "flight", "relocat", "transfer"),
    ("arrest", "detain", "jail", "sentenc", "convict", "charg"),
    ("kill", "die", "dead", "death"),
    ("pay", "fund", "compensat", "give", "gave", "given", "grant", "provid", "offer", "transfer", "aid"),
    ("complet", "finish", "finaliz", "finalis", "final", "ready", "done"),
    ("hire", "contract", "charter", "employ", "appoint", "name", "nominat"),
)
_CLAUSE_CUT = re.compile(
    r";|,\s*(?:but|while|whereas|although|though)\b|\s(?:but|while|whereas|although|though)\s"
    r"|,\s*(?:which|who)\b|\s(?:which|who)\s|,\s*and\s|\s(?:after|before|when|once|since|until)\s",
    re.I,
)


def _stem_of(word: str, stem: str) -> bool:
    """A stem of five letters or more begins the word; a shorter one is the word or it inflected."""
    if len(stem) >= 5:
        return word.startswith(stem)
    return word in (stem, stem + "s", stem + "ed", stem + "ing", stem + "d", stem + "es", stem + "er")


def _stems_in(words: Sequence[str], group: tuple[str, ...]) -> bool:
    forms = [*words, *(lemma(w) for w in words)]
    return any(_stem_of(w, g) for w in forms for g in group if " " not in g)


_SEASON = re.compile(r"\b(?:by|this|last|next|in|the|early|late|until|since|that)\s+fall\b", re.I)


def _event_words(text: str) -> list[str]:
    """Lower-case words of ``text`` for event matching ("fall" the season and "START" the treaty
    are no events)."""
    return [w.lower() for w in _TOKEN.findall(_SEASON.sub(" ", text)) if not (w.isupper() and len(w) > 1)]


def _groups_in(words: Sequence[str], table: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    text = " " + " ".join(words) + " "
    return tuple(g for g in table if _stems_in(words, g) or any(f" {p} " in text for p in g if " " in p))


@lru_cache(maxsize=256)  # asked once per candidate line: read the question once
def asked_events(q: Question) -> tuple[tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]]:
    """The word groups of what a "when" question asks: its predicates ("take effect", "become
    official") and the events they are said of ("withdrawal"); both empty: any date answers."""
    main = _SUBORDINATE.split(q.text, maxsplit=1)[0]  # "due to lapse before they prolonged it"
    for name in q.names:  # "the New Start treaty" names no start
        main = main.replace(name, " ")
    words = _event_words(main)
    return _groups_in(words, _PREDICATES), _groups_in(words, _EVENTS)


# Where a question's own clause ends and a clause about another event begins.
_SUBORDINATE = re.compile(r"(?<=\w)[,]?\s+(?:before|after|since|until|once|because|so that|when)\s+", re.I)


_ORDINAL = re.compile(r"\b(second|third|fourth|fifth|sixth)\b", re.I)


def date_bound_to_event(q: Question, sentence: str, context: str = "") -> bool:
    """A date in the same clause as the asked event (its verb or noun, or a synonym): with a
    predicate ("when did the exit become official"), the predicate and the event both; when the
    question names no known event, any date. An ordinal the question gives ("the second
    withdrawal") must be in the line or its context."""
    ordinal = _ORDINAL.search(q.text)
    if ordinal and not re.search(rf"\b{ordinal.group(1)}\b", f"{sentence} {context}", re.I):
        return False
    predicates, events = asked_events(q)
    if not predicates and not events:
        return bool(_DATE.search(sentence))
    told = [g for g in events if g is not _ANNOUNCE]
    if len(told) < len(events) and told and not _groups_in(_event_words(sentence), tuple(told)):
        return False  # "when did X declare the text finished": saying so, and of that, not of anything
    events = tuple(_ANNOUNCED if g is _ANNOUNCE else g for g in events)
    cuts = [0, *(m.start() for m in _CLAUSE_CUT.finditer(sentence)), len(sentence)]
    for a, b in itertools.pairwise(cuts):
        clause = sentence[a:b]
        if not _DATE.search(clause):
            continue
        words = _event_words(clause)
        if predicates and not _groups_in(words, predicates):
            continue
        if events and not _groups_in(words, events):
            continue
        return True
    return False


# A quantity with its unit of measure ("40,000 tonnes", "3 million barrels"): what "how much"
# asks when it is not about money.
_MEASURED = re.compile(
    rf"(?:\d[\d,.]*|\b(?:{_NUMBER_WORDS}))\s+(?:(?:million|billion|trillion|thousand)\s+)?(?:metric\s+)?"
    r"(?:tons?|tonnes?|barrels?|bushels?|kilo(?:gram|metre|meter)s?|kg|km|miles?|acres?|hectares?|"
    r"(?:square|cubic)\s+\w+|litres?|liters?|gallons?|(?:mega|giga|kilo)watts?|MW|GW|doses?|units?)\b",
    re.I,
)
# Numbers that are no figure: dates, years, days of a month, ages used as modifiers
# ("the 25-year-old treaty" says how old, not how much or how many).
_AGE = re.compile(rf"\b(?:\d+|{_NUMBER_WORDS})-(?:year|month|day)-old\b", re.I)
_NOT_FIGURES = re.compile(rf"{_DATE.pattern}|\b(?:1[89]|20)\d\d\b|{_AGE.pattern}", re.I)
_SUM = (  # money, a large count or a share
    r"[$€£¥]\s?\d[\d,.]*(?:\s*(?:million|billion|trillion|bn|m)\b)?|"
    r"\b\d[\d,.]*\s*(?:million|billion|trillion)\b|\b\d[\d,.]*\s*%"
)
_AMOUNT = re.compile(rf"(?:{_SUM}|{_DURATION.pattern})", re.I)  # ... or a length of time
_QUANTITY = re.compile(rf"(?:{_SUM}|{_MEASURED.pattern})", re.I)  # "how much" when not of time


def figure_near(q: Question, sentence: str, reach: int = 6) -> bool:
    """An amount (money, a large count, a share, a length of time) within ``reach`` words of one
    of the question's own words, in the same clause: "$3 billion in fish exports" for "how big
    are fish exports"."""
    low = sentence.lower()
    stems = {t[:5] for t in q.terms if len(t) >= 3}
    words = [(m.start(), m.group()[:5]) for m in re.finditer(r"[^\W_]+", low)]
    cuts = [0, *(c.start() for c in _CLAUSE_CUT.finditer(sentence)), len(sentence)]
    for m in _AMOUNT.finditer(sentence):
        lo = max(c for c in cuts if c <= m.start())
        hi = min(c for c in cuts if c >= m.end())
        before = [w for at, w in words if lo <= at < m.start()][-reach:]
        after = [w for at, w in words if m.end() <= at < hi][:reach]
        if stems.intersection(before) or stems.intersection(after):
            return True
    return False


def figures_of(sentence: str) -> tuple[str, ...]:
    """The amounts in ``sentence`` as written (to tell reports of different figures apart)."""
    return tuple(m.group().lower() for m in _AMOUNT.finditer(sentence))


def _names_someone_new(q: Question, sentence: str) -> bool:
    asked = {w.lower() for n in q.names for w in n.split()}
    for e in find_entities(sentence):
        if not set(e.name.lower().split()) <= asked:
            return True
    return any(
        m.country.code not in q.countries and _agent(sentence, m.start) for m in find_countries(sentence)
    )


_BY = re.compile(r"\bby\s+(?:the\s+)?(?:\S+\s+){0,2}$", re.I)


def _agent(sentence: str, at: int) -> bool:
    """Is the country named at ``at`` one that acts: the sentence's subject (among its first four
    words) or an agent after "by"? Not "signed in the Qatari capital" nor "troops left Kabul"."""
    return len(sentence[:at].split()) < 4 or _BY.search(sentence[:at]) is not None


def _counts(unit: str, others: Sequence[str], sentence: str) -> bool:
    """A number just before the counted noun ``unit`` (up to two words between; a demonym also
    matches its country's other forms), or right before another of the question's nouns ("196
    parties" for "how many countries are parties"). Not "300 kilograms allowed": a number
    counts the word it stands before, and a year counts nothing."""
    from facts.countries import country_surface

    forms = {unit[:5]}
    if unit in _VOTERS:  # "how many MPs backed it": "358 votes in favour" counts them
        forms.add("votes")
    hit = country_surface(unit.title())
    if hit:
        forms |= {f.lower()[:5] for f in country_forms(hit[0].code)}
    near = {t[:5] for t in others if len(t) >= 4}
    tokens = _TOKEN.findall(_AGE.sub(" ", sentence))  # "the 12-year-old port accord" counts no ports
    counted: list[str] = []  # words a number stands just before, for the synonym test below
    for i, tok in enumerate(tokens):
        stem = tok.lower()[:5]
        reach = 3 if stem in forms else 1 if stem in near else 0
        numbered = [_NUMBER.match(t) and not _YEAR_ALONE.match(t) for t in tokens[max(0, i - 3) : i]]
        if any(numbered[len(numbered) - reach :] if reach else ()):
            return True
        if any(numbered) and tok.isalpha() and len(tok) > 2:
            counted.append(tok.lower())
    # "3 submarines" for "how many subs", "40 soldiers" for "how many troops": a counted word
    # whose vector is close to the asked noun's (static word vectors; measured: synonyms 0.38 to
    # 0.68, unrelated units such as kilograms for centrifuges under 0.15).
    return bool(counted) and max(_similarity(unit, w) for w in counted) >= SYNONYM_COSINE


SYNONYM_COSINE = 0.35


@lru_cache(maxsize=65536)
def _word_vector(word: str) -> Any:
    return embedding.embed([word])[0]


def _similarity(a: str, b: str) -> float:
    return float(_word_vector(a) @ _word_vector(b))


_VOTERS = frozenset(
    "mps meps senators lawmakers legislators deputies members representatives delegates voters "
    "congressmen congresswomen peers lords councillors councilors".split()
)
_YEAR_ALONE = re.compile(r"^(?:1[89]|20)\d\d$")


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
