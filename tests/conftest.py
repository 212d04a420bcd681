"""Shared fixtures, named for what they hold: ``empty_store`` has no article, ``seeded_store``
is the bundled corpus opened for reading, ``seeded_copy`` a writable copy of it for a test that
changes the record."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot import answer_cache
from bot.runtime.serve import Services
from bot.settings import Settings
from facts.read.article import ArticleInput
from facts.store.opening import open_store as open_any_store
from facts.store.sqlite_store import SQLiteStore, open_store
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, strip_proxy_env
from tests.postgres_server import (
    PostgresServer,
    find_binaries,
    fresh_database,
    missing_binaries_message,
    postgres_required,
)
from tests.store_backends import seeded_database, seeded_template

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FAKE_SLACK_SECRET = "e2e-signing-secret"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A module setting ``STORE_ENGINES`` runs its store tests on each engine named there."""
    engines = getattr(metafunc.module, "STORE_ENGINES", None)
    if engines and "store_engine" in metafunc.fixturenames:
        metafunc.parametrize("store_engine", engines)


@pytest.fixture
def store_engine() -> str:
    """The engine of ``empty_store`` and ``seeded_copy``: SQLite unless the module says both."""
    return "sqlite"


@pytest.fixture
def fresh_db(store_engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new, empty store goes: a file, or an empty database of its own."""
    if store_engine == "sqlite":
        return str(tmp_path / "fresh.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def empty_store(fresh_db: str) -> AsyncIterator[Any]:
    store = await open_any_store(fresh_db, bundled_corpus=False)
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
    """The session's one seeded file, shared: a test that changes the record takes ``seeded_copy``."""
    store = await open_store(seeded_db_path, bundled_corpus=True)
    yield store
    await store.close()


@pytest.fixture(scope="session")
def postgres_seeded_template(postgres_server: str) -> str:
    return seeded_template(postgres_server)


@pytest.fixture
def seeded_db(store_engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a writable seeded store is: a copy of the session's file, or a database copied from
    the session's seeded template."""
    if store_engine == "sqlite":
        import shutil

        path = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("seeded_db_path"), path)
        yield str(path)
        return
    server = request.getfixturevalue("postgres_server")
    with seeded_database(server, request.getfixturevalue("postgres_seeded_template")) as url:
        yield url


@pytest.fixture
async def seeded_copy(seeded_db: str) -> AsyncIterator[Any]:
    """A writable copy of the seeded store, for tests that change it."""
    opened = await open_any_store(seeded_db, bundled_corpus=True)
    yield opened
    await opened.close()


@pytest.fixture
async def fakes(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeSlack, FakeDiscord]]:
    """A fake Slack and a fake Discord on 127.0.0.1; discord.py's urls are restored afterwards."""
    import time

    import discord

    strip_proxy_env(monkeypatch)
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    async with (
        FakeSlack(signing_secret=FAKE_SLACK_SECRET) as slack,
        FakeDiscord(clock=time.monotonic) as disc,
    ):
        yield slack, disc


async def ingest_long_and_loud(store: SQLiteStore, *, loud: str, zones: int) -> None:
    """An article of 28 dated, very long sentences (an answer larger than one chat message) and
    one sentence that opens with ``loud`` (mentions that must ping nobody)."""
    filler = "in a statement that went on to list the ports, the fishing quotas and the inspections planned"
    sentences = [
        f"On March {day}, 2021, Peru and Chile signed protocol number {day} of their fisheries accord, "
        f"the ministry said {filler} " + ", ".join(f"for zone {day}-{k}" for k in range(zones)) + "."
        for day in range(1, 29)
    ]
    sentences.append(f"{loud} the accord was leaked, Peru's fisheries minister said on March 29, 2021.")
    await store.ingest(
        ArticleInput(
            title="Peru and Chile sign fisheries protocols",
            outlet="Andes Wire",
            published="2021-03-30",
            published_precision="day",
            url="https://andes.example/protocols",
            body="\n\n".join(sentences) + "\n",
            origin="test",
        )
    )


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


@asynccontextmanager
async def running_services(settings: Settings, store: SQLiteStore) -> AsyncIterator[Services]:
    """Every surface the settings configure, started on ``store`` and stopped afterwards."""
    services = Services(settings, store)
    await services.start()
    try:
        yield services
    finally:
        await services.stop()


def slack_events_url(services: Services) -> str:
    return f"http://127.0.0.1:{services.http_port}/slack/events"


async def start_serve(cwd: Path, db: Path, *, stderr: int = asyncio.subprocess.PIPE, **env: str) -> Any:
    """``python -m bot serve`` as a real process without a terminal, HTTP on a free loopback port;
    ``env`` adds ``FACTDESK_*`` settings. Pair it with :func:`reap`."""
    settings = {
        "PATH": "/usr/bin:/bin",
        "FACTDESK_DB": str(db),
        "FACTDESK_HTTP_HOST": "127.0.0.1",
        "FACTDESK_HTTP_PORT": "0",
        **env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "serve", env=settings, cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=stderr,
    )


async def reap(proc: Any) -> None:
    """Kill a served process the test did not stop itself."""
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


@pytest.fixture(autouse=True)
def _answers_computed_each_time() -> Any:
    """Tests change code and records between two askings of one question: answers are computed
    each time unless a test turns the cache on (tests/test_answer_cache.py)."""
    answer_cache.enabled(False)
    yield
    answer_cache.enabled(True)


def postgres_bindir_or_skip(
    find: Callable[[], Path | None] = find_binaries, env: Mapping[str, str] = os.environ
) -> Path:
    """The folder of PostgreSQL's server binaries. Without them the test is skipped, naming what to
    install, except in CI or with ``FACTDESK_REQUIRE_POSTGRES=1``, where it fails."""
    found = find()
    if found is None:
        if postgres_required(env):
            pytest.fail(missing_binaries_message(env), pytrace=False)
        pytest.skip(missing_binaries_message(env))
    return found


@pytest.fixture(scope="session")
def postgres_bindir() -> Path:
    return postgres_bindir_or_skip()


@pytest.fixture(scope="session")
def postgres_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """The maintenance url (``postgresql://postgres@127.0.0.1:PORT/postgres``) of a PostgreSQL
    server for the session: ``FACTDESK_TEST_POSTGRES`` when it holds one, else a throwaway cluster
    (tests/postgres_server.py) stopped and removed when the session ends, failed or not."""
    given = os.environ.get("FACTDESK_TEST_POSTGRES", "").strip()
    if given:
        yield given
        return
    with PostgresServer(request.getfixturevalue("postgres_bindir")) as server:
        yield server.url


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """The url of a fresh, empty database for this test alone, dropped afterwards."""
    with fresh_database(postgres_server) as url:
        yield url
