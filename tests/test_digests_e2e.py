"""Digests end to end: a Slack channel and a Discord channel on different schedules each get
exactly one digest per period through the fakes, across a restart, an outage and a 429, and
the digest shows a correction an editor made on Slack since the previous one."""

from __future__ import annotations

import datetime as dt

from bot.runtime.serve import Services
from facts.store.sqlite_store import SQLiteStore
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import FakeSlack, block_texts
from tests.helpers import Clock, settings_for


async def test_two_channels_get_exactly_one_digest_per_period_with_the_desks_correction(
    fakes: tuple[FakeSlack, FakeDiscord], seeded_copy: SQLiteStore
) -> None:
    slack, disc = fakes
    channel = disc.default_channel_id
    settings = settings_for(
        seeded_copy.path,
        slack=slack,
        discord=disc,
        admins=["slack:UEDITOR"],
        digest_channels=["slack:CDESK"],
        digest_schedule="0 * * * *",  # Slack: on the hour
        digest_timezone="UTC",
        digest_empty="line",
    )
    clock = Clock(dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))

    async def start() -> Services:
        services = Services(settings, seeded_copy, clock=clock, run_digests=False)
        await services.start()
        await disc.wait_ready()
        return services

    services = await start()
    try:
        # Discord's channel subscribes by command, on another schedule: at half past.
        await disc.slash_command(
            "digest",
            {"action": "subscribe", "schedule": "30 * * * *"},
            roles=[],
            user_id="1",
            channel_id=channel,
        )
        refused = await disc.wait_for(lambda: disc.followups and disc.followups[-1])
        assert "Only the desk's editors" in (refused["content"] or "")
        await services.digests.subscribe(
            f"discord:{channel}", "30 * * * *", "UTC", origin="command", actor="t"
        )

        # An editor corrects a fact on Slack.
        url = f"http://127.0.0.1:{services.http_port}/slack/events"
        answer = await seeded_copy.agreement_facts("SV")
        fact = answer[0]
        await slack.slash_command(
            url, "/fact", f"correct {fact.id} text='Desk wording.' note='checked'", user_id="UEDITOR"
        )
        await slack.wait_for(lambda: slack.responses)

        clock.advance(hours=1, minutes=40)  # past one hour mark and one half-past mark
        await services.digests.tick()
        assert len(slack.messages) == 1 and len(disc.channel_messages) == 1
        slack_digest = "\n".join(block_texts(slack.messages[0]["blocks"]))
        assert "Corrected" in slack_digest and "Desk wording." in slack_digest and "checked" in slack_digest
        discord_digest = disc.channel_messages[0]["embeds"][0]["description"]
        assert "Desk wording." in discord_digest
        assert disc.channel_messages[0]["allowed_mentions"] == {"parse": []}
    finally:
        await services.stop()

    # A restart in the same periods posts nothing again.
    services = await start()
    try:
        await services.digests.tick()
        await services.digests.tick()
        assert len(slack.messages) == 1 and len(disc.channel_messages) == 1

        # Three hours down: one catch-up each, not three.
        clock.advance(hours=3)
        await services.digests.tick()
        assert len(slack.messages) == 2 and len(disc.channel_messages) == 2

        # A 429 from Slack: retried after the backoff, posted once.
        slack.rate_limit("chat.postMessage", times=1, retry_after=1)
        clock.advance(hours=1)
        await services.digests.tick()
        assert len(slack.messages) == 2 and len(slack.ratelimited) == 1
        clock.advance(seconds=61)
        await services.digests.tick()
        await services.digests.tick()
        assert len(slack.messages) == 3
        assert not slack.rejected and not disc.rejected
    finally:
        await services.stop()
