"""The benchmark generator: deterministic, well-formed, varied, and with wire duplicates."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from collections import defaultdict

import pytest

from benchmarks.articles import COUNTRIES, OUTLETS, generate_articles
from facts.extract.near_duplicates import is_near_duplicate, shingles, tokens
from facts.read.article import ArticleInput

N = 500
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.?!])\s+(?=[A-Z“`\"])")


@pytest.fixture(scope="module")
def articles() -> list[ArticleInput]:
    return list(generate_articles(N))


def _sentences(article: ArticleInput) -> list[str]:
    return [s for para in article.body.split("\n\n") for s in _SENTENCE_END.split(para)]


def _bodies(articles: list[ArticleInput]) -> str:
    return "\n\n".join(a.body for a in articles)


def test_same_seed_same_articles_and_prefix_stable() -> None:
    first = list(generate_articles(60, seed=7))
    assert first == list(generate_articles(60, seed=7))
    assert list(generate_articles(25, seed=7)) == first[:25]
    assert [a.body for a in generate_articles(10, seed=8)] != [a.body for a in first[:10]]


def test_count() -> None:
    assert len(list(generate_articles(37))) == 37
    assert list(generate_articles(0)) == []


def test_required_fields_and_dates(articles: list[ArticleInput]) -> None:
    outlets = {o[0] for o in OUTLETS}
    month_only = 0
    for a in articles:
        assert a.title.strip() and a.body.strip()
        assert a.outlet in outlets
        assert a.url.startswith("https://")
        assert a.author is None or a.author.strip()
        if a.published_precision == "month":
            month_only += 1
            assert re.fullmatch(r"\d{4}-\d{2}", a.published)
            day = dt.date.fromisoformat(a.published + "-01")
        else:
            assert a.published_precision == "day"
            day = dt.date.fromisoformat(a.published)
        assert dt.date(2015, 1, 1) <= day <= dt.date(2025, 12, 31)
    assert len({a.url for a in articles}) == len(articles)
    assert 0.04 * N <= month_only <= 0.2 * N
    assert 0.5 * N <= sum(a.author is not None for a in articles) < N


def test_paragraph_layout(articles: list[ArticleInput]) -> None:
    multi_sentence = 0
    for a in articles:
        paragraphs = a.body.split("\n\n")
        assert 6 <= len(paragraphs) <= 14
        assert all(p.strip() and "\n" not in p for p in paragraphs)
        multi_sentence += any(len(_SENTENCE_END.split(p)) > 1 for p in paragraphs)
        assert 8 <= len(_sentences(a)) <= 40  # 10-25 sentences; the rough splitter also cuts inside quotes
    assert multi_sentence > 0.7 * N


def test_wire_duplicates_reuse_sentences_of_earlier_articles(articles: list[ArticleInput]) -> None:
    first_seen: dict[str, int] = {}
    rerun = set()
    for i, a in enumerate(articles):
        for s in _sentences(a):
            if len(s.split()) < 12:
                continue
            j = first_seen.setdefault(s, i)
            if j != i:
                rerun.add(i)
                assert articles[j].url != a.url
    assert 0.1 * N <= len(rerun) <= 0.35 * N


def test_some_wire_copies_are_lightly_edited(articles: list[ArticleInput]) -> None:
    by_opening: dict[tuple[str, ...], list[tuple[int, str]]] = defaultdict(list)
    for i, a in enumerate(articles):
        for s in _sentences(a):
            if len(s.split()) >= 12:
                by_opening[tuple(s.split()[:6])].append((i, s))
    edited = 0
    for group in by_opening.values():
        for (i, s), (j, t) in itertools.pairwise(group):
            if i != j and s != t:
                a, b = tokens(s), tokens(t)
                edited += is_near_duplicate(shingles(a), shingles(b), len(a), len(b))
    assert edited >= 5


def test_variety(articles: list[ArticleInput]) -> None:
    text = _bodies(articles)
    named = {c[0] for c in COUNTRIES if c[1].removeprefix("the ") in text or c[3] in text}
    assert len(named) >= 30
    assert len({a.outlet for a in articles}) >= 12
    assert len({a.title for a in articles}) > 0.6 * N
    for short in ("U.S.", "U.K.", "UAE"):
        assert short in text
    sentences = [s for a in articles for s in _sentences(a)]
    assert len(set(sentences)) > 0.75 * len(sentences)


@pytest.mark.parametrize("pattern", [
    r"\b(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\. \d{1,2}, 20\d\d\b",  # Sept. 20, 2019
    r"\bon (?:January|March|April|May|June|July|Jan\.|Feb\.|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.) \d{1,2}\b(?!,)",
    r"\bon (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b",
    r"\blast year\b", r"\bthis week\b", r"\bearlier this month\b", r"\blate last year\b",
    r"\bin early (?:January|February|March|April|May|June|July|August|September|October|November|December)\b",
    r"\bbetween [A-Z][a-z]+ 20\d\d and [A-Z][a-z]+ 20\d\d\b",
    r"\bmore than \d+ days ago\b",
    r"\bthe 20\d\d (?:budget|election|census|survey)\b",
])
def test_date_forms(articles: list[ArticleInput], pattern: str) -> None:
    assert re.search(pattern, _bodies(articles))


@pytest.mark.parametrize("pattern", [
    r"“[^”]+,” said ", r"``[^']+,'' ",  # curly and AP-style quotes
    r"^FILE - In this \w+\.? \d{1,2}, \d{4}, (?:file )?photo, ",  # photo captions
    r"^[A-Z][A-Z .]+ \((?:AP|Reuters|AFP)\) — ",  # datelines
    r"contributed to this report\.$|^Reporting by ",  # boilerplate
    r"\b(?:Foreign|Trade|Interior) Minister [A-Z][a-z]+ [A-Z]",  # titled people
    r"\b(?:Human Rights Watch|Amnesty International)\b",  # organisations
    r"\b(?:signed|ratified|finalized|suspended|terminated)\b",  # agreement events
    r"\b(?:asylum cooperative agreement|free trade agreement|security accord|extradition treaty)\b",
])
def test_newsroom_furniture(articles: list[ArticleInput], pattern: str) -> None:
    assert re.search(pattern, _bodies(articles), re.MULTILINE)


def test_fast_enough() -> None:
    start = time.perf_counter()
    for _ in generate_articles(1000, seed=3):
        pass
    assert 1000 / (time.perf_counter() - start) > 1500  # ~5,000+/s normally; generous for loaded CI
