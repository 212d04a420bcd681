"""Scheduled digests, exactly once per channel and period, and the ``/digest`` command.

When a run is due is a pure function of the cron expression, the channel's time zone and
``now`` (cronsim, which follows cron across daylight-saving changes: a 02:30 run on the night
the clocks jump runs at 03:00, and on the night they fall back it runs once). Every attempt
to post a (channel, period) is claimed in the store first, by one runner, with a lease (see
:func:`facts.store.digest_ledger.claim_run`): a restart or a second runner on the same store never
posts a period twice, and a runner that dies holding a claim is taken over once its lease runs
out. After downtime only the latest missed period is claimed, and its digest covers the whole
gap. A post that failed for a reason that guarantees nothing was posted (429, 5xx, no
connection) is retried with backoff; one whose outcome is unknown is not retried, so it cannot
double.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError

from bot.observability import digest_done, error_seen
from bot.posted_answers import PostedAnswers
from facts.answers.contract import Answer
from facts.answers.digest_content import build_digest
from facts.errors import UsageError
from facts.store.digest_ledger import DigestRun, Subscription
from facts.store.protocols import FactStore

__all__ = [
    "DeliveryError",
    "DigestScheduler",
    "Sender",
    "check_schedule",
    "latest_due",
    "next_due",
]

log = logging.getLogger("factdesk.digests")

Clock = Callable[[], dt.datetime]
Sender = Callable[[str, Answer], Awaitable[str]]  # (channel id on its platform, answer) -> message ref
BACKOFF = (60, 300, 900, 3600)  # seconds before the 1st, 2nd, 3rd, later retries of a failed post
MAX_ATTEMPTS = 6
# How long a runner holds a claimed attempt: building the digest and one post (the clients time
# out well within it). A runner that dies is taken over once its lease has run out.
LEASE = dt.timedelta(minutes=5)


class DeliveryError(Exception):
    """A post that failed; ``transient`` when nothing was posted and a retry is safe."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"'{name[:40]}' is not a time zone; use a name like Europe/Madrid or UTC.") from None


def check_schedule(schedule: str, timezone: str) -> None:
    """A one-line error for a cron expression or time zone that cannot be used."""
    zone = _zone(timezone)
    try:
        next(iter(CronSim(schedule, dt.datetime(2026, 1, 1, tzinfo=zone))))
    except (CronSimError, StopIteration, ValueError):
        raise UsageError(f"'{schedule[:60]}' is not a cron schedule such as '0 9 * * 1-5'.") from None


def latest_due(schedule: str, timezone: str, now: dt.datetime) -> dt.datetime:
    """The last scheduled time at or before ``now`` (UTC)."""
    local = now.astimezone(_zone(timezone))
    # Reverse iteration starts strictly before its start; a second later keeps ``now`` itself.
    return next(iter(CronSim(schedule, local + dt.timedelta(seconds=1), reverse=True))).astimezone(dt.UTC)


