"""`factdesk doctor` with every kind of bad setting or store: one FAIL line naming what is
wrong, exit 1, within 5 s, and nothing written (a check never creates a folder or a store).
`factdesk ask` on a store it cannot open: one line, exit 1, no hang."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

DEADLINE = 5.0  # seconds, the whole process
ROOT = Path(__file__).resolve().parent.parent


def run(verb: list[str], env: dict[str, str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *verb],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        timeout=DEADLINE + 10,  # a hang fails below on the deadline, not here
    )
    return proc, time.monotonic() - started


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with a hash of its content."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.rglob("*"))
    }


def not_sqlite(folder: Path) -> str:
    path = folder / "notes.db"
    path.write_text("these are the desk's notes, not a database\n" * 50, encoding="utf-8")
    return str(path)


def empty_sqlite(folder: Path) -> str:
    """A valid SQLite file that is not a factdesk store."""
    path = folder / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    return str(path)


def new_place(folder: Path) -> str:
    return str(folder / "new-folder" / "deeper" / "factdesk.db")


Env = Callable[[Path], dict[str, str]]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param(
            lambda d: {"FACTDESK_LOG_LEVEL": "LOUD"}, ["FAIL  setting FACTDESK_LOG_LEVEL"], id="log level"
        ),
        pytest.param(
            lambda d: {"FACTDESK_HTTP_PORT": "99999"}, ["FAIL  setting FACTDESK_HTTP_PORT"], id="port"
        ),
        pytest.param(
            lambda d: {"FACTDESK_HTTP_PORT": "web"}, ["FAIL  setting FACTDESK_HTTP_PORT"], id="port text"
        ),
        pytest.param(
            lambda d: {"FACTDESK_DISCORD_GUILD_IDS": "abc"},
            ["FAIL  setting FACTDESK_DISCORD_GUILD_IDS"],
            id="guilds",
        ),
        pytest.param(
            lambda d: {"FACTDESK_LOG_FORMAT": "xml"}, ["FAIL  setting FACTDESK_LOG_FORMAT"], id="format"
        ),
        pytest.param(
            lambda d: {"FACTDESK_BUNDLED_CORPUS": "perhaps"},
            ["FAIL  setting FACTDESK_BUNDLED_CORPUS"],
            id="bool",
        ),
        pytest.param(
            lambda d: {
                "FACTDESK_LOG_LEVEL": "LOUD",
                "FACTDESK_HTTP_PORT": "99999",
                "FACTDESK_DISCORD_GUILD_IDS": "x",
            },
            [
                "FAIL  setting FACTDESK_LOG_LEVEL",
                "FAIL  setting FACTDESK_HTTP_PORT",
                "FAIL  setting FACTDESK_DISCORD_GUILD_IDS",
            ],
            id="all three at once",
        ),
        pytest.param(
            lambda d: {"FACTDESK_DB": not_sqlite(d)}, ["FAIL  the store", "not a database"], id="not sqlite"
        ),
        pytest.param(
            lambda d: {"FACTDESK_DB": empty_sqlite(d)}, ["is not a factdesk store"], id="other sqlite"
        ),
        pytest.param(
            lambda d: {"FACTDESK_DB": new_place(d)}, ["FAIL  no store at", "new-folder"], id="new path"
        ),
    ],
)
def test_doctor_reports_each_bad_setting_as_a_fail_line_quickly_and_writes_nothing(
    tmp_path: Path, env: Env, expected: list[str]
) -> None:
    values = {"FACTDESK_DB": str(tmp_path / "absent.db"), **env(tmp_path)}
    before = snapshot(tmp_path)
    proc, seconds = run(["doctor"], values, tmp_path)
    assert seconds < DEADLINE, f"doctor took {seconds:.1f} s"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr == "", proc.stderr
    for line in expected:
        assert line in proc.stdout, proc.stdout
    assert "All good" not in proc.stdout and "problem(s) found" in proc.stdout
    assert snapshot(tmp_path) == before  # no folder, no store, no .db-wal beside a bad file


def test_doctor_does_not_change_a_good_store(seeded_db_path: Path, tmp_path: Path) -> None:
    db = tmp_path / "good.db"
    db.write_bytes(seeded_db_path.read_bytes())
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    proc, seconds = run(["doctor"], {"FACTDESK_DB": str(db)}, tmp_path)
    assert proc.returncode == 0 and "All good" in proc.stdout, proc.stdout
    assert seconds < DEADLINE
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("verb", [["ask", "/timeline 2019"], ["sources"], ["ingest", "nothing.md"]])
@pytest.mark.parametrize("store", [not_sqlite, empty_sqlite], ids=["not sqlite", "other sqlite"])
def test_a_command_on_a_store_it_cannot_use_says_so_in_one_line_and_exits_1(
    tmp_path: Path, verb: list[str], store: Callable[[Path], str]
) -> None:
    db = store(tmp_path)
    proc, seconds = run(verb, {"FACTDESK_DB": db, "FACTDESK_BUNDLED_CORPUS": "false"}, tmp_path)
    assert seconds < DEADLINE, f"{verb[0]} took {seconds:.1f} s"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and db in lines[0], proc.stderr


@pytest.mark.parametrize("verb", [["ask", "/timeline 2019"], ["serve"]])
def test_other_commands_refuse_bad_settings_in_one_line_per_setting(tmp_path: Path, verb: list[str]) -> None:
    env = {"FACTDESK_DB": str(tmp_path / "s.db"), "FACTDESK_LOG_LEVEL": "LOUD", "FACTDESK_HTTP_PORT": "99999"}
    proc, seconds = run(verb, env, tmp_path)
    assert seconds < DEADLINE
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert "error: FACTDESK_LOG_LEVEL:" in proc.stderr and "error: FACTDESK_HTTP_PORT:" in proc.stderr
    assert not (tmp_path / "s.db").exists()
