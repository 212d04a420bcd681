"""A publication date as content systems write it, reduced to the day (or month) it names.

The date kept is the local date where the story was published: ``2022-03-14T23:20:00-04:00`` is
14 March even though it is already the 15th in UTC. The time and the UTC offset, when given,
are returned beside it so the store can keep them as metadata.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["FORMS", "Published", "parse_published_value"]

FORMS = (
    "YYYY-MM-DD (or YYYY/MM/DD), YYYY-MM, an ISO 8601 date-time such as 2022-03-14T07:20:00-04:00,"
    " 2022-03-14 07:20 [-0400], an RSS date such as 'Mon, 14 Mar 2022 07:20:00 -0400'"
    " or 'March 14, 2022'"
)

_MONTH_ONLY = re.compile(r"(\d{4})[-/](\d{1,2})")
# 2022-03-14, 2022/03/14, 2022-03-14T07:20, 2022-03-14 07:20:05.123 -0400, …T07:20Z, … +01:00, … UTC
_DATE_TIME = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?",
    re.I,
)
_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        1,
    )
    for name in names
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
# "March 14, 2022 7:20 AM EDT", "14 March 2022, 07:20 GMT": the day counts; a time written so
# (its zone often a local abbreviation) is not kept.
_CLOCK = r"(?:,?\s+(?:at\s+)?\d{1,2}(?:[:.]\d{2}){0,2}\s*(?:[ap]\.?m\.?)?(?:\s+\(?[A-Z]{1,5}\)?)?)?"
_WRITTEN = (
    re.compile(
        rf"(?:[A-Za-z]+,?\s+)?{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}}){_CLOCK}", re.I
    ),
    re.compile(
        rf"(?:[A-Za-z]+,?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<y>\d{{4}}){_CLOCK}", re.I
    ),
    re.compile(rf"{_MONTH}\s+(?P<y>\d{{4}})", re.I),
)


@dataclass(frozen=True)
class Published:
    """``date`` is ``YYYY-MM-DD`` (precision ``day``) or ``YYYY-MM`` (``month``); ``time`` is
    ``HH:MM:SS`` and ``utc_offset`` ``±HH:MM`` when the source gave them."""

    date: str
    precision: str
    time: str | None = None
    utc_offset: str | None = None

    def metadata(self) -> dict[str, str]:
        out = {}
        if self.time is not None:
            out["published_time"] = self.time
        if self.utc_offset is not None:
            out["published_utc_offset"] = self.utc_offset
        return out


def _offset(delta: dt.timedelta | None) -> str | None:
    if delta is None:
        return None
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _from_datetime(value: dt.datetime) -> Published:
    """A datetime object (TOML front matter gives them): its own date, in its own zone."""
    return Published(value.date().isoformat(), "day", value.time().isoformat(), _offset(value.utcoffset()))


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def _tz(text: str | None) -> str | None:
    if text is None:
        return None
    if text.upper() in {"Z", "UTC", "GMT"}:
        return "+00:00"
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a UTC offset")
    return f"{text[0]}{hours:02d}:{minutes:02d}"


def _numeric(text: str) -> Published | None:
    m = _DATE_TIME.fullmatch(text)
    if m:
        day = _day(int(m["y"]), int(m["m"]), int(m["d"]), text)
        if m["H"] is None:
            return Published(day.isoformat(), "day")
        hour, minute, second = int(m["H"]), int(m["M"]), int(m["S"] or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValueError(f"{text!r} has no such time of day")
        return Published(day.isoformat(), "day", f"{hour:02d}:{minute:02d}:{second:02d}", _tz(m["tz"]))
    m = _MONTH_ONLY.fullmatch(text)
    if m:
        _day(int(m[1]), int(m[2]), 1, text)
        return Published(f"{int(m[1]):04d}-{int(m[2]):02d}", "month")
    return None


def _rfc2822(text: str) -> Published | None:
    if not re.search(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", text):
        return None
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # "-0000" means "zone unknown" in RFC 2822; parsedate_to_datetime returns a naive datetime then.
    return _from_datetime(value)


def _written(text: str) -> Published | None:
    for n, pattern in enumerate(_WRITTEN):
        m = pattern.fullmatch(text)
        if not m:
            continue
        month = _MONTHS.get(m["mon"].lower())
        if month is None:
            return None
        if n == 2:
            return Published(f"{int(m['y']):04d}-{month:02d}", "month")
        return Published(_day(int(m["y"]), month, int(m["d"]), text).isoformat(), "day")
    return None


def parse_published_value(value: Any) -> Published:
    """The publication date ``value`` names, or ``ValueError`` saying why it names none."""
    if isinstance(value, dt.datetime):
        return _from_datetime(value)
    if isinstance(value, dt.date):
        return Published(value.isoformat(), "day")
    if isinstance(value, dt.time | bool) or value is None:
        raise ValueError(f"{value!r} is not a date (use {FORMS})")
    text = " ".join(str(value).split())
    if not text:
        raise ValueError(f"is empty (use {FORMS})")
    if len(text) > 64:
        raise ValueError(f"{text[:40]!r}… is too long to be a date")
    for parse in (_numeric, _rfc2822, _written):
        found = parse(text)
        if found is not None:
            return found
    if re.fullmatch(r"\d{4}", text):
        raise ValueError(f"{text!r} is only a year; give at least the month (YYYY-MM)")
    raise ValueError(f"{text!r} is not a date (use {FORMS})")
