"""Replicas end to end: two real ``factdesk serve`` processes on one PostgreSQL database, the
fake Slack in front of them, as a load balancer would spread Slack's requests.

Checked: a slash command answered by either replica; a redelivery sent to the other replica
answered once; a correction made through one replica answered by the other; and two channels'
digests posted once each across a kill -9 of one replica while its post was on the wire and a
restart of the other. Digests run on the replicas' own clocks: each channel is subscribed from
three hours back, so a catch-up is due the moment a replica starts, and each replica says (at
DEBUG) when its pass is over; nothing waits on time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from bot.digest_scheduler import DigestScheduler
from facts.store.opening import open_store
from tests.conftest import reap, start_serve
from tests.fakes.slack import FakeSlack

STORE_ENGINES = ("postgresql",)  # seeded_db: a copy of the seeded database, for these replicas
CHANNELS = ("CNORTH", "CSOUTH")
PASS_DONE = re.compile(r"digest pass: ")


class Replica:
    """One ``factdesk serve`` process: its HTTP port, and its log lines as they come."""

    def __init__(self, name: str, proc: Any, port: int) -> None:
        self.name, self.proc, self.port = name, proc, port
        self.lines: list[str] = []
        self.passes = asyncio.Event()  # set once a digest pass has ended
        self._wanted, self._heard = "", asyncio.Event()  # a line waited for (said)
        self._reader = asyncio.create_task(self._read())

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        while line := await self.proc.stderr.readline():
            text = line.decode(errors="replace").rstrip()
            self.lines.append(text)
            if self._wanted and self._wanted in text:
                self._heard.set()
            if PASS_DONE.search(text):
                self.passes.set()

    async def said(self, text: str) -> None:
        """Wait until the replica has logged a line holding ``text``."""
        self._wanted, self._heard = text, asyncio.Event()
        if not any(text in line for line in self.lines):
            await asyncio.wait_for(self._heard.wait(), timeout=30)

    async def first_pass(self) -> None:
        await asyncio.wait_for(self.passes.wait(), timeout=60)

    async def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.proc.wait(), timeout=30)
        await self._reader
        return int(code)

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        self._reader.cancel()
        with suppress(asyncio.CancelledError):
            await self._reader


async def start_replica(name: str, tmp_path: Path, db: str, slack: FakeSlack) -> Replica:
    proc = await start_serve(
        tmp_path,
        db,  # type: ignore[arg-type]  (a url: start_serve passes it through as FACTDESK_DB)
        FACTDESK_SLACK_BOT_TOKEN="xoxb-replica",
        FACTDESK_SLACK_SIGNING_SECRET=slack.signing_secret,
        FACTDESK_SLACK_API_URL=slack.api_url,
        FACTDESK_ADMINS="slack:UEDITOR",
        FACTDESK_DIGEST_EMPTY="line",
        FACTDESK_LOG_LEVEL="DEBUG",
    )
    assert proc.stdout is not None
    first = (await asyncio.wait_for(proc.stdout.readline(), timeout=60)).decode()
    found = re.search(r"http \(port (\d+)\)", first)
    if found is None:
        await reap(proc)
        pytest.fail(f"replica {name} did not start: {first!r}")
    return Replica(name, proc, int(found[1]))


@asynccontextmanager
async def replicas_cleaned_up() -> AsyncIterator[list[Replica]]:
    started: list[Replica] = []
    try:
        yield started
    finally:
        for replica in started:
            await reap(replica.proc)
            replica._reader.cancel()


def digests_to(slack: FakeSlack, channel: str) -> int:
    return sum(
        1
        for method, payload in slack.calls
        if method == "chat.postMessage" and payload.get("channel") == channel
    )


async def test_two_replicas_on_one_database(seeded_db: str, tmp_path: Path) -> None:
    store = await open_store(seeded_db)
    three_hours_ago = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=3)
    scheduler = DigestScheduler(store, {}, clock=lambda: three_hours_ago)
    for channel in CHANNELS:
        await scheduler.subscribe(f"slack:{channel}", "0 * * * *", "UTC", origin="command", actor="t")

    async with FakeSlack() as slack, replicas_cleaned_up() as running:
        # 1. One replica alone posts the first channel's catch-up; the reply never reaches it (held),
        #    and it is killed while waiting: the outcome is unknown to everyone.
        slack.hold("chat.postMessage")
        south = await start_replica("south", tmp_path, seeded_db, slack)
        running.append(south)
        await slack.wait_for(lambda: digests_to(slack, CHANNELS[0]) == 1, timeout=30)
        await south.kill()
        running.remove(south)
        slack.release("chat.postMessage")

        # 2. Two replicas start together: the killed one's channel is not posted again; the other
        #    channel is posted by exactly one of them.
        north, south = await asyncio.gather(
            start_replica("north", tmp_path, seeded_db, slack),
            start_replica("south", tmp_path, seeded_db, slack),
        )
        running += [north, south]
        await asyncio.gather(north.first_pass(), south.first_pass())
        assert [digests_to(slack, c) for c in CHANNELS] == [1, 1]

        # 3. A slash command is answered by either replica.
        for replica in (north, south):
            before = len(slack.responses)
            delivery = await slack.slash_command(replica.events_url, "/agreement", "el-salvador")
            assert delivery.status == 200
            answer = await slack.wait_for(
                lambda before=before: len(slack.responses) > before and slack.responses[-1]
            )
            assert answer["blocks"][0]["text"]["text"] == "Agreements with El Salvador"

        # 4. Slack redelivers a command to the other replica (the first ack was slow): answered once.
        body, headers = slack.slash_command_request("/timeline", "2019")
        first = await slack.post(north.events_url, body, headers)
        again = await slack.post(
            south.events_url,
            body,
            {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert (first.status, again.status) == (200, 200)
        trigger = dict(pair.split("=", 1) for pair in body.split("&"))["trigger_id"]
        await slack.wait_for(lambda: any(r["trigger_id"] == trigger for r in slack.responses))
        await south.said(f"Slack delivery {trigger} was handled already")
        assert sum(r["trigger_id"] == trigger for r in slack.responses) == 1

        # 5. An editor's correction through one replica is what the other answers.
        facts = await store.agreement_facts("SV")
        fact = facts[0]
        before = len(slack.responses)
        await slack.slash_command(
            north.events_url,
            "/fact",
            f"correct {fact.id} text='Desk wording of the accord.' note=checked",
            user_id="UEDITOR",
        )
        corrected = await slack.wait_for(lambda: len(slack.responses) > before and slack.responses[-1])
        assert "Desk wording of the accord." in str(corrected)
        before = len(slack.responses)
        await slack.slash_command(south.events_url, "/fact", f"show {fact.id}")
        shown = await slack.wait_for(lambda: len(slack.responses) > before and slack.responses[-1])
        assert "Desk wording of the accord." in str(shown)

        # 6. One replica restarts: its first pass after the restart posts nothing again.
        assert await north.stop() == 0
        running.remove(north)
        north = await start_replica("north", tmp_path, seeded_db, slack)
        running.append(north)
        await north.first_pass()
        assert [digests_to(slack, c) for c in CHANNELS] == [1, 1]
        # The killed replica's post stays as it was left (its outcome unknown: never retried).
        runs = [await store.last_digest_run(f"slack:{c}") for c in CHANNELS]
        assert [r.status if r else None for r in runs] == ["sending", "sent"]
        for replica in list(running):
            assert await replica.stop() == 0
            running.remove(replica)
    await store.close()
