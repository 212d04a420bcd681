"""Copying the write-ahead log back into the database on a thread of its own.

With SQLite's automatic checkpoint, the commit that crosses the threshold copies every page the
log holds back into the database file and syncs it, inside the writer's own call: a quarter of a
second per batch on a large archive, during which no article is written. Here the writer's
connection checkpoints only as a backstop (``BACKSTOP_PAGES``), and this thread, woken after
every ``EVERY`` commits, runs a PASSIVE checkpoint on a connection of its own: it copies what is
committed without blocking the writer or any reader, and the writer starts the log again from
the top once a checkpoint has caught up. Checkpointing after several commits rather than each
copies a page that every batch changes (an index's hot pages) back once for all of them.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

__all__ = ["BACKSTOP_PAGES", "EVERY", "Checkpointer"]

log = logging.getLogger("factdesk.store")

EVERY = 4  # commits between checkpoints (a bulk batch is 200 articles)
BACKSTOP_PAGES = 50_000  # the writer's own automatic checkpoint (200 MB of log), should this lag


class Checkpointer:
    """A daemon thread that checkpoints the store at ``path`` once :meth:`notify` has said
    ``every`` transactions committed."""

    def __init__(self, path: str, *, every: int = EVERY) -> None:
        self.path = path
        self.every = every
        self._commits = 0
        self.checkpoints = 0  # PASSIVE checkpoints that caught up with the log
        self._done = threading.Condition()
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="factdesk-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def notify(self) -> None:
        """A transaction committed (called by the writer; cheap, never blocks)."""
        self._commits += 1
        if self._commits >= self.every:
            self._commits = 0
            self._wake.set()

    def wait_checkpoints(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` checkpoints have caught up with the log (for tests)."""
        with self._done:
            return self._done.wait_for(lambda: self.checkpoints >= count, timeout)

    def stop(self) -> None:
        """Finish the checkpoint under way, if any, and end the thread."""
        self._stopping = True
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=True)
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                try:
                    _, logged, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                except sqlite3.Error:  # one that cannot run now runs after the next commits
                    log.exception("background checkpoint failed")
                    continue
                with self._done:
                    if 0 <= logged <= copied:
                        self.checkpoints += 1
                    self._done.notify_all()
        finally:
            conn.close()
