"""Resolve date expressions in one English news sentence against the publication date (DCT).

A small regex grammar with newsroom conventions, because no maintained library resolves
news-relative dates well (dateparser, Recognizers-Text, parsedatetime were measured worse):

* a weekday equal to the DCT's weekday is the DCT ("said Tuesday" in a Tuesday paper); other
  weekdays are the most recent one before the DCT, or the next one with a future cue;
* a month (or month-day, or season) without a year is the latest one not after the DCT, or the
  earliest one not before it when a *future cue* ("will", "is scheduled to", "next", ...) is in
  the same clause (clauses end at ``;``, ``:``, dashes, ``but``, ``while``, ``, and``, and at
  ``that``/``which``/``who``: "a March 3 rule that would require" is a past March 3); a
  month-day within ``SOON_DAYS`` after the DCT is the coming one when a schedule word ("until",
  "by", "ahead of", "deadline", "takes effect") is in its clause;
* "early/mid/late" narrow the interval (month: 1-10 / 11-20 / 21-end; year: Jan-Jun /
  Apr-Sep / Jul-Dec; season: its first / middle / last month; week: Mon-Wed / Tue-Thu / Thu-Sun);
* "between November 2019 and March 2020" and "from May to July 2019" are ONE range;
* bare years are events only after a preposition ("in 2017", "since 2015") or early/mid/late:
  "the 2018 budget", "a 2018 report", "$44 million", "G-20", "52-48" give nothing;
* "before X" / "after X" turn X into a bound: precision ``before`` keeps ``end`` = the bound
  (``start`` = ``end``, or ``end`` minus a window for "shortly before"), ``after`` keeps
  ``start`` = the bound (``end`` = ``start``, or plus 30 days for "shortly/soon/just after",
  90 for "weeks after", 365 for "months after"). "more than N days ago" is ``before`` DCT-N.

* "a year ago Wednesday" is that weekday (the latest) a year back;
* a wire dateline opening the sentence ("LIMA, April 26 (Agency) —") is the filing day: no event.

Anaphora ("two days later", "that year", "the following week") is not resolved by
:func:`find_dates` (it needs the story): :func:`find_anaphor` resolves it against the date of
the story's previous dated sentence, which the caller supplies. Durations are not dates ("over
the last year", "in the past week", "in the coming months"). With ``published_precision`` other
than ``"day"`` the DCT is approximate: expressions that need the exact day (weekdays,
yesterday/today/now, "N days ago") widen to the ISO week that holds the resolved day (precision
``"week"``); a month-day without a year is read against the whole month (or year) the DCT
allows; month- and year-level expressions resolve as usual.

Known gaps: present tense used for schedules far ahead ("has until Oct. 15") reads as past;
"in two weeks" / "within days" are not resolved; world knowledge ("Obama-era") needs
``anchors``; subordinate-clause detection is a heuristic, not a parse.

Speed: each family of expressions has cheap *head* words (month names, "year", "ago", ...); a
family's full pattern is only tried within a few characters before its heads (``_Ctx.near``),
because Python's ``re`` scans a pattern that opens with optional words very slowly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from facts.text.prefilter import finditer_at, fold_lower, has_any, has_digit, word_starts

__all__ = [
    "PRECISIONS",
    "DateMention",
    "concessive_end",
    "find_anaphor",
    "find_dates",
    "main_date",
    "month_end",
    "parse_year_range",
]

PRECISIONS = ("day", "week", "month", "season", "year", "range", "before", "after")
_RANK = {"day": 6, "week": 5, "month": 4, "season": 3, "range": 3, "before": 2, "after": 2, "year": 1}
_ONE_DAY = dt.timedelta(days=1)


def month_end(year: int, month: int) -> dt.date:
    """The last day of ``month`` in ``year`` (29 February in a leap year)."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _range_granularity(start: dt.date, end: dt.date) -> str:
    """How a range is shown: whole years, whole months, or days (derived from its bounds)."""
    if start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31:
        return "year"
    if start.day == 1 and end == month_end(end.year, end.month):
        return "month"
    return "day"


def _show(day: dt.date, granularity: str) -> str:
    if granularity == "year":
        return f"{day.year:04d}"
    if granularity == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


@dataclass(frozen=True)
class DateMention:
    """One resolved date expression: the interval ``start``..``end`` (inclusive) it denotes."""

    start: dt.date
    end: dt.date
    precision: str
    mod: str | None
    text: str
    span: tuple[int, int]
    relative: bool
    subordinate: bool

    @property
    def _granularity(self) -> str:
        p = self.precision
        if p in ("month", "season"):
            return "month"
        if p == "year":
            return "year"
        if p == "range":
            return _range_granularity(self.start, self.end)
        return "day"

    @property
    def iso(self) -> str:
        """``start`` shown at the mention's precision ("2019-09-20", "2019-09", "2019")."""
        return _show(self.start, self._granularity)

    @property
    def iso_end(self) -> str | None:
        """``end`` at the same granularity as :attr:`iso`; None for a plain day, month or year."""
        if self.precision in ("day", "month", "year") and self.mod is None:
            return None
        return _show(self.end, self._granularity)

    @property
    def rank(self) -> int:
        """How precise: day 6, week 5, month 4, season 3, range 3, before/after 2, year 1."""
        return _RANK[self.precision]


# --------------------------------------------------------------------------- regex grammar

_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_WD_NUM = {name: i for i, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
# Month names are case-sensitive on purpose: "may" and "march" are verbs and nouns.
_MON = (r"(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
        r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b))")
_MON_NUM = {k: i + 1 for i, k in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
# A month standing alone (no day, no year) must be spelt out or abbreviated with a period.
_MON_ALONE = re.compile(r"(?:January|February|March|April|May|June|July|August|September|October"
                        r"|November|December|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.)")
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b(?!,\d{3})"
_YEAR = r"(?:1[89]\d\d|20\d\d)\b(?!['’]s\b)"
_PREP = r"(?i:in|since|by|until|till|through|throughout|during|from|before|after|prior\s+to|ahead\s+of)"
_MOD = r"(?i:early|mid|late|the\s+(?:end|beginning|start|middle)\s+of)"
_NUM_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90,
}
_VAGUE_NUMS = {"a couple of": 2, "a couple": 2, "a few": 3, "several": 3}
_NUM = (r"(?:\d{1,4}|(?i:a\s+couple(?:\s+of)?|a\s+few|several|"
        + "|".join(sorted(_NUM_WORDS, key=len, reverse=True)) + r"))")

_MDY = re.compile(
    rf"\b(?:(?P<wd>{_WD}),?\s+(?:the\s+)?)?(?P<mon>{_MON})\s*(?P<d>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?")
_DMY = re.compile(
    rf"\b(?:(?P<wd>{_WD}),?\s+)?(?:(?i:the)\s+)?(?P<d>{_DAY})(?:\s+of)?\s+(?P<mon>{_MON})"
    rf"(?:,?\s+(?P<y>{_YEAR}))?")
_ISO = re.compile(r"\b(?P<y>1[89]\d\d|20\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b(?!-\d)")
_US_NUMERIC = re.compile(r"\b(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])/(?P<y>(?:19|20)\d\d)\b")
_DAY_RANGE = re.compile(
    rf"\b(?P<mon>{_MON})\s*(?P<d1>{_DAY})\s*[-–]\s*(?P<d2>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?")
_MONTH = re.compile(
    rf"\b(?:(?P<p>{_PREP})\s+)?(?:(?P<rel>(?i:last|this|next|this\s+past|this\s+coming))\s+)?"
    rf"(?:(?P<mod>{_MOD})[\s-]+)?(?P<mon>{_MON})(?:(?:\s+of)?,?\s+(?P<y>{_YEAR})|(?![.\s]*\d))")
_PREP_YEAR = re.compile(
    rf"\b(?:(?P<p>{_PREP})\s+(?:(?P<mod1>(?i:early|mid|late))[\s-]+)?|(?P<mod2>{_MOD})[\s-]+)"
    rf"(?P<y>{_YEAR})(?![-–/]\d)"
    r"(?!\s*(?:%|percent|people|votes|troops|cases|homes|residents|dollars|miles|acres)\b)")
_DECADE = re.compile(
    r"\b(?i:the)\s+(?:(?P<mod>(?i:early|mid|late))[\s-]+)?(?:(?P<y>1[89]\d0|20\d0)|['’](?P<yy>\d0))['’]?s\b")
