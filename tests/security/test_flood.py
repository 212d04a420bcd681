"""A flood against a real ``factdesk serve`` process, on loopback, for a few seconds.

Three thousand commands in three seconds, half ``/api/ask`` and half signed Slack slash
commands (from fifty users), while ``/healthz`` is polled every 100 ms on its own connection:
``/healthz`` answers within a second throughout, every command gets an answer or a busy
refusal (a 429, or a Slack ack saying busy), every accepted Slack command is answered through
its response_url, and the server's rejection counter counts exactly the refusals seen.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from benchmarks.flood import Receiver, flood
from tests.conftest import reap, start_serve

SECRET = "flood-signing-secret"
COMMANDS = 3000
SECONDS = 3.0


@pytest.fixture
async def serving(seeded_db_path: Path, tmp_path: Path) -> AsyncIterator[tuple[str, Receiver]]:
    """A ``factdesk serve`` subprocess (Slack over HTTP) whose Slack is a loopback receiver."""
    receiver = await Receiver().start()
    db = tmp_path / "flood.db"
    shutil.copy(seeded_db_path, db)
    proc = await start_serve(
        tmp_path,
        db,
        stderr=asyncio.subprocess.DEVNULL,  # a flood logs more than a pipe nobody reads can hold
        FACTDESK_SLACK_BOT_TOKEN="xoxb-flood",
        FACTDESK_SLACK_SIGNING_SECRET=SECRET,
        FACTDESK_SLACK_API_URL=receiver.api_url,
        FACTDESK_LOG_LEVEL="WARNING",
    )
    try:
        assert proc.stdout is not None
        banner = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        port = re.search(r"port (\d+)", banner)
        assert port, banner
        yield f"http://127.0.0.1:{port.group(1)}", receiver
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        await reap(proc)
        await receiver.stop()


async def test_a_flood_is_answered_or_refused_as_busy_and_healthz_keeps_answering(
    serving: tuple[str, Receiver],
) -> None:
    base, receiver = serving
    report = await flood(
        base, receiver, commands=COMMANDS, seconds=SECONDS, slack_secret=SECRET, connections=300
    )
    summary = "; ".join(report.lines() + report.failures)
    assert report.failed == 0, summary
    assert report.accepted + report.rejected == COMMANDS, summary
    assert report.rejected > 0 and report.accepted > 0, summary  # the limiter was reached
    assert report.answered == report.accepted, summary
    assert report.rejected_metric == report.rejected, summary
    assert report.health_failures == 0, summary
    assert len(report.health_latencies) >= SECONDS / 0.1 * 0.5, summary  # polled throughout
    assert report.health_max < 1.0, summary
