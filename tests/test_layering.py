"""Imports go one way, stage by stage; the README's "Code map" says the same in words.

facts:  text, countries, errors  <-  read  <-  extract  <-  store  <-  answers
bot:    facts  <-  bot core (bot/*.py, bot/commands)  <-  bot/surfaces  <-  bot/runtime
benchmarks sit beside the runtime: only ``bot/runtime`` (the ``bench`` verb) may import them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SDKS = {"slack_bolt", "slack_sdk", "discord"}

FACTS_RANK = {"text": 0, "countries": 0, "errors": 0, "read": 1, "extract": 2, "store": 3, "answers": 4}
BOT_RANK = {"core": 0, "surfaces": 1, "runtime": 2}


def imports_of(path: Path) -> set[str]:
    """Every absolute module name ``path`` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def facts_stage(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "facts" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in FACTS_RANK else None


def bot_part(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "bot":
        return None
    if parts[1:] == ["__main__"]:  # ``python -m bot`` is the CLI's entry point
        return "runtime"
    return parts[1] if len(parts) > 1 and parts[1] in {"surfaces", "runtime"} else "core"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


@pytest.mark.parametrize("path", modules("facts"), ids=lambda p: str(p.relative_to(ROOT)))
def test_facts_imports_only_earlier_stages(path: Path) -> None:
    own = facts_stage(module_name(path))
    names = imports_of(path)
    assert not {n for n in names if n.split(".")[0] in {"bot", "benchmarks"} | SDKS}
    if own is None:  # facts/__init__.py
        return
    later = {n for n in names if (s := facts_stage(n)) and FACTS_RANK[s] > FACTS_RANK[own]}
    assert not later, f"{path} ({own}) imports a later stage: {later}"


@pytest.mark.parametrize("path", modules("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_bot_imports_only_inner_layers(path: Path) -> None:
    own = bot_part(module_name(path))
    assert own is not None
    names = imports_of(path)
    outer = {n for n in names if (p := bot_part(n)) and BOT_RANK[p] > BOT_RANK[own]}
    assert not outer, f"{path} ({own}) imports an outer layer: {outer}"
    if own != "runtime":
        assert not {n for n in names if n.split(".")[0] == "benchmarks"}, f"{path} imports benchmarks"
    if own == "core":
        assert not {n for n in names if n.split(".")[0] in SDKS}, f"{path} imports a chat SDK"
    if own == "surfaces":
        store = {n for n in names if n.startswith("facts.store")}
        assert not store, f"{path} reaches into the store: {store}"


def test_the_checks_see_a_violation() -> None:
    """The rules above are not vacuous: a core module importing a surface is caught."""
    assert bot_part("bot.surfaces.slack.app") == "surfaces"
    assert bot_part("bot.handler") == "core"
    assert facts_stage("facts.answers.queries") == "answers"
    assert FACTS_RANK[facts_stage("facts.store.writer")] > FACTS_RANK[facts_stage("facts.extract.dates")]
