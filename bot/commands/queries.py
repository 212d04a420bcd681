"""The read-only questions as commands: ``/agreement``, ``/timeline``, ``/search``, ``/ask`` and
``/source``. Each has a frozen ``…Args``, a ``parse_…`` of the chat text, an ``…_options`` for
surfaces with typed options (Discord), and a ``run_…`` that hands the typed arguments to
:mod:`facts.answers.queries`. A user's mistake is a :class:`UsageError` raised while parsing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.invocation import Invocation, Options
from bot.requests import without_surrogates
from facts.answers import queries
from facts.answers.claims import MAX_CLAIMS, claims
from facts.answers.contract import Answer
from facts.countries import Country, resolve_country, suggest_countries
from facts.errors import UsageError
from facts.extract.dates import parse_year_range
from facts.text.clip import clip

__all__ = [
    "MAX_QUERY_CHARS",
    "AgreementArgs",
    "AskArgs",
    "SearchArgs",
    "SourceArgs",
    "TimelineArgs",
    "agreement_options",
    "ask_options",
    "check_options",
    "lookup_country",
    "parse_agreement",
    "parse_ask",
    "parse_check",
    "parse_search",
    "parse_source",
    "parse_timeline",
    "run_agreement",
    "run_ask",
    "run_check",
    "run_search",
    "run_source",
    "run_timeline",
    "search_options",
    "source_options",
    "timeline_options",
    "whole_number",
]

MAX_QUERY_CHARS = 500
TIMELINE_YEARS = (1000, 9998)  # four-digit years, with room for the day after the range's end
MAX_NUMBER = 2**63 - 1  # SQLite's largest integer


ECHOED = 60  # characters of what was typed that a reply repeats back


def whole_number(raw: str, *, what: str) -> int:
    """A positive ASCII whole number SQLite can hold; anything else is the user's mistake."""
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_NUMBER:
        raise UsageError(f"'{clip(raw, ECHOED)}' is not a {what}.")
    return int(raw)


def option(values: Options, name: str) -> str:
    """A typed option as text, "" when absent."""
    value = values.get(name)
    return "" if value is None else str(value).strip()


def lookup_country(query: str) -> Country:
    """The country a user means, or a one-line error that suggests the nearest names."""
    text = " ".join(query.split())
    if not text:
        raise UsageError("Which country? Give a name, code or demonym, e.g. el-salvador.")
    country = resolve_country(text)
    if country:
        return country
    hint = ", ".join(c.slug for c in suggest_countries(text))
    more = f" Did you mean {hint}?" if hint else ""
    raise UsageError(f"I don't know a country called '{clip(text, ECHOED)}'.{more}")


# ---------------------------------------------------------------------------- /agreement


@dataclass(frozen=True)
class AgreementArgs:
    country: Country

    def text(self) -> str:
        return self.country.slug


def parse_agreement(text: str) -> AgreementArgs:
    return AgreementArgs(lookup_country(text))


def agreement_options(values: Options) -> AgreementArgs:
    return AgreementArgs(lookup_country(option(values, "country")))


async def run_agreement(args: AgreementArgs, invocation: Invocation) -> Answer:
    return await queries.agreement(invocation.store, args.country)


# ---------------------------------------------------------------------------- /timeline


@dataclass(frozen=True)
class TimelineArgs:
    """Events from ``start`` to ``end``, naming ``country`` if given; ``again`` is the years and
    country as written, repeated in the hint to the next page."""

    start: dt.date
    end: dt.date
    country: Country | None
    page: int
    again: str

    def text(self) -> str:
        return self.again + (f" page {self.page}" if self.page != 1 else "")


def _years(span: tuple[dt.date, dt.date] | None, written: str) -> tuple[dt.date, dt.date]:
    """``span`` as read from ``written`` (quoted in the errors), refused when outside the years."""
    if span is None:
        raise UsageError(f"'{clip(written, ECHOED)}' is not a year or a range of years.")
    if not (TIMELINE_YEARS[0] <= span[0].year and span[1].year <= TIMELINE_YEARS[1]):
        low, high = TIMELINE_YEARS
        outside = clip(written, ECHOED)
        raise UsageError(f"Timelines cover the years {low} to {high}; '{outside}' is outside them.")
    return span


