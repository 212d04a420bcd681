"""Checkpoints run on a thread of their own after every few commits, not inside the writer's."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from facts.store.checkpointer import BACKSTOP_PAGES, Checkpointer
from facts.store.sqlite_store import open_store
from tests.test_store import art

LEAD = "Ruritania and Freedonia signed the lagoon fisheries accord on Tuesday in Port Elna."


def _wal_frames(path: Path) -> tuple[int, int]:
    """(frames in the log, frames copied into the database) as a no-op checkpoint reports them."""
    with sqlite3.connect(path) as conn:
        _, logged, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return logged, copied


def test_the_thread_checkpoints_after_every_few_commits(tmp_path: Path) -> None:
    path = tmp_path / "wal.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # only the thread checkpoints here
    writer.execute("CREATE TABLE t (x TEXT)")
    checkpointer = Checkpointer(str(path), every=3)
    checkpointer.start()
    try:
        for i in range(2):
            writer.execute("INSERT INTO t VALUES (?)", (f"row {i}",))
            checkpointer.notify()
        assert checkpointer.checkpoints == 0  # two commits: not yet
        writer.execute("INSERT INTO t VALUES ('row 2')")
        checkpointer.notify()
        assert checkpointer.wait_checkpoints(1, timeout=5.0)
    finally:
        checkpointer.stop()
        writer.close()
    assert not checkpointer.running


async def test_a_store_checkpoints_off_the_writer_and_stops_the_thread_on_close(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = await open_store(path, bundled_corpus=False)
    checkpointer = store.checkpointer
    try:
        (autocheckpoint,) = await store.connection.fetchone("PRAGMA wal_autocheckpoint")
        assert autocheckpoint == BACKSTOP_PAGES  # the writer's own only as a backstop
        assert checkpointer is not None
        for i in range(checkpointer.every):
            await store.ingest(art(f"https://andes.example/{i}", f"{LEAD} Story {i}.\n"))
        assert checkpointer.wait_checkpoints(1, timeout=5.0)
        logged, copied = _wal_frames(path)
        assert copied == logged  # everything committed is in the database file
    finally:
        await store.close()
    assert checkpointer is not None and not checkpointer.running and store.checkpointer is None
