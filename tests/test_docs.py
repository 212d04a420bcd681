"""Documentation is tested: every command, CLI verb and setting appears in the README."""

from __future__ import annotations

from pathlib import Path

from bot.commands.registry import COMMANDS
from bot.runtime.cli import _parser
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


def _emitted_error_codes() -> set[str]:
    """Every error code an answer can carry: the ``code`` of each FactdeskError subclass (a
    command may raise any; the handler answers with its code), and each code written as a
    literal where an error answer is built (``Answer.failure(command, "code", …)``,
    ``AnswerError("code", …)``, or a ``{"code": "…"}`` body)."""
    import ast
    import importlib
    import pkgutil

    import bot
    import facts
    from facts.errors import FactdeskError

    sources = []
    for package in (bot, facts):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.endswith(".__main__"):  # the program itself: importing it runs it
                continue
            module = importlib.import_module(info.name)
            sources.append(Path(module.__file__ or "").read_text(encoding="utf-8"))
    codes: set[str] = set()
    pending = list(FactdeskError.__subclasses__())
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith(("bot.", "facts.")):
            codes.add(cls.code)
    for tree in map(ast.parse, sources):
        for node in ast.walk(tree):
            literal: ast.expr | None = None
            if isinstance(node, ast.Call):
                name = (
                    node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                )
                if name == "failure" and len(node.args) >= 2:
                    literal = node.args[1]
                elif name == "AnswerError" and node.args:
                    literal = node.args[0]
                literal = next((k.value for k in node.keywords if k.arg == "code"), literal)
            elif isinstance(node, ast.Dict):
                literal = next(
                    (
                        v
                        for k, v in zip(node.keys, node.values, strict=True)
                        if isinstance(k, ast.Constant) and k.value == "code"
                    ),
                    None,
                )
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                codes.add(literal.value)
            # The base class is never raised itself, so its placeholder code is never sent.
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                assert getattr(node.exc.func, "id", "") != "FactdeskError", (
                    "raise a subclass with its own code"
                )
    return codes


def test_the_readme_lists_every_error_code_the_code_can_send() -> None:
    tables = [t for t in _tables(_section("JSON answer contract")) if t[0].startswith("| code |")]
    assert len(tables) == 1, "the JSON contract has one table of error codes"
    listed = {row.split("|")[1].strip().strip("`") for row in tables[0][2:]}
    emitted = _emitted_error_codes()
    assert {"bad_input", "forbidden", "conflict", "internal"} <= emitted  # the scan finds them
    assert listed == emitted, f"missing from the README: {emitted - listed}; never sent: {listed - emitted}"
