"""Discord at scale: FACTDESK_DISCORD_SHARDS runs the gateway as discord.py's AutoShardedClient,
FACTDESK_DISCORD_SHARD_IDS splits the shards between processes.

The settings are checked as the environment gives them; the end-to-end tests run factdesk's own
services with the real discord.py against the fake Discord, which holds one session per shard and
sends each guild's events on its shard only, as Discord does.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest
from discord.gateway import KeepAliveHandler

from bot.desk import Desk
from bot.runtime.cli import main
from bot.runtime.serve import Services
from bot.settings import load_settings
from bot.surfaces.discord.app import FactdeskDiscord
from bot.surfaces.discord.identify_pacing import IdentifyPacer
from bot.surfaces.discord.sharding import discord_client, shards_shown
from facts.store.sqlite_store import SQLiteStore
from tests.fakes.discord import GUILD_ID, FakeDiscord
from tests.helpers import ManualClock, settings_for

OTHER_GUILD = str(int(GUILD_ID) + (1 << 22))  # GUILD_ID is on shard 1 of 2, this one on shard 0
BOTH_GUILDS = [int(GUILD_ID), int(OTHER_GUILD)]
READY_SECONDS = 3.0  # less than the 5 s discord.py's own hook waits before a second shard


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "shards", "shard_ids", "problems"),
    [
        ({}, None, None, []),
        ({"SHARDS": "4"}, 4, None, []),
        ({"SHARDS": "4", "SHARD_IDS": "0,1"}, 4, [0, 1], []),
        ({"SHARDS": "8", "SHARD_IDS": "0-3"}, 8, [0, 1, 2, 3], []),
        ({"SHARDS": "8", "SHARD_IDS": " 6, 0-1 ,1"}, 8, [0, 1, 6], []),
        ({"SHARDS": "1", "SHARD_IDS": "0"}, 1, [0], []),
        ({"SHARD_IDS": "0,1"}, None, None, ["SHARD_IDS: shard ids need FACTDESK_DISCORD_SHARDS"]),
        ({"SHARDS": "2", "SHARD_IDS": "2"}, 2, None, ["SHARD_IDS: shard 2 is not within 0-1"]),
        ({"SHARDS": "2", "SHARD_IDS": "0-3"}, 2, None, ["SHARD_IDS: shard 2 is not within 0-1"]),
        ({"SHARDS": "2", "SHARD_IDS": "one"}, 2, None, ["SHARD_IDS: shard ids are numbers or ranges"]),
        ({"SHARDS": "2", "SHARD_IDS": "-1"}, 2, None, ["SHARD_IDS: shard ids are numbers or ranges"]),
        ({"SHARDS": "4", "SHARD_IDS": "3-1"}, 4, None, ["SHARD_IDS: the range 3-1 runs backwards"]),
        ({"SHARDS": "2", "SHARD_IDS": ","}, 2, None, ["SHARD_IDS: no shard id given"]),
        ({"SHARDS": "0"}, None, None, ["SHARDS: Input should be greater than or equal to 1"]),
        # the count unusable, the ids are too (rather than a crash, or every shard run)
        (
            {"SHARDS": "two", "SHARD_IDS": "0"},
            None,
            None,
            ["SHARDS: Input should be a valid integer", "SHARD_IDS: shard ids need FACTDESK_DISCORD_SHARDS"],
        ),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_shard_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    env: dict[str, str],
    shards: int | None,
    shard_ids: list[int] | None,
    problems: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file
    for name, value in env.items():
        monkeypatch.setenv(f"FACTDESK_DISCORD_{name}", value)
    settings, found = load_settings()
    # one line per problem naming the variable; a setting that cannot be used is left at its default
    assert (settings.discord_shards, settings.discord_shard_ids) == (shards, shard_ids)
    assert len(found) == len(problems), found
    for line, expected in zip(found, problems, strict=True):
        assert line.startswith(f"FACTDESK_DISCORD_{expected}") and "\n" not in line


def test_shard_ids_without_a_count_stop_factdesk_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FACTDESK_DISCORD_SHARD_IDS", "0-1")
    assert main(["--db", str(tmp_path / "never.db"), "sources"]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    reason = "shard ids need FACTDESK_DISCORD_SHARDS, the total number of shards"
    assert errors == [f"error: FACTDESK_DISCORD_SHARD_IDS: {reason}"]
    assert not (tmp_path / "never.db").exists()


async def test_the_client_is_auto_sharded_only_when_shards_are_set(seeded_copy: SQLiteStore) -> None:
    desk = Desk(seeded_copy)
    plain = discord_client(settings_for(seeded_copy.path), desk)
    assert type(plain) is FactdeskDiscord and not isinstance(plain, discord.AutoShardedClient)
    sharded = discord_client(settings_for(seeded_copy.path, discord_shards=4, discord_shard_ids="2-3"), desk)
    assert isinstance(sharded, discord.AutoShardedClient) and isinstance(sharded, FactdeskDiscord)
    assert (sharded.shard_count, sharded.shard_ids) == (4, [2, 3])
    every = discord_client(settings_for(seeded_copy.path, discord_shards=2), desk)
    assert isinstance(every, discord.AutoShardedClient)
    assert (every.shard_count, every.shard_ids) == (2, None)  # None: discord.py runs them all


@pytest.mark.parametrize(
    ("shards", "ids", "shown"),
    [
        (None, None, ""),
        (2, None, "shards 0-1 of 2"),
        (8, "0-3,6", "shards 0-3,6 of 8"),
        (2, "1", "shard 1 of 2"),
    ],
)
def test_the_surface_line_names_the_shards(
    tmp_path: Path, shards: int | None, ids: str | None, shown: str
) -> None:
    settings = settings_for(str(tmp_path / "s.db"), discord_shards=shards, discord_shard_ids=ids)
    assert shards_shown(settings) == shown


# --- when each shard may IDENTIFY ------------------------------------------------------------------


class Sleeps:
    """An injected sleep: records each wait and moves the clock by it, without waiting."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


