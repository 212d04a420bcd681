"""One digest runner in its own process, for the digest race test.

    python -m tests.security.digest_runner STORE SLACK_API_URL

Prints ``ready``, then for every ISO time read on stdin runs one scheduler pass at that time
(the clock is the test's) and prints the pass's outcomes as one JSON line. The sender is the
real one (slack_sdk against the fake Slack on loopback).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

from bot.digest_scheduler import DigestScheduler
from bot.settings import Settings
from bot.surfaces.slack.app import slack_client, slack_sender
from facts.store.sqlite_store import open_store


async def run(db: str, api_url: str) -> None:
    settings = Settings(_env_file=None, db=db, slack_bot_token="xoxb-race", slack_api_url=api_url)  # type: ignore[call-arg, arg-type]
    store = await open_store(db, bundled_corpus=False)
    now = [dt.datetime.now(dt.UTC)]
    sender = slack_sender(slack_client(settings, wait_out_rate_limits=False))
    scheduler = DigestScheduler(store, {"slack": sender}, clock=lambda: now[0], empty="line")
    print("ready", flush=True)
    try:
        while line := await asyncio.to_thread(sys.stdin.readline):
            now[0] = dt.datetime.fromisoformat(line.strip())
            print(json.dumps(await scheduler.tick()), flush=True)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(run(sys.argv[1], sys.argv[2]))
