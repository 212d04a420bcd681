"""An article from a URL: fetched with a timeout and a size cap, its text and metadata extracted
by trafilatura, ready to ingest like a file.

The metadata a page does not give (its publication date, sometimes its outlet) must come from
the caller; nothing is guessed. Offsets and quotes refer to the extracted text, which is what
the store keeps as the document's body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlparse

import aiohttp
from aiohttp.abc import AbstractResolver

from facts.errors import UsageError
from facts.read.article import ArticleInput
from facts.read.fetch_guard import (
    GuardedResolver,
    Judge,
    RefusedAddress,
    allow_all,
    check_url,
    guarded_socket_factory,
    refusal_reason,
)
from facts.read.limits import DEFAULT_LIMITS, sentence_count_over
from facts.read.published import parse_published_value

__all__ = [
    "MAX_BYTES",
    "MAX_REDIRECTS",
    "TIMEOUT_SECONDS",
    "FetchPolicy",
    "Fetched",
    "PageMetadata",
    "article_from_html",
    "fetch_article",
    "guarded_get",
]

TIMEOUT_SECONDS = 15.0
MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
_HEADERS = {"User-Agent": "factdesk (newsroom fact desk)"}


@dataclass(frozen=True)
class PageMetadata:
    """What the editor says about the page, overriding (or filling in for) the page's own."""

    outlet: str | None = None
    published: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class FetchPolicy:
    """Where a fetch may go. Private, loopback and other non-public addresses are refused unless
    ``allow_private`` (``FACTDESK_INGEST_ALLOW_PRIVATE``); ``resolver`` and ``judge`` let tests
    stand in for DNS and for what counts as public."""

    allow_private: bool = False
    max_redirects: int = MAX_REDIRECTS
    resolver: AbstractResolver | None = None
    judge: Judge = refusal_reason

    @property
    def effective_judge(self) -> Judge:
        return allow_all if self.allow_private else self.judge


_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _connector(policy: FetchPolicy) -> aiohttp.TCPConnector:
    """Every connection is checked twice: the resolved addresses, and the one connected to.

    No DNS cache and no kept-alive connections, so each hop of a redirect is checked afresh.
    """
    judge = policy.effective_judge
    return aiohttp.TCPConnector(
        resolver=GuardedResolver(judge, policy.resolver),
        socket_factory=guarded_socket_factory(judge),
        use_dns_cache=False,
        force_close=True,
    )


def _refused(exc: aiohttp.ClientError) -> RefusedAddress | None:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, RefusedAddress):
            return cause
        cause = getattr(cause, "os_error", None) or cause.__cause__
    return None


@dataclass(frozen=True)
class Fetched:
    """A guarded GET's answer: its status (200, or 304 for a conditional request that found
    nothing new), the body, and the validators a later conditional request sends back."""

    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    encoding: str = "utf-8"

    @property
    def text(self) -> str:
        try:
            return self.body.decode(self.encoding, errors="replace")
        except LookupError:  # a charset Python does not know: read as UTF-8
            return self.body.decode("utf-8", errors="replace")