async def test_shards_in_different_buckets_identify_at_once_and_a_bucket_once_per_window() -> None:
    clock = ManualClock()
    sleeps = Sleeps(clock)
    pacer = IdentifyPacer(2, clock=clock, sleep=sleeps)
    await pacer.wait(0)
    await pacer.wait(1)  # bucket 1: no wait
    assert sleeps.waits == []
    clock.advance(1.0)
    await pacer.wait(2)  # bucket 0 again: the rest of shard 0's window
    assert sleeps.waits == [4.0]
    await pacer.wait(3)  # bucket 1: its window ended while shard 2 waited
    assert sleeps.waits == [4.0]


async def test_one_at_a_time_when_discord_allows_one_and_a_second_identify_waits_a_window() -> None:
    clock = ManualClock()
    sleeps = Sleeps(clock)
    pacer = IdentifyPacer(1, clock=clock, sleep=sleeps)
    for shard in (0, 1, 2):
        await pacer.wait(shard)
    assert sleeps.waits == [5.0, 5.0]
    clock.advance(60.0)
    await pacer.wait(1)  # its session was invalidated: Discord asks for a pause first
    assert sleeps.waits == [5.0, 5.0, 5.0]


# --- end to end ------------------------------------------------------------------------------------


@pytest.fixture
def discord_urls_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """factdesk points discord.py at the fake from its settings; the real urls come back afterwards."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )


def two_guilds_on_two_shards(max_concurrency: int) -> FakeDiscord:
    guilds = (GUILD_ID, OTHER_GUILD)
    return FakeDiscord(clock=time.monotonic, guild_ids=guilds, shards=2, max_concurrency=max_concurrency)


@pytest.fixture
async def fake(discord_urls_restored: None) -> AsyncIterator[FakeDiscord]:
    async with two_guilds_on_two_shards(max_concurrency=2) as server:
        yield server


async def answered(fake: FakeDiscord, count: int) -> dict[str, object]:
    await fake.wait_for(lambda: len(fake.followups) >= count)
    return fake.followups[count - 1]


async def test_one_process_with_two_shards_opens_both_and_answers_a_guild_on_shard_one(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    settings = settings_for(seeded_copy.path, discord=fake, discord_shards=2, discord_guild_ids=BOTH_GUILDS)
    services = Services(settings, seeded_copy, run_digests=False)
    await services.start(http=False)
    try:
        await fake.wait_ready(READY_SECONDS, shards=[0, 1])
        assert sorted(fake.identified_shards) == [(0, 2), (1, 2)]
        assert fake.identifies == 2 and fake.connections == 2
        assert fake.shard_of(GUILD_ID) == 1
        interaction = await fake.slash_command("agreement", {"country": "el-salvador"}, guild_id=GUILD_ID)
        followup = await answered(fake, 1)
    finally:
        await services.stop()
    record = fake.interactions[interaction]
    assert record.shard == 1 and record.deferred
    assert followup["interaction_id"] == interaction and followup["embeds"]
    assert "discord (shards 0-1 of 2)" in services.surfaces


async def test_two_processes_each_open_their_own_shard_and_answer_the_guild_routed_to_it(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    def one_shard(shard: str) -> Services:
        settings = settings_for(
            seeded_copy.path,
            discord=fake,
            discord_shards=2,
            discord_shard_ids=shard,
            discord_guild_ids=BOTH_GUILDS,
        )
        return Services(settings, seeded_copy, run_digests=False)

    zero, one = one_shard("0"), one_shard("1")
    await zero.start(http=False)
    await one.start(http=False)
    try:
        await fake.wait_ready(READY_SECONDS, shards=[0, 1])
        assert sorted(fake.identified_shards) == [(0, 2), (1, 2)] and fake.identifies == 2
        assert set(zero.discord.shards) == {0} and set(one.discord.shards) == {1}
        # READY and GUILD_CREATE gave each process the guilds of its own shard only
        assert zero.discord.get_guild(int(OTHER_GUILD)) and not zero.discord.get_guild(int(GUILD_ID))
        assert one.discord.get_guild(int(GUILD_ID)) and not one.discord.get_guild(int(OTHER_GUILD))
        on_zero = await fake.slash_command("timeline", {"year": 2020}, guild_id=OTHER_GUILD)
        on_one = await fake.slash_command("agreement", {"country": "el-salvador"}, guild_id=GUILD_ID)
        await answered(fake, 2)

        await zero.stop()  # shard 0 has nobody now; shard 1 still answers
        await fake.wait_for(lambda: fake.live_shards() == [1])
        with pytest.raises(RuntimeError, match="no gateway session for shard 0"):
            await fake.slash_command("timeline", {"year": 2020}, guild_id=OTHER_GUILD)
        again = await fake.slash_command("timeline", {"year": 2019}, guild_id=GUILD_ID)
        await answered(fake, 3)
    finally:
        await one.stop()
        await zero.stop()
    assert (fake.interactions[on_zero].shard, fake.interactions[on_one].shard) == (0, 1)
    answered_ids = {f["interaction_id"] for f in fake.followups}
    assert answered_ids == {on_zero, on_one, again}
    assert "discord (shard 0 of 2)" in zero.surfaces and "discord (shard 1 of 2)" in one.surfaces


async def test_rest_only_with_shards_set_connects_no_gateway(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    settings = settings_for(seeded_copy.path, discord=fake, discord_shards=2, discord_gateway=False)
    services = Services(settings, seeded_copy, run_digests=False)
    await services.start(http=False)
    try:
        assert services.discord.is_closed() is False and services.discord.user is not None  # logged in
    finally:
        await services.stop()
    assert fake.connections == 0 and fake.identifies == 0
    assert "discord (REST only)" in services.surfaces


async def test_stopping_while_a_shard_waits_its_turn_to_identify_returns_at_once(
    discord_urls_restored: None, seeded_copy: SQLiteStore
) -> None:
    """One IDENTIFY every five seconds (max_concurrency 1): shard 1 is connected and waiting when
    factdesk stops. discord.py alone would retry launching it every five seconds, for ever."""
    async with two_guilds_on_two_shards(max_concurrency=1) as fake:
        settings = settings_for(seeded_copy.path, discord=fake, discord_shards=2)
        services = Services(settings, seeded_copy, run_digests=False)
        await services.start(http=False)
        try:
            await fake.wait_ready(shards=[0])
            await fake.wait_for(lambda: fake.connections == 2)  # shard 1 has its HELLO, not its turn
        finally:
            await asyncio.wait_for(services.stop(), 2.0)
    assert fake.identified_shards == [(0, 2)]
    # No heartbeat thread of shard 1 (it had its HELLO) outlives factdesk, to wake on a closed loop.
    loop = asyncio.get_running_loop()
    beating = [t for t in threading.enumerate() if isinstance(t, KeepAliveHandler) and t.ws.loop is loop]
    for thread in beating:
        thread.join(timeout=5)
    assert not [t for t in beating if t.is_alive()]
