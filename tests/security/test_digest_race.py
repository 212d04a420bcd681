"""The digest race: two runner processes on one store, Slack answering the first post of each
period with a 429. Each period is posted exactly once: the first attempt and the retry are each
claimed atomically in the store, so only one runner sends each attempt."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from pathlib import Path

from bot.digest_scheduler import DigestScheduler
from facts.store.sqlite_store import SQLiteStore
from tests.fakes.slack import PROXY_ENV_VARS, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 4  # periods, each with a 429 and a retry raced by both runners


class Runner:
    """A ``tests.security.digest_runner`` process, driven one pass at a time."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, db: str, api_url: str) -> Runner:
        env = {
            k: v for k, v in os.environ.items() if k not in PROXY_ENV_VARS and not k.startswith("FACTDESK_")
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.security.digest_runner",
            db,
            api_url,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        runner = cls(proc)
        assert await runner._line() == "ready"
        return runner

    async def _line(self) -> str:
        assert self.proc.stdout is not None
        return (await asyncio.wait_for(self.proc.stdout.readline(), timeout=60)).decode().strip()

    def send(self, moment: dt.datetime) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{moment.isoformat()}\n".encode())

    async def outcome(self) -> list[str]:
        return json.loads(await self._line())

    async def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), timeout=20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()


async def both_tick(runners: list[Runner], moment: dt.datetime) -> list[str]:
    """One pass in every runner at once (both read the store before either posts)."""
    for runner in runners:
        runner.send(moment)
    results = await asyncio.gather(*(r.outcome() for r in runners))
    return sorted(line.rpartition(": ")[2] for lines in results for line in lines)


async def test_two_runners_post_each_period_once_through_a_429(seeded_copy: SQLiteStore) -> None:
    start = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) - dt.timedelta(
        hours=ROUNDS + 1
    )
    await DigestScheduler(seeded_copy, {}, clock=lambda: start).subscribe(
        "slack:CRACE", "0 * * * *", "UTC", origin="command", actor="t"
    )
    async with FakeSlack() as slack:
        runners = [await Runner.start(seeded_copy.path, slack.api_url) for _ in range(2)]
        try:
            for k in range(1, ROUNDS + 1):
                period = start + dt.timedelta(hours=k)
                slack.rate_limit("chat.postMessage", times=1, retry_after=1)
                assert await both_tick(runners, period + dt.timedelta(minutes=1)) == ["failed"]
                assert await both_tick(runners, period + dt.timedelta(minutes=1, seconds=62)) == ["sent"]
                assert await both_tick(runners, period + dt.timedelta(minutes=5)) == []
                assert len(slack.messages) == k, f"period {k}: {len(slack.messages) - k + 1} posts"
        finally:
            for runner in runners:
                await runner.close()
    assert len(slack.ratelimited) == ROUNDS
    assert all(m["channel"] == "CRACE" for m in slack.messages)
