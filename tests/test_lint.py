"""ruff stays clean over the whole tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff")
    assert ruff, "ruff is part of the test extra"
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run([ruff, "check", "--no-cache", str(root)], capture_output=True, text=True, cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
