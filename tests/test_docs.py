"""Documentation is tested: every command, CLI verb and setting appears in the README."""

from __future__ import annotations

from pathlib import Path

from bot.cli import _parser
from bot.registry import COMMANDS
from bot.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    for c in COMMANDS:
        assert f"`/{c.name}" in README, c.name


def test_every_cli_verb_is_documented() -> None:
    sub = next(a for a in _parser()._actions if a.dest == "verb")
    for verb in sub.choices:  # type: ignore[union-attr]
        assert f"factdesk {verb}" in README or f"] {verb}" in README, verb


def test_every_setting_is_documented() -> None:
    for name in Settings.model_fields:
        assert f"`FACTDESK_{name.upper()}`" in README, name


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install . && factdesk serve" in README
    assert "pip install -e '.[test]' && pytest" in README
    assert "pip install -e '.[test]' && pytest" in ci
