"""Answers asked again come from memory until the record changes, by this process or another."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import answer_cache
from bot.handler import handle
from bot.requests import parse_command_line
from facts.read.article import ArticleInput
from facts.store.sqlite_store import open_store


@pytest.fixture(autouse=True)
def _cache_on() -> Iterator[None]:
    answer_cache.enabled(True)
    yield
    answer_cache.enabled(False)

FIRST = "Peru and Chile signed a fisheries accord on Monday that sets quotas for trawlers.\n"
LATER = "Chile suspended the fisheries accord with Peru on Friday after a dispute over quotas.\n"


def _article(n: int, body: str) -> ArticleInput:
    url = f"https://wire.example/{n}"
    return ArticleInput(title="Fisheries accord", outlet="Wire", published="2031-05-12",
                        published_precision="day", url=url, body=body, origin=url)


async def test_an_answer_is_reused_until_an_ingest_or_a_correction_changes_the_record(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "c.db", bundled_corpus=False)
    try:
        await store.ingest(_article(1, FIRST))
        cache = answer_cache.cache_for(store)
        line = "/search fisheries accord"
        first = await handle(parse_command_line(line), store)
        again = await handle(parse_command_line(line), store)
        assert (cache.misses, cache.hits) == (1, 1)
        assert again == first and again is not first  # a copy: the kept one cannot be changed
        again.items.clear()
        assert (await handle(parse_command_line(line), store)).items == first.items

        await store.ingest(_article(2, LATER))  # the record changed: computed afresh
        after = await handle(parse_command_line(line), store)
        assert len(after.items) == len(first.items) + 1
        assert cache.misses == 2

        # A delivery's bookkeeping is not a change of the record.
        await store.claim_delivery("trigger-1", now=1.0, ttl=60.0)
        await handle(parse_command_line(line), store)
        assert cache.misses == 2
    finally:
        await store.close()


async def test_a_write_by_another_process_empties_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    store = await open_store(path, bundled_corpus=False)
    try:
        await store.ingest(_article(1, FIRST))
        line = "/agreement peru"
        before = await handle(parse_command_line(line), store)
        assert before.items
        other = sqlite3.connect(path)  # as `factdesk ingest` in another process would
        other.execute("UPDATE facts SET status = 'retracted'")
        other.commit()
        other.close()
        after = await handle(parse_command_line(line), store)
        assert answer_cache.cache_for(store).misses == 2
        assert not after.items  # computed again: every fact retracted meanwhile
    finally:
        await store.close()


async def test_errors_are_not_kept_and_the_cache_can_be_turned_off(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "e.db", bundled_corpus=False)
    try:
        cache = answer_cache.cache_for(store)
        for _ in range(2):
            answer = await handle(parse_command_line("/agreement atlantis"), store)
            assert answer.error is not None
        assert cache.hits == 0
        answer_cache.enabled(False)
        await handle(parse_command_line("/search accord"), store)
        await handle(parse_command_line("/search accord"), store)
        assert cache.hits == 0
    finally:
        await store.close()


async def test_the_least_recently_used_answer_goes_first() -> None:
    cache = answer_cache.AnswerCache(size=2)
    made: list[str] = []

    def compute(key: str):  # type: ignore[no-untyped-def]
        async def run():  # type: ignore[no-untyped-def]
            from facts.answers.contract import Answer

            made.append(key)
            return Answer(title=key)

        return run

    for key in ("a", "b", "a", "c", "a", "b"):
        await cache.answer(key, "state", compute(key))
    assert made == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
