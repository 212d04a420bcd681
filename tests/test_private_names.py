"""No module of bot/ or facts/ leans on a library's private or undocumented names, except the one
shim module that says why (bot/surfaces/discord/discordpy_shim.py). aiosqlite needs none: the
store runs its SQL on a connection thread of its own (facts/store/connection_thread.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHIMS = {"bot/surfaces/discord/discordpy_shim.py"}
# Undocumented discord.py attributes the shim sets; no other module may name them.
UNDOCUMENTED = {"BASE", "DEFAULT_GATEWAY"}
OWN_OBJECTS = {"self", "cls"}
# Public, documented API that happens to start with an underscore.
DOCUMENTED = {"_exit", "_replace", "_asdict", "_fields", "_make"}


def defined_here(tree: ast.AST) -> set[str]:
    """Private names the module itself defines (methods, functions, ``self._x = ...``): using one
    on another object of the same module (a Slot calling its Limiter) is not a library's."""
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    names |= {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store)
    }
    return names


def offences(tree: ast.AST) -> list[str]:
    """Attribute reads of a library's private name (``x._conn``): on anything but our own
    ``self``/``cls``, not defined in the module, not documented; and the undocumented names above."""
    found = []
    ours = defined_here(tree) | DOCUMENTED
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        private = node.attr.startswith("_") and not node.attr.startswith("__") and node.attr not in ours
        own = isinstance(node.value, ast.Name) and node.value.id in OWN_OBJECTS
        if (private and not own) or node.attr in UNDOCUMENTED:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def modules() -> list[Path]:
    return sorted(p for top in ("bot", "facts") for p in (ROOT / top).rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_library_names_outside_the_shim(path: Path) -> None:
    if str(path.relative_to(ROOT)) in SHIMS:
        return
    assert offences(ast.parse(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("db._conn.execute('x')", True),  # aiosqlite's private connection
        ("await store.connection._execute(fn)", True),
        ("discord.http.Route.BASE = url", True),
        ("ws.DEFAULT_GATEWAY", True),
        ("self._sql.run(fn)", False),  # our own object
        ("cls._registry", False),
        ("obj.__class__", False),  # dunders are public protocol
        ("client.tree.sync()", False),
        ("os._exit(1)", False),  # documented
        ("point._replace(x=1)", False),
        ("class L:\n    def _release(self): ...\nslot.limiter._release()", False),  # same module
        ("slot.limiter._release()", True),  # defined elsewhere
    ],
)
def test_the_check_catches_what_it_should(source: str, caught: bool) -> None:
    assert bool(offences(ast.parse(source))) is caught


def test_the_shim_is_where_the_names_are() -> None:
    shim = ROOT / "bot/surfaces/discord/discordpy_shim.py"
    assert offences(ast.parse(shim.read_text(encoding="utf-8")))