def next_due(schedule: str, timezone: str, now: dt.datetime) -> dt.datetime:
    """The first scheduled time after ``now`` (UTC)."""
    local = now.astimezone(_zone(timezone))
    return next(iter(CronSim(schedule, local))).astimezone(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _runner_id() -> str:
    """Who holds a claim, in the store: this host and process, and a nonce for this scheduler."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _claimable(run: DigestRun, now: str) -> bool:
    """Worth trying to claim again (the store decides): a retry whose time has come, or an
    attempt whose runner's lease has run out."""
    if run.status == "failed":
        return run.next_attempt is not None and run.next_attempt <= now
    return run.status == "sending" and run.lease_until is not None and run.lease_until <= now


@dataclass
class DigestScheduler:
    """Sends each subscribed channel its digest; ``tick()`` is one pass at ``clock()``."""

    store: FactStore
    senders: dict[str, Sender]  # platform ("slack", "discord") -> sender
    clock: Clock
    empty: str = "skip"  # "skip": no post for an empty period; "line": one short line
    owner: str = field(default_factory=_runner_id)  # this runner, as its claims name it
    posted: PostedAnswers | None = None  # keeps each digest posted, so a correction edits it

    async def tick(self) -> list[str]:
        """Send what is due now; returns ``channel@period: outcome`` lines (for logs and tests)."""
        now = self.clock()
        done: list[str] = []
        for sub in await self.store.digest_subscriptions():
            platform = sub.channel.partition(":")[0]
            if platform not in self.senders:
                continue
            try:
                due = latest_due(sub.schedule, sub.timezone, now)
            except UsageError as exc:
                log.warning("digest for %s: %s", sub.channel, exc)
                continue
            if _iso(due) < sub.created_at:
                continue  # subscribed after this period began: the next one is the first
            last = await self.store.last_digest_run(sub.channel)
            if last is not None and last.period >= _iso(due):
                if _claimable(last, _iso(now)):
                    retry = await self._claim(
                        sub.channel, last.period, last.covered_from, last.covered_to, now
                    )
                    if retry is not None:  # None: another runner claimed this attempt first
                        done.append(await self._send(sub, retry, now))
                continue
            covered_from = last.covered_to if last else sub.created_at
            run = await self._claim(sub.channel, _iso(due), covered_from, _iso(now), now)
            if run is not None:  # None: another pass claimed it first
                done.append(await self._send(sub, run, now))
        if done:
            log.info("digest pass: %s", "; ".join(done))
        else:  # every minute: only when asked for (FACTDESK_LOG_LEVEL=DEBUG)
            log.debug("digest pass: nothing to send")
        return done

    async def _claim(
        self, channel: str, period: str, covered_from: str, covered_to: str, now: dt.datetime
    ) -> DigestRun | None:
        return await self.store.claim_digest_run(
            channel,
            period,
            covered_from,
            covered_to,
            owner=self.owner,
            now=_iso(now),
            lease_until=_iso(now + LEASE),
            max_attempts=MAX_ATTEMPTS,
        )

    async def _finish(self, run: DigestRun, status: str, **outcome: str | None) -> bool:
        return await self.store.finish_digest_run(
            run.channel,
            run.period,
            attempt=run.attempts,
            owner=self.owner,
            status=status,
            now=_iso(self.clock()),
            **outcome,
        )

    async def preview(self, channel: str) -> Answer:
        """What the next digest for ``channel`` would say if it were sent now."""
        now = self.clock()
        last = await self.store.last_digest_run(channel)
        subs = {s.channel: s for s in await self.store.digest_subscriptions()}
        if last is not None:
            start = last.covered_to
        elif channel in subs:
            start = subs[channel].created_at
        else:
            start = _iso(now - dt.timedelta(days=1))
        return await self._digest(start, _iso(now), now, subs.get(channel))

    async def subscribe(self, channel: str, schedule: str, timezone: str, *, origin: str, actor: str) -> None:
        check_schedule(schedule, timezone)
        await self.store.subscribe_digest(
            channel, schedule, timezone, origin=origin, actor=actor, at=_iso(self.clock())
        )

    async def send_now(self, channel: str) -> str:
        """Post the digest for ``channel`` at once, as its own period (``/digest now``)."""
        now = self.clock()
        subs = {s.channel: s for s in await self.store.digest_subscriptions()}
        sub = subs.get(channel) or Subscription(channel, "manual", "UTC", "command", _iso(now))
        last = await self.store.last_digest_run(channel)
        covered_from = last.covered_to if last else _iso(now - dt.timedelta(days=1))
        run = await self._claim(channel, _iso(now), covered_from, _iso(now), now)
        if run is None:
            return "A digest was just sent to this channel."
        return await self._send(sub, run, now, force=True)

    async def _digest(self, start: str, end: str, now: dt.datetime, sub: Subscription | None) -> Answer:
        zone = _zone(sub.timezone) if sub else dt.UTC
        today = now.astimezone(zone).date()
        title = f"factdesk digest — {today.strftime('%a %d %b %Y')}"
        return await build_digest(self.store, start=start, end=end, today=today, title=title)

    async def _send(self, sub: Subscription, run: DigestRun, now: dt.datetime, *, force: bool = False) -> str:
        label = f"{sub.channel}@{run.period}"
        answer = await self._digest(run.covered_from, run.covered_to, now, sub)
        if not answer.items:
            if self.empty == "skip" and not force:
                await self._finish(run, "empty")
                digest_done(sub.channel.partition(":")[0], "empty")
                return f"{label}: empty"
            answer.notes.insert(0, "Nothing new, corrected or retracted since the last digest.")
        platform, _, channel_id = sub.channel.partition(":")
        started = await self.store.begin_digest_post(
            sub.channel, run.period, attempt=run.attempts, owner=self.owner, now=_iso(self.clock())
        )
        if not started:  # this runner's lease ran out and another took the attempt over
            log.warning("digest %s: attempt %d taken over by another runner; not posted", label, run.attempts)
            return f"{label}: taken over"
        try:
            ref = await self.senders[platform](channel_id, answer)
        except DeliveryError as exc:
            retry = exc.transient and run.attempts < MAX_ATTEMPTS
            wait = BACKOFF[min(run.attempts - 1, len(BACKOFF) - 1)]
            next_attempt = _iso(now + dt.timedelta(seconds=wait)) if retry else None
            status = "failed" if exc.transient else "unknown"
            then = f"retry at {next_attempt}" if retry else "given up"
            log.warning("digest %s not posted (%s); %s", label, exc, then)
            await self._finish(run, status, error=str(exc)[:500], next_attempt=next_attempt)
            digest_done(platform, status)
            return f"{label}: {status}"
        await self._finish(run, "sent", message_ref=ref)
        if self.posted is not None:
            await self.posted.posted(platform, channel_id, ref, answer)
        digest_done(platform, "sent")
        return f"{label}: sent"

    async def run(self, stop: asyncio.Event, *, poll: float = 60.0) -> None:
        """Tick until ``stop``: at the next due time, and at least every ``poll`` seconds."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:  # a bad pass must not end the digests
                log.exception("digest pass failed")
                error_seen("digests")
            wait = poll
            now = self.clock()
            for sub in await self.store.digest_subscriptions():
                try:
                    until = (next_due(sub.schedule, sub.timezone, now) - now).total_seconds()
                    wait = min(wait, max(1.0, until))
                except UsageError:
                    continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):  # not wait_for: it can drop a cancellation on 3.11
                    await stop.wait()
