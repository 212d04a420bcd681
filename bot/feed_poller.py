"""Following the newsroom's feeds: each due feed polled, each new item ingested like ``/ingest``.

A poll is a conditional request (``If-None-Match`` / ``If-Modified-Since`` with what the last one
learnt), through the same guard as ``/ingest <url>`` (public addresses only unless allowed,
timeouts, size caps). A feed that has nothing new answers 304 and costs nothing more. Each item
not taken before is fetched and extracted like ``/ingest <url>``, with the feed's published day,
oldest first; it is recorded once stored, so an item that failed is tried again at the next poll.
A feed that fails (no answer, not a feed) backs off: the next poll waits twice as long each time,
at most ``MAX_BACKOFF``; nothing already ingested is touched. ``serve`` runs :meth:`run`;
``factdesk feed poll`` runs one :meth:`tick`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.observability import error_seen, feed_item_done, feeds_failing
from facts.errors import FactdeskError
from facts.read.feeds import FeedItem, feed_items
from facts.read.web_article import FetchPolicy, PageMetadata, fetch_article, guarded_get
from facts.store.feed_ledger import Feed
from facts.store.protocols import DocumentIngest, FeedLedger

__all__ = ["MAX_BACKOFF", "MAX_NEW_PER_POLL", "FeedPoll", "FeedPoller", "feed_time"]

log = logging.getLogger("factdesk.feeds")

MAX_BACKOFF = dt.timedelta(hours=6)
# A claimed poll's lease: a runner that dies mid-poll leaves the feed to another one after this.
POLL_LEASE = dt.timedelta(minutes=10)
MAX_NEW_PER_POLL = 50  # items ingested from one feed in one poll; the rest at the next


class FeedStore(FeedLedger, DocumentIngest):
    """What polling needs of the store."""


@dataclass(frozen=True)
class FeedPoll:
    """What one poll of one feed did."""

    url: str
    outcome: str  # "new items", "nothing new", "not modified", "failed"
    added: int = 0
    new_versions: int = 0
    unchanged: int = 0
    failed: int = 0
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.url}: failed ({self.error})"
        counts = f"{self.added} added, {self.new_versions} new versions, {self.unchanged} unchanged"
        return f"{self.url}: {self.outcome}; {counts}, {self.failed} failed"


def feed_time(moment: dt.datetime) -> str:
    """A moment as the feeds' schedule keeps it (UTC, whole seconds): compared as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


_iso = feed_time


@dataclass
class FeedPoller:
    """Polls ``store``'s feeds every ``every``, at ``clock()``, fetching as ``policy`` allows."""

    store: FeedStore
    clock: Callable[[], dt.datetime]
    every: dt.timedelta = dt.timedelta(minutes=15)
    policy: FetchPolicy = field(default_factory=FetchPolicy)
    # Told how many new items a feed has, then each one's outcome and link (`factdesk feed poll`
    # draws a progress line with them; serve does not).
    on_new: Callable[[str, int], None] | None = None
    on_item: Callable[[str, str], None] | None = None

    async def tick(self) -> list[FeedPoll]:
        """Poll every feed due now that this runner claims, one after another. With several
        replicas on one store each due feed is claimed by one of them (see
        :meth:`~facts.store.protocols.FeedLedger.claim_feed_poll`): fetched once, not once each."""
        polls = []
        for feed in await self.store.due_feeds(_iso(self.clock())):
            until = _iso(self.clock() + POLL_LEASE)
            if await self.store.claim_feed_poll(feed.id, due_at=feed.next_poll_at, until=until):
                polls.append(await self.poll(feed))
        feeds_failing(sum(1 for f in await self.store.feeds() if f.failures))
        return polls

    async def poll(self, feed: Feed) -> FeedPoll:
        now = self.clock()
        headers = {}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        try:
            fetched = await guarded_get(feed.url, policy=self.policy, headers=headers)
            items = []
            if fetched.status == 200:
                items = await asyncio.to_thread(feed_items, fetched.body, feed.url)
        except FactdeskError as exc:
            wait = min(self.every * 2 ** (feed.failures + 1), MAX_BACKOFF)
            then = _iso(now + wait)
            await self.store.feed_polled(feed.id, now=_iso(now), next_poll_at=then, error=str(exc))
            log.warning("feed %s failed (%s); next try in %s", feed.url, exc, wait)
            return FeedPoll(feed.url, "failed", error=str(exc))
        poll = FeedPoll(feed.url, "not modified")
        if fetched.status == 200:
            poll = await self._take(feed, items)
        await self.store.feed_polled(
            feed.id,
            now=_iso(now),
            next_poll_at=_iso(now + self.every),
            error=None,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
        )
        return poll

    async def _take(self, feed: Feed, items: list[FeedItem]) -> FeedPoll:
        seen = await self.store.feed_items_seen(feed.id, [i.key for i in items])
        new = [i for i in reversed(items) if i.key not in seen][:MAX_NEW_PER_POLL]  # oldest first
        counts = {"added": 0, "new_version": 0, "unchanged": 0, "failed": 0}
        if self.on_new is not None:
            self.on_new(feed.url, len(new))
        for item in new:
            try:
                article = await fetch_article(
                    item.link, PageMetadata(published=item.published), policy=self.policy
                )
                result = await self.store.ingest(article)
            except FactdeskError as exc:  # this item only: tried again at the next poll
                log.warning("feed %s: item %s not ingested: %s", feed.url, item.link, exc)
                self._counted(counts, "failed", item.link)
                continue
            except Exception:
                log.exception("feed %s: item %s failed", feed.url, item.link)
                error_seen("feed_item")
                self._counted(counts, "failed", item.link)
                continue
            await self.store.feed_item_seen(feed.id, item.key, article.url)
            self._counted(counts, result.status, item.link)
        return FeedPoll(
            feed.url,
            "new items" if new else "nothing new",
            counts["added"],
            counts["new_version"],
            counts["unchanged"],
            counts["failed"],
        )

    def _counted(self, counts: dict[str, int], outcome: str, link: str) -> None:
        counts[outcome] = counts.get(outcome, 0) + 1
        feed_item_done(outcome)
        if self.on_item is not None:
            self.on_item(outcome, link)

    async def run(self, stop: asyncio.Event, *, poll: float = 60.0) -> None:
        """Tick every ``poll`` seconds until ``stop`` is set (a failed tick is logged, not fatal)."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:
                log.exception("feed poll failed")
                error_seen("feeds")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), poll)
