"""Following feeds: a local site serves an RSS feed and its articles (conditional requests
honoured as a real server does); the poller, on an injected clock, takes each item once."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.feed_poller import MAX_BACKOFF, POLL_LEASE, FeedPoller
from bot.observability import metrics_text
from facts.read.feeds import feed_items
from facts.read.web_article import FetchPolicy
from facts.store.sqlite_store import SQLiteStore, open_store
from tests.fakes.server import LoopbackServer

LOCAL = FetchPolicy(allow_private=True)  # the site is on loopback, which is refused by default
START = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)

STORIES = [
    ("lagoon", "Ruritania and Freedonia sign lagoon accord",
     "Ruritania and Freedonia signed the lagoon fisheries accord on Tuesday in Port Elna."),
    ("quotas", "Lagoon quotas fall by a third",
     "The lagoon accord cuts the catch quotas by a third from next spring, officials said."),
    ("harbour", "Port Elna harbour fees waived",
     "Freedonia will waive harbour fees for Ruritanian boats under the accord, its minister said."),
    ("vote", "Freedonian parliament ratifies lagoon accord",
     "Freedonia's parliament ratified the lagoon accord on Friday by 88 votes to 12."),
]


class NewsSite(LoopbackServer):
    """A newsroom's site: /feed.xml lists the first ``listed`` stories (newest first) with an ETag
    and Last-Modified; a request carrying the current ETag gets 304. Each story is an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.listed = 3
        self.feed_requests: list[dict[str, str]] = []
        self.page_requests: list[str] = []
        self.broken = False

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/feed.xml", self._feed)
        app.router.add_get("/news/{slug}", self._page)
        return app

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _etag(self) -> str:
        return f'"v{self.listed}"'

    async def _feed(self, request: web.Request) -> web.Response:
        self.feed_requests.append(dict(request.headers))
        if self.broken:
            return web.Response(status=503)
        if request.headers.get("If-None-Match") == self._etag():
            return web.Response(status=304, headers={"ETag": self._etag()})
        items = []
        for i, (slug, title, _) in reversed(list(enumerate(STORIES[: self.listed]))):
            day = email.utils.format_datetime(dt.datetime(2026, 5, 1 + i, 9, 0, tzinfo=dt.UTC))
            items.append(
                f"<item><title>{title}</title><link>{self.url('/news/' + slug)}</link>"
                f"<guid>{self.url('/news/' + slug)}</guid><pubDate>{day}</pubDate></item>"
            )
        body = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Coast Wire</title>'
            f"<link>{self.url('/')}</link><description>News</description>{''.join(items)}</channel></rss>"
        )
        modified = email.utils.format_datetime(dt.datetime(2026, 5, self.listed, tzinfo=dt.UTC), usegmt=True)
        headers = {"ETag": self._etag(), "Last-Modified": modified}
        # No charset in the Content-Type, as many servers send feeds and pages.
        return web.Response(body=body.encode(), content_type="application/rss+xml", headers=headers)

    async def _page(self, request: web.Request) -> web.Response:
        slug = request.match_info["slug"]
        self.page_requests.append(slug)
        story = next(s for s in STORIES if s[0] == slug)
        html = (
            f"<html><head><title>{story[1]}</title><meta property='og:site_name' content='Coast Wire'>"
            f"</head><body><article><h1>{story[1]}</h1><p>{story[2]}</p>"
            "<p>The accord was negotiated over two years by both governments.</p></article></body></html>"
        )
        return web.Response(body=html.encode(), content_type="text/html")


@pytest.fixture
async def site() -> AsyncIterator[NewsSite]:
    async with NewsSite() as server:
        yield server


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = await open_store(tmp_path / "feeds.db", bundled_corpus=False)
    yield s
    await s.close()


async def test_a_feed_is_taken_once_and_a_new_item_on_the_next_poll(
    site: NewsSite, store: SQLiteStore
) -> None:
    now = [START]
    poller = FeedPoller(store, lambda: now[0], every=dt.timedelta(minutes=15), policy=LOCAL)
    await store.add_feed(site.url("/feed.xml"), origin="command", added_by="cli:local", now=START.isoformat())

    first = await poller.tick()
    assert [(p.outcome, p.added) for p in first] == [("new items", 3)]
    docs = await store.documents()
    assert sorted(d.published for d in docs) == ["2026-05-01", "2026-05-02", "2026-05-03"]  # the feed's days
    assert sorted(site.page_requests) == ["harbour", "lagoon", "quotas"]

    assert await poller.tick() == []  # not due before fifteen minutes
    now[0] += dt.timedelta(minutes=15)
    second = await poller.tick()
    assert [(p.outcome, p.added) for p in second] == [("not modified", 0)]
    assert site.feed_requests[-1].get("If-None-Match") == '"v3"'  # a conditional request
    assert len(await store.documents()) == 3 and len(site.page_requests) == 3

    site.listed = 4  # a fourth story appears
    now[0] += dt.timedelta(minutes=15)
    third = await poller.tick()
    assert [(p.outcome, p.added) for p in third] == [("new items", 1)]
    assert site.page_requests[-1] == "vote" and len(site.page_requests) == 4
    assert len(await store.documents()) == 4
    (feed,) = await store.feeds()
    assert feed.items == 4 and feed.failures == 0 and feed.etag == '"v4"'


