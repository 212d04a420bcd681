"""``/ingest <url>``: an editor adds an article from the web; its facts join the answers at once."""

from __future__ import annotations

import shlex

from facts.answers import queries
from facts.answers.contract import Answer
from facts.errors import UsageError
from facts.read.web_article import FetchPolicy, PageMetadata, fetch_article
from facts.store.sqlite_store import FactStore

__all__ = ["INGEST_USAGE", "ingest_url"]

INGEST_USAGE = '/ingest <url> [published=YYYY-MM-DD] [outlet="…"] [title="…"]'
_KEYS = ("published", "outlet", "title")


def parse_ingest(text: str) -> tuple[str, PageMetadata]:
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
    return url, PageMetadata(fields.get("outlet"), fields.get("published"), fields.get("title"))


async def ingest_url(
    store: FactStore, text: str, command: str, *, policy: FetchPolicy | None = None
) -> Answer:
    url, meta = parse_ingest(text)
    article = await fetch_article(url, meta, policy=policy or FetchPolicy())
    result = await store.ingest(article)
    answer = await queries.source(store, str(result.doc_id), command=command)
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
