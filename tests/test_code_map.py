"""The README's "Code map" names every package folder, and every folder it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("facts", "bot", "benchmarks")


def code_map() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Code map")
    return text[start : text.index("\n## ", start + 1)]


def named_folders(section: str) -> set[str]:
    return {m.rstrip("/") for m in re.findall(r"`([a-z_/]+/)`", section)}


def bullets(section: str) -> list[str]:
    """The section's ``- `` items, each with its continuation lines joined on."""
    items: list[str] = []
    for line in section.splitlines():
        if line.startswith("- "):
            items.append(line)
        elif items and line.startswith("  "):
            items[-1] += " " + line.strip()
    return items


def package_folders() -> set[str]:
    found = set()
    for top in PACKAGES:
        for init in (ROOT / top).rglob("__init__.py"):
            found.add(init.parent.relative_to(ROOT).as_posix())
    return found


def test_every_package_folder_has_a_line_in_the_code_map() -> None:
    section = code_map()
    named = named_folders(section)
    # a folder may be named relative to its parent's line: `slack/` inside the bot/surfaces/ line
    lines = bullets(section)
    missing = set()
    for folder in package_folders():
        if folder in named:
            continue
        parent, _, leaf = folder.rpartition("/")
        if not any(f"`{parent}/`" in line and f"`{leaf}/`" in line for line in lines):
            missing.add(folder)
    assert not missing, f"folders without a Code map line: {sorted(missing)}"


def test_every_folder_the_code_map_names_exists() -> None:
    for line in bullets(code_map()):
        folders = re.findall(r"`([a-z_/]+/)`", line)
        for folder in folders:
            here = ROOT / folder
            under_a_parent = any((ROOT / parent / folder).is_dir() for parent in folders if parent != folder)
            assert here.is_dir() or under_a_parent, f"the Code map names {folder}, which does not exist"
