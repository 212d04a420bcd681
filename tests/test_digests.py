"""Scheduled digests: when they run (across DST), exactly once per period (restart, downtime,
failed posts), and what they say. The clock is injected; nothing sleeps."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.digest_scheduler import DeliveryError, DigestScheduler, latest_due, next_due
from bot.handler import Access, Context, handle
from bot.requests import Request
from facts.answers.contract import Answer
from facts.errors import UsageError
from facts.store.sqlite_store import SQLiteStore
from tests.helpers import Clock
from tests.store_backends import ENGINES

STORE_ENGINES = ENGINES  # each store test runs on SQLite and on PostgreSQL

UTC = dt.UTC


class Recorder:
    """A platform that records posts, and fails the next ones when told to."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, Answer]] = []
        self.failures: list[DeliveryError] = []

    async def __call__(self, channel_id: str, answer: Answer) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append((channel_id, answer))
        return f"m{len(self.posts)}"


def local(text: str, zone: str = "Europe/Madrid") -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("schedule", "zone", "now", "due", "following"),
    [
        # weekdays at 09:00: on a Saturday the last run was Friday's, the next is Monday's
        ("0 9 * * 1-5", "Europe/Madrid", "2026-11-28T12:00", "2026-11-27T09:00", "2026-11-30T09:00"),
        # spring forward (29 March 2026, 02:00 -> 03:00): the 02:30 run happens at 03:00, once
        ("30 2 * * *", "Europe/Madrid", "2026-03-29T03:10", "2026-03-29T03:00", "2026-03-30T02:30"),
        # fall back (25 October 2026, 03:00 -> 02:00): 02:30 comes twice, the run once
        ("30 2 * * *", "Europe/Madrid", "2026-10-25T02:45", "2026-10-25T02:30", "2026-10-26T02:30"),
        ("0 9 * * *", "America/New_York", "2026-11-24T08:59", "2026-11-23T09:00", "2026-11-24T09:00"),
    ],
)
def test_when_a_digest_is_due_is_a_pure_function_of_now(
    schedule: str, zone: str, now: str, due: str, following: str
) -> None:
    moment = local(now, zone).astimezone(UTC)
    assert latest_due(schedule, zone, moment) == local(due, zone).astimezone(UTC)
    assert next_due(schedule, zone, moment) == local(following, zone).astimezone(UTC)


def test_a_fall_back_night_has_one_run_not_two() -> None:
    start = local("2026-10-24T12:00").astimezone(UTC)
    moments = [start + dt.timedelta(minutes=15 * i) for i in range(4 * 48)]
    runs = {latest_due("30 2 * * *", "Europe/Madrid", m) for m in moments}
    days = sorted(r.astimezone(local("2026-10-24T00:00").tzinfo).date() for r in runs)
    assert days == [dt.date(2026, 10, d) for d in (24, 25, 26)]


@pytest.mark.parametrize(("schedule", "zone"), [("every morning", "UTC"), ("0 9 * * *", "Mars/Olympus")])
async def test_a_bad_schedule_or_zone_is_a_one_line_refusal(
    seeded_copy: SQLiteStore, schedule: str, zone: str
) -> None:
    scheduler = DigestScheduler(seeded_copy, {"slack": Recorder()}, Clock(dt.datetime.now(UTC)))
    with pytest.raises(UsageError):
        await scheduler.subscribe("slack:C1", schedule, zone, origin="command", actor="t")


async def test_runs_at_local_times_across_a_dst_change_once_a_day(seeded_copy: SQLiteStore) -> None:
    clock = Clock(local("2026-03-27T12:00").astimezone(UTC))
    slack = Recorder()
    scheduler = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")
    await scheduler.subscribe("slack:C1", "30 2 * * *", "Europe/Madrid", origin="command", actor="t")
    sent_at = []
    for _ in range(4 * 24 * 3):  # three days, a pass every 15 minutes
        clock.advance(minutes=15)
        before = len(slack.posts)
        await scheduler.tick()
        if len(slack.posts) > before:
            sent_at.append(clock.now.astimezone(local("2026-03-27T00:00").tzinfo).strftime("%m-%d %H:%M"))
    assert sent_at == ["03-28 02:30", "03-29 03:00", "03-30 02:30"]


