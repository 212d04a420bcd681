"""Imports go one way: bot/adapters -> bot core -> facts. facts never imports bot."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(folder: Path) -> dict[Path, set[str]]:
    found: dict[Path, set[str]] = {}
    for path in folder.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[path] = names
    return found


def test_facts_never_imports_bot_or_a_chat_sdk() -> None:
    for path, names in imported_modules(ROOT / "facts").items():
        bad = {n for n in names if n.split(".")[0] in {"bot", "slack_bolt", "slack_sdk", "discord"}}
        assert not bad, f"{path} imports {bad}"


def test_bot_core_imports_no_chat_sdk() -> None:
    for path, names in imported_modules(ROOT / "bot").items():
        if "adapters" in path.parts:
            continue
        bad = {n for n in names if n.split(".")[0] in {"slack_bolt", "slack_sdk", "discord"}}
        assert not bad, f"{path} imports {bad}"