async def guarded_get(
    url: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    policy: FetchPolicy = FetchPolicy(),
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """GET ``url``, following at most ``policy.max_redirects`` redirects by hand so that every
    hop is checked like the first; ``timeout`` covers them all. A 200 or a 304 is an answer;
    anything else, an address refused, a timeout or an oversized body is a :class:`UsageError`."""
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    judge = policy.effective_judge
    sent = {**_HEADERS, **(headers or {})}
    try:
        async with (
            asyncio.timeout(timeout),
            aiohttp.ClientSession(connector=_connector(policy), timeout=client_timeout) as session,
        ):
            current = check_url(url, judge)
            for _hop in range(policy.max_redirects + 1):
                check_url(current, judge)
                async with session.get(current, headers=sent, allow_redirects=False) as resp:
                    if resp.status in _REDIRECTS:
                        location = resp.headers.get("Location", "").strip()
                        if not location:
                            raise UsageError(f"{current[:80]} redirects nowhere; nothing was ingested.")
                        current = urljoin(current, location)
                        continue
                    if resp.status == 304:
                        return Fetched(304, b"", resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
                    body = await _body(resp, current, max_bytes)
                    # The charset the server declares, else UTF-8 (most of the web); aiohttp's own
                    # guess needs a body read through it, and this one was read in chunks.
                    encoding = resp.charset or "utf-8"
                    return Fetched(
                        200, body, resp.headers.get("ETag"), resp.headers.get("Last-Modified"), encoding
                    )
            raise UsageError(
                f"{url[:80]} redirects more than {policy.max_redirects} times; nothing was ingested."
            )
    except TimeoutError:
        raise UsageError(f"{url[:80]} did not answer within {timeout:g} s; nothing was ingested.") from None
    except aiohttp.ClientError as exc:
        refused = _refused(exc)
        if refused is not None:
            raise UsageError(str(refused)) from None
        raise UsageError(f"Could not fetch {url[:80]}: {type(exc).__name__}.") from None


async def _body(resp: aiohttp.ClientResponse, url: str, max_bytes: int) -> bytes:
    if resp.status != 200:
        raise UsageError(f"{url[:80]} answered HTTP {resp.status}; nothing was ingested.")
    declared = resp.content_length
    if declared is not None and declared > max_bytes:
        raise UsageError(f"{url[:80]} is {declared:,} bytes, over the {max_bytes:,}-byte limit.")
    body = bytearray()
    async for chunk in resp.content.iter_chunked(65536):
        body += chunk
        if len(body) > max_bytes:
            raise UsageError(f"{url[:80]} is over the {max_bytes:,}-byte limit; nothing ingested.")
    return bytes(body)


def article_from_html(html: str, url: str, meta: PageMetadata) -> ArticleInput:
    """Text, title, date and outlet of a page, as an :class:`ArticleInput`."""
    import trafilatura  # 0.2 s to import: paid by the commands that fetch pages, not by every command

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise UsageError(f"No article text found at {url[:80]}; is it a story page?")
    title = meta.title or getattr(doc, "title", None) or url
    published = meta.published or getattr(doc, "date", None)
    if not published:
        raise UsageError(f"{url[:80]} gives no publication date; add published=YYYY-MM-DD.")
    try:
        when = parse_published_value(published)
    except ValueError as exc:
        raise UsageError(f"published: {exc}.") from None
    outlet = meta.outlet or getattr(doc, "sitename", None) or getattr(doc, "hostname", None)
    outlet = outlet or urlparse(url).hostname or url
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0] == title.strip():
        lines[0] = f"# {lines[0]}"  # the page's own headline, not a sentence of the story
    body = "\n\n".join(lines) + "\n"
    sentences = sentence_count_over(body, DEFAULT_LIMITS.max_sentences)
    if sentences is not None:
        raise UsageError(
            f"{url[:80]} has {sentences:,} sentences, over the {DEFAULT_LIMITS.max_sentences:,} limit."
        )
    return ArticleInput(
        title=title,
        outlet=outlet,
        published=when.date,
        published_precision=when.precision,
        url=url,
        body=body,
        origin=url,
        author=getattr(doc, "author", None),
        metadata={"fetched_with": "trafilatura", **when.metadata()},
    )


async def fetch_article(
    url: str,
    meta: PageMetadata = PageMetadata(),
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    policy: FetchPolicy = FetchPolicy(),
) -> ArticleInput:
    """The article at ``url``; a non-public address (directly, through DNS or after a redirect)
    is refused unless ``policy.allow_private``."""
    url = check_url(url.strip().strip("<>"), policy.effective_judge)
    html = (await guarded_get(url, timeout=timeout, max_bytes=max_bytes, policy=policy)).text
    # Extraction is CPU work (lxml): off the event loop.
    return await asyncio.to_thread(article_from_html, html, url, meta)