async def test_a_restart_mid_period_posts_nothing_twice(seeded_copy: SQLiteStore) -> None:
    clock = Clock(dt.datetime.now(UTC).replace(minute=1, second=0, microsecond=0))
    slack = Recorder()
    first = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")
    await first.subscribe("slack:C1", "0 * * * *", "UTC", origin="command", actor="t")
    clock.advance(hours=1)
    await first.tick()
    assert len(slack.posts) == 1
    clock.advance(minutes=20)
    restarted = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")  # same store, new process
    await restarted.tick()
    await restarted.tick()
    assert len(slack.posts) == 1
    clock.advance(hours=1)
    await restarted.tick()
    assert len(slack.posts) == 2


async def test_three_missed_periods_give_one_catch_up_covering_the_gap(seeded_copy: SQLiteStore) -> None:
    clock = Clock(dt.datetime.now(UTC).replace(minute=1, second=0, microsecond=0))
    slack = Recorder()
    scheduler = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")
    await scheduler.subscribe("slack:C1", "0 * * * *", "UTC", origin="command", actor="t")
    clock.advance(hours=1)
    await scheduler.tick()
    first = await seeded_copy.last_digest_run("slack:C1")
    clock.advance(hours=3, minutes=30)  # down for three scheduled runs
    await scheduler.tick()
    await scheduler.tick()
    assert len(slack.posts) == 2
    catch_up = await seeded_copy.last_digest_run("slack:C1")
    assert first is not None and catch_up is not None
    assert catch_up.covered_from == first.covered_to  # no gap, no overlap


async def test_a_rate_limited_post_is_retried_with_backoff_and_posted_once(seeded_copy: SQLiteStore) -> None:
    clock = Clock(dt.datetime.now(UTC).replace(minute=1, second=0, microsecond=0))
    slack = Recorder()
    slack.failures = [DeliveryError("Slack: ratelimited (429)", transient=True)]
    scheduler = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")
    await scheduler.subscribe("slack:C1", "0 * * * *", "UTC", origin="command", actor="t")
    clock.advance(hours=1)
    assert (await scheduler.tick())[0].endswith("failed")
    clock.advance(seconds=30)
    assert await scheduler.tick() == []  # backing off
    clock.advance(seconds=31)
    assert (await scheduler.tick())[0].endswith("sent")
    await scheduler.tick()
    assert len(slack.posts) == 1


async def test_a_post_of_unknown_outcome_is_never_retried(seeded_copy: SQLiteStore) -> None:
    clock = Clock(dt.datetime.now(UTC).replace(minute=1, second=0, microsecond=0))
    slack = Recorder()
    slack.failures = [DeliveryError("Slack: outcome unknown", transient=False)]
    scheduler = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")
    await scheduler.subscribe("slack:C1", "0 * * * *", "UTC", origin="command", actor="t")
    clock.advance(hours=1)
    await scheduler.tick()
    clock.advance(minutes=30)
    await scheduler.tick()
    assert slack.posts == []
    run = await seeded_copy.last_digest_run("slack:C1")
    assert run is not None and run.status == "unknown"


async def test_an_empty_period_posts_nothing_or_one_line_as_configured(seeded_copy: SQLiteStore) -> None:
    for empty, expected in (("skip", 0), ("line", 1)):
        clock = Clock(dt.datetime(2031, 2, 30 - 28, 8, tzinfo=UTC))  # a day no seed event happened
        slack = Recorder()
        scheduler = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty=empty)
        await scheduler.subscribe(f"slack:C-{empty}", "0 9 * * *", "UTC", origin="command", actor="t")
        clock.advance(hours=1)
        await scheduler.tick()
        assert len(slack.posts) == expected
        if expected:
            assert slack.posts[0][1].notes[0].startswith("Nothing new, corrected or retracted")


