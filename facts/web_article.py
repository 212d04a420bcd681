"""An article from a URL: fetched with a timeout and a size cap, its text and metadata extracted
by trafilatura, ready to ingest like a file.

The metadata a page does not give (its publication date, sometimes its outlet) must come from
the caller; nothing is guessed. Offsets and quotes refer to the extracted text, which is what
the store keeps as the document's body.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from urllib.parse import urlparse

import aiohttp
import trafilatura

from facts.article import ArticleInput
from facts.errors import UsageError

__all__ = ["MAX_BYTES", "TIMEOUT_SECONDS", "PageMetadata", "article_from_html", "fetch_article"]

TIMEOUT_SECONDS = 15.0
MAX_BYTES = 5_000_000
_DAY = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


@dataclass(frozen=True)
class PageMetadata:
    """What the editor says about the page, overriding (or filling in for) the page's own."""

    outlet: str | None = None
    published: str | None = None
    title: str | None = None


def _check_url(url: str) -> str:
    url = url.strip().strip("<>")
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise UsageError(f"'{url[:80]}' is not a web address (http:// or https://).")
    return url


async def _download(url: str, *, timeout: float, max_bytes: int) -> str:
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    try:
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.get(url, headers={"User-Agent": "factdesk (newsroom fact desk)"}) as resp,
        ):
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
            return bytes(body).decode(resp.get_encoding() or "utf-8", errors="replace")
    except TimeoutError:
        raise UsageError(f"{url[:80]} did not answer within {timeout:g} s; nothing was ingested.") from None
    except aiohttp.ClientError as exc:
        raise UsageError(f"Could not fetch {url[:80]}: {type(exc).__name__}.") from None


def article_from_html(html: str, url: str, meta: PageMetadata) -> ArticleInput:
    """Text, title, date and outlet of a page, as an :class:`ArticleInput`."""
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
    if not _DAY.match(published):
        raise UsageError(f"published='{published[:20]}' is not a date; use YYYY-MM-DD or YYYY-MM.")
    outlet = meta.outlet or getattr(doc, "sitename", None) or getattr(doc, "hostname", None)
    outlet = outlet or urlparse(url).hostname or url
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and lines[0] == title.strip():
        lines[0] = f"# {lines[0]}"  # the page's own headline, not a sentence of the story
    return ArticleInput(
        title=title,
        outlet=outlet,
        published=published,
        published_precision="month" if len(published) == 7 else "day",
        url=url,
        body="\n\n".join(lines) + "\n",
        origin=url,
        author=getattr(doc, "author", None),
        metadata={"fetched_with": "trafilatura"},
    )


async def fetch_article(
    url: str,
    meta: PageMetadata = PageMetadata(),
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
) -> ArticleInput:
    url = _check_url(url)
    html = await _download(url, timeout=timeout, max_bytes=max_bytes)
    # Extraction is CPU work (lxml): off the event loop.
    return await asyncio.to_thread(article_from_html, html, url, meta)