async def test_two_replicas_polling_at_once_fetch_a_due_feed_once(site: NewsSite, tmp_path: Path) -> None:
    """Two stores on one file stand for two replicas on one database (PostgreSQL's own run of
    the claim is in tests/test_postgres_store.py)."""
    first = await open_store(tmp_path / "shared.db", bundled_corpus=False)
    second = await open_store(tmp_path / "shared.db", bundled_corpus=False)
    try:
        await first.add_feed(site.url("/feed.xml"), origin="command", added_by="t", now=START.isoformat())
        pollers = [FeedPoller(s, lambda: START, policy=LOCAL) for s in (first, second)]
        polls = await asyncio.gather(*(p.tick() for p in pollers))
        assert sorted(len(p) for p in polls) == [0, 1]  # one replica polled, the other found it taken
        assert len(site.feed_requests) == 1 and sorted(site.page_requests) == ["harbour", "lagoon", "quotas"]
        (feed,) = await second.feeds()
        assert feed.next_poll_at == (START + dt.timedelta(minutes=15)).isoformat()
    finally:
        await first.close()
        await second.close()


async def test_a_poll_whose_runner_died_is_taken_over_when_its_lease_ends(
    site: NewsSite, store: SQLiteStore
) -> None:
    await store.add_feed(site.url("/feed.xml"), origin="command", added_by="t", now=START.isoformat())
    (feed,) = await store.feeds()
    until = (START + POLL_LEASE).isoformat()
    assert await store.claim_feed_poll(feed.id, due_at=feed.next_poll_at, until=until)  # then it died
    assert not await store.claim_feed_poll(feed.id, due_at=feed.next_poll_at, until=until)
    now = [START + dt.timedelta(minutes=5)]
    poller = FeedPoller(store, lambda: now[0], policy=LOCAL)
    assert await poller.tick() == [] and site.feed_requests == []  # leased: nobody polls it yet
    now[0] = START + POLL_LEASE
    assert [p.outcome for p in await poller.tick()] == ["new items"]


async def test_a_failing_feed_backs_off_and_keeps_what_it_brought(site: NewsSite, store: SQLiteStore) -> None:
    now = [START]
    every = dt.timedelta(minutes=15)
    poller = FeedPoller(store, lambda: now[0], every=every, policy=LOCAL)
    await store.add_feed(site.url("/feed.xml"), origin="command", added_by="cli:local", now=START.isoformat())
    await poller.tick()
    site.broken = True
    waits = []
    for _ in range(6):
        now[0] += dt.timedelta(days=1)  # well past any wait
        (poll,) = await poller.tick()
        assert poll.error and "503" in poll.error
        (feed,) = await store.feeds()
        waits.append(dt.datetime.fromisoformat(feed.next_poll_at) - now[0])
    assert waits == [min(every * 2**n, MAX_BACKOFF) for n in range(1, 7)]  # doubling, capped
    assert feed.failures == 6 and "503" in (feed.last_error or "")
    assert b"factdesk_feeds_failing 1.0" in metrics_text()  # /metrics says so
    assert len(await store.documents()) == 3  # nothing already ingested is touched
    site.broken = False
    now[0] += dt.timedelta(days=1)
    (poll,) = await poller.tick()
    assert poll.error is None
    (feed,) = await store.feeds()
    assert feed.failures == 0 and feed.last_error is None


async def test_a_removed_feed_is_not_polled_and_a_bad_url_is_refused(
    site: NewsSite, store: SQLiteStore
) -> None:
    from facts.errors import FactdeskError

    url = site.url("/feed.xml")
    _, new = await store.add_feed(url, origin="command", added_by="cli:local", now=START.isoformat())
    _, again = await store.add_feed(url, origin="command", added_by="cli:local", now=START.isoformat())
    assert (new, again) == (True, False)
    await store.remove_feed(url)
    poller = FeedPoller(store, lambda: START, policy=LOCAL)
    assert await poller.tick() == [] and site.feed_requests == []
    for bad in ("ftp://example.org/feed", "file:///etc/passwd", "not a url", "https://" + "x" * 2100):
        with pytest.raises(FactdeskError):
            await store.add_feed(bad, origin="command", added_by="cli:local", now=START.isoformat())


