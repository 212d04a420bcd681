"""Commands on the bundled corpus through the one handler: contract, errors, empty answers."""

from __future__ import annotations

import re

import pytest

from bot.commands.registry import COMMANDS
from bot.handler import handle
from bot.requests import parse_command_line
from facts.answers.contract import Answer
from facts.store.sqlite_store import SQLiteStore


async def ask(store: SQLiteStore, line: str) -> Answer:
    return await handle(parse_command_line(line), store)


def assert_cited(answer: Answer) -> None:
    numbers = {s.n for s in answer.sources}
    for item in answer.items:
        assert item.citations, item.text
        for c in item.citations:
            assert c.source in numbers
            assert c.quote.strip()


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("/agreement atlantis", "atlantis"),
        ("/agreement", "country"),
        ("/timeline someday", "someday"),
        ("/timeline", "year"),
        ("/timeline 2019 page zero", "page"),
        ("/search", "search"),
        ("/search " + "x" * 5000, "5,000"),
        ("/ask", "question"),
        ("/search \u200b\u200b", "search"),
        ("/source nowhere", "nowhere"),
        ("/source 999", "999"),
        ("/frobnicate now", "frobnicate"),
    ],
)
async def test_bad_input_gets_one_friendly_line_naming_it(
    seeded_store: SQLiteStore, line: str, needle: str
) -> None:
    answer = await ask(seeded_store, line)
    assert answer.error is not None
    assert needle.lower() in answer.error.message.lower()
    assert "\n" not in answer.error.message
    assert not answer.items
    if answer.error.code != "unknown_command":
        assert "Usage: /" in answer.error.message


async def test_a_real_country_without_agreements_is_an_explicit_empty_answer(
    seeded_store: SQLiteStore,
) -> None:
    answer = await ask(seeded_store, "/agreement france")
    assert answer.error is None and answer.items == []
    assert any("no agreement" in n.lower() for n in answer.notes)


@pytest.mark.parametrize("query", ["el-salvador", "El Salvador", "SV", "SLV", "salvadoran", "Salvadorans"])
async def test_country_by_name_code_demonym_and_slug(seeded_store: SQLiteStore, query: str) -> None:
    answer = await ask(seeded_store, f"/agreement {query}")
    assert answer.title == "Agreements with El Salvador"
    assert answer.items
    assert_cited(answer)


async def test_agreement_summary_is_short_cited_and_ordered(seeded_store: SQLiteStore) -> None:
    answer = await ask(seeded_store, "/agreement el-salvador")
    assert 3 <= len(answer.items) <= 12
    assert_cited(answer)
    groups = [i.group for i in answer.items]
    assert len(set(groups)) >= 2, "a 2019 accord and a 2025 proposal are separate agreements"
    for g in set(groups):
        dates = [i.date for i in answer.items if i.group == g]
        assert dates == sorted(dates)


async def test_timeline_stays_inside_the_range(seeded_store: SQLiteStore) -> None:
    answer = await ask(seeded_store, "/timeline 2020")
    assert answer.items
    for item in answer.items:
        start, end = item.date or "", item.date_end or item.date or ""
        assert start[:4] <= "2020" <= end[:4] or start[:4] == "2020"
    assert_cited(answer)


async def test_timeline_includes_ranges_that_overlap(seeded_store: SQLiteStore) -> None:
    answer = await ask(seeded_store, "/timeline 2020")
    assert any(i.date_precision == "range" and (i.date or "") < "2020" for i in answer.items)


async def test_timeline_of_an_empty_year_says_so(seeded_store: SQLiteStore) -> None:
    answer = await ask(seeded_store, "/timeline 1999")
    assert answer.error is None and answer.items == [] and answer.notes


async def test_timeline_range_and_country(seeded_store: SQLiteStore) -> None:
    answer = await ask(seeded_store, "/timeline 2019-2020 guatemala")
    assert answer.items and answer.title.endswith("Guatemala")
    assert all("guatemala" in (i.text + " ".join(c.quote for c in i.citations)).lower() for i in answer.items)


async def test_search_cites_passages(seeded_store: SQLiteStore) -> None:
    answer = await ask(seeded_store, "/search asylum")
    assert answer.items and len(answer.items) <= 10
    assert_cited(answer)
    assert all("asylum" in i.text.lower() for i in answer.items)


async def test_search_for_very_common_words_shows_the_newest_and_says_so(
    seeded_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facts.answers.queries as queries

    ranked = await ask(seeded_store, "/search asylum")
    assert not any("most recently added" in n for n in ranked.notes)
    monkeypatch.setattr(queries, "CROWDED", 3)
    newest = await ask(seeded_store, "/search asylum")
    assert newest.items and all("asylum" in i.text.lower() for i in newest.items)
    note = "More than 3 passages match asylum: the most recently added come first"
    assert any(note in n for n in newest.notes)
    assert_cited(newest)


async def test_ask_answers_from_passages_or_says_the_documents_do_not_say(seeded_store: SQLiteStore) -> None:
    good = await ask(seeded_store, "/ask Who signed the agreement with El Salvador?")
    assert good.items and "signed" in good.items[0].text.lower()
    assert_cited(good)
    none = await ask(seeded_store, "/ask What is the population of Norway's capital?")
    assert none.error is None and len(none.items) <= 1  # at most the nearest passage, labelled so
    assert all(it.group == "Nearest passage (not an answer)" for it in none.items)
    assert any("do not say" in n for n in none.notes)


async def test_source_lists_the_document_and_its_facts(seeded_store: SQLiteStore) -> None:
    docs = await seeded_store.documents()
    answer = await ask(seeded_store, f"/source {docs[0].id}")
    assert answer.sources[0].url == docs[0].url
    assert answer.items and all(c.source == 1 for i in answer.items for c in i.citations)
    by_url = await ask(seeded_store, f"/source {docs[0].url}")
    assert by_url.title == answer.title


async def test_help_lists_every_command(seeded_store: SQLiteStore) -> None:
    answer = await ask(seeded_store, "/factdesk help")
    text = " ".join(answer.notes)
    for c in COMMANDS:
        assert c.usage in text


async def test_json_contract_shape(seeded_store: SQLiteStore) -> None:
    data = (await ask(seeded_store, "/timeline 2019")).to_json()
    assert set(data) == {"command", "title", "items", "sources", "notes", "error"}
    item = data["items"][0]
    assert {"text", "date", "date_end", "date_precision", "citations", "note", "wording"} <= set(item)
    assert set(item["citations"][0]) == {"source", "quote", "url", "caption"}
    assert set(data["sources"][0]) == {"n", "doc_id", "outlet", "title", "published", "url"}
    # One numbering: a source's number is the store's, the one /source takes.
    assert all(s["n"] == s["doc_id"] for s in data["sources"])
    assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", item["date"])


async def test_an_unexpected_failure_is_logged_and_answered_with_one_line(
    seeded_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object) -> list[object]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(seeded_store, "agreement_facts", broken)
    answer = await ask(seeded_store, "/agreement el-salvador")
    assert answer.error is not None and answer.error.code == "internal"
    assert "\n" not in answer.error.message and "disk on fire" not in answer.error.message
    assert "disk on fire" in caplog.text and "Traceback" in caplog.text
