"""`factdesk ingest` of a folder: progress on stderr (rate, ETA, throttled), the summary line, and
an interrupted run taken up again by the same command with nothing lost or doubled.

No test sleeps: the progress clock is injected (``ManualClock``), its output read from a StringIO.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.runtime import cli
from bot.runtime.progress import Progress, count_items, format_duration, progress_line
from facts.read.files import CorpusItem, read_paths
from facts.store.sqlite_store import open_store
from tests.conftest import write_article
from tests.helpers import ManualClock

RunCli = Callable[..., tuple[int, str, str]]

# ------------------------------------------------------------------ formatting


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0s"),
        (4.4, "4s"),
        (59.4, "59s"),
        (59.6, "1m00s"),
        (65, "1m05s"),
        (572, "9m32s"),
        (3599.4, "59m59s"),
        (3600, "1h00m"),
        (7380, "2h03m"),
        (90_000, "25h00m"),
        (-3, "0s"),
    ],
)
def test_durations_are_seconds_then_minutes_then_hours(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


@pytest.mark.parametrize(
    ("done", "total", "rate", "elapsed", "line"),
    [
        (12_345, 100_000, 153.0, None, "ingest  12,345/100,000 (12%)  153 articles/s  ETA 9m33s"),
        (1_000, 1_000_000, 100.0, None, "ingest  1,000/1,000,000 (0%)  100 articles/s  ETA 2h46m"),
        (30, 40, 2.5, None, "ingest  30/40 (75%)  2.5 articles/s  ETA 4s"),
        (0, 10, None, None, "ingest  0/10 (0%)"),
        (0, 10, 0.0, None, "ingest  0/10 (0%)  0.0 articles/s  ETA ?"),
        (10, 10, 4.0, None, "ingest  10/10 (100%)  4.0 articles/s  ETA 0s"),
        (12, 10, 4.0, None, "ingest  12/10 (100%)  4.0 articles/s  ETA 0s"),
        (0, 0, None, None, "ingest  0/0 (100%)"),
        (500, None, 2.5, None, "ingest  500  2.5 articles/s"),
        (7, None, None, None, "ingest  7"),
        (10, 10, 4.0, 65.0, "ingest  10/10 (100%)  4.0 articles/s  in 1m05s"),
        (2_500, 2_500, 1_234.5, 2.0, "ingest  2,500/2,500 (100%)  1,234 articles/s  in 2s"),
    ],
)
def test_progress_line(
    done: int, total: int | None, rate: float | None, elapsed: float | None, line: str
) -> None:
    assert progress_line("ingest", done, total, rate, elapsed=elapsed) == line


def test_rate_and_eta_follow_the_injected_clock() -> None:
    clock = ManualClock()
    progress = Progress(1_000, stream=io.StringIO(), tty=False, now=clock)
    assert progress.rate() is None and progress.eta() is None
    for _ in range(100):
        clock.advance(0.125)
        progress.advance()
    assert progress.rate() == 8.0 and progress.eta() == 112.5
    assert progress.line() == "ingest  100/1,000 (10%)  8.0 articles/s  ETA 1m53s"


def test_the_rate_is_the_recent_one_so_a_fast_resumed_start_does_not_skew_the_eta() -> None:
    clock = ManualClock()
    progress = Progress(10_000, stream=io.StringIO(), tty=False, now=clock, window=30.0)
    for _ in range(5_000):  # "unchanged" articles: 1,000 a second for 5 s
        clock.advance(0.001)
        progress.advance()
    for _ in range(600):  # then new ones: 10 a second for 60 s
        clock.advance(0.1)
        progress.advance()
    assert progress.rate() == pytest.approx(10.0, rel=0.01)
    assert progress.eta() == pytest.approx((10_000 - 5_600) / 10.0, rel=0.01)


# ------------------------------------------------------------------ throttling


def test_on_a_terminal_the_line_is_redrawn_in_place_at_most_every_interval() -> None:
    clock, out = ManualClock(), io.StringIO()
    progress = Progress(100, stream=out, tty=True, now=clock, interval=0.25)
    assert out.getvalue() == "\ringest  0/100 (0%)"
    for _ in range(10):  # a whole batch reported at one instant: no redraw
        progress.advance()
    assert out.getvalue().count("\r") == 1
    clock.advance(0.1)
    progress.advance()
    assert out.getvalue().count("\r") == 1
    clock.advance(0.2)
    progress.advance()
    assert out.getvalue().count("\r") == 2
    assert out.getvalue().endswith("\ringest  12/100 (12%)  40 articles/s  ETA 2s")
    for _ in range(50):  # 50 more, one every 0.1 s: a redraw every third, 16, not 50
        clock.advance(0.1)
        progress.advance()
    assert out.getvalue().count("\r") == 2 + 16
    assert "\n" not in out.getvalue()
    clock.advance(1.0)
    progress.finish()
    assert out.getvalue().endswith("\n") and out.getvalue().count("\n") == 1
    assert out.getvalue().rsplit("\r", 1)[1].rstrip() == "ingest  62/100 (62%)  9.8 articles/s  in 6s"


def test_a_burst_that_ends_between_redraws_is_drawn_when_the_interval_is_up() -> None:
    clock, out = ManualClock(), io.StringIO()
    timers: list[tuple[float, Callable[[], None]]] = []
    progress = Progress(
        600, stream=out, tty=True, now=clock, interval=0.25, schedule=lambda d, f: timers.append((d, f))
    )
    clock.advance(2.0)
    for _ in range(200):  # a batch's results arrive at once: the first is drawn, the rest wait
        progress.advance()
    assert out.getvalue().endswith("\ringest  1/600 (0%)  0.5 articles/s  ETA 19m58s")
    assert [delay for delay, _ in timers] == [0.25]  # one catch-up, not one per item
    clock.advance(0.25)
    timers.pop()[1]()
    assert out.getvalue().rsplit("\r", 1)[1].rstrip() == "ingest  200/600 (33%)  100 articles/s  ETA 4s"
    clock.advance(0.1)
    progress.advance()  # too soon after the catch-up: scheduled for the rest of the interval
    assert [delay for delay, _ in timers] == [pytest.approx(0.15)]
    progress.finish()
    timers.pop()[1]()  # a catch-up after the end draws nothing
    assert out.getvalue().endswith("\n")


def test_a_shorter_line_blanks_what_the_longer_one_left() -> None:
    clock, out = ManualClock(), io.StringIO()
    progress = Progress(100, stream=out, tty=True, now=clock, interval=0.25)
    clock.advance(10.0)
    progress.advance()
    longer = "ingest  1/100 (1%)  0.1 articles/s  ETA 16m30s"
    assert out.getvalue().endswith("\r" + longer)
    clock.advance(1.0)
    progress.advance(98)
    shorter = "ingest  99/100 (99%)  9.0 articles/s  ETA 0s"
    assert out.getvalue().endswith("\r" + shorter + " " * (len(longer) - len(shorter)))


def test_output_lines_go_above_the_terminal_progress_line() -> None:
    clock, err = ManualClock(), io.StringIO()
    progress = Progress(10, stream=err, tty=True, now=clock)
    progress.echo("error: bad.md: published: not a date")
    shown = "ingest  0/10 (0%)"
    blank = "\r" + " " * len(shown) + "\r"
    assert err.getvalue() == f"\r{shown}{blank}error: bad.md: published: not a date\n\r{shown}"
    out = io.StringIO()  # stdout sent to a file: nothing to erase on the terminal
    progress.echo("added      a.md: source 1 v1", out)
    assert out.getvalue() == "added      a.md: source 1 v1\n"
    assert err.getvalue().endswith(f"\r{shown}") and err.getvalue().count("\r") == 4


def test_off_a_terminal_a_line_every_n_items_or_every_few_seconds_and_one_at_the_end() -> None:
    clock, out = ManualClock(), io.StringIO()
    progress = Progress(100, stream=out, tty=False, now=clock, every=5, plain_seconds=10.0)
    assert out.getvalue() == ""
    for _ in range(12):
        clock.advance(0.5)
        progress.advance()
    assert [line.split("  ")[1] for line in out.getvalue().splitlines()] == ["5/100 (5%)", "10/100 (10%)"]
    clock.advance(10.0)  # slow going: the time brings a line, the count would not yet
    progress.advance()
    progress.advance()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and lines[-1].startswith("ingest  13/100 (13%)")
    clock.advance(30.0)  # time passing with nothing done prints nothing
    assert len(out.getvalue().splitlines()) == 3
    progress.finish()
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and lines[-1] == "ingest  14/100 (14%)  0.3 articles/s  in 46s"
    assert "\r" not in out.getvalue()


def test_off_a_terminal_a_small_run_prints_one_line_not_one_per_article() -> None:
    clock, out = ManualClock(), io.StringIO()
    progress = Progress(300, stream=out, tty=False, now=clock)
    for _ in range(300):
        clock.advance(0.01)
        progress.advance()
    assert out.getvalue() == ""
    progress.finish()
    progress.finish()  # once only
    assert out.getvalue() == "ingest  300/300 (100%)  100 articles/s  in 3s\n"


def test_stop_ends_the_terminal_line_and_prints_nothing_elsewhere() -> None:
    clock, tty_out, plain_out = ManualClock(), io.StringIO(), io.StringIO()
    on_tty = Progress(10, stream=tty_out, tty=True, now=clock)
    plain = Progress(10, stream=plain_out, tty=False, now=clock)
    for p in (on_tty, plain):
        p.advance(4)
        p.stop()
        p.advance()  # a late report after the stop draws nothing
    assert tty_out.getvalue() == "\ringest  0/10 (0%)\ringest  4/10 (40%)\n"
    assert plain_out.getvalue() == ""


# ------------------------------------------------------------------ counting


def test_count_items_matches_what_read_paths_yields(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    for n in range(3):
        write_article(plain, f"p{n}", body="Togo and Ghana signed a border pact on Monday.\n")
    listed = tmp_path / "listed"
    listed.mkdir()
    (listed / "one.txt").write_text("Peru and Chile signed a fisheries accord.\n")
    (listed / "manifest.toml").write_text(
        '[[article]]\nfile = "one.txt"\ntitle = "T"\noutlet = "O"\npublished = "2020-01-02"\n'
        'url = "https://x.example/1"\n\n[[article]]\nfile = "missing.txt"\n'
    )
    write_article(listed, "beside", body="Chad and Niger agreed on a water treaty.\n")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.toml").write_text("[[article]\nfile = ")
    write_article(broken, "b", body="Text.\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    none_listed = tmp_path / "none-listed"
    none_listed.mkdir()
    (none_listed / "manifest.toml").write_text("# nothing yet\n")
    cases = {
        (plain,): 3,
        (listed,): 3,
        (listed / "manifest.toml",): 2,
        (broken,): 2,
        (empty,): 1,
        (none_listed,): 0,
        (tmp_path / "absent.md",): 1,
        (plain / "p0.md", plain, listed, broken, empty): 3 + 1 + 3 + 2 + 1,
    }
    for paths, expected in cases.items():
        assert count_items(paths) == expected == len(list(read_paths(list(paths)))), paths
    assert count_items([listed / "manifest.toml"], max_bytes=10) == 1  # refused whole: over the limit


# ------------------------------------------------------------------ the CLI


def _articles(folder: Path, n: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    countries = ["Togo", "Ghana", "Peru", "Chile", "Chad", "Niger", "Laos", "Nepal", "Fiji", "Oman", "Mali"]
    return [
        write_article(
            folder,
            f"pact-{k:02d}",
            body=f"# Pact {k}\n\n{countries[k % 11]} and {countries[(k + 1) % 11]} signed"
            f" border pact number {k} on March {k + 1}, 2021.\n",
            title=f"Border pact {k}",
            published=f"2021-03-{k + 2:02d}",
        )
        for k in range(n)
    ]


@pytest.fixture
def run_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[RunCli]:
    """``run("ingest", folder)``: ``factdesk --db <tmp>/desk.db ingest folder`` in this process,
    with no bundled corpus; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("FACTDESK_BUNDLED_CORPUS", "false")
    monkeypatch.delenv("FACTDESK_DB", raising=False)
    db = tmp_path / "desk.db"

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(["--db", str(db), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield run


def _documents(db: Path) -> list[tuple[str, int, int | None]]:
    async def read() -> list[tuple[str, int, int | None]]:
        store = await open_store(db, bundled_corpus=False)
        try:
            integrity, _ = await store.check()
            assert integrity == "ok"
            return [(d.url, d.version, d.superseded_by) for d in await store.documents()]
        finally:
            await store.close()

    return asyncio.run(read())


def _summary(out: str) -> str:
    return out.strip().splitlines()[-1]


def test_ingest_of_a_folder_prints_each_article_a_summary_and_progress_off_a_terminal(
    tmp_path: Path, run_cli: RunCli
) -> None:
    folder = tmp_path / "wire"
    paths = _articles(folder, 10)
    bad = folder / "zz-bad.md"
    bad.write_text("---\ntitle: T\noutlet: O\npublished: soon\nurl: https://x.example/b\n---\nText.\n")
    code, out, err = run_cli("ingest", str(folder))
    assert code == 1
    assert sum(line.startswith("added ") for line in out.splitlines()) == 10
    assert _summary(out) == "10 ingested, 0 unchanged, 1 failed (10 added, 0 new versions)"
    assert f"error: {bad}: published" in err
    progress = [line for line in err.splitlines() if line.startswith("ingest  ")]
    assert 1 <= len(progress) < 11 and progress[-1].startswith("ingest  11/11 (100%)  ")
    assert "\r" not in err and "interrupted" not in err

    paths[3].write_text(paths[3].read_text().replace("on March 4", "on March 5"))
    bad.unlink()
    code, out, err = run_cli("ingest", str(folder))
    assert code == 0, err
    assert _summary(out) == "1 ingested, 9 unchanged, 0 failed (0 added, 1 new versions)"
    assert any(line.startswith("new_version") and "pact-03" in line for line in out.splitlines())
    assert "ingest  10/10 (100%)" in err
    assert len(_documents(tmp_path / "desk.db")) == 11  # the replaced version stays, superseded


@pytest.mark.parametrize(
    "signal", [KeyboardInterrupt, asyncio.CancelledError], ids=["KeyboardInterrupt", "CancelledError"]
)
def test_ctrl_c_after_a_batch_keeps_that_batch_and_the_same_command_goes_on(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, signal: type[BaseException]
) -> None:
    folder = tmp_path / "wire"
    _articles(folder, 10)
    monkeypatch.setattr(cli, "INGEST_BATCH", 4)
    advance = Progress.advance

    def interrupted_after_the_first_batch(self: Progress, n: int = 1) -> None:
        advance(self, n)
        if self.done == 4:  # Ctrl-C once batch 1 is committed and reported, before batch 2 is written
            raise signal()

    with monkeypatch.context() as patch:
        patch.setattr(Progress, "advance", interrupted_after_the_first_batch)
        code, out, err = run_cli("ingest", str(folder))
    assert code == 130
    assert _summary(out) == "4 ingested, 0 unchanged, 0 failed (4 added, 0 new versions)"
    assert err.strip().splitlines()[-1] == (
        "interrupted after 4 of 10 articles; run the same command again to go on"
        " (articles already in are skipped as unchanged)"
    )
    assert "Traceback" not in err
    first = _documents(tmp_path / "desk.db")
    reported = sorted(line.split()[1].rstrip(":") for line in out.splitlines() if line.startswith("added "))
    assert len(first) == 4 and len(reported) == 4
    assert sorted(url.rsplit("/", 1)[1] for url, _, _ in first) == [Path(r).stem for r in reported]

    code, out, err = run_cli("ingest", str(folder))
    assert code == 0, err
    assert _summary(out) == "6 ingested, 4 unchanged, 0 failed (6 added, 0 new versions)"
    unchanged = sorted(line.split()[1] for line in out.splitlines() if line.startswith("unchanged "))
    assert unchanged == reported
    docs = _documents(tmp_path / "desk.db")
    assert len(docs) == 10 and len({url for url, _, _ in docs}) == 10
    assert all(version == 1 and superseded is None for _, version, superseded in docs)


def test_ctrl_c_while_reading_leaves_only_whole_batches(
    tmp_path: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "wire"
    _articles(folder, 10)
    monkeypatch.setattr(cli, "INGEST_BATCH", 4)

    def read_then_interrupted(paths: list[Path], *args: object) -> Iterator[CorpusItem]:
        for k, item in enumerate(read_paths(paths, *args)):  # type: ignore[arg-type]
            if k == 6:
                raise KeyboardInterrupt
            yield item

    with monkeypatch.context() as patch:
        patch.setattr(cli, "read_paths", read_then_interrupted)
        code, out, err = run_cli("ingest", str(folder))
    assert code == 130 and "Traceback" not in err
    assert "run the same command again to go on" in err
    kept = len(_documents(tmp_path / "desk.db"))
    # However far the store had read ahead, only whole batches of 4 are in: 0 or 4 of the 6 read.
    assert kept in (0, 4)

    code, out, err = run_cli("ingest", str(folder))
    assert code == 0, err
    assert (
        _summary(out)
        == f"{10 - kept} ingested, {kept} unchanged, 0 failed ({10 - kept} added, 0 new versions)"
    )
    docs = _documents(tmp_path / "desk.db")
    assert len(docs) == 10 and len({url for url, _, _ in docs}) == 10
