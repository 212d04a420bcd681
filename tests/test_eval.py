"""The floor for answer quality: the shared gold set must pass in full on a fresh store."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import SHARED

SCORE = SHARED / "eval" / "score.py"


def setup_module() -> None:
    assert SCORE.exists(), f"{SCORE} is missing: CI runs with ../shared beside the project"


def test_every_gold_case_passes(tmp_path: Path) -> None:
    cli = shutil.which("factdesk")
    assert cli, "factdesk is not installed (pip install -e .)"
    proc = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval" / "score.py"),
            "--gold",
            str(SHARED / "eval" / "seeds.toml"),
            "--corpus",
            str(SHARED / "seeds"),
            "--db",
            str(tmp_path / "eval.db"),
            "--cli",
            cli,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "13/13 cases pass" in proc.stdout, proc.stdout


def test_every_gold_case_passes_on_an_ingested_corpus(tmp_path: Path) -> None:
    """The way other article sets are scored: no bundled corpus, files ingested first."""
    cli = shutil.which("factdesk")
    assert cli
    env = {**__import__("os").environ, "FACTDESK_BUNDLED_CORPUS": "false"}
    db = str(tmp_path / "ingested.db")
    ingest = subprocess.run(
        [cli, "--db", db, "ingest", str(SHARED / "seeds")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert ingest.returncode == 0, ingest.stderr
    proc = subprocess.run(
        [
            sys.executable,
            str(SHARED / "eval" / "score.py"),
            "--gold",
            str(SHARED / "eval" / "seeds.toml"),
            "--corpus",
            str(SHARED / "seeds"),
            "--db",
            db,
            "--cli",
            cli,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert "13/13 cases pass" in proc.stdout, proc.stdout
