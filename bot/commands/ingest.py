"""``/ingest <url>``: an editor adds an article from the web; its facts join the answers at once."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from bot.invocation import Invocation, Options
from facts.answers import queries
from facts.answers.contract import Answer
from facts.errors import UsageError
from facts.read.web_article import PageMetadata, fetch_article

__all__ = ["INGEST_USAGE", "IngestArgs", "ingest_options", "parse_ingest", "run_ingest"]

INGEST_USAGE = '/ingest <url> [published=YYYY-MM-DD] [outlet="…"] [title="…"]'
_KEYS = ("published", "outlet", "title")


@dataclass(frozen=True)
class IngestArgs:
    """The page to fetch, and what to say of it if the page itself does not."""

    url: str
    published: str | None = None
    outlet: str | None = None
    title: str | None = None

    def text(self) -> str:
        given = {"published": self.published, "outlet": self.outlet, "title": self.title}
        return " ".join([self.url] + [f"{k}={shlex.quote(v)}" for k, v in given.items() if v])


def parse_ingest(text: str) -> IngestArgs:
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise UsageError(f"Unbalanced quotes ({exc}).") from None
    url = ""
    fields: dict[str, str] = {}
    for token in tokens:
        key, eq, value = token.partition("=")
        if eq and key.lower() in _KEYS:
            fields[key.lower()] = value.strip()
        elif not url:
            url = token
        else:
            raise UsageError(f"Unexpected '{token[:40]}': options are published=, outlet= and title=.")
    if not url:
        raise UsageError("Which page? Give its url.")
    return IngestArgs(url, fields.get("published"), fields.get("outlet"), fields.get("title"))


def ingest_options(values: Options) -> IngestArgs:
    given = {k: str(v).strip() for k, v in values.items() if v is not None and str(v).strip()}
    if not given.get("url"):
        raise UsageError("Which page? Give its url.")
    return IngestArgs(given["url"], given.get("published"), given.get("outlet"), given.get("title"))


async def run_ingest(args: IngestArgs, invocation: Invocation) -> Answer:
    store = invocation.store
    meta = PageMetadata(args.outlet, args.published, args.title)
    article = await fetch_article(args.url, meta, policy=invocation.fetch)
    result = await store.ingest(article)
    answer = await queries.source(store, result.doc_id)
    done = {
        "added": f"Ingested as source {result.doc_id}",
        "new_version": f"New version {result.version} of source {result.doc_id}",
        "unchanged": f"Already in the store as source {result.doc_id}; nothing changed",
    }[result.status]
    answer.title = f"{done}: {article.title}"[:250]
    if result.status != "unchanged":
        counts = f"{result.new_facts} new facts, {result.merged_facts} already reported elsewhere."
        answer.notes.insert(0, counts)
    return answer
