"""What the rest of factdesk may ask of a store, one protocol per role.

Each caller types its parameter with the narrowest role it uses (``/source`` needs a
:class:`DocumentReader`, the digest scheduler a :class:`DigestLedger`); :class:`FactStore` is
their union, what the bot passes around. :class:`facts.store.sqlite_store.SQLiteStore`
implements every role; a second backend (PostgreSQL) implements the same ones. So nothing
here speaks SQL: a search is a :class:`PassageQuery` of words and phrases, never an FTS5
``MATCH`` string, and rows are the dataclasses of :mod:`facts.store.rows`.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import AsyncIterator, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from facts.read.article import ArticleInput
from facts.store.corrections import DateSpec, Editor, HistoryRow
from facts.store.digest_ledger import DigestChange, DigestRun, Subscription
from facts.store.feed_ledger import Feed
from facts.store.passage_vectors import AskPassage
from facts.store.posted_ledger import PostRow, PostUpdate
from facts.store.rows import DocumentRow, FactRow, IngestResult, PassageHit

__all__ = [
    "AnswerViews",
    "DeliveryLedger",
    "DigestFeed",
    "DigestLedger",
    "DigestReader",
    "DocumentIngest",
    "DocumentReader",
    "FactLedger",
    "FactStore",
    "FeedLedger",
    "PassageQuery",
    "PassageSearch",
    "PostedLedger",
    "SearchReader",
    "StoreHandle",
]


@dataclass(frozen=True)
class PassageQuery:
    """The words a passage must hold: each phrase is one or more words in that order, side by
    side; ``require`` says whether every phrase must be there or any one. Words are matched as
    the store tokenises them (case, accents and word endings folded), and a query with no
    phrases matches nothing.

    Example::

        PassageQuery.all_of(["fisheries accord"])  # the phrase
        PassageQuery.any_of(["anchovy", "sardine"])  # either word
    """

    phrases: tuple[str, ...]
    require: Literal["all", "any"] = "all"

    @classmethod
    def all_of(cls, phrases: Iterable[str]) -> PassageQuery:
        return cls(tuple(phrases), "all")

    @classmethod
    def any_of(cls, phrases: Iterable[str]) -> PassageQuery:
        return cls(tuple(phrases), "any")


class DocumentReader(Protocol):
    """Documents, the facts taken from them, and the countries the store reports on."""

    async def documents(self) -> list[DocumentRow]: ...
    async def document(self, *, doc_id: int | None = None, url: str | None = None) -> DocumentRow | None: ...
    async def document_bodies(self, doc_ids: Sequence[int]) -> dict[int, str]: ...
    async def document_facts(self, doc_id: int) -> list[FactRow]: ...
    async def fact(self, fact_id: int) -> FactRow | None: ...
    async def facts_by_ids(self, ids: Sequence[int]) -> list[FactRow]: ...
    async def agreement_facts(self, country: str, *, limit: int = 200) -> list[FactRow]: ...
    async def range_facts(
        self, start: str, end: str, *, country: str | None = None, limit: int = 200
    ) -> list[FactRow]: ...
    async def agreement_countries(self) -> list[str]: ...


class PassageSearch(Protocol):
    """Passages found by their words (ranked) and by their stored vectors (nearest)."""

    async def count_passages(self, query: PassageQuery, *, cap: int) -> int: ...
    async def count_passages_each(self, queries: Sequence[PassageQuery], *, cap: int) -> list[int]: ...
    async def search_passages(
        self, query: PassageQuery, *, limit: int = 40, newest_first: bool = False
    ) -> list[PassageHit]: ...
    async def passage_count(self) -> int: ...
    async def nearest_passages(self, vector: Any, k: int) -> list[int]: ...
    async def ask_passages(self, ids: Sequence[int]) -> list[AskPassage]: ...


class FactLedger(Protocol):
    """The desk's changes to the record (add, correct, retract, restore) and each fact's history."""

    async def fact_history(self, fact_id: int) -> list[HistoryRow]: ...
    async def correct_fact(
        self,
        fact_id: int,
        *,
        text: str | None,
        date: DateSpec | None,
        note: str,
        expected_version: int | None,
        editor: Editor,
    ) -> int: ...
    async def change_status(
        self, fact_id: int, *, status: str, reason: str, expected_version: int | None, editor: Editor
    ) -> int: ...
    async def add_fact(self, **fields: Any) -> int: ...


class DigestFeed(Protocol):
    """What a digest reports of a period: new facts, the desk's changes, this day in past years."""

    async def digest_changes(self, start: str, end: str) -> tuple[list[int], list[DigestChange]]: ...
    async def on_this_day(self, month_day: str, before_year: int) -> list[int]: ...