def parse_timeline(text: str) -> TimelineArgs:
    """``<year> | <from>-<to> [country] [page N]``."""
    words = text.split()
    if not words:
        raise UsageError("Which years? Give a year or a range, e.g. 2019 or 2019-2020.")
    page = 1
    if len(words) >= 2 and words[-2].lower() == "page":
        page = whole_number(words[-1], what="page number")
        words = words[:-2]
    if not words:
        raise UsageError("Which years? Give a year or a range before the page, e.g. 2019 page 2.")
    span = parse_year_range(words[0])
    rest = words[1:]
    if span is None and len(words) >= 3 and words[1].lower() in {"to", "-", "–", ".."}:
        span = parse_year_range(f"{words[0]}-{words[2]}")
        rest = words[3:]
    start, end = _years(span, words[0])
    country = lookup_country(" ".join(rest)) if rest else None
    return TimelineArgs(start, end, country, page, text.split(" page ")[0])


def timeline_options(values: Options) -> TimelineArgs:
    """``year`` and optional ``to``, ``country`` and ``page``, as Discord's typed options give them."""
    written = option(values, "year") + (f"-{option(values, 'to')}" if option(values, "to") else "")
    start, end = _years(parse_year_range(written), written)
    country = lookup_country(option(values, "country")) if option(values, "country") else None
    page = whole_number(option(values, "page"), what="page number") if option(values, "page") else 1
    again = " ".join(filter(None, (written, option(values, "country"))))
    return TimelineArgs(start, end, country, page, again)


async def run_timeline(args: TimelineArgs, invocation: Invocation) -> Answer:
    return await queries.timeline(
        invocation.store, args.start, args.end, args.country, args.page, again=args.again
    )


# ---------------------------------------------------------------------------- /search and /ask


def check_query(text: str, *, what: str) -> str:
    """Whitespace collapsed; refused when empty, too long, or without a word to look for."""
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"Give some {what}.")
    if len(text) > MAX_QUERY_CHARS:
        raise UsageError(f"That {what} is {len(text):,} characters; keep it under {MAX_QUERY_CHARS}.")
    if not queries.terms(text):
        raise UsageError(f"'{clip(text, ECHOED)}' has no words to look for.")
    return text


@dataclass(frozen=True)
class SearchArgs:
    words: str

    def text(self) -> str:
        return self.words


def parse_search(text: str) -> SearchArgs:
    return SearchArgs(check_query(text, what="words to search for"))


def search_options(values: Options) -> SearchArgs:
    return parse_search(option(values, "query"))


async def run_search(args: SearchArgs, invocation: Invocation) -> Answer:
    return await queries.search(invocation.store, args.words)


@dataclass(frozen=True)
class AskArgs:
    question: str

    def text(self) -> str:
        return self.question


def parse_ask(text: str) -> AskArgs:
    return AskArgs(check_query(text, what="question"))


def ask_options(values: Options) -> AskArgs:
    return parse_ask(option(values, "question"))


async def run_ask(args: AskArgs, invocation: Invocation) -> Answer:
    return await queries.ask(invocation.store, args.question)


# ---------------------------------------------------------------------------- /check

MAX_CHECK_CHARS = 4_000  # a message's text checked at most (the length of a slash command's text)
CARRIED_CHARS = 1_500  # the claims a shown /check carries


@dataclass(frozen=True)
class CheckArgs:
    message: str

    def text(self) -> str:
        """The claims alone, as the command is shown and carried by buttons (a message may be
        4,000 characters, a button's value 2,000): checking them again checks the same claims."""
        found = claims(self.message)[:MAX_CLAIMS]
        return clip(" ".join(found), CARRIED_CHARS) if found else clip(self.message, ECHOED)


def parse_check(text: str) -> CheckArgs:
    message = without_surrogates(text).strip()
    if not message:
        raise UsageError("Give the text whose claims to check (a message, a draft's lines).")
    if len(message) > MAX_CHECK_CHARS:
        raise UsageError(f"That text is {len(message):,} characters; check at most {MAX_CHECK_CHARS:,}.")
    return CheckArgs(message)


def check_options(values: Options) -> CheckArgs:
    return parse_check(option(values, "message"))


async def run_check(args: CheckArgs, invocation: Invocation) -> Answer:
    return await queries.check(invocation.store, args.message)


# ---------------------------------------------------------------------------- /source


@dataclass(frozen=True)
class SourceArgs:
    """A source by its number (an int) or its url (a str)."""

    ref: int | str

    def text(self) -> str:
        return str(self.ref)


def parse_source(text: str) -> SourceArgs:
    ref = text.strip()
    if not ref:
        raise UsageError("Which source? Give its number or its url.")
    if ref.isdigit():
        return SourceArgs(whole_number(ref, what="source number"))
    if re.match(r"^https?://", ref):
        return SourceArgs(ref)
    raise UsageError(f"'{clip(ref, ECHOED)}' is not a source number or a url.")


def source_options(values: Options) -> SourceArgs:
    return parse_source(option(values, "ref"))


async def run_source(args: SourceArgs, invocation: Invocation) -> Answer:
    return await queries.source(invocation.store, args.ref)
