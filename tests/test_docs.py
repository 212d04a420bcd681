"""Documentation is tested: every command, CLI verb and setting appears in the README."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

from bot.commands.registry import COMMANDS
from bot.runtime.cli import _parser
from bot.settings import Settings
from facts.errors import ErrorCode, FactdeskError

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


def _section(title: str) -> str:
    return README.partition(f"\n## {title}\n")[2].partition("\n## ")[0]


def _tables(text: str) -> list[list[str]]:
    """The Markdown tables of ``text``: runs of consecutive lines that start with ``|``."""
    tables: list[list[str]] = []
    previous_was_row = False
    for line in text.splitlines():
        row = line.startswith("|")
        if row and not previous_was_row:
            tables.append([])
        if row:
            tables[-1].append(line)
        previous_was_row = row
    return tables


def test_the_settings_table_is_one_markdown_table_with_every_setting() -> None:
    tables = _tables(_section("Settings"))
    assert len(tables) == 1, f"the settings table is split in {len(tables)} pieces (a blank line?)"
    header, rule, *rows = tables[0]
    assert header == "| variable | default | meaning |" and rule == "| --- | --- | --- |"
    names = [row.split("|")[1].strip().strip("`") for row in rows]
    assert sorted(names) == sorted(f"FACTDESK_{n.upper()}" for n in Settings.model_fields)


def _code_sources() -> dict[str, ast.Module]:
    """Every module of ``bot`` and ``facts``, parsed, by module name."""
    import bot
    import facts

    trees = {}
    for package in (bot, facts):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.endswith(".__main__"):  # the program itself: importing it runs it
                continue
            module = importlib.import_module(info.name)
            trees[info.name] = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    return trees


def _code_arguments(tree: ast.Module) -> list[ast.expr]:
    """Where an error answer is given its code: ``Answer.failure(command, CODE, …)``,
    ``AnswerError(CODE, …)``, ``code=CODE``, a ``{"code": CODE}`` body, ``code = CODE`` in a class."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "failure" and len(node.args) >= 2:
                found.append(node.args[1])
            elif name == "AnswerError" and node.args:
                found.append(node.args[0])
            found += [k.value for k in node.keywords if k.arg == "code"]
        elif isinstance(node, ast.Dict):
            found += [
                v
                for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "code"
            ]
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign | ast.AnnAssign) and statement.value is not None:
                    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                    if any(getattr(t, "id", "") == "code" for t in targets):
                        found.append(statement.value)
    return found


def _error_codes_used(trees: dict[str, ast.Module]) -> set[ErrorCode]:
    """The members of ErrorCode that the code names (``ErrorCode.BUSY``) outside the enum itself."""
    used: set[ErrorCode] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and getattr(node.value, "id", "") == "ErrorCode":
                used.add(ErrorCode[node.attr])
    return used


def _readme_error_codes() -> set[str]:
    tables = [t for t in _tables(_section("JSON answer contract")) if t[0].startswith("| code |")]
    assert len(tables) == 1, "the JSON contract has one table of error codes"
    return {row.split("|")[1].strip().strip("`") for row in tables[0][2:]}


def test_the_readme_lists_exactly_the_error_codes_of_the_enum() -> None:
    listed = _readme_error_codes()
    codes = {c.value for c in ErrorCode}
    assert listed == codes, f"missing from the README: {codes - listed}; not in ErrorCode: {listed - codes}"


def test_every_error_code_is_sent_and_only_through_the_enum() -> None:
    trees = _code_sources()
    literals = {
        (name, arg.value)
        for name, tree in trees.items()
        for arg in _code_arguments(tree)
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    }
    assert not literals, f"error codes written as strings, not ErrorCode members: {sorted(literals)}"
    assert _error_codes_used(trees) == set(ErrorCode), "an ErrorCode no code sends"
    pending = list(FactdeskError.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith(("bot.", "facts.")):
            assert isinstance(cls.__dict__.get("code"), ErrorCode), f"{cls.__name__} names no code of its own"
    # The base class is never raised itself: its placeholder code says nothing.
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                raised = getattr(node.exc.func, "id", "")
                assert raised != "FactdeskError", "raise a subclass with its own code"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ('Answer.failure(shown, "busy", m)', ["busy"]),
        ("Answer.failure(shown, ErrorCode.BUSY, m)", []),
        ('AnswerError("conflict", m)', ["conflict"]),
        ('x = {"code": "forbidden", "message": m}', ["forbidden"]),
        ('class Gone(FactdeskError):\n    code = "gone"', ["gone"]),
        ('class Gone(FactdeskError):\n    code = ErrorCode.NOT_FOUND', []),
        ('Answer.failure(shown, code="internal", message=m)', ["internal"]),
    ],
)
def test_the_scan_finds_a_code_written_as_a_string(arguments: str, expected: list[str]) -> None:
    found = [a.value for a in _code_arguments(ast.parse(arguments)) if isinstance(a, ast.Constant)]
    assert found == expected
