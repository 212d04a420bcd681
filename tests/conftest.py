"""Shared fixtures, named like prose: ``fresh_store`` is empty, ``seeded_store`` holds the bundled corpus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from facts.store import SQLiteStore, open_store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
async def fresh_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    store = await open_store(tmp_path / "fresh.db", bundled_corpus=False)
    yield store
    await store.close()


@pytest.fixture(scope="session")
def seeded_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store with the bundled corpus, built once for the session (read-only use)."""
    import asyncio

    path = tmp_path_factory.mktemp("seeded") / "seeded.db"

    async def build() -> None:
        store = await open_store(path, bundled_corpus=True)
        await store.close()

    asyncio.run(build())
    return path


@pytest.fixture
async def seeded_store(seeded_db_path: Path) -> AsyncIterator[SQLiteStore]:
    store = await open_store(seeded_db_path, bundled_corpus=True)
    yield store
    await store.close()


def write_article(folder: Path, name: str, *, body: str, **meta: str) -> Path:
    """A Markdown article with YAML front matter; ``meta`` fills in the usual fields."""
    fields = {
        "title": "A title",
        "outlet": "Test Wire",
        "published": "2020-03-06",
        "url": f"https://news.example/{name}",
    }
    fields.update(meta)
    head = "\n".join(f'{k}: "{v}"' for k, v in fields.items() if v is not None)
    path = folder / f"{name}.md"
    path.write_text(f"---\n{head}\n---\n{body}", encoding="utf-8")
    return path
