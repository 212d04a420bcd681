"""Citation links point at the quoted sentence on the publisher's page (URL text fragments).

Each link is checked by resolving it as a browser does (the WICG Text Fragments algorithm, in
short: percent-decode, find ``start`` at word boundaries ignoring case and collapsed white space,
then the first ``end`` after it) against the article's text: the range found must be the quote.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from bot.formatting import marks
from bot.handler import handle
from bot.render_text import render_text
from bot.requests import parse_command_line
from facts.answers.sentence_links import sentence_url, text_directive
from facts.read.article import ArticleInput
from facts.store.sqlite_store import SQLiteStore, open_store

PAGE = "https://coastwire.example/2024/05/lagoon-accord"


def _find(page: str, needle: str, start: int = 0) -> int:
    """First match of ``needle`` in ``page`` from ``start``, ignoring case, at word boundaries."""
    m = re.compile(r"(?<!\w)" + re.escape(needle.lower()) + r"(?!\w)").search(page.lower(), start)
    return m.start() if m else -1


def resolve(body: str, url: str) -> str:
    """The text a browser highlights for ``url`` on a page reading ``body`` ("" if none)."""
    directive = url.split(":~:text=", 1)[1]
    values = [unquote(v) for v in directive.split(",")]
    page = " ".join(body.split())
    at = _find(page, values[0])
    if at < 0:
        return ""
    if len(values) == 1:
        return page[at : at + len(values[0])]
    end = _find(page, values[1], at + len(values[0]))
    return page[at : end + len(values[1])] if end >= 0 else ""


TRICKY = [
    # (the article's text, the cited sentence)
    ("Quotas fell. The lagoon accord, signed in May, caps catches at 4,000 tonnes a year for everyone.",
     "The lagoon accord, signed in May, caps catches at 4,000 tonnes a year for everyone."),
    ("“We will not sign,” said Ana Lücke-Ortiz, the minister. Talks resume — perhaps — in the autumn.",
     "“We will not sign,” said Ana Lücke-Ortiz, the minister."),
    ("Talks resume — perhaps — in the autumn, said officials in São Tomé & Príncipe on Friday night.",
     "Talks resume — perhaps — in the autumn, said officials in São Tomé & Príncipe on Friday night."),
    # Opens like an earlier sentence: the start must take more words to be the cited one.
    ("The two countries said on Monday that talks would go on. The two countries said on Tuesday that "
     "the accord was dead and buried for good.",
     "The two countries said on Tuesday that the accord was dead and buried for good."),
    # Its closing words also occur inside it: the end must take more words.
    ("Fishers said the deal was signed late, and officials later said the deal was signed at dawn.",
     "Fishers said the deal was signed late, and officials later said the deal was signed at dawn."),
    ("Short line.", "Short line."),
    ("Prices rose 3.5% in Q1 (year-on-year), the bureau said; exports, however, fell by half.",
     "Prices rose 3.5% in Q1 (year-on-year), the bureau said; exports, however, fell by half."),
]


@pytest.mark.parametrize(("body", "sentence"), TRICKY)
def test_a_link_resolves_to_the_cited_sentence(body: str, sentence: str) -> None:
    url = sentence_url(PAGE, body, sentence)
    assert url.startswith(PAGE + "#:~:text=")
    assert resolve(body, url) == sentence
    values = url.split(":~:text=", 1)[1].split(",")
    assert 1 <= len(values) <= 2  # start, or start and end
    assert all(v.isascii() and not set(v) & set(" &-#") for v in values)  # the spec's syntax encoded


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (PAGE, PAGE + "#:~:text="),
        (PAGE + "#section-2", PAGE + "#section-2:~:text="),  # an existing fragment is kept
        ("corpus/andes.md", "corpus/andes.md"),  # not a web page: left as it is
        ("", ""),
    ],
)
def test_the_directive_joins_the_url_as_the_spec_says(url: str, expected: str) -> None:
    assert sentence_url(url, "Quotas fell by a third.", "Quotas fell by a third.").startswith(expected)


def test_long_sentences_give_their_edge_words_and_short_ones_whole() -> None:
    body = "One two three four five six seven eight nine ten eleven twelve."
    assert text_directive(body, body) == "text=One%20two%20three%20four,nine%20ten%20eleven%20twelve."
    assert text_directive("Quotas fell.", "Quotas fell.") == "text=Quotas%20fell."
    assert text_directive("anything", "") == ""


def _article(url: str, outlet: str, body: str, title: str) -> ArticleInput:
    return ArticleInput(
        url=url, outlet=outlet, title=title, published="2024-05-14", published_precision="day", body=body
    )


async def _store(tmp_path: Path) -> SQLiteStore:
    store = await open_store(tmp_path / "links.db", bundled_corpus=False)
    await store.ingest(_article(
        "https://coastwire.example/lagoon", "Coast Wire",
        "Ruritania and Freedonia signed the lagoon fisheries accord on Tuesday in Port Elna.\n\n"
        "Fishing boats wait in the harbour of Port Elna before the vote. (Photo: Mira Tal/Coast Wire)\n\n"
        "The accord caps catches at 4,000 tonnes a year, officials said.\n",
        "Ruritania and Freedonia sign lagoon accord",
    ))
    await store.ingest(_article(
        "https://harbourdaily.example/accord", "Harbour Daily",
        "Ruritania and Freedonia signed the lagoon fisheries accord on Tuesday in Port Elna, the capital.\n\n"
        "Fishers in the north called the deal a betrayal.\n",
        "Lagoon deal signed",
    ))
    return store


async def test_answers_number_sources_as_the_store_does_and_link_every_quote(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        answer = await handle(parse_command_line("/search lagoon accord"), store)
        assert answer.items and answer.sources
        bodies = await store.document_bodies([s.doc_id for s in answer.sources])
        by_n = {s.n: s for s in answer.sources}
        for item in answer.items:
            for c in item.citations:
                assert c.url.startswith(by_n[c.source].url + "#:~:text=")
                assert resolve(bodies[by_n[c.source].doc_id], c.url) == c.quote
        # The number an answer shows is the one /source takes.
        for s in answer.sources:
            again = await handle(parse_command_line(f"/source {s.n}"), store)
            assert again.sources[0].url == s.url and again.sources[0].n == s.n
    finally:
        await store.close()


async def test_a_line_carried_by_two_outlets_says_whose_wording_it_shows(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        answer = await handle(parse_command_line("/search signed lagoon fisheries"), store)
        both = [it for it in answer.items if len(it.citations) == 2]
        assert both, [it.text for it in answer.items]
        line = both[0]
        assert line.text.endswith("the capital.")  # the longer wording, Harbour Daily's
        assert line.wording == "Harbour Daily"
        assert "(wording: Harbour Daily)" in render_text(answer)
        alone = [it for it in answer.items if len(it.citations) == 1]
        assert all(it.wording is None for it in alone)
    finally:
        await store.close()


async def test_a_caption_is_labelled_as_a_caption(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    try:
        answer = await handle(parse_command_line("/search fishing boats harbour"), store)
        captions = [it for it in answer.items if any(c.caption for c in it.citations)]
        assert captions, [it.text for it in answer.items]
        assert [m.label.endswith(", caption") for m in marks(captions[0])] == [True]
        assert ", caption]" in render_text(answer)
    finally:
        await store.close()


@pytest.mark.parametrize("command", ["/agreement el-salvador", "/timeline 2019", "/search asylum"])
async def test_every_link_in_answers_on_the_development_articles_resolves_to_its_quote(
    seeded_store: SQLiteStore, command: str
) -> None:
    answer = await handle(parse_command_line(command), seeded_store)
    by_n = {s.n: s for s in answer.sources}
    bodies = await seeded_store.document_bodies(list(by_n))
    quotes = [(c, by_n[c.source]) for it in answer.items for c in it.citations]
    assert quotes
    for c, src in quotes:
        assert resolve(bodies[src.doc_id], c.url) == " ".join(c.quote.split()), c.url
