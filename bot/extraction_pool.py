"""The process pool extraction runs in, whose workers exit with their parent.

A ``concurrent.futures`` worker whose parent is killed (``kill -9``, the OOM killer) waits on
its task queue for ever: it holds that queue's other end itself, so it never sees it close.
Each worker here watches its parent and leaves as soon as it is gone.

Each worker embeds passages (wordllama's tokenizer) on its own core: the tokenizer's own
thread pool is turned off there, so two workers on two cores do not each start a thread per core.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time

__all__ = ["PARENT_POLL_SECONDS", "exit_with_parent", "extraction_pool", "start_worker"]

PARENT_POLL_SECONDS = 0.25


def extraction_pool(max_workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """A pool of ``max_workers`` processes that exit when this process dies."""
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=max_workers, initializer=start_worker, initargs=(os.getpid(),)
    )


def start_worker(parent: int) -> None:
    """Worker initializer: one core's worth of tokenizer threads, and exit with ``parent``."""
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    exit_with_parent(parent)


def exit_with_parent(parent: int, poll: float = PARENT_POLL_SECONDS) -> None:
    """Worker initializer: a daemon thread ends the worker once ``parent`` is no longer its
    parent (a dead parent's children are handed to another process). Checking the parent id is
    portable, and unlike Linux's ``PR_SET_PDEATHSIG`` it does not fire when merely the thread
    that started the worker ends."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)  # nothing to clean up: the parent that wanted the results is gone

    threading.Thread(target=watch, name="factdesk-parent-watch", daemon=True).start()
