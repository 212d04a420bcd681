"""Running factdesk as a service: `serve` without a terminal keeps serving HTTP until a signal,
and extraction workers do not outlive a killed `factdesk ingest`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from benchmarks.articles import generate_articles

ROOT = Path(__file__).resolve().parent.parent
ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
T = TypeVar("T")


def wait_until(condition: Callable[[], T], *, within: float, step: float = 0.02) -> T:
    """Poll ``condition`` until it returns something truthy, for at most ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        found = condition()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(step)


def test_serve_without_a_terminal_keeps_serving_http_until_sigterm(
    seeded_db_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "serve.db"
    db.write_bytes(seeded_db_path.read_bytes())
    env = {**ENV, "FACTDESK_DB": str(db), "FACTDESK_HTTP_HOST": "127.0.0.1", "FACTDESK_HTTP_PORT": "0"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        stdin=subprocess.DEVNULL,  # as in a container or under systemd: no terminal, input at its end
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        port = int(re.search(r"port (\d+)", banner).group(1))  # type: ignore[union-attr]
        # The console read the end of its input at once; the service must outlive it.
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
            assert resp.status == 200 and json.loads(resp.read())["ok"] is True
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_on_a_terminal_like_pipe_still_answers_and_quits(seeded_db_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(seeded_db_path), "serve"],
        input="/timeline 2019\n/quit\n",
        capture_output=True,
        text=True,
        env={**ENV, "FACTDESK_HTTP_HOST": "127.0.0.1", "FACTDESK_HTTP_PORT": "0"},
        timeout=60,
    )
    assert proc.returncode == 0 and "Timeline 2019" in proc.stdout


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _write_corpus(folder: Path, n: int) -> None:
    for i, article in enumerate(generate_articles(n)):
        head = {
            "title": article.title,
            "outlet": article.outlet,
            "published": article.published,
            "url": article.url,
        }
        lines = "\n".join(f"{k}: {json.dumps(v)}" for k, v in head.items())
        (folder / f"a{i:04d}.md").write_text(f"---\n{lines}\n---\n{article.body}", encoding="utf-8")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")
def test_extraction_workers_exit_when_the_ingest_is_killed(tmp_path: Path) -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("factdesk ingest extracts in the process itself on one core")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _write_corpus(corpus, 600)
    env = {**ENV, "FACTDESK_BUNDLED_CORPUS": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--db", str(tmp_path / "k.db"), "ingest", str(corpus)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
    )
    workers: list[int] = []
    try:
        workers = wait_until(lambda: _children(proc.pid), within=60)
        assert workers, "the ingest never started its extraction workers"
        assert proc.poll() is None, "the ingest ended before it could be killed"
        proc.kill()  # kill -9: no clean-up in the parent
        proc.wait(timeout=10)
        all_gone = wait_until(lambda: not any(_alive(w) for w in workers), within=5)
        assert all_gone, f"workers alive 5 s after their parent died: {[w for w in workers if _alive(w)]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers:  # the ones this test started, if the assertion above failed
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