_EP = rf"(?:{_MON}(?:\s*{_DAY})?(?:,?\s+{_YEAR})?|{_YEAR})"
_RANGE = re.compile(
    rf"\b(?P<kw>(?i:between|from))\s+(?P<a>{_EP})\s*(?:(?i:and|to|through|until|till)|[-–—])\s*(?P<b>{_EP})")
_EP_PARTS = re.compile(rf"(?:(?P<mon>{_MON})(?:\s*(?P<d>{_DAY}))?(?:,?\s+(?P<y>{_YEAR}))?|(?P<yo>{_YEAR}))")
_REL_UNIT = re.compile(
    rf"(?<!the )(?<!The )\b(?:(?P<mod>{_MOD})[\s-]+)?"
    r"(?P<rel>(?i:last|this|next|earlier\s+this|later\s+this|this\s+past|this\s+coming))\s+"
    r"(?P<unit>(?i:year|month|weekend|week|decade))\b")
_THE_UNIT = re.compile(
    r"\b(?:(?P<mod>(?i:the\s+(?:end|beginning|start|middle)\s+of))\s+(?P<unit>(?i:the\s+(?:year|month|week)))"
    r"|(?i:over|during|on|at|for)\s+(?P<wkend>(?i:the\s+weekend)))\b")
_QUARTER = re.compile(
    rf"\b(?:(?i:the)\s+)?(?P<ord>(?i:first|second|third|fourth|final|last))\s+(?P<u>(?i:quarter|half))\s+"
    rf"(?i:of)\s+(?:(?P<y>{_YEAR})|(?P<rel>(?i:this|last|next))\s+(?i:year)|(?i:the\s+year))"
    rf"|\bQ(?P<q>[1-4])\s+(?P<qy>{_YEAR})")
_SEASON = re.compile(
    rf"(?:\b(?P<p>{_PREP})\s+(?:(?i:the)\s+)?)?\b(?:(?P<mod>(?i:early|mid|late))[\s-]+)?"
    r"(?:(?P<rel>(?i:last|this|next|this\s+past|this\s+coming))\s+)?"
    rf"(?P<s>(?i:summer|fall|autumn|winter|spring))(?:\s+(?:(?i:of)\s+)?(?P<y>{_YEAR}))?\b")
_SEASON_NOT = re.compile(r"\s+(?:of\b|Olympic|Games|[Ss]ession|[Ss]emester|[Tt]erm|[Cc]ollection)")
_WEEKDAY = re.compile(
    r"(?<!Black )(?<!Good )(?<!Cyber )(?<!Super )(?<!Holy )(?<!Ash )(?<!Bloody )(?<!Giving )"
    rf"\b(?:(?P<rel>(?i:last|next|this|this\s+past|this\s+coming|coming))\s+)?(?P<wd>{_WD})\b"
    r"(?:['’]s)?(?:\s+(?P<tod>(?i:morning|afternoon|evening|night)\b))?")
_DEICTIC = re.compile(
    r"(?<!USA )\b(?:(?P<pre>(?i:earlier|later))\s+)?(?P<w>[Yy]esterday|[Tt]oday|[Tt]onight|[Tt]omorrow"
    r"|[Cc]urrently|(?i:as\s+of\s+now)|[Nn]ow(?![-'’])|(?i:this\s+(?:morning|afternoon|evening))"
    r"|(?i:last\s+night))\b")
_AGO = re.compile(
    r"\b(?:(?P<q>(?i:more\s+than|over|nearly|almost|about|around|roughly|some|at\s+least|less\s+than"
    rf"|under|just|only|exactly|barely))\s+)?(?P<n>{_NUM})\s+(?P<u>(?i:days?|weeks?|months?|years?|decades?))"
    r"\s+(?P<dir>(?i:ago|from\s+now))\b")
_AGO_WEEKDAY = re.compile(rf"\s+(?:(?i:on|last)\s+)?(?P<wd>{_WD})\b")
_HOLIDAY = re.compile(
    r"\b(?P<p>(?i:on|before|after|since|by|until|over|at|during|around|ahead\s+of|prior\s+to))\s+"
    r"(?P<h>Christmas(?:\s+(?:Day|Eve))?|New\s+Year['’]s(?:\s+(?:Day|Eve))?|Thanksgiving(?:\s+Day)?"
    r"|Halloween|Valentine['’]s\s+Day|Memorial\s+Day|Labor\s+Day|(?:the\s+)?Fourth\s+of\s+July"
    r"|July\s+Fourth)\b")
_SEPT11_TAIL = re.compile(
    r"\s+(?i:attacks?|terror\w*|hijack\w*|commission|era|victims|memorial|anniversary)\b")

# Cheap gate: a sentence with no digit, no month name and none of these words holds no date.
_PRECHECK_WORDS = ("day", "year", "month", "week", "decade", "quarter", "half", "summer", "fall", "autumn",
                   "winter", "spring", "night", "tomorrow", "currently", "now", "morning", "afternoon",
                   "evening", "ago", "christmas", "new year", "thanksgiving", "halloween", "fourth")
_DIGIT = re.compile(r"\d")

# Clause boundaries for future cues: ";", ":", dashes, "but", and ", and" / ", while" ...
_BOUNDARY = re.compile(r";|:\s|\s[—–]\s|—|\s--\s|,\s*(?:but|and|while|whereas|although|though|yet|so|or)\b"
                       r"|\b(?:but|while|whereas|that|which|who|whom|whose)\b", re.IGNORECASE)
_SAYING = (r"(?:said|says|say|told|tells|announced|announces|added|noted|reported|warned|argued|stated"
           r"|confirmed|insisted|acknowledged|wrote)")
_SAY_THAT = re.compile(rf"\b(?P<say>{_SAYING})\b(?:[^,;]{{0,40}}?\b(?P<that>that)\b)?", re.IGNORECASE)
_SAID_BEFORE = re.compile(rf"\b{_SAYING}\s+(?:on\s+|late\s+|early\s+)?$", re.IGNORECASE)
_PARENTHETICAL = re.compile(r",\s*(?:who|which|whose|whom|where)\b[^,;]*,", re.IGNORECASE)
# "The treaty, signed on Friday, will be extended": the aside's date is the signing's, whatever
# the sentence's main verb says of the future.
_PARTICIPLE_ASIDE = re.compile(r",\s*[a-z]+(?:ed|en)\s+(?:on|in|at|last|earlier)\b[^,;]{0,60},")
_FUTURE = re.compile(
    r"\b(?:will|won['’]t|would|shall|(?:is|are)\s+(?:scheduled|set|expected|slated|due|poised|planned|planning"
    r"|going)\s+(?:to|for)|plans?\s+to|planned\s+to|planning\s+to|intends?\s+to|next(?!\s+to\b)|upcoming"
    r"|the\s+coming|later\s+this)\b|['’](?:ll|s\s+(?:scheduled|set|expected|slated|due)\s+(?:to|for))\b",
    re.IGNORECASE)

# Words that schedule: a month-day without a year shortly after the DCT is the coming one.
SOON_DAYS = 92  # about a quarter: the horizon of a schedule named by month and day
_SOON = re.compile(
    r"\b(?:until|till|by|ahead\s+of|before|deadline|due|election|session|summit|expir\w*|starting"
    r"|begin\w*|takes?\s+effect|return\w*|resum\w*|scheduled|upcoming|coming)\b", re.IGNORECASE)
_SOON_WORDS = ("until", "till", "by", "ahead", "before", "deadline", "due", "election", "session",
               "summit", "expir", "start", "begin", "effect", "return", "resum", "schedul", "coming")

# "before X" / "shortly after X" / "two days after X", read just before a mention.
_WINDOWS = {"shortly": 30, "soon": 30, "just": 30, "right": 30, "immediately": 30, "days": 30,
            "not long": 30, "weeks": 90, "months": 365}
_BA_PREFIX = (
    rf"(?:(?P<n>{_NUM})\s+(?P<u>(?i:days?|weeks?))\s+"
    r"|(?P<win>(?i:shortly|soon|just|right|immediately|days|weeks|months|not\s+long))\s+)?"
    r"(?P<rel>(?i:before|after|prior\s+to|ahead\s+of|since|following|until))")
_BA_BEFORE_MENTION = re.compile(r"\b" + _BA_PREFIX + r"\s+(?:(?i:the)\s+)?$")


