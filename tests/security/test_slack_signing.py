"""Slack requests an attacker (or a careless operator) could send: forged, stale, unsigned,
malformed headers, replays and redeliveries, against the real slack-bolt app and the fake Slack.

Each bad request is refused with 401 (never a 500 or a traceback), answers nothing, and the
service keeps serving. HTTP mode does not start without a signing secret. A delivery is
answered once, also when it comes again after a restart (the claim is in the store).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.runtime.serve import Services
from bot.settings import SetupError
from bot.surfaces.slack.app import UNSIGNED_HTTP
from facts.store.sqlite_store import SQLiteStore, open_store
from tests.conftest import reap, start_serve
from tests.conftest import running_services as running
from tests.conftest import slack_events_url as events_url
from tests.fakes.slack import STALE_TIMESTAMP_AGE_SECONDS, FakeSlack, strip_proxy_env
from tests.helpers import settings_for

SECRET = "security-signing-secret"

Headers = dict[str, str]


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    strip_proxy_env(monkeypatch)
    async with FakeSlack(signing_secret=SECRET) as fake:
        yield fake


def hmac_v0(secret: str, timestamp: str, body: bytes) -> str:
    return (
        "v0="
        + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    )


def forged(body: bytes, h: Headers) -> Headers:
    return {**h, "X-Slack-Signature": hmac_v0("a-guessed-secret", h["X-Slack-Request-Timestamp"], body)}


def stale(body: bytes, h: Headers) -> Headers:
    old = str(int(h["X-Slack-Request-Timestamp"]) - STALE_TIMESTAMP_AGE_SECONDS)
    return {**h, "X-Slack-Request-Timestamp": old, "X-Slack-Signature": hmac_v0(SECRET, old, body)}


def without(*names: str) -> Callable[[bytes, Headers], Headers]:
    return lambda body, h: {k: v for k, v in h.items() if k not in names}


def with_header(name: str, value: str) -> Callable[[bytes, Headers], Headers]:
    return lambda body, h: {**h, name: value}


TAMPERED = [
    pytest.param(forged, id="signed with another secret"),
    pytest.param(stale, id="correctly signed, seven minutes old"),
    pytest.param(without("X-Slack-Signature", "X-Slack-Request-Timestamp"), id="unsigned"),
    pytest.param(without("X-Slack-Signature"), id="no signature"),
    pytest.param(without("X-Slack-Request-Timestamp"), id="no timestamp"),
    pytest.param(with_header("X-Slack-Request-Timestamp", "soon"), id="timestamp is a word"),
    pytest.param(with_header("X-Slack-Request-Timestamp", "17e8"), id="timestamp in exponent form"),
    pytest.param(with_header("X-Slack-Request-Timestamp", ""), id="timestamp empty"),
    pytest.param(with_header("X-Slack-Request-Timestamp", "9" * 40), id="timestamp of forty digits"),
    pytest.param(with_header("X-Slack-Signature", "v0=not-hex"), id="signature garbled"),
    pytest.param(with_header("X-Slack-Signature", "v1=" + "0" * 64), id="signature of another version"),
    pytest.param(with_header("X-Slack-Signature", "v0=" + "ÿ" * 64), id="signature not ascii"),
]


@pytest.mark.parametrize("tamper", TAMPERED)
async def test_a_tampered_request_gets_401_answers_nothing_and_the_service_keeps_serving(
    slack: FakeSlack, seeded_copy: SQLiteStore, tamper: Callable[[bytes, Headers], Headers]
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        body, headers = slack.slash_command_request("/agreement", "el-salvador")
        refused = await slack.post(events_url(services), body, tamper(body.encode(), headers))
        good = await slack.slash_command(events_url(services), "/timeline", "2019")
        await slack.wait_for(lambda: slack.responses)
    assert refused.status == 401, refused
    assert "Traceback" not in refused.body
    assert good.status == 200
    assert [r["command"] for r in slack.responses] == ["/timeline"]


async def test_a_body_that_is_not_utf8_gets_401_even_when_signed(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        body = b"command=%2Fagreement&text=\xff\xfe"
        timestamp = str(int(slack.now()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": hmac_v0(SECRET, timestamp, body),
        }
        refused = await slack.post(events_url(services), body, headers)
    assert refused.status == 401
    assert slack.responses == []


async def test_http_mode_without_a_signing_secret_does_not_start(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    services = Services(settings_for(seeded_copy.path, slack=slack, slack_signing_secret=None), seeded_copy)
    with pytest.raises(SetupError) as refused:
        await services.start()
    await services.stop()
    assert str(refused.value) == UNSIGNED_HTTP
    assert "\n" not in UNSIGNED_HTTP and "FACTDESK_SLACK_SIGNING_SECRET" in UNSIGNED_HTTP
    assert services.http_port is None


async def test_socket_mode_needs_no_signing_secret(slack: FakeSlack, seeded_copy: SQLiteStore) -> None:
    socket_mode = {"slack_signing_secret": None, "slack_app_token": "xapp-security"}
    settings = settings_for(seeded_copy.path, slack=slack, **socket_mode)
    async with running(settings, seeded_copy) as services:
        assert "slack (socket mode)" in services.surfaces


async def test_factdesk_serve_without_a_signing_secret_says_why_in_one_line_and_exits_non_zero(
    slack: FakeSlack, seeded_db_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "serve.db"
    shutil.copy(seeded_db_path, db)
    proc = await start_serve(
        tmp_path, db, FACTDESK_SLACK_BOT_TOKEN="xoxb-security", FACTDESK_SLACK_API_URL=slack.api_url
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        await reap(proc)
    assert proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert lines == [f"factdesk: {UNSIGNED_HTTP}"]
    assert b"serving" not in out


async def test_a_socket_mode_redelivery_after_a_restart_is_acked_and_not_answered_again(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    socket_mode = {"slack_signing_secret": None, "slack_app_token": "xapp-security"}
    settings = settings_for(seeded_copy.path, slack=slack, **socket_mode)
    async with running(settings, seeded_copy):
        await slack.wait_connected(1)
        envelope = await slack.socket_slash_command("/agreement", "guatemala")
        await slack.wait_for(lambda: slack.acks.get(envelope) and slack.responses)
    restarted = await open_store(seeded_copy.path)  # a new process's store: same file, nothing in memory
    try:
        async with running(settings, restarted):
            await slack.wait_connected(2)
            await slack.redeliver(envelope)
            await slack.wait_for(lambda: len(slack.acks[envelope]) == 2)
            fresh = await slack.socket_slash_command("/timeline", "2019")
            await slack.wait_for(lambda: slack.acks.get(fresh) and len(slack.responses) == 2)
    finally:
        await restarted.close()
    assert [r["command"] for r in slack.responses] == ["/agreement", "/timeline"]


async def test_a_signed_request_replayed_to_a_restarted_app_is_not_answered_again(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    body, headers = slack.slash_command_request("/source", "1")
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        first = await slack.post(events_url(services), body, headers)
        await slack.wait_for(lambda: slack.responses)
    restarted = await open_store(seeded_copy.path)
    try:
        async with running(settings_for(seeded_copy.path, slack=slack), restarted) as services:
            replay = await slack.post(events_url(services), body, headers)
            other = await slack.slash_command(events_url(services), "/timeline", "2019")
            await slack.wait_for(lambda: len(slack.responses) == 2)
    finally:
        await restarted.close()
    assert (first.status, replay.status, other.status) == (200, 200, 200)
    assert [r["command"] for r in slack.responses] == ["/source", "/timeline"]


async def test_two_stores_on_one_file_claim_a_delivery_exactly_once(seeded_copy: SQLiteStore) -> None:
    others = [await open_store(seeded_copy.path) for _ in range(3)]
    try:
        claims = await asyncio.gather(
            *(s.claim_delivery("slack:trig-race", now=100.0, ttl=60.0) for s in [seeded_copy, *others] * 5)
        )
    finally:
        for other in others:
            await other.close()
    assert sorted(claims) == [False] * 19 + [True]


@pytest.mark.parametrize(
    ("later", "again"),
    [(0.0, False), (59.9, False), (60.0, True), (3600.0, True)],
)
async def test_a_delivery_claim_expires_after_its_ttl(
    seeded_copy: SQLiteStore, later: float, again: bool
) -> None:
    assert await seeded_copy.claim_delivery("slack:trig-1", now=1000.0, ttl=60.0) is True
    assert await seeded_copy.claim_delivery("slack:trig-1", now=1000.0 + later, ttl=60.0) is again


async def test_expiring_deliveries_forgets_only_the_expired(seeded_copy: SQLiteStore) -> None:
    await seeded_copy.claim_delivery("slack:old", now=0.0, ttl=10.0)
    await seeded_copy.claim_delivery("slack:new", now=5.0, ttl=10.0)
    assert await seeded_copy.expire_deliveries(now=12.0) == 1
    assert await seeded_copy.claim_delivery("slack:old", now=12.0, ttl=10.0) is True
    assert await seeded_copy.claim_delivery("slack:new", now=12.0, ttl=10.0) is False
