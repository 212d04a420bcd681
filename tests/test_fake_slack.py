"""The Slack fake works with the real slack_sdk client and the real slack_bolt app, over sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeSlack, strip_proxy_env
from tests.helpers import ManualClock

SECRET = "test-signing-secret"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> AsyncIterator[FakeSlack]:
    strip_proxy_env(monkeypatch)
    async with FakeSlack(signing_secret=SECRET, clock=clock) as fake:
        yield fake


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str) -> dict[str, Any]:
    return {"type": "button", "action_id": "b", "text": {"type": "plain_text", "text": text}}


def echo_app(slack: FakeSlack) -> AsyncApp:
    """A minimal bolt app: /echo acks and answers through respond(); the "more" button likewise."""
    app = AsyncApp(client=AsyncWebClient(token="xoxb-test", base_url=slack.api_url), signing_secret=SECRET)

    @app.command("/echo")
    async def echo(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"echo: {command['text']}")

    @app.action("more")
    async def more(ack: Any, respond: Any, action: dict[str, Any]) -> None:
        await ack()
        await respond(text=f"more: {action['value']}", replace_original=False)

    return app


@asynccontextmanager
async def served(app: AsyncApp) -> AsyncIterator[str]:
    """Serve a bolt app over HTTP on 127.0.0.1:0; yields its events URL."""
    runner = web.AppRunner(app.web_app(path="/slack/events"), shutdown_timeout=1.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    finally:
        await runner.cleanup()


# (a) Web API basics


async def test_web_client_auth_test_and_post_message(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    auth = await client.auth_test()
    assert auth["team_id"] == "T0FAKE" and auth["user_id"] and auth["bot_id"]
    sent = await client.chat_postMessage(channel="C1", text="hello", blocks=[section("*hello*")])
    assert sent["ok"] and sent["channel"] == "C1"
    assert [(m["channel"], m["text"], m["ts"]) for m in slack.messages] == [("C1", "hello", sent["ts"])]
    assert [m for m, _ in slack.calls] == ["auth.test", "chat.postMessage"]
    await client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert slack.ephemerals[0]["user"] == "U1"


async def test_form_encoded_blocks_are_decoded_and_tokens_are_checked(slack: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session:
        form = {"channel": "C1", "text": "t", "blocks": '[{"type": "divider"}]'}
        auth = {"Authorization": "Bearer xoxb-test"}
        async with session.post(f"{slack.api_url}chat.postMessage", data=form, headers=auth) as resp:
            assert (await resp.json())["ok"] is True
        async with session.post(f"{slack.api_url}chat.postMessage", data=form) as resp:
            assert (await resp.json())["error"] == "invalid_auth"
    assert slack.messages[0]["blocks"] == [{"type": "divider"}]

    bot = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    with pytest.raises(SlackApiError) as refused:
        await bot.apps_connections_open(app_token="xoxb-not-an-app-token")
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as unknown:
        await bot.api_call("nothing.here")
    assert unknown.value.response["error"] == "unknown_method"


# (b) Block Kit limits


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")
@pytest.mark.parametrize(
    ("blocks", "text", "error"),
    [
        ([section("x")] * 51, None, "invalid_blocks"),
        ([section("x" * 3_001)], None, "invalid_blocks"),
        ([section("x" * 2_600)] * 5, None, "msg_blocks_too_long"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], None, "invalid_blocks"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}], None, "invalid_blocks"),
        ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], None, "invalid_blocks"),
        (
            [{"type": "actions", "elements": [button("b" * 76)]}],
            None,
            "invalid_blocks",
        ),
        (None, "x" * 40_001, "msg_too_long"),
        (None, None, "no_text"),
    ],
    ids=[
        "51-blocks",
        "section-3001",
        "total-13000",
        "header-151",
        "header-mrkdwn",
        "context-11",
        "button-76",
        "text-40001",
        "empty",
    ],
)
async def test_messages_over_slack_limits_are_rejected(
    slack: FakeSlack, blocks: list[dict[str, Any]] | None, text: str | None, error: str
) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    with pytest.raises(SlackApiError) as rejected:
        await client.chat_postMessage(channel="C1", text=text, blocks=blocks)
    assert rejected.value.response["error"] == error
    assert [r["error"] for r in slack.rejected] == [error]
    assert slack.messages == []


async def test_limits_at_the_edge_are_accepted(slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    await client.chat_postMessage(channel="C1", text="x", blocks=[section("x" * 3_000)] * 4)
    await client.chat_postMessage(channel="C1", text="x" * 40_000, blocks=[{"type": "divider"}] * 50)
    assert len(slack.messages) == 2 and slack.rejected == []


# (c) rate limiting


async def test_a_429_is_retried_after_retry_after(slack: FakeSlack) -> None:
    slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    plain = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    with pytest.raises(SlackApiError) as limited:
        await plain.chat_postMessage(channel="C1", text="first")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] in ("1", ["1"])

    slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    retrying = AsyncWebClient(
        token="xoxb-test",
        base_url=slack.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    sent = await retrying.chat_postMessage(channel="C1", text="second")
    assert sent["ok"]
    assert [m for m, _ in slack.ratelimited] == ["chat.postMessage", "chat.postMessage"]
    assert [m["text"] for m in slack.messages] == ["second"]


# response_url limits


async def test_response_url_allows_five_posts_within_thirty_minutes(
    slack: FakeSlack, clock: ManualClock
) -> None:
    async def post(url: str, body: dict[str, Any]) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.post(url, json=body) as resp:
            return resp.status, await resp.text()

    nowhere = f"{slack.base_url}/nowhere"  # only the minted response urls matter here
    first = await slack.slash_command(nowhere, command="/unhandled")
    second = await slack.slash_command(nowhere, command="/unhandled")
    assert first.status == 404
    assert first.trigger_id != second.trigger_id
    used = slack.response_url_for(first.trigger_id).url
    expiring = slack.response_url_for(second.trigger_id).url

    for n in range(5):
        assert await post(used, {"text": f"answer {n}"}) == (200, "ok")
    assert await post(used, {"text": "sixth"}) == (404, "used_url")
    assert await post(expiring, {"blocks": [section("x" * 3_001)]}) == (400, "invalid_blocks")
    slack.rate_limit("respond", retry_after=1)
    assert (await post(expiring, {"text": "limited"}))[0] == 429
    clock.advance(30 * 60 + 1)
    assert await post(expiring, {"text": "late"}) == (404, "expired_url")
    assert [r["text"] for r in slack.responses] == [f"answer {n}" for n in range(5)]
    assert {r["command"] for r in slack.responses} == {"/unhandled"}
    assert [r["source"] for r in slack.rejected] == ["respond"]
    assert [m for m, _ in slack.ratelimited] == ["respond"]


# (d) HTTP mode through a real bolt app


async def test_signed_slash_command_and_block_action_reach_a_bolt_app(slack: FakeSlack) -> None:
    async with served(echo_app(slack)) as url:
        status, body, elapsed, trigger_id = await slack.slash_command(
            url, command="/echo", text="el-salvador", user_id="U1", channel_id="C1", user_name="jane"
        )
        assert status == 200 and body == "" and elapsed < 2
        await slack.wait_for(lambda: len(slack.responses) == 1)
        answer = slack.responses[0]
        assert answer["text"] == "echo: el-salvador"
        assert (answer["command"], answer["trigger_id"], answer["user_id"]) == ("/echo", trigger_id, "U1")

        clicked = await slack.block_action(url, action_id="more", value="v1", user_id="U1", channel_id="C1")
        assert clicked.status == 200
        await slack.wait_for(lambda: len(slack.responses) == 2)
        assert (slack.responses[1]["text"], slack.responses[1]["action_id"]) == ("more: v1", "more")

        assert (await slack.slash_command(url, command="/echo", text="x", bad_signature=True)).status == 401
        assert (await slack.slash_command(url, command="/echo", text="x", stale=True)).status == 401
    assert "auth.test" in [m for m, _ in slack.calls]


# (e) Socket Mode through a real bolt app


async def test_socket_mode_commands_acks_and_reconnect(slack: FakeSlack) -> None:
    handler = AsyncSocketModeHandler(echo_app(slack), "xapp-test")
    await handler.connect_async()
    try:
        await slack.wait_connected(1)
        first = await slack.socket_slash_command(command="/echo", text="one", user_id="U1", channel_id="C1")
        await slack.wait_for(lambda: first in slack.acks and len(slack.responses) == 1)
        assert slack.acks[first][0].envelope_id == first
        assert slack.ack_latency(first) == 0  # the manual clock did not move
        assert slack.responses[0]["text"] == "echo: one"

        await slack.redeliver(first)
        await slack.wait_for(lambda: len(slack.acks[first]) == 2 and len(slack.responses) == 2)
        again = slack.envelopes[first]
        assert (again["retry_attempt"], again["retry_reason"]) == (1, "timeout")

        await slack.disconnect(reason="refresh_requested")
        await slack.wait_connected(2)
        assert slack.links_issued == 2 and slack.connections_opened == 2
        second = await slack.socket_slash_command(command="/echo", text="two")
        await slack.wait_for(lambda: second in slack.acks and len(slack.responses) == 3)
        assert slack.responses[-1]["text"] == "echo: two"

        clicked = await slack.socket_block_action(action_id="more", value="v2")
        await slack.wait_for(lambda: clicked in slack.acks and len(slack.responses) == 4)
        assert (slack.responses[-1]["text"], slack.responses[-1]["action_id"]) == ("more: v2", "more")
    finally:
        await handler.close_async()


async def test_wait_for_times_out_with_an_account_of_the_state(slack: FakeSlack) -> None:
    with pytest.raises(TimeoutError, match=r"responses=0"):
        await slack.wait_for(lambda: slack.responses, timeout=0.05)
    with pytest.raises(RuntimeError, match="no Socket Mode connection"):
        await slack.socket_slash_command(command="/echo")
