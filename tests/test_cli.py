"""The CLI contract: `factdesk [--db PATH] ask ... --json`, `ingest`, `sources`, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import write_article

NO_SEED = {**os.environ, "FACTDESK_BUNDLED_CORPUS": "false"}


def factdesk(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess:
    cli = shutil.which("factdesk")
    assert cli, "pip install -e . first"
    return subprocess.run(
        [cli, *args], capture_output=True, text=True, env=env or dict(os.environ), input=stdin, timeout=120
    )


def test_ask_json_prints_one_object_and_exits_0(seeded_db_path: Path) -> None:
    proc = factdesk("--db", str(seeded_db_path), "ask", "/timeline 2019", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["error"] is None and data["items"]


def test_user_errors_exit_2_with_a_json_error(seeded_db_path: Path) -> None:
    proc = factdesk("--db", str(seeded_db_path), "ask", "/agreement atlantis", "--json")
    assert proc.returncode == 2
    assert "atlantis" in json.loads(proc.stdout)["error"]["message"]


def test_empty_answers_exit_0(seeded_db_path: Path) -> None:
    proc = factdesk("--db", str(seeded_db_path), "ask", "/timeline 1999", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["items"] == []


def test_readable_output_without_json(seeded_db_path: Path) -> None:
    proc = factdesk("--db", str(seeded_db_path), "ask", "/agreement canada")
    assert proc.returncode == 0
    assert (
        proc.stdout.startswith("Agreements with Canada") and "Sources" in proc.stdout and "[1]" in proc.stdout
    )


def test_ingest_reports_bad_files_and_keeps_the_good_ones(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    good = write_article(
        tmp_path, "good", body="# Headline here\n\nTogo and Ghana signed a border pact on Monday.\n"
    )
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: T\noutlet: O\npublished: soon\nurl: https://x.example/b\n---\nText.\n")
    proc = factdesk("--db", db, "ingest", str(bad), str(good), env=NO_SEED)
    assert proc.returncode == 1
    assert f"{bad}: published" in proc.stderr
    listing = factdesk("--db", db, "sources", env=NO_SEED)
    assert "news.example/good" in listing.stdout and "x.example/b" not in listing.stdout
    again = factdesk("--db", db, "ingest", str(good), env=NO_SEED)
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_a_headline_is_not_a_sentence_of_the_story(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    good = write_article(
        tmp_path, "good", body="# Togo signs pact\n\nTogo and Ghana signed a border pact on Monday.\n"
    )
    factdesk("--db", db, "ingest", str(good), env=NO_SEED)
    data = json.loads(factdesk("--db", db, "ask", "/agreement togo", "--json", env=NO_SEED).stdout)
    assert [i["text"] for i in data["items"]] == ["Togo and Ghana signed a border pact on Monday."]


def test_bundled_corpus_seeds_a_new_store_unless_disabled(tmp_path: Path) -> None:
    seeded = factdesk("--db", str(tmp_path / "a.db"), "sources")
    assert seeded.stdout.count("https://") == 5
    empty = factdesk("--db", str(tmp_path / "b.db"), "sources", env=NO_SEED)
    assert "holds no documents" in empty.stdout


def test_python_dash_m_bot_is_the_same_program(seeded_db_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(seeded_db_path), "ask", "/factdesk help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and "/agreement <country>" in proc.stdout


def test_serve_without_tokens_is_a_console(seeded_db_path: Path) -> None:
    proc = factdesk("--db", str(seeded_db_path), "serve", stdin="/agreement canada\n/quit\n")
    assert proc.returncode == 0
    assert "No Slack or Discord token" in proc.stdout and "Agreements with Canada" in proc.stdout
    assert "FACTDESK_SLACK_BOT_TOKEN" in proc.stdout and "FACTDESK_DISCORD_TOKEN" in proc.stdout


def test_fact_from_the_shell_corrects_and_shows_history(seeded_db_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    shutil.copy(seeded_db_path, db)
    timeline = json.loads(factdesk("--db", str(db), "ask", "/timeline 2019", "--json").stdout)
    fact_id = next(i["fact_id"] for i in timeline["items"] if i["date_precision"] == "day")
    note = "note=checked with the agency"
    done = factdesk("--db", str(db), "fact", "correct", str(fact_id), "date=2019-09-25", note)
    assert done.returncode == 0, done.stderr
    assert f"Fact {fact_id} corrected (version 2)" in done.stdout and "Corrected " in done.stdout
    history = factdesk("--db", str(db), "fact", "history", str(fact_id), "--json")
    notes = json.loads(history.stdout)["notes"]
    assert len(notes) == 2 and "checked with the agency" in notes[1] and "by cli:" in notes[1]
    stale = factdesk("--db", str(db), "fact", "retract", str(fact_id), "v=1", "duplicate")
    assert stale.returncode == 2 and "changed since you opened it" in stale.stdout