async def test_the_digest_shows_the_corrections_made_since_the_last_one(seeded_copy: SQLiteStore) -> None:
    clock = Clock(dt.datetime.now(UTC) - dt.timedelta(minutes=10))  # subscribed before the correction
    slack = Recorder()
    scheduler = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")
    await scheduler.subscribe("slack:C1", "0 * * * *", "UTC", origin="command", actor="t")
    timeline = await handle(Request("timeline", "2019"), seeded_copy)
    fact_id = timeline.items[0].fact_id
    change = f"correct {fact_id} text='The corrected line.' note='desk check'"
    editor = Request("fact", change, actor="slack:UED")
    done = await handle(editor, seeded_copy, access=Access(admins=frozenset({"slack:UED"})))
    assert done.error is None
    clock.advance(hours=2)
    await scheduler.tick()
    digest = slack.posts[0][1]
    corrected = [i for i in digest.items if i.group == "Corrected"]
    assert [i.fact_id for i in corrected] == [fact_id]
    assert corrected[0].text == "The corrected line." and "desk check" in (corrected[0].note or "")
    assert corrected[0].citations and corrected[0].citations[0].quote


async def test_the_digest_command_previews_subscribes_and_refuses_non_editors(
    seeded_copy: SQLiteStore,
) -> None:
    clock = Clock(dt.datetime.now(UTC).replace(minute=1, second=0, microsecond=0))
    slack = Recorder()
    scheduler = DigestScheduler(seeded_copy, {"slack": slack}, clock, empty="line")
    context = Context(access=Access(admins=frozenset({"slack:UED"})), digests=scheduler)

    async def run(text: str, actor: str) -> Answer:
        return await handle(
            Request("digest", text, actor=actor, channel="slack:C9"), seeded_copy, context=context
        )

    refused = await run("subscribe 0 8 * * * Europe/Madrid", "slack:UREPORTER")
    assert refused.error is not None and refused.error.code == "forbidden"
    done = await run("subscribe 0 8 * * * Europe/Madrid", "slack:UED")
    assert done.error is None and "0 8 * * *" in done.notes[0] and "Europe/Madrid" in done.notes[0]
    subs = await seeded_copy.digest_subscriptions()
    assert [(s.channel, s.schedule, s.timezone) for s in subs] == [("slack:C9", "0 8 * * *", "Europe/Madrid")]
    preview = await run("preview", "slack:UREPORTER")
    assert preview.error is None and preview.title.startswith("factdesk digest")
    posted = await run("now", "slack:UED")
    assert posted.error is None and len(slack.posts) == 1
    bad = await run("subscribe sometimes", "slack:UED")
    assert bad.error is not None and "cron" in bad.error.message
    gone = await run("unsubscribe", "slack:UED")
    assert gone.error is None and await seeded_copy.digest_subscriptions() == []


async def test_a_channel_taken_out_of_the_settings_stops_getting_digests(seeded_copy: SQLiteStore) -> None:
    from bot.runtime.serve import Services
    from bot.settings import Settings

    base = {
        "db": seeded_copy.path,
        "slack_bot_token": "xoxb-t",
        "slack_signing_secret": "s",
        "http_port": 0,
        "http_host": "127.0.0.1",
        "slack_api_url": "http://127.0.0.1:9/api/",
    }
    for channels, expected in (
        (["slack:C1", "slack:C2"], ["slack:C1", "slack:C2"]),
        (["slack:C2"], ["slack:C2"]),
    ):
        settings = Settings(_env_file=None, digest_channels=channels, **base)  # type: ignore[call-arg, arg-type]
        services = Services(settings, seeded_copy, run_digests=False)
        await services.start(http=False)
        await services.stop()
        assert [s.channel for s in await seeded_copy.digest_subscriptions()] == expected