class DigestLedger(Protocol):
    """Digest subscriptions, and the record of runs claimed under a lease (exactly-once posting)."""

    async def digest_subscriptions(self) -> list[Subscription]: ...
    async def subscribe_digest(
        self, channel: str, schedule: str, timezone: str, *, origin: str, actor: str, at: str | None = None
    ) -> None: ...
    async def unsubscribe_digest(self, channel: str, *, actor: str) -> bool: ...
    async def last_digest_run(self, channel: str) -> DigestRun | None: ...
    async def claim_digest_run(
        self, channel: str, period: str, covered_from: str, covered_to: str, **claim: Any
    ) -> DigestRun | None: ...
    async def begin_digest_post(self, channel: str, period: str, **attempt: Any) -> bool: ...
    async def finish_digest_run(self, channel: str, period: str, **outcome: Any) -> bool: ...


class DeliveryLedger(Protocol):
    """Platform deliveries already handled, so a redelivered one is answered once."""

    async def claim_delivery(self, key: str, *, now: float, ttl: float) -> bool: ...
    async def expire_deliveries(self, *, now: float) -> int: ...


class PostedLedger(Protocol):
    """Answers posted in channels and threads, found again by a fact they showed."""

    async def record_post(
        self,
        platform: str,
        channel: str,
        ref: str,
        answer: dict[str, Any],
        fact_ids: Sequence[int],
        *,
        asked_by: str | None = None,
        shown_from: int = 0,
    ) -> int: ...
    async def posts_showing(self, fact_id: int) -> list[PostRow]: ...
    async def post_updated(
        self, post_id: int, answer: dict[str, Any], fact_id: int, version: int
    ) -> None: ...
    async def post_updates(self, fact_id: int) -> list[PostUpdate]: ...


class AnswerViews(Protocol):
    """The commands behind answers' buttons, so that any process can answer a button again."""

    async def keep_view(self, command: str, actor: str) -> int: ...
    async def view_command(self, view_id: int) -> str | None: ...


class FeedLedger(Protocol):
    """The newsroom's feeds, what their last poll learnt, and the items taken from them."""

    async def add_feed(self, url: str, *, origin: str, added_by: str, now: str) -> tuple[Feed, bool]: ...
    async def remove_feed(self, url: str) -> Feed: ...
    async def feeds(self) -> list[Feed]: ...
    async def due_feeds(self, now: str) -> list[Feed]: ...
    async def feed_polled(
        self,
        feed_id: int,
        *,
        now: str,
        next_poll_at: str,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None: ...
    async def claim_feed_poll(self, feed_id: int, *, due_at: str, until: str) -> bool: ...
    async def feed_items_seen(self, feed_id: int, keys: list[str]) -> set[str]: ...
    async def feed_item_seen(self, feed_id: int, key: str, doc_url: str) -> None: ...


class DocumentIngest(Protocol):
    """Articles in: one at a time, or in bulk with extraction in an executor."""

    async def ingest(self, article: ArticleInput) -> IngestResult: ...
    def ingest_many(
        self,
        articles: Iterable[ArticleInput],
        *,
        batch: int = 200,
        executor: concurrent.futures.Executor | None = None,
    ) -> AsyncIterator[IngestResult]: ...


class StoreHandle(Protocol):
    """The store as a resource: open or closed, reachable, closed once."""

    def is_open(self) -> bool: ...
    async def probe(self) -> None: ...
    async def state(self) -> Hashable:
        """A value that changes whenever the record may have changed, by this process or another."""
        ...
    async def close(self) -> None: ...


class SearchReader(DocumentReader, PassageSearch, Protocol):
    """Passages and the facts they cite: what ``/search`` and ``/ask`` read."""


class DigestReader(DocumentReader, DigestFeed, Protocol):
    """A period's changes and the facts they name: what a digest reads."""


class FactStore(
    DocumentReader,
    PassageSearch,
    FactLedger,
    DigestFeed,
    DigestLedger,
    DeliveryLedger,
    PostedLedger,
    FeedLedger,
    AnswerViews,
    DocumentIngest,
    StoreHandle,
    Protocol,
):
    """Every role: what the bot's core passes around."""
