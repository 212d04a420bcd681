"""The claim rules of digest attempts (facts.store.digest_ledger): who may send an attempt of a
(channel, period), decided by one statement in the store, with leases read on an injected
clock. A runner that dies before posting is taken over when its lease runs out; one that dies
while posting leaves the outcome unknown and nobody posts it again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from bot.digest_scheduler import DeliveryError, DigestScheduler
from facts.answers.contract import Answer
from facts.store.sqlite_store import SQLiteStore
from tests.helpers import Clock
from tests.store_backends import ENGINES

STORE_ENGINES = ENGINES  # each store test runs on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=5)
CHANNEL, PERIOD = "slack:CDESK", "2026-06-01T09:00:00+00:00"
MAX = 6
Step = Callable[[SQLiteStore], Awaitable[None]]


def at(**delta: float) -> str:
    return (T0 + dt.timedelta(**delta)).isoformat(timespec="seconds")


async def claim(store: SQLiteStore, owner: str, now: str) -> int | None:
    """The attempt number ``owner`` won, or None."""
    run = await store.claim_digest_run(
        CHANNEL,
        PERIOD,
        "2026-05-31T09:00:00+00:00",
        PERIOD,
        owner=owner,
        now=now,
        lease_until=(dt.datetime.fromisoformat(now) + LEASE).isoformat(timespec="seconds"),
        max_attempts=MAX,
    )
    return run.attempts if run else None


async def begin(store: SQLiteStore, owner: str, attempt: int, now: str) -> bool:
    return await store.begin_digest_post(CHANNEL, PERIOD, attempt=attempt, owner=owner, now=now)


async def finish(
    store: SQLiteStore, owner: str, attempt: int, status: str, now: str, retry: str | None = None
) -> bool:
    return await store.finish_digest_run(
        CHANNEL, PERIOD, attempt=attempt, owner=owner, status=status, now=now, next_attempt=retry
    )


async def a_claimed(store: SQLiteStore) -> None:
    assert await claim(store, "A", at()) == 1


async def a_posting(store: SQLiteStore) -> None:
    await a_claimed(store)
    assert await begin(store, "A", 1, at(seconds=2))


async def a_failed_retry_at_1m(store: SQLiteStore) -> None:
    await a_posting(store)
    assert await finish(store, "A", 1, "failed", at(seconds=3), retry=at(minutes=1))


async def a_failed_max_times(store: SQLiteStore) -> None:
    await a_failed_retry_at_1m(store)
    for attempt in range(2, MAX + 1):
        now = at(minutes=attempt)
        assert await claim(store, "A", now) == attempt
        assert await begin(store, "A", attempt, now)
        assert await finish(store, "A", attempt, "failed", now, retry=now)


def ended(status: str) -> Step:
    async def step(store: SQLiteStore) -> None:
        await a_posting(store)
        assert await finish(store, "A", 1, status, at(seconds=3))

    return step


@pytest.mark.parametrize(
    ("state", "when", "won", "status_after"),
    [
        pytest.param(a_claimed, at(minutes=1), None, "sending", id="a live lease: nobody else may claim"),
        pytest.param(a_claimed, at(minutes=5), 2, "sending", id="a lease run out before posting: taken over"),
        pytest.param(a_posting, at(minutes=4), None, "sending", id="posting within the lease: nobody else"),
        pytest.param(
            a_posting, at(minutes=6), None, "unknown", id="a runner died while posting: never retried"
        ),
        pytest.param(
            a_failed_retry_at_1m, at(seconds=30), None, "failed", id="a failed post before its retry time"
        ),
        pytest.param(a_failed_retry_at_1m, at(minutes=1), 2, "sending", id="a failed post at its retry time"),
        pytest.param(a_failed_max_times, at(hours=2), None, "failed", id="no attempt past the last one"),
        pytest.param(ended("sent"), at(hours=1), None, "sent", id="a sent digest is never claimed again"),
        pytest.param(
            ended("unknown"), at(hours=1), None, "unknown", id="an unknown outcome is never retried"
        ),
        pytest.param(ended("empty"), at(hours=1), None, "empty", id="an empty period stays empty"),
    ],
)
async def test_who_may_claim_the_next_attempt(
    empty_store: SQLiteStore, state: Step, when: str, won: int | None, status_after: str
) -> None:
    await state(empty_store)
    assert await claim(empty_store, "B", when) == won
    run = await empty_store.last_digest_run(CHANNEL)
    assert run is not None and run.status == status_after
    if won is not None:
        assert run.lease_owner == "B" and run.attempts == won and run.posting_at is None
        assert await claim(empty_store, "C", when) is None  # the same attempt is won once


async def test_the_first_attempt_is_one_insert_won_once(empty_store: SQLiteStore) -> None:
    assert await claim(empty_store, "A", at()) == 1
    assert await claim(empty_store, "B", at()) is None


@pytest.mark.parametrize(
    ("late", "begins", "finishes"),
    [
        pytest.param(dt.timedelta(minutes=1), True, True, id="within its lease: posts and records"),
        pytest.param(LEASE, False, True, id="its lease ran out: must not post"),
    ],
)
async def test_a_runner_posts_only_while_it_holds_its_attempt(
    empty_store: SQLiteStore, late: dt.timedelta, begins: bool, finishes: bool
) -> None:
    await a_claimed(empty_store)
    now = (T0 + late).isoformat(timespec="seconds")
    assert await begin(empty_store, "A", 1, now) is begins
    assert await finish(empty_store, "A", 1, "empty", now) is finishes


async def test_a_runner_taken_over_can_neither_post_nor_record(empty_store: SQLiteStore) -> None:
    await a_claimed(empty_store)
    assert await claim(empty_store, "B", at(minutes=6)) == 2
    assert not await begin(empty_store, "A", 1, at(minutes=6))
    assert not await finish(empty_store, "A", 1, "sent", at(minutes=6))
    assert await begin(empty_store, "B", 2, at(minutes=6))
    assert await finish(empty_store, "B", 2, "sent", at(minutes=6))
    run = await empty_store.last_digest_run(CHANNEL)
    assert run is not None and run.status == "sent" and run.lease_until is None


class Platform:
    """Records posts; ``fail_next`` is raised by the next post instead."""

    def __init__(self) -> None:
        self.posts: list[str] = []
        self.fail_next: DeliveryError | None = None

    async def __call__(self, channel_id: str, answer: Answer) -> str:
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        self.posts.append(channel_id)
        return f"m{len(self.posts)}"


async def test_a_runner_that_dies_after_claiming_is_taken_over_once_its_lease_runs_out(
    empty_store: SQLiteStore,
) -> None:
    clock = Clock(T0)
    platform = Platform()
    first = DigestScheduler(empty_store, {"slack": platform}, clock, empty="line", owner="first")
    second = DigestScheduler(empty_store, {"slack": platform}, clock, empty="line", owner="second")
    await first.subscribe("slack:C1", "0 * * * *", "UTC", origin="command", actor="t")
    clock.now = T0 + dt.timedelta(hours=1, minutes=1)
    # The first runner claims the period and dies before posting (nothing more from it).
    due = (T0 + dt.timedelta(hours=1)).isoformat(timespec="seconds")
    run = await first._claim("slack:C1", due, T0.isoformat(timespec="seconds"), due, clock.now)
    assert run is not None and run.lease_owner == "first"
    assert await second.tick() == []  # its lease holds
    clock.now += LEASE
    assert [line.rpartition(": ")[2] for line in await second.tick()] == ["sent"]
    assert await second.tick() == [] and platform.posts == ["C1"]


async def test_a_429_retried_by_another_runner_is_posted_once(empty_store: SQLiteStore) -> None:
    clock = Clock(T0)
    platform = Platform()
    runners = [
        DigestScheduler(empty_store, {"slack": platform}, clock, empty="line", owner=name) for name in "AB"
    ]
    await runners[0].subscribe("slack:C1", "0 * * * *", "UTC", origin="command", actor="t")
    clock.now = T0 + dt.timedelta(hours=1, minutes=1)
    platform.fail_next = DeliveryError("Slack: ratelimited (429)", transient=True)
    assert [ln.rpartition(": ")[2] for ln in await runners[0].tick()] == ["failed"]
    clock.now += dt.timedelta(seconds=61)
    outcomes = [ln.rpartition(": ")[2] for r in (runners[1], runners[0]) for ln in await r.tick()]
    assert outcomes == ["sent"] and platform.posts == ["C1"]