class _Head(NamedTuple):
    """Words every match of a family holds, and how far before them a match may start."""

    rx: re.Pattern[str]
    back: int
    on_low: bool = True  # searched in the lower-cased sentence
    words: tuple[str, ...] = ()  # quick gate: one of these substrings is in the lower-cased sentence
    digit: bool = False  # quick gate: the sentence has a digit


_H_MONTH_CS = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
_H_MDY = _Head(_H_MONTH_CS, 30, on_low=False, digit=True)
_H_MONTH = _Head(_H_MONTH_CS, 32, on_low=False)
_H_NUMERIC = _Head(re.compile(r"\d[-/]\d"), 6, words=("-", "/"), digit=True)
_H_DAY_RANGE = _Head(re.compile(r"\d\s*[-–]\s*\d"), 20, words=("-", "–"), digit=True)
_H_RANGE = _Head(re.compile(r"between|from"), 0, words=("between", "from"))
_H_YEAR = _Head(re.compile(r"1[89]\d\d|20\d\d"), 30, digit=True)
_H_DECADE = _Head(re.compile(r"0['’]?s\b"), 25, digit=True)
_UNITS = ("year", "month", "week", "decade")
_H_UNIT = _Head(re.compile("|".join(_UNITS)), 30, words=_UNITS)
_H_QUARTER = _Head(re.compile(r"quarter|half|q[1-4]"), 30, words=("quarter", "half", "q1", "q2", "q3", "q4"))
_SEASONS = ("summer", "fall", "autumn", "winter", "spring")
_H_SEASON = _Head(re.compile("|".join(_SEASONS)), 32, words=_SEASONS)
_H_WEEKDAY = _Head(re.compile(r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"), 20,
                   words=("day",))
_H_DEICTIC = _Head(
    re.compile(r"yesterday|today|tonight|tomorrow|currently|now|morning|afternoon|evening|night"), 20)
_H_AGO = _Head(re.compile(r"ago\b|from now"), 32, words=("ago", "from now"))
_HOLIDAYS = ("christmas", "new year", "thanksgiving", "halloween", "valentine", "memorial day", "labor day",
             "fourth")
_H_HOLIDAY = _Head(re.compile("|".join(_HOLIDAYS)), 25, words=_HOLIDAYS)


_MONTH_HEADS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MON_RX = re.compile(_MON)
# What follows the month in a _MONTH match, and the month-day core of a _MDY match: a search that
# finds no month (among _Ctx.months) starting one of these cannot find a match either.
_MONTH_TAIL = re.compile(rf"{_MON}(?:(?:\s+of)?,?\s+{_YEAR}|(?![.\s]*\d))")
_MONTH_DAY = re.compile(rf"{_MON}\s*{_DAY}")
_DEICTIC_HEADS = ("yesterday", "today", "tonight", "tomorrow", "currently", "now", "morning", "afternoon",
                  "evening", "night")  # the alternatives of _H_DEICTIC


class _Cand(NamedTuple):
    """A mention before overlap resolution and post-processing (cheap to build)."""

    s: int
    e: int
    start: dt.date
    end: dt.date
    precision: str
    mod: str | None
    relative: bool
    dct_day: bool = False  # needs the exact publication day (widened when the DCT is approximate)


class _Ctx:
    """One sentence being scanned; clause boundaries and future cues are computed lazily."""

    __slots__ = ("_bounds", "_cues", "_digit", "_months", "_years", "dct", "hi", "lo", "low", "s")

    def __init__(self, sentence: str, dct: dt.date, window: tuple[dt.date, dt.date] | None = None) -> None:
        self.s = sentence
        self.low = sentence.lower()
        self.dct = dct
        # The days the publication date may be: one day, or a whole month for "2021-05".
        self.lo, self.hi = window or (dct, dct)
        self._bounds: list[tuple[int, int]] | None = None
        self._cues: list[int] | None = None
        self._digit: bool | None = None
        self._months: list[int] | None = None
        self._years: list[int] | None = None

    @property
    def digit(self) -> bool:
        if self._digit is None:
            self._digit = has_digit(self.s)
        return self._digit

    @property
    def months(self) -> list[int]:
        """Where month names (_MON) start. Every month-led family's match holds one."""
        if self._months is None:
            s = self.s
            self._months = (
                [h.start() for h in _H_MONTH_CS.finditer(s) if _MON_RX.match(s, h.start())]
                if has_any(s, _MONTH_HEADS) else []
            )
        return self._months

    def has(self, head: _Head) -> bool:
        """Could the sentence hold a match of this family? (cheap checks first)"""
        if head.digit and not self.digit:
            return False
        if head.rx is _H_MONTH_CS:  # month names, not just their first three letters ("Maria")
            return bool(self.months)
        if head.words:
            return has_any(self.low, head.words)
        if head is _H_DEICTIC:
            return has_any(self.low, _DEICTIC_HEADS)
        return head.rx.search(self.low if head.on_low else self.s) is not None

    def _month_ahead(self, core: re.Pattern[str], start: int) -> bool:
        """Does ``core`` match at a month name at or after ``start``?"""
        return any(core.match(self.s, r) for r in self.months if r >= start)

    def could_match(self, rx: re.Pattern[str], start: int) -> bool:
        """False when ``rx.search(self.s, start)`` certainly finds nothing (the sentence's offsets
        and its lower-cased form's must agree). Searches that fail read the rest of the sentence."""
        core = _MONTH_CORES.get(rx)
        if core is not None:
            return self._month_ahead(core, start)
        s = self.s
        if rx is _DMY:  # a day ("12", "1st"), whitespace, perhaps "of" and whitespace, then a month
            for r in self.months:
                if r > start and s[r - 1].isspace():
                    before = s[start:r].rstrip()
                    if _ends_with_day(before):
                        return True
                    if before.endswith("of") and _ends_with_day(before[:-2].rstrip()):
                        return True
            return False
        if rx is _PREP_YEAR:  # a year after whitespace or hyphens that follow a preposition or modifier
            if self._years is None:
                self._years = [h.start() for h in _H_YEAR.rx.finditer(self.low)]
            folded = fold_lower(s)
            for r in self._years:
                if r < start:
                    continue
                j = r
                while j > 0 and (s[j - 1].isspace() or s[j - 1] == "-"):
                    j -= 1
                if j < r and folded.endswith(_YEAR_PREFIX_ENDS, 0, j):
                    return True
            return False
        return True

    def near(self, rx: re.Pattern[str], head: _Head) -> Iterator[re.Match[str]]:
        """``rx.finditer`` over the sentence, but only tried close to the heads that every match holds.

        Python's ``re`` cannot skip ahead in a pattern that starts with optional words ("in", "early",
        "last"), so scanning a whole sentence with it is slow; the head words (month names, "year",
        "ago", ...) are cheap to find, and a match cannot start more than ``head.back`` characters
        before its head.
        """
        s = self.s
        text = self.low if head.on_low else s
        if len(text) != len(s):  # lower() changed the offsets (rare Unicode): scan it all
            yield from rx.finditer(s)
            return
        pos = 0
        for h in head.rx.finditer(text):
            if h.start() < pos:
                continue
            start = max(pos, h.start() - head.back)
            if not self.could_match(rx, start):
                return
            m = rx.search(s, start)
            if m is None:
                return
            yield m
            pos = m.end()

    def _clause_bounds(self) -> list[tuple[int, int]]:
        bounds = [m.span() for m in _BOUNDARY.finditer(self.s)]
        # "said Monday that the president will visit": the reported clause is a clause of its own.
        # A verb of saying also starts one: "In a statement Thursday, the ministry said it would ...".
        for m in finditer_at(_SAY_THAT, self.s, word_starts(self.s, _SAY_WORDS)):
            bounds.append(m.span("say"))
            if m["that"]:
                bounds.append(m.span("that"))
        # A parenthetical ", who took office in June," or ", signed on Friday," is a clause of its own.
        for rx in (_PARENTHETICAL, _PARTICIPLE_ASIDE):
            for m in rx.finditer(self.s):
                bounds += [(m.start(), m.start() + 1), (m.end() - 1, m.end())]
        return sorted(bounds)

    def future(self, start: int, end: int) -> bool:
        """Is there a future cue in the clause that holds ``start``..``end``?"""
        if self._cues is None:
            s = self.s
            starts = sorted({*word_starts(s, _FUTURE_WORDS), *_offsets(s, "'"), *_offsets(s, "’")})
            self._cues = [m.start() for m in finditer_at(_FUTURE, s, starts)]
            self._bounds = self._clause_bounds() if self._cues else []
        if not self._cues:
            return False
        lo, hi = 0, len(self.s)
        for b0, b1 in self._bounds or ():
            if b1 <= start:
                lo = b1
            elif b0 >= end:
                hi = b0
                break
        return any(lo <= c < hi for c in self._cues)

    def soon(self, start: int, end: int) -> bool:
        """Is a scheduling word ("until", "ahead of", "deadline", "takes effect") in the mention's
        clause? Cheap: only asked for month-days without a year."""
        if not has_any(self.low, _SOON_WORDS):
            return False
        lo, hi = 0, len(self.s)
        for m in _BOUNDARY.finditer(self.s):
            if m.end() <= start:
                lo = m.end()
            elif m.start() >= end:
                hi = m.start()
                break
        return _SOON.search(self.s, lo, hi) is not None


# --------------------------------------------------------------------------- resolution helpers

def _mod_of(text: str | None) -> str | None:
    if not text:
        return None
    t = text.lower()
    if t.startswith(("early", "the beginning", "the start")):
        return "early"
    if t.startswith(("mid", "the middle")):
        return "mid"
    return "late"  # "late", "the end of"


def _month_interval(year: int, month: int, mod: str | None) -> tuple[dt.date, dt.date]:
    end = month_end(year, month)
    if mod == "early":
        return dt.date(year, month, 1), dt.date(year, month, 10)
    if mod == "mid":
        return dt.date(year, month, 11), dt.date(year, month, 20)
    if mod == "late":
        return dt.date(year, month, 21), end
    return dt.date(year, month, 1), end


def _year_interval(year: int, mod: str | None) -> tuple[dt.date, dt.date]:
    a, b = {"early": (1, 6), "mid": (4, 9), "late": (7, 12)}.get(mod or "", (1, 12))
    return dt.date(year, a, 1), month_end(year, b)


def _week_interval(day: dt.date, mod: str | None = None) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    a, b = {"early": (0, 2), "mid": (1, 3), "late": (3, 6)}.get(mod or "", (0, 6))
    return monday + dt.timedelta(days=a), monday + dt.timedelta(days=b)


def _month_year(month: int, dct: dt.date, future: bool, rel: str | None) -> int:
    """The year of a month named without one ("in June", "last June", "next March")."""
    if rel == "this":
        return dct.year
    if rel in ("last", "this past"):
        return dct.year if month < dct.month else dct.year - 1
    if rel in ("next", "this coming"):
        return dct.year if month > dct.month else dct.year + 1
    if future:
        return dct.year if month >= dct.month else dct.year + 1
    return dct.year if month <= dct.month else dct.year - 1


def _month_day(month: int, day: int, dct: dt.date, future: bool,
               weekday: int | None = None, window: tuple[dt.date, dt.date] | None = None,
               soon: bool = False) -> dt.date | None:
    """A month-day without a year: latest not after the DCT (earliest not before it with a future cue).

    ``window`` is the span an approximate DCT allows (a month-precision article): the past reading
    is the latest not after its end, the future one the earliest not before its start. ``soon``
    (a scheduling word in the clause: "until", "ahead of", "deadline") reads a day within
    ``SOON_DAYS`` after the DCT as that coming day rather than one almost a year back.
    A weekday named with it ("Friday, Sept. 20") picks the nearest year where it matches.
    """
    lo, hi = window or (dct, dct)
    cands = []
    for y in range(dct.year - 4, dct.year + 5):
        try:
            cands.append(dt.date(y, month, day))
        except ValueError:
            continue
    if not cands:
        return None
    if weekday is not None:
        fits = [c for c in cands if c.weekday() == weekday and abs((c - dct).days) < 370]
        if fits:
            return min(fits, key=lambda c: abs((c - dct).days))
    ahead = min((c for c in cands if c >= lo), default=None)
    if future:
        return ahead
    if soon and ahead is not None and (ahead - hi).days <= SOON_DAYS:
        return ahead
    return max((c for c in cands if c <= hi), default=None)


def _weekday(wd: int, dct: dt.date, rel: str | None, future: bool) -> dt.date:
    delta = wd - dct.weekday()
    if rel in ("last", "this past"):
        return dct + dt.timedelta(days=delta - 7 if delta >= 0 else delta)
    if rel in ("next", "this coming", "coming"):
        return dct + dt.timedelta(days=delta + 7 if delta <= 0 else delta)
    if rel == "this":
        return dct + dt.timedelta(days=delta)  # the one in the DCT's ISO week
    if delta == 0:
        return dct  # news convention: "said Tuesday" in a Tuesday paper is that day
    if future:
        return dct + dt.timedelta(days=delta % 7)
    return dct - dt.timedelta(days=(-delta) % 7)


_SEASON_MONTHS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


def _season_interval(season: str, year: int, mod: str | None = None) -> tuple[dt.date, dt.date]:
    """Meteorological seasons; winter ``year`` runs from December ``year`` to February ``year + 1``."""
    first = dt.date(year, _SEASON_MONTHS[season], 1)
    offset = {"early": (0, 0), "mid": (1, 1), "late": (2, 2)}.get(mod or "", (0, 2))
    a = first + relativedelta(months=offset[0])
    b = first + relativedelta(months=offset[1])
    return a, month_end(b.year, b.month)


def _season_year(season: str, dct: dt.date, rel: str | None, future: bool) -> int:
    """Start year of the season instance meant by "this/last/next summer" or "in the fall"."""
    def iv(y: int) -> tuple[dt.date, dt.date]:
        return _season_interval(season, y)

    if rel == "this" or rel == "last" or rel == "next":
        if season != "winter":
            this = dct.year
        else:  # the winter touching the DCT's year that is nearest to the DCT
            def dist(y: int) -> int:
                a, b = iv(y)
                return 0 if a <= dct <= b else min(abs((a - dct).days), abs((b - dct).days))
            this = min((dct.year - 1, dct.year), key=dist)
        return this + {"this": 0, "last": -1, "next": 1}[rel]
    years = range(dct.year - 2, dct.year + 2)
    if rel == "this past":
        return max(y for y in years if iv(y)[1] < dct)
    if rel == "this coming":
        return min(y for y in years if iv(y)[0] > dct)
    if future:
        return min(y for y in years if iv(y)[1] >= dct)
    return max(y for y in years if iv(y)[0] <= dct)


def _holiday(name: str, year: int) -> dt.date:
    n = " ".join(name.lower().replace("’", "'").split())
    if n.startswith("thanksgiving"):  # fourth Thursday of November
        first = dt.date(year, 11, 1)
        return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
    if n == "labor day":  # first Monday of September
        first = dt.date(year, 9, 1)
        return first + dt.timedelta(days=(0 - first.weekday()) % 7)
    if n == "memorial day":  # last Monday of May
        last = dt.date(year, 5, 31)
        return last - dt.timedelta(days=last.weekday())
    fixed = {"christmas eve": (12, 24), "new year's eve": (12, 31), "halloween": (10, 31),
             "valentine's day": (2, 14)}
    if n in fixed:
        return dt.date(year, *fixed[n])
    if n.startswith("christmas"):
        return dt.date(year, 12, 25)
    if n.startswith("new year"):
        return dt.date(year, 1, 1)
    return dt.date(year, 7, 4)  # Fourth of July


def _num(text: str) -> tuple[int, bool]:
    """A count and whether it is vague ("a few", "several")."""
    t = " ".join(text.lower().split())
    if t in _VAGUE_NUMS:
        return _VAGUE_NUMS[t], True
    if t.isdigit():
        return int(t), False
    return _NUM_WORDS[t], False


def _unit_delta(n: int, unit: str) -> relativedelta:
    u = unit.lower().rstrip("s")
    if u == "day":
        return relativedelta(days=n)
    if u == "week":
        return relativedelta(weeks=n)
    if u == "month":
        return relativedelta(months=n)
    if u == "decade":
        return relativedelta(years=10 * n)
    return relativedelta(years=n)


# --------------------------------------------------------------------------- family scanners

Scanner = Callable[[_Ctx], list[_Cand]]


def _scan_mdy(ctx: _Ctx) -> list[_Cand]:
    out = []
    for rx in (_MDY, _DMY):
        for m in ctx.near(rx, _H_MDY):
            month = _MON_NUM[m["mon"][:3].lower()]
            day = int(re.sub(r"\D", "", m["d"]))
            wd = _WD_NUM[m["wd"].lower()] if m["wd"] else None
            if m["y"]:
                try:
                    date = dt.date(int(m["y"]), month, day)
                except ValueError:
                    continue
                relative = False
            else:
                if month == 9 and day == 11 and _SEPT11_TAIL.match(ctx.s, m.end()):
                    continue  # "the Sept. 11 attacks" is a name, not this year's date
                date = _month_day(month, day, ctx.dct, ctx.future(m.start(), m.end()), wd,
                                  (ctx.lo, ctx.hi), ctx.soon(m.start(), m.end()))
                if date is None:
                    continue
                relative = True
            out.append(_Cand(m.start(), m.end(), date, date, "day", None, relative))
    return out


def _scan_numeric(ctx: _Ctx) -> list[_Cand]:
    out = []
    for rx in (_ISO, _US_NUMERIC):
        for m in ctx.near(rx, _H_NUMERIC):
            try:
                date = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                continue
            out.append(_Cand(m.start(), m.end(), date, date, "day", None, False))
    return out


def _scan_day_range(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_DAY_RANGE, _H_DAY_RANGE):
        month = _MON_NUM[m["mon"][:3].lower()]
        d1, d2 = int(re.sub(r"\D", "", m["d1"])), int(re.sub(r"\D", "", m["d2"]))
        if d2 <= d1:
            continue
        if m["y"]:
            year = int(m["y"])
        else:
            first = _month_day(month, d1, ctx.dct, ctx.future(m.start(), m.end()), None, (ctx.lo, ctx.hi),
                               ctx.soon(m.start(), m.end()))
            if first is None:
                continue
            year = first.year
        try:
            a, b = dt.date(year, month, d1), dt.date(year, month, d2)
        except ValueError:
            continue
        out.append(_Cand(m.start(), m.end(), a, b, "range", None, not m["y"]))
    return out


def _scan_month(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_MONTH, _H_MONTH):
        rel = " ".join(m["rel"].lower().split()) if m["rel"] else None
        if not m["y"] and (not _MON_ALONE.match(m["mon"]) or not (m["p"] or rel or m["mod"])):
            continue  # "May" alone may be a verb or a name; require "in May", "last May", "early May"
        month = _MON_NUM[m["mon"][:3].lower()]
        mod = _mod_of(m["mod"])
        if m["y"]:
            year, relative = int(m["y"]), False
        else:
            year = _month_year(month, ctx.dct, ctx.future(m.start(), m.end()), rel)
            relative = True
        a, b = _month_interval(year, month, mod)
        s = m.start("rel") if rel else m.start("mod") if m["mod"] else m.start("mon")
        out.append(_Cand(s, m.end(), a, b, "month", mod, relative))
    return out


def _scan_prep_year(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_PREP_YEAR, _H_YEAR):
        mod_text = m["mod1"] or m["mod2"]
        mod = _mod_of(mod_text)
        a, b = _year_interval(int(m["y"]), mod)
        s = m.start("mod1") if m["mod1"] else m.start("mod2") if m["mod2"] else m.start("y")
        out.append(_Cand(s, m.end(), a, b, "year", mod, False))
    return out


def _scan_decade(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_DECADE, _H_DECADE):
        if m["y"]:
            y = int(m["y"])
        else:  # "the '90s": the latest such decade not after the DCT
            y = ctx.dct.year // 100 * 100 + int(m["yy"])
            if y > ctx.dct.year:
                y -= 100
        a, b = {"early": (0, 3), "mid": (3, 6), "late": (7, 9)}.get(_mod_of(m["mod"]) or "", (0, 9))
        out.append(_Cand(m.start(), m.end(), dt.date(y + a, 1, 1), dt.date(y + b, 12, 31), "range",
                         _mod_of(m["mod"]), False))
    return out


def _endpoint(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a range endpoint; parts may be missing."""
    m = _EP_PARTS.fullmatch(text)
    if not m:
        return None, None, None
    if m["yo"]:
        return int(m["yo"]), None, None
    month = _MON_NUM[m["mon"][:3].lower()]
    day = int(re.sub(r"\D", "", m["d"])) if m["d"] else None
    return (int(m["y"]) if m["y"] else None), month, day


def _scan_range(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_RANGE, _H_RANGE):
        (ya, ma, da), (yb, mb, db) = _endpoint(m["a"]), _endpoint(m["b"])
        if ma is not None and da is None and not _MON_ALONE.match(m["a"]):
            continue  # "from Mar to ...": an abbreviation without its period is too ambiguous
        relative = False
        if yb is None:
            if mb is None:
                continue
            if ya is not None:  # "from May 2019 to July": the end follows the start
                yb = ya if (mb, db or 31) >= (ma or 1, da or 1) else ya + 1
            else:  # "from May to July": place the end like a month without a year
                yb = _month_year(mb, ctx.dct, ctx.future(m.start(), m.end()), None)
                relative = True
        if ya is None:  # "from November to March 2020": the start is in the year before
            ya = yb if (ma, da or 1) <= (mb or 12, db or 31) else yb - 1
        try:
            start = dt.date(ya, ma or 1, da or 1)
            end = dt.date(yb, mb, db) if mb and db else month_end(yb, mb) if mb else dt.date(yb, 12, 31)
        except ValueError:
            continue
        if end <= start:
            continue
        out.append(_Cand(m.start(), m.end(), start, end, "range", None, relative))
    return out


def _scan_rel_unit(ctx: _Ctx) -> list[_Cand]:
    out = []
    dct = ctx.dct
    for m in ctx.near(_REL_UNIT, _H_UNIT):
        rel = " ".join(m["rel"].lower().split())
        unit = m["unit"].lower()
        mod = _mod_of(m["mod"])
        shift = {"last": -1, "this past": -1, "next": 1, "this coming": 1}.get(rel, 0)
        a, b, precision = _unit_interval(dct, unit, shift, mod, rel)
        out.append(_Cand(m.start(), m.end(), a, b, precision, mod, True))
    for m in ctx.near(_THE_UNIT, _H_UNIT):
        if m["wkend"]:  # "over the weekend": the latest weekend, or the next one with a future cue
            sat = dct + dt.timedelta(days=5 - dct.weekday())
            if sat > dct and not ctx.future(m.start(), m.end()):
                sat -= dt.timedelta(days=7)
            out.append(_Cand(m.start("wkend"), m.end(), sat, sat + _ONE_DAY, "week", None, True))
            continue
        unit = m["unit"].lower().split()[-1]
        mod = _mod_of(m["mod"])
        a, b, precision = _unit_interval(dct, unit, 0, mod, "this")
        out.append(_Cand(m.start(), m.end(), a, b, precision, mod, True))
    return out


def _unit_interval(dct: dt.date, unit: str, shift: int, mod: str | None,
                   rel: str) -> tuple[dt.date, dt.date, str]:
    """Interval of "last/this/next/earlier this/later this" + year/month/week/weekend/decade."""
    if unit == "year":
        y = dct.year + shift
        a, b = _year_interval(y, mod)
        precision = "year"
    elif unit == "month":
        first = dt.date(dct.year, dct.month, 1) + relativedelta(months=shift)
        a, b = _month_interval(first.year, first.month, mod)
        precision = "month"
    elif unit == "week":
        base = dct + dt.timedelta(weeks=shift)
        if rel == "later this" and dct.weekday() == 6:
            base = dct + _ONE_DAY  # a Sunday paper's "later this week" is the coming week
            rel = "this"
        a, b = _week_interval(base, mod)
        precision = "week"
    elif unit == "weekend":
        if rel == "this past":  # the latest Saturday strictly before the DCT
            sat = dct - dt.timedelta(days=(dct.weekday() - 5) % 7 or 7)
        else:
            sat = dct + dt.timedelta(days=5 - dct.weekday(), weeks=shift)
        a, b, precision = sat, sat + _ONE_DAY, "week"
    else:  # decade
        y = dct.year // 10 * 10 + 10 * shift
        a, b, precision = dt.date(y, 1, 1), dt.date(y + 9, 12, 31), "range"
    if rel == "earlier this":
        b = max(a, min(b, dct))
    elif rel == "later this":
        a = min(b, max(a, dct + _ONE_DAY))
    return a, b, precision


def _scan_quarter(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_QUARTER, _H_QUARTER):
        if m["q"]:
            year, q, half, relative = int(m["qy"]), int(m["q"]), False, False
        else:
            rel = m["rel"].lower() if m["rel"] else "this"
            year = int(m["y"]) if m["y"] else ctx.dct.year + {"last": -1, "next": 1}.get(rel, 0)
            relative = not m["y"]
            half = m["u"].lower() == "half"
            order = {"first": 1, "second": 2, "third": 3, "fourth": 4}.get(m["ord"].lower(), 2 if half else 4)
            if half and order > 2:
                continue
            q = order
        first_month = (q - 1) * (6 if half else 3) + 1
        last_month = first_month + (5 if half else 2)
        out.append(_Cand(m.start(), m.end(), dt.date(year, first_month, 1), month_end(year, last_month),
                         "range", None, relative))
    return out


def _scan_season(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_SEASON, _H_SEASON):
        rel = " ".join(m["rel"].lower().split()) if m["rel"] else None
        if not (rel or m["y"] or m["p"]) or (not m["y"] and _SEASON_NOT.match(ctx.s, m.end())):
            continue  # "the fall of Kabul", "hot springs": a season needs this/last/next, a year or "in the"
        season = m["s"].lower()
        mod = _mod_of(m["mod"])
        if m["y"]:
            year = int(m["y"]) - (1 if season == "winter" else 0)
        else:
            year = _season_year(season, ctx.dct, rel, ctx.future(m.start(), m.end()))
        a, b = _season_interval(season, year, mod)
        s = m.start("mod") if m["mod"] else m.start("rel") if rel else m.start("s")
        out.append(_Cand(s, m.end(), a, b, "season", mod, not m["y"]))
    return out


def _scan_weekday(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_WEEKDAY, _H_WEEKDAY):
        rel = " ".join(m["rel"].lower().split()) if m["rel"] else None
        # "said Monday" reports a past act even when the reported clause looks ahead.
        future = (rel is None and ctx.future(m.start(), m.end())
                  and not _SAID_BEFORE.search(ctx.s, max(0, m.start() - 30), m.start()))
        day = _weekday(_WD_NUM[m["wd"].lower()], ctx.dct, rel, future)
        end = m.end("tod") if m["tod"] else m.end("wd")
        out.append(_Cand(m.start(), end, day, day, "day", None, True, True))
    return out


def _scan_deictic(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_DEICTIC, _H_DEICTIC):
        w = m["w"].lower()
        offset = -1 if w in ("yesterday", "last night") else 1 if w == "tomorrow" else 0
        day = ctx.dct + dt.timedelta(days=offset)
        out.append(_Cand(m.start(), m.end(), day, day, "day", None, True, True))
    return out


def _scan_ago(ctx: _Ctx) -> list[_Cand]:
    out = []
    dct = ctx.dct
    for m in ctx.near(_AGO, _H_AGO):
        n, vague = _num(m["n"])
        unit = m["u"].lower().rstrip("s")
        ago = m["dir"].lower() == "ago"
        delta = _unit_delta(n, unit)
        try:
            point = dct - delta if ago else dct + delta
        except (ValueError, OverflowError):  # "2019 years ago"
            continue
        q = " ".join(m["q"].lower().split()) if m["q"] else None
        wd = _AGO_WEEKDAY.match(ctx.s, m.end()) if ago and not q else None
        if wd is not None:  # "a year ago Wednesday": that weekday (the latest), a year back
            try:
                day = _weekday(_WD_NUM[wd["wd"].lower()], dct, None, False) - delta
            except (ValueError, OverflowError):
                continue
            out.append(_Cand(m.start(), wd.end(), day, day, "day", None, True, True))
            continue
        if q in ("more than", "over", "at least"):  # "more than 100 days ago": on or before DCT-100
            precision = "before" if ago else "after"
            out.append(_Cand(m.start(), m.end(), point, point, precision, None, True))
            continue
        if q in ("less than", "under", "barely"):  # "less than a week ago": between DCT-7 and DCT
            a, b = (point, dct) if ago else (dct, point)
            out.append(_Cand(m.start(), m.end(), a, b, "after" if ago else "before", None, True))
            continue
        mod = "approx" if vague or q in ("nearly", "almost", "about", "around", "roughly", "some") else None
        if unit == "day":
            a = b = point
            precision = "day"
        elif unit == "week":
            a, b = _week_interval(point)
            precision = "week"
        elif unit == "month":
            a, b = _month_interval(point.year, point.month, None)
            precision = "month"
        else:
            a, b = _year_interval(point.year, None)
            precision = "year"
        out.append(_Cand(m.start(), m.end(), a, b, precision, mod, True, unit == "day"))
    return out


def _scan_holiday(ctx: _Ctx) -> list[_Cand]:
    out = []
    for m in ctx.near(_HOLIDAY, _H_HOLIDAY):
        future = ctx.future(m.start(), m.end())
        years = range(ctx.dct.year - 1, ctx.dct.year + 2)
        dates = [_holiday(m["h"], y) for y in years]
        day = (min(d for d in dates if d >= ctx.dct) if future
               else max(d for d in dates if d <= ctx.dct))
        out.append(_Cand(m.start("h"), m.end(), day, day, "day", None, True))
    return out


@lru_cache(maxsize=64)
def _anchor_regex(keys: tuple[str, ...]) -> re.Pattern[str]:
    alts = "|".join(r"\s+".join(re.escape(w) for w in k.split())
                    for k in sorted(keys, key=len, reverse=True))
    return re.compile(
        rf"\b{_BA_PREFIX}\s+(?:(?:the|his|her|their|its|our|this|last|a|an)\s+)?"
        rf"(?:[\w'’.-]+\s+){{0,2}}?(?P<key>{alts})\b", re.IGNORECASE)


def _scan_anchors(ctx: _Ctx, anchors: dict[str, dt.date]) -> list[_Cand]:
    out = []
    lookup = {" ".join(k.lower().split()): v for k, v in anchors.items()}
    for m in _anchor_regex(tuple(sorted(anchors))).finditer(ctx.s):
        day = lookup[" ".join(m["key"].lower().split())]
        cand = _bound(_Cand(m.start(), m.end(), day, day, "day", None, False), m)
        out.append(cand._replace(s=m.start(), e=m.end()))
    return out


def _bound(c: _Cand, m: re.Match[str]) -> _Cand:
    """Apply a "before"/"after"/"two days after" prefix match ``m`` to the mention ``c``."""
    try:
        return _bound_unchecked(c, m)
    except (ValueError, OverflowError):  # "9999 days after ..." leaves the calendar
        return c


def _bound_unchecked(c: _Cand, m: re.Match[str]) -> _Cand:
    rel = " ".join(m["rel"].lower().split())
    after = rel in ("after", "since", "following")
    if m["n"] and c.precision == "day":
        n, _vague = _num(m["n"])
        days = n * (7 if m["u"].lower().startswith("week") else 1)
        day = c.start + dt.timedelta(days=days if after else -days)
        return c._replace(s=m.start(), start=day, end=day, mod=None)
    window = dt.timedelta(days=_WINDOWS.get(" ".join((m["win"] or "").lower().split()), 0))
    if m["n"]:  # "two weeks after June": only the direction is kept
        window = dt.timedelta(days=30)
    if after:
        return c._replace(s=m.start(), start=c.end, end=c.end + window, precision="after", mod=None)
    return c._replace(s=m.start(), start=c.start - window, end=c.start, precision="before", mod=None)


def _offsets(text: str, char: str) -> list[int]:
    out = []
    i = text.find(char)
    while i >= 0:
        out.append(i)
        i = text.find(char, i + 1)
    return out


def _ends_with_day(text: str) -> bool:
    """Could a _DAY match end ``text``? (a digit, or a digit and "st"/"nd"/"rd"/"th")"""
    if text.endswith(("st", "nd", "rd", "th")):
        text = text[:-2]
    return text[-1:].isdecimal()


# The words that every match of _FUTURE's first alternative begins with (after its \b); the
# second begins with an apostrophe. _SAY_THAT's matches begin with one of _SAY_WORDS.
_FUTURE_WORDS = ("will", "won", "would", "shall", "is", "are", "plan", "intend", "next", "upcoming", "the",
                 "later")
_SAY_WORDS = ("said", "say", "told", "tells", "announc", "added", "noted", "reported", "warned", "argued",
              "stated", "confirmed", "insisted", "acknowledged", "wrote")
# How the words before a _PREP_YEAR year end: its prepositions' and modifiers' last words.
_YEAR_PREFIX_ENDS = ("in", "since", "by", "until", "till", "through", "throughout", "during", "from",
                     "before", "after", "to", "of", "early", "mid", "late")
# Month-led families and the core that each of their matches holds at a month name.
_MONTH_CORES: dict[re.Pattern[str], re.Pattern[str]] = {_MONTH: _MONTH_TAIL, _MDY: _MONTH_DAY}

_SCANNERS: tuple[tuple[Scanner, _Head], ...] = (
    (_scan_mdy, _H_MDY),
    (_scan_numeric, _H_NUMERIC),
    (_scan_day_range, _H_DAY_RANGE),
    (_scan_range, _H_RANGE),
    (_scan_month, _H_MONTH),
    (_scan_prep_year, _H_YEAR),
    (_scan_decade, _H_DECADE),
    (_scan_rel_unit, _H_UNIT),
    (_scan_quarter, _H_QUARTER),
    (_scan_season, _H_SEASON),
    (_scan_weekday, _H_WEEKDAY),
    (_scan_deictic, _H_DEICTIC),
    (_scan_ago, _H_AGO),
    (_scan_holiday, _H_HOLIDAY),
)


# --------------------------------------------------------------------------- subordinate clauses

_REL_PRONOUN = re.compile(r"\b(?:that|which|who|whom|whose)\b", re.IGNORECASE)
_CLAUSE_PUNCT = re.compile(r"[,;:()\[\]—–]|\s--\s")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SAY = _wordset(
    "said says say saying told tell tells announced announces noted notes reported reports added adds "
    "argued argues stated states warned warns claimed claims insisted insists confirmed confirms believe "
    "believes believed think thinks thought know knows knew hope hopes hoped expect expects expected show "
    "shows showed shown found find finds suggest suggests suggested indicated indicates acknowledged "
    "acknowledges admitted admits agreed agrees decided decides explained explains estimated estimates "
    "predicted predicts promised promises ruled rules wrote writes revealed reveals signaled signals means "
    "meant ensure ensures asked asks wondered learned realized recalled alleged alleges contended contends "
    "emphasized stressed declared assured reminded informed concluded determined testified pledged vowed "
    "denied feared fears worried clear sure aware seems seemed appears appeared mean")
_NOT_ANTECEDENT = _SAY | _wordset(
    "at in on of for with by from to into onto after before since until about like than despite during "
    "without within over under between among through and but or nor so yet now such except given provided "
    "is was are were be been being am has have had do does did will would can could should may might must "
    "it he she they we you i me him her them us this these those the a an its his their our your my "
    "also only just not even still all both so than once because if whether while although though as "
    "how what why when where")
_IRREGULAR_PARTICIPLES = (
    "made|held|taken|given|won|begun|set|brought|sent|struck|done|seen|written|built|drawn|sold|paid|put|cut"
    "|led|met|shown|known|spent|found|hit|laid|chosen|frozen|stolen|broken|spoken|driven|thrown|beaten|hidden"
    "|fought|bought|caught|taught|kept|left|lost|told|unveiled|passed")
_REDUCED_RELATIVE = re.compile(
    r"(?P<det>\b(?:a|an|the|this|its|his|her|their|our|another))\s+(?:[\w-]+\s+)?"
    rf"(?P<noun>[a-z][\w-]*)\s+(?P<part>[a-z]+ed|{_IRREGULAR_PARTICIPLES})\s+"
    r"(?:(?:in|on|at|during|since|back|earlier|until|as|of)\s+){0,2}$", re.IGNORECASE)
_IRREGULAR_SET = frozenset(_IRREGULAR_PARTICIPLES.split("|"))
_NOUN_STOP = _NOT_ANTECEDENT | _wordset("who which that there here then")
_VERBISH = re.compile(
    rf"\b(?:is|was|are|were|has|had|have|will|would|could|did|does|\w{{3,}}ed|{_IRREGULAR_PARTICIPLES}"
    r"|said|says|signs|agrees|reached)\b", re.IGNORECASE)
_SAY_AFTER_RELATIVE = re.compile(r"\s\S+.*?\b(?:said|says|told|announced|added|noted|reported)\b")


def _relative_pronoun_is_relative(s: str, m: re.Match[str]) -> bool:
    """Does this that/which/who open a relative clause (rather than a "said that" complement)?"""
    word = m.group().lower()
    before = s[max(0, m.start() - 60):m.start()]
    stripped = before.rstrip()
    words = re.findall(r"[A-Za-z'’-]+", before)
    w1 = words[-1].lower() if words else ""
    punct_before = bool(stripped) and not stripped[-1].isalnum()
    if word != "that":
        return w1 not in _SAY
    if punct_before or not w1 or w1 in _NOT_ANTECEDENT:
        return False
    if w1.endswith("ly") or (w1.endswith("ed") and len(w1) > 4):
        return False
    # "told reporters that ...", "said late last year that ...": a complement clause
    return not any(w.lower() in _SAY for w in words[-5:-1])


def _subordinate(s: str, low: str, start: int) -> bool:
    """Best effort: is the mention at ``start`` inside a relative clause?

    A that/which/who after a noun with no comma, semicolon, colon, dash or parenthesis between it
    and the mention; unless a verb of saying past the relative clause's first word shows that the
    main clause has resumed ("Officials who asked not to be named said Friday ..."). Also a
    reduced relative after the main verb: "... completed a deal reached last year".
    """
    last = None
    if low.find("that", 0, start) >= 0 or low.find("which", 0, start) >= 0 or low.find("who", 0, start) >= 0:
        for m in _REL_PRONOUN.finditer(s, 0, start):
            last = m
    if last is not None and not _CLAUSE_PUNCT.search(s, last.end(), start) \
            and _relative_pronoun_is_relative(s, last) \
            and not _SAY_AFTER_RELATIVE.match(s, last.end(), start):
        return True
    seg_start = max(s.rfind(",", 0, start), s.rfind(";", 0, start), 0)
    last_words = low[max(seg_start, start - 40):start].split()[-3:]
    if not any(w.endswith("ed") or w in _IRREGULAR_SET for w in last_words):
        return False  # no participle right before the mention: skip the costly pattern
    m = _REDUCED_RELATIVE.search(s, max(seg_start, start - 80), start)
    if m is None:
        return False
    noun = m["noun"]
    if not noun[0].islower() or noun.lower() in _NOUN_STOP or noun.endswith("ly"):
        return False
    # The noun phrase must follow the main verb: "Officials from the two countries met Friday" is a
    # subject and its verb, "they had completed a deal reached last year" is not.
    return _VERBISH.search(s, seg_start, m.start("det")) is not None


# --------------------------------------------------------------------------- public API

def find_dates(sentence: str, *, published: dt.date, published_precision: str = "day",
               anchors: dict[str, dt.date] | None = None) -> list[DateMention]:
    """All event-date expressions in the sentence, in textual order, resolved."""
    if isinstance(published, dt.datetime):
        published = published.date()
    ctx = _Ctx(sentence, published, _window(published, published_precision))
    if not (anchors or ctx.digit or ctx.months or has_any(ctx.low, _PRECHECK_WORDS)):
        return []
    cands: list[_Cand] = []
    for scan, head in _SCANNERS:
        if ctx.has(head):
            cands.extend(scan(ctx))
    if anchors:
        cands.extend(_scan_anchors(ctx, anchors))
    if not cands:
        return []
    # Longest match wins overlaps ("Friday, Sept. 20" over "Friday", "late last year" over "last year").
    chosen: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c.s - c.e, c.s)):
        if all(c.e <= o.s or c.s >= o.e for o in chosen):
            chosen.append(c)
    chosen.sort(key=lambda c: c.s)
    out = []
    floor = 0
    dateline = _dateline_end(sentence)
    for c in chosen:
        if c.e <= dateline:
            continue  # "PARIS, May 3 (Agency) —": the day it was filed, not an event
        c = _post_process(ctx, c, published_precision, floor)
        floor = c.e
        out.append(DateMention(c.start, c.end, c.precision, c.mod, sentence[c.s:c.e], (c.s, c.e),
                               c.relative, _subordinate(sentence, ctx.low, c.s)))
    return out


_DATELINE = re.compile(
    rf"[A-Z][A-Z.'’ -]{{1,40}}(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?){{0,2}},\s+(?:{_WD},?\s+)?{_MON}\s*{_DAY}"
    rf"(?:,?\s+{_YEAR})?\s*(?:\([^)]{{1,60}}\))?\s*(?:[—–]|--?)\s*")


# "Moscow, Jan 31 (IANS) Russian President ...": a dateline in title case, closed by the agency.
_DATELINE_AGENCY = re.compile(
    rf"[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?,\s+{_MON}\s*{_DAY}(?:,?\s+{_YEAR})?\s*\([A-Z][\w&.-]{{1,24}}\)\s*"
    r"(?:(?:[—–]|--?)\s*)?"
)


def _dateline_end(sentence: str) -> int:
    """Where a wire dateline that opens the sentence ends (0 when there is none)."""
    m = _DATELINE.match(sentence) if sentence[:2].isupper() else _DATELINE_AGENCY.match(sentence)
    return m.end() if m else 0


def _window(published: dt.date, precision: str) -> tuple[dt.date, dt.date] | None:
    """The days an approximate publication date allows: its month, or its year."""
    if precision == "month":
        return dt.date(published.year, published.month, 1), month_end(published.year, published.month)
    if precision == "year":
        return dt.date(published.year, 1, 1), dt.date(published.year, 12, 31)
    return None


def _post_process(ctx: _Ctx, c: _Cand, published_precision: str, floor: int) -> _Cand:
    """Apply a "before"/"after" just before the mention (not reaching back past ``floor``, the end of
    the previous mention); widen day-level dates for an approximate DCT."""
    lo = max(floor, c.s - 40)
    before = ctx.low[lo:c.s]
    if c.precision in ("day", "week", "month", "season", "year") and any(
            w in before for w in ("before", "after", "prior", "ahead")):
        m = _BA_BEFORE_MENTION.search(ctx.s, lo, c.s)
        if m is not None and m["rel"].lower() not in ("since", "until", "following"):
            c = _bound(c, m)
    if c.dct_day and published_precision != "day" and c.precision == "day":
        a, b = _week_interval(c.start)
        c = c._replace(start=a, end=b, precision="week")
    return c


# "While the two have long been at odds, including over the war in 2003, it is the first time
# ...": an opening concessive clause, ended by the comma before the main clause's subject.
# Only an opening that states a lasting condition ("While X have long been …", "Although X has
# been …"): "While in Lima on Monday, she signed" is temporal and "Although Peru signed in 2019,
# …" reports an event, and their dates stay the sentence's.
_CONCESSIVE = re.compile(
    r"^(?:While|Although|Though|Whereas)\b(?=[^,]*\b(?:have|has|had)\s+(?:\w+\s+)?been\b)"
    r".*?,\s+(?=(?:it|he|she|they|we|this|that|there|the|a|an)\b|[A-Z])"
)


def concessive_end(sentence: str) -> int:
    """Where an opening concessive clause ends (0 when the sentence opens with none): its dates
    are its own, not the event of the main clause after it."""
    m = _CONCESSIVE.match(sentence)
    return m.end() if m else 0


def main_date(mentions: list[DateMention]) -> DateMention | None:
    """The date a sentence's event is dated by: among non-subordinate mentions (all, if every one is
    subordinate) the most precise (highest rank); ties go to the first in the text."""
    pool = [m for m in mentions if not m.subordinate] or list(mentions)
    # "now"/"currently" date the state at publication: any other date names the event better.
    return max(pool, key=lambda m: 0 if _is_present(m) else m.rank, default=None)  # first of equals


def _is_present(m: DateMention) -> bool:
    return m.text.lower() in {"now", "currently", "as of now", "right now"}


# --------------------------------------------------------------------------- anaphora

# "the day before" is anaphoric; "the day before the vote" is dated by the vote, not the story.
_NOT_OBJECT = r"(?!\s+(?:the|a|an|his|her|its|their|this|that|of|[A-Z0-9]))"
_ANAPHOR = re.compile(
    rf"\b(?:(?P<n>{_NUM})\s+(?P<nu>days?|weeks?)\s+(?P<dir>later|earlier)"
    rf"|(?P<prev>the\s+(?:day|week|month|year)\s+(?:before|prior){_NOT_OBJECT}"
    r"|the\s+previous\s+(?:day|week|month|year))"
    r"|(?P<next>the\s+(?:next|following)\s+(?:day|morning|week|month|year)"
    rf"|the\s+(?:day|week|month|year)\s+after{_NOT_OBJECT})"
    r"|(?P<same>(?:later\s+|earlier\s+)?(?:that|the\s+same)\s+(?:day|morning|afternoon|evening|night|week|month|year)))"
    r"\b", re.IGNORECASE)
_ANAPHOR_WORDS = ("later", "earlier", "before", "prior", "previous", "next", "following", "after", "that ",
                  "same")
_ANAPHOR_UNITS = ("day", "week", "month", "year", "morning", "afternoon", "evening", "night")
_UNIT_RANK = {"day": 6, "week": 5, "month": 4, "year": 1}


def find_anaphor(sentence: str, base: DateMention) -> DateMention | None:
    """A date written relative to the story's last dated sentence ("the day before", "that day",
    "two days later", "the next week"), resolved against ``base``, that sentence's date.

    None when the sentence has no such phrase or ``base`` is too coarse for it (a day offset
    needs a day; "that month" needs at least a month).
    """
    low = sentence.lower()
    if not (has_any(low, _ANAPHOR_UNITS) and has_any(low, _ANAPHOR_WORDS)):
        return None
    m = _ANAPHOR.search(sentence)
    if m is None:
        return None
    phrase = " ".join(m.group().lower().split())
    unit = next((u for u in ("week", "month", "year") if u in phrase.split()), "day")  # morning: a day
    if base.precision not in ("day", "week", "month", "season", "year") or base.rank < _UNIT_RANK[unit]:
        return None
    if m["n"]:
        n, _vague = _num(m["n"])
        step = n * (7 if m["nu"].lower().startswith("week") else 1)
        step = step if m["dir"].lower() == "later" else -step
        unit, shift = ("day", step) if base.precision == "day" else ("week", step // 7)
        if unit == "week" and step % 7:
            return None
    else:
        shift = -1 if m["prev"] else 1 if m["next"] else 0
    try:
        if unit == "day":
            a = b = base.start + dt.timedelta(days=shift)
            precision = "day"
        elif unit == "week":
            a, b = _week_interval(base.start + dt.timedelta(weeks=shift))
            precision = "week"
        elif unit == "month":
            first = dt.date(base.start.year, base.start.month, 1) + relativedelta(months=shift)
            a, b = _month_interval(first.year, first.month, None)
            precision = "month"
        else:
            a, b = _year_interval(base.start.year + shift, None)
            precision = "year"
    except (ValueError, OverflowError):
        return None
    return DateMention(a, b, precision, None, m.group(), m.span(), True, False)


_YR_EP = r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?"
_YEAR_RANGE = re.compile(rf"{_YR_EP}(?:\s*(?:\.\.|-|–|—|/|to|through|until)\s*{_YR_EP})?", re.IGNORECASE)


def _ep_interval(y: str, m: str | None, d: str | None) -> tuple[dt.date, dt.date]:
    year = int(y)
    if d:
        day = dt.date(year, int(m or 1), int(d))
        return day, day
    if m:
        return dt.date(year, int(m), 1), month_end(year, int(m))
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def parse_year_range(arg: str) -> tuple[dt.date, dt.date] | None:
    """For `/timeline`: "2019" -> (2019-01-01, 2019-12-31); "2019-2021" or "2019..2021" or "2019 to 2021" ->
    (2019-01-01, 2021-12-31); "2019-06" -> that month; "2019-06-2020-02" optional. None when not a range."""
    m = _YEAR_RANGE.fullmatch(arg.strip())
    if m is None:
        return None
    try:
        start, end = _ep_interval(*m.group(1, 2, 3))
        if m.group(4):
            end = _ep_interval(*m.group(4, 5, 6))[1]
    except ValueError:
        return None
    return (start, end) if start <= end else None