async def test_a_feed_on_a_private_address_is_refused_by_default(site: NewsSite, store: SQLiteStore) -> None:
    await store.add_feed(site.url("/feed.xml"), origin="command", added_by="cli:local", now=START.isoformat())
    (poll,) = await FeedPoller(store, lambda: START).tick()  # the default policy: public addresses only
    assert poll.error and "127.0.0.1" in poll.error
    assert site.feed_requests == []


@pytest.mark.parametrize(
    ("body", "keys"),
    [
        (  # Atom: the entry id is the key; the updated day when there is no published one
            b'<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><entry><id>urn:story:7</id>'
            b'<title>Seven</title><link href="https://coast.example/7"/><updated>2026-04-30T22:10:00Z</updated>'
            b"</entry></feed>",
            [("urn:story:7", "https://coast.example/7", "2026-04-30")],
        ),
        (  # RSS without guid or date: the link is the key; an item without a web link is skipped
            b'<rss version="2.0"><channel><title>T</title><item><title>A</title><link>https://coast.example/a</link>'
            b"</item><item><title>B</title><link>mailto:desk@coast.example</link></item></channel></rss>",
            [("https://coast.example/a", "https://coast.example/a", None)],
        ),
    ],
)
def test_feed_items_in_every_dialect(body: bytes, keys: list[tuple[str, str, str | None]]) -> None:
    assert [(i.key, i.link, i.published) for i in feed_items(body, "https://coast.example/feed")] == keys


def test_factdesk_feed_add_list_remove_and_doctor_on_a_failing_feed(
    seeded_db_path: Path, tmp_path: Path
) -> None:
    import os
    import sqlite3

    from tests.test_cli import factdesk

    db = tmp_path / "cli.db"
    db.write_bytes(seeded_db_path.read_bytes())
    env = {**os.environ, "FACTDESK_DB": str(db)}
    added = factdesk("feed", "add", "https://coast.example/feed.xml", env=env)
    assert added.returncode == 0 and "following https://coast.example/feed.xml" in added.stdout
    again = factdesk("feed", "add", "https://coast.example/feed.xml", env=env)
    assert "already following" in again.stdout
    bad = factdesk("feed", "add", "ftp://coast.example/feed", env=env)
    assert bad.returncode == 2 and "not a feed's web address" in bad.stderr and "Traceback" not in bad.stderr
    with sqlite3.connect(db) as conn:  # as a poller leaves a feed that keeps failing
        conn.execute("UPDATE feeds SET failures = 3, last_error = 'answered HTTP 503'")
    listing = factdesk("feed", "list", env=env)
    assert "failing (3×: answered HTTP 503)" in listing.stdout
    doctor = factdesk("doctor", env=env)
    assert doctor.returncode == 1
    assert "feed https://coast.example/feed.xml: its last 3 polls failed" in doctor.stdout
    removed = factdesk("feed", "remove", "https://coast.example/feed.xml", env=env)
    assert removed.returncode == 0 and "stopped following" in removed.stdout
    assert "No feed is followed" in factdesk("feed", "list", env=env).stdout


async def test_a_feed_backfill_reports_each_item_for_a_progress_line(
    site: NewsSite, store: SQLiteStore
) -> None:
    import io

    from bot.runtime.progress import Progress

    lines = io.StringIO()
    progress: list[Progress] = []
    seen: list[tuple[str, str]] = []
    poller = FeedPoller(store, lambda: START, policy=LOCAL)

    def on_new(url: str, n: int) -> None:
        progress.append(Progress(n, stream=lines, tty=False, every=1, now=lambda: 0.0))

    def on_item(outcome: str, link: str) -> None:
        seen.append((outcome, link))
        progress[-1].advance()

    poller.on_new, poller.on_item = on_new, on_item
    await store.add_feed(site.url("/feed.xml"), origin="command", added_by="cli:local", now=START.isoformat())
    await poller.tick()
    progress[-1].finish()
    assert [o for o, _ in seen] == ["added"] * 3
    assert [link.rsplit("/", 1)[1] for _, link in seen] == ["lagoon", "quotas", "harbour"]  # oldest first
    assert progress[-1].total == 3 and progress[-1].done == 3
    assert "3/3" in lines.getvalue()


async def test_a_feed_added_now_is_polled_now_whatever_the_clocks_fraction_of_a_second(
    site: NewsSite, store: SQLiteStore
) -> None:
    from bot.feed_poller import feed_time

    moment = START.replace(microsecond=654321)
    await store.add_feed(site.url("/feed.xml"), origin="command", added_by="cli:local", now=feed_time(moment))
    (poll,) = await FeedPoller(store, lambda: moment, policy=LOCAL).tick()
    assert poll.added == 3
