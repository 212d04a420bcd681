"""Backpressure: a bounded number of commands in flight, per process and per user or address.

The limiter's rules table-driven, then each surface over the limit with the real SDKs against
the fakes: Slack acks at once with a private "busy" (HTTP, Socket Mode, a button), Discord
answers "busy" privately instead of deferring, ``/api/ask`` answers 429 with ``Retry-After``;
``/healthz`` and ``/metrics`` still answer; every refusal is counted. Slots are held by the
test itself (no sleeping to keep a command busy).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.backpressure import BUSY, Limiter, Slot
from bot.observability import metrics_text
from bot.settings import Settings
from facts.store.sqlite_store import SQLiteStore
from tests.conftest import running_services as running
from tests.fakes.discord import GUILD_ID, FakeDiscord
from tests.fakes.slack import FakeSlack, strip_proxy_env
from tests.helpers import settings_for

SECRET = "backpressure-secret"
FLAG_EPHEMERAL = 64
CHANNEL_MESSAGE = 4


def rejected(platform: str, scope: str) -> float:
    found = re.search(
        rf'factdesk_commands_rejected_total\{{platform="{platform}",scope="{scope}"\}} ([0-9.e+]+)',
        metrics_text().decode(),
    )
    return float(found.group(1)) if found else 0.0


# --- the limiter ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "per_key", "held", "asking", "admitted"),
    [
        (3, 2, [], "slack:U7", True),
        (3, 2, ["slack:U7"], "slack:U7", True),
        (3, 2, ["slack:U7", "slack:U7"], "slack:U7", False),  # the user's own bound
        (3, 2, ["slack:U7", "slack:U7"], "slack:U8", True),  # another user is not held back
        (3, 2, ["slack:U7", "slack:U8", "http:10.1.2.3"], "discord:55", False),  # the process's bound
        (1, 1, ["http:10.1.2.3"], "http:10.1.2.4", False),
        (5, 1, ["http:10.1.2.3"], "http:10.1.2.3", False),  # per address on /api/ask
        (5, 1, ["http:10.1.2.3"], "http:10.1.2.30", True),
    ],
)
def test_the_limiter_admits_within_both_bounds_only(
    total: int, per_key: int, held: list[str], asking: str, admitted: bool
) -> None:
    limiter = Limiter(total, per_key)
    slots = [limiter.try_acquire(key) for key in held]
    assert all(slots)
    assert (limiter.try_acquire(asking) is not None) is admitted


def test_a_released_slot_is_free_again_and_releasing_twice_frees_one() -> None:
    limiter = Limiter(2, 2)
    first = limiter.try_acquire("slack:U1")
    second = limiter.try_acquire("slack:U1")
    assert first and second and limiter.try_acquire("slack:U1") is None
    first.release()
    first.release()
    assert limiter.in_flight == 1
    with limiter.try_acquire("slack:U1") as third:
        assert isinstance(third, Slot) and limiter.try_acquire("slack:U1") is None
    assert limiter.in_flight == 1


def test_a_refusal_is_counted_by_platform_and_bound() -> None:
    limiter = Limiter(2, 1)
    held = [limiter.try_acquire("discord:9")]
    before = (rejected("discord", "user"), rejected("slack", "process"))
    assert limiter.try_acquire("discord:9") is None  # the user's bound
    held.append(limiter.try_acquire("slack:U2"))
    assert limiter.try_acquire("slack:U3") is None  # the process's bound
    assert all(held)
    assert (rejected("discord", "user"), rejected("slack", "process")) == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(("total", "per_key"), [(0, 1), (1, 0), (-3, 2)])
def test_limits_below_one_are_refused(total: int, per_key: int) -> None:
    with pytest.raises(ValueError):
        Limiter(total, per_key)


@pytest.mark.parametrize(
    ("env", "value"),
    [("max_inflight", 0), ("max_inflight_per_user", 0), ("max_inflight", 10_001)],
)
def test_settings_refuse_limits_out_of_range(env: str, value: int) -> None:
    with pytest.raises(ValueError):
        Settings(_env_file=None, **{env: value})  # type: ignore[call-arg]


def test_the_defaults_are_documented_ones() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (settings.max_inflight, settings.max_inflight_per_user) == (32, 4)


# --- /api/ask, /healthz, /metrics ----------------------------------------------------------------


async def get(url: str) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, dict(resp.headers), await resp.text()


async def test_api_ask_over_the_address_limit_is_429_with_retry_after_and_the_busy_error(
    seeded_copy: SQLiteStore,
) -> None:
    async with running(settings_for(seeded_copy.path, max_inflight_per_user=2), seeded_copy) as services:
        base = f"http://127.0.0.1:{services.http_port}"
        held = [services.limiter.try_acquire("http:127.0.0.1") for _ in range(2)]
        before = rejected("http", "user")
        status, headers, body = await get(f"{base}/api/ask?command=/timeline%202019")
        for slot in held:
            assert slot is not None
            slot.release()
        after_status, _, _ = await get(f"{base}/api/ask?command=/timeline%202019")
    assert status == 429 and headers["Retry-After"] == "1"
    answer = json.loads(body)
    assert answer["error"] == {"code": "busy", "message": BUSY} and answer["items"] == []
    assert rejected("http", "user") == before + 1
    assert after_status == 200


async def test_healthz_and_metrics_answer_while_every_slot_is_taken(seeded_copy: SQLiteStore) -> None:
    async with running(settings_for(seeded_copy.path, max_inflight=3), seeded_copy) as services:
        base = f"http://127.0.0.1:{services.http_port}"
        held = [services.limiter.try_acquire(f"slack:U{i}") for i in range(3)]
        assert all(held)
        ask, _, _ = await get(f"{base}/api/ask?command=/timeline%202019")
        health, _, health_body = await get(f"{base}/healthz")
        metrics, _, metrics_body = await get(f"{base}/metrics")
    assert ask == 429
    assert health == 200 and '"store": "ok"' in health_body
    assert metrics == 200 and "factdesk_commands_rejected_total" in metrics_body


# --- Slack -------------------------------------------------------------------------------------


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    strip_proxy_env(monkeypatch)
    async with FakeSlack(signing_secret=SECRET) as fake:
        yield fake


@pytest.mark.parametrize(
    ("limits", "held", "scope"),
    [
        ({"max_inflight_per_user": 2}, ["slack:U1", "slack:U1"], "user"),
        ({"max_inflight": 2}, ["discord:5", "http:10.0.0.9"], "process"),
    ],
)
async def test_a_slack_command_over_the_limit_is_acked_at_once_with_a_private_busy_reply(
    slack: FakeSlack, seeded_copy: SQLiteStore, limits: dict[str, int], held: list[str], scope: str
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack, **limits), seeded_copy) as services:
        url = f"http://127.0.0.1:{services.http_port}/slack/events"
        slots = [services.limiter.try_acquire(key) for key in held]
        before = rejected("slack", scope)
        busy = await slack.slash_command(url, "/timeline", "2019", user_id="U1")
        for slot in slots:
            assert slot is not None
            slot.release()
        answered = await slack.slash_command(url, "/timeline", "2019", user_id="U1")
        await slack.wait_for(lambda: slack.responses)
    assert busy.status == 200 and busy.elapsed < 3.0
    assert json.loads(busy.body) == {"response_type": "ephemeral", "text": BUSY}
    assert rejected("slack", scope) == before + 1
    assert answered.status == 200 and answered.body == ""
    assert [r["trigger_id"] for r in slack.responses] == [answered.trigger_id]


async def test_a_button_over_the_limit_says_busy_privately(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(
        settings_for(seeded_copy.path, slack=slack, max_inflight_per_user=1), seeded_copy
    ) as services:
        url = f"http://127.0.0.1:{services.http_port}/slack/events"
        held = services.limiter.try_acquire("slack:U1")
        value = '{"c": "/timeline 2019", "o": 0}'
        delivery = await slack.block_action(url, "factdesk_more", value, user_id="U1")
        reply = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        assert held is not None
    assert delivery.status == 200
    assert reply["text"] == BUSY and reply["response_type"] == "ephemeral"
    assert reply["replace_original"] is False


async def test_a_socket_mode_command_over_the_limit_gets_busy_in_its_ack(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    settings = settings_for(
        seeded_copy.path, slack=slack, slack_signing_secret=None, slack_app_token="xapp-busy",
        max_inflight_per_user=1,
    )
    async with running(settings, seeded_copy) as services:
        await slack.wait_connected(1)
        held = services.limiter.try_acquire("slack:U1")
        envelope = await slack.socket_slash_command("/timeline", "2019", user_id="U1")
        ack = await slack.wait_for(lambda: slack.acks.get(envelope) and slack.acks[envelope][0])
        assert held is not None
    assert ack.payload == {"response_type": "ephemeral", "text": BUSY}
    assert slack.ack_latency(envelope) < 3.0
    assert slack.responses == []


# --- Discord ---------------------------------------------------------------------------------------


@pytest.fixture
async def discord_fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    import discord

    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    async with FakeDiscord(clock=time.monotonic) as server:
        yield server


async def test_a_discord_command_over_the_limit_gets_an_ephemeral_busy_reply(
    discord_fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        db=seeded_copy.path,
        discord_token="fake-token",
        discord_guild_ids=[int(GUILD_ID)],
        discord_api_url=discord_fake.api_url,
        discord_gateway_url=discord_fake.gateway_url,
        max_inflight_per_user=1,
    )
    async with running(settings, seeded_copy) as services:
        await discord_fake.wait_ready()
        held = services.limiter.try_acquire("discord:" + str(_discord_user_id()))
        before = rejected("discord", "user")
        await discord_fake.slash_command("timeline", {"year": 2019})
        callback = await discord_fake.wait_for(lambda: discord_fake.callbacks and discord_fake.callbacks[0])
        assert held is not None
    assert callback["type"] == CHANNEL_MESSAGE
    assert callback["data"]["content"] == BUSY and callback["data"]["flags"] & FLAG_EPHEMERAL
    assert rejected("discord", "user") == before + 1
    assert discord_fake.followups == []


def _discord_user_id() -> str:
    from tests.fakes.discord import USER_ID

    return USER_ID
