"""Stores on both engines for the store's contract tests.

A test module that sets ``STORE_ENGINES = ENGINES`` has each test that takes ``empty_store`` or
``seeded_copy`` run once on SQLite and once on PostgreSQL (a throwaway server the session
starts, see conftest's ``postgres_server``); elsewhere those fixtures stay SQLite files.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from facts.store.opening import open_store

__all__ = ["ENGINES", "seeded_database", "seeded_template"]

ENGINES = ("sqlite", "postgresql")


def _url_of(server: str, database: str) -> str:
    return server.rsplit("/", 1)[0] + "/" + database


def seeded_template(server: str) -> str:
    """A database holding the bundled corpus, for seeded copies to be made from. Built on a
    thread of its own: the fixture asking for it may already run inside an event loop."""
    name = f"factdesk_seeded_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    async def build() -> None:
        store = await open_store(_url_of(server, name), bundled_corpus=True)
        await store.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, build()).result()
    return name


@contextmanager
def seeded_database(server: str, template: str) -> Iterator[str]:
    """A writable copy of ``template`` (PostgreSQL copies its files: nothing is ingested again),
    dropped afterwards."""
    name = f"factdesk_copy_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _url_of(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
