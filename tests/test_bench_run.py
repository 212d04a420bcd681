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
