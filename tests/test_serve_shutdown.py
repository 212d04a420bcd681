"""`serve` stops when asked, whatever its background health probe is doing at that moment.

CI once hung for 90 minutes in a test's teardown: on Python 3.11, ``asyncio.wait_for`` drops a
cancellation that arrives just as the awaited probe completes, and the probe loop (``while
True``) never saw that it had been asked to stop. These tests make that moment deterministic
with a probe that swallows its cancellation, the worst a library below us could do.
"""

from __future__ import annotations

import asyncio

from bot.runtime.serve import Services
from facts.store.sqlite_store import SQLiteStore
from tests.helpers import settings_for

DEADLINE = 30.0  # far beyond any real stop; reaching it means the stop hung


async def stop_within_deadline(services: Services) -> None:
    """``services.stop()``, failing (not hanging) if it does not return before the deadline.
    ``stop`` suppresses what its cleanups raise, so the deadline is read, not caught."""
    async with asyncio.timeout(DEADLINE) as deadline:
        await services.stop()
    assert not deadline.expired(), "stop() hung until the deadline"


async def test_stop_ends_the_probe_even_when_a_probe_swallows_its_cancellation(
    seeded_copy: SQLiteStore,
) -> None:
    probing = asyncio.Event()
    swallowed: list[bool] = []

    async def stubborn_probe() -> None:
        probing.set()
        try:
            await asyncio.Event().wait()  # blocked until cancelled
        except asyncio.CancelledError:
            swallowed.append(True)  # and returns as if nothing happened

    seeded_copy.probe = stubborn_probe  # type: ignore[method-assign]
    services = Services(settings_for(seeded_copy.path), seeded_copy, run_digests=False)
    await services.start()
    await probing.wait()
    await stop_within_deadline(services)
    assert swallowed == [True]
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "factdesk-health-probe"]


async def test_stop_ends_the_probe_when_the_probe_completes_at_the_moment_of_the_cancel(
    seeded_copy: SQLiteStore,
) -> None:
    """The 3.11 ``wait_for`` race, made deterministic: the probe is released and the stop is
    asked in the same step of the loop, so the cancellation lands on a probe already done."""
    probing, release = asyncio.Event(), asyncio.Event()
    calls: list[int] = []

    async def probe_until_released() -> None:
        calls.append(1)
        if len(calls) == 1:
            probing.set()
            await release.wait()

    seeded_copy.probe = probe_until_released  # type: ignore[method-assign]
    services = Services(settings_for(seeded_copy.path), seeded_copy, run_digests=False)
    await services.start()
    await probing.wait()
    release.set()  # no await between this and the cancel inside stop()
    await stop_within_deadline(services)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "factdesk-health-probe"]


async def test_stop_right_after_start_ends_every_background_task(seeded_copy: SQLiteStore) -> None:
    services = Services(settings_for(seeded_copy.path), seeded_copy, run_digests=False)
    await services.start()
    await stop_within_deadline(services)
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("factdesk-")]
