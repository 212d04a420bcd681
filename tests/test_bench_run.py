"""``factdesk bench`` end to end on a handful of articles: it builds its stores afresh each run."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench import run_bench


def test_a_reused_folder_gets_fresh_stores_for_the_run_and_its_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What an earlier run left: were either store reused, its ingest would time "unchanged"
    # articles (or, as here, fail on a file that is no store at all).
    (tmp_path / "bench-4.db").write_bytes(b"left over by an earlier run")
    (tmp_path / "one_by_one.db").write_bytes(b"left over by an earlier run")
    assert run_bench(articles=4, repeat=1, workdir=tmp_path) == 0
    report = capsys.readouterr().out
    assert "4 articles" in report
    assert "one article per transaction" in report


def test_a_stopped_run_goes_on_where_it_stopped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio
    import itertools
    import sqlite3

    from benchmarks.articles import generate_articles
    from benchmarks.bench import Options
    from facts.store.sqlite_store import open_store

    async def first_three() -> None:  # what a run stopped after its first batch left behind
        store = await open_store(tmp_path / "bench-6.db", bundled_corpus=False)
        try:
            async for _ in store.ingest_many(itertools.islice(generate_articles(6), 3)):
                pass
        finally:
            await store.close()

    asyncio.run(first_three())
    assert run_bench(articles=6, repeat=1, workdir=tmp_path, options=Options(resume=True)) == 0
    report = capsys.readouterr().out
    assert "resumed: 3 articles were already in the store" in report
    assert "3 articles in" in report and "3 added" in report  # only the rest was ingested
    con = sqlite3.connect(tmp_path / "bench-6.db")
    urls = [r[0] for r in con.execute("SELECT url FROM documents ORDER BY id")]
    con.close()
    assert urls == [a.url for a in generate_articles(6)]  # every article once, in order


def test_the_report_names_where_time_and_bytes_go(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.bench import Options

    assert run_bench(articles=4, repeat=1, workdir=tmp_path, options=Options(profile=True, workers=1)) == 0
    report = capsys.readouterr().out
    assert "extraction in 1 processes" in report
    assert "ms per article" in report and "the writer (one batch at a time) was busy" in report
    assert "| documents |" in report and "× the text" in report  # bytes per table, against the text
    assert "raw SQLite, same run" in report
    assert "## Profile" in report and "by own time" in report
    assert "Asked again" in report


def test_a_run_on_postgresql_reports_its_tables_and_refuses_a_database_in_use(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_bench(articles=4, repeat=1, workdir=tmp_path, db=postgres_url) == 0
    report = capsys.readouterr().out
    assert "4 articles, 1 runs per command, PostgreSQL" in report
    assert "| passage_words |" in report and "× the text" in report  # the store's own tables
    assert "raw tsvector p50 ms" in report and "one article per transaction" in report
    # Run again on the same database: it holds the first run's articles, which bench would not
    # time as new ones; it says so instead.
    assert run_bench(articles=4, repeat=1, workdir=tmp_path, db=postgres_url) == 2
    assert "already holds 4 documents" in capsys.readouterr().err
