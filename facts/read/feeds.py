"""A newsroom's RSS and Atom feeds: the items they list, each to be fetched like ``/ingest <url>``.

feedparser reads every dialect (RSS 0.9x to 2.0, RSS 1.0, Atom) and their dates; an item is
known by its guid (Atom ``id``), else its link. Its published date comes from the feed
(``published``, else ``updated``), as the day in UTC, and is handed to the article so that a
page without a date of its own still gets one; an item without a link is skipped.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import feedparser

from facts.errors import UsageError

__all__ = ["MAX_ITEMS", "FeedItem", "feed_items"]

MAX_ITEMS = 200  # items read from one feed (a feed is its newest items, a few dozen at most)


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed: its key (guid or link), its link, title and published day."""

    key: str
    link: str
    title: str | None
    published: str | None  # YYYY-MM-DD, UTC


def _day(entry: Any) -> str | None:
    for name in ("published_parsed", "updated_parsed"):
        parsed: time.struct_time | None = entry.get(name)
        if parsed:
            return dt.date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
    return None


def feed_items(body: bytes, url: str) -> list[FeedItem]:
    """The items of the feed ``body`` fetched from ``url``, in the feed's order. A body that is
    not a feed at all is a :class:`UsageError` naming the url."""
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if parsed.get("bozo") and not parsed.entries:
        reason = type(parsed.get("bozo_exception")).__name__
        raise UsageError(f"{url[:80]} is not an RSS or Atom feed ({reason}).")
    items: list[FeedItem] = []
    for entry in parsed.entries[:MAX_ITEMS]:
        link = str(entry.get("link") or "").strip()
        if not link.startswith(("http://", "https://")):
            continue
        key = str(entry.get("id") or link).strip()[:2000]
        title = " ".join(str(entry.get("title") or "").split()) or None
        items.append(FeedItem(key, link, title, _day(entry)))
    return items
