"""The Slack app end to end: the real slack-bolt app, over sockets, against a fake Slack.

HTTP mode (signed slash commands to bolt's aiohttp server), Socket Mode (envelopes, acks,
redelivery, disconnect), the buttons, Slack's limits (enforced by the fake with its own
constants), rate limits, and documents that try to ping a channel.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.surfaces.slack.app import slack_client
from facts.store.sqlite_store import SQLiteStore
from tests.conftest import ingest_long_and_loud, reap, start_serve
from tests.conftest import running_services as running
from tests.conftest import slack_events_url as events_url
from tests.fakes.slack import FakeSlack, strip_proxy_env
from tests.helpers import settings_for

SECRET = "e2e-signing-secret"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    strip_proxy_env(monkeypatch)
    async with FakeSlack(signing_secret=SECRET) as fake:
        yield fake


def sections(response: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in response["blocks"] if b["type"] == "section"]


def buttons(response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["action_id"]: e for b in response["blocks"] if b["type"] == "actions" for e in b["elements"]}


async def test_a_slash_command_is_acked_at_once_then_answered_privately_with_citations(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        delivery = await slack.slash_command(events_url(services), "/agreement", "el-salvador")
        assert delivery.status == 200
        assert delivery.elapsed < 3.0
        answer = await slack.wait_for(lambda: slack.responses and slack.responses[0])
    assert answer["command"] == "/agreement"
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "Agreements with El Salvador"
    lines = [s for s in sections(answer) if not re.fullmatch(r"\*[^*]+\*", s)]  # group headings aside
    assert lines and all(re.search(r"<https?://[^|>]+\|\[\d+\]>", s) for s in lines)
    context = [e["text"] for b in answer["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert any(re.match(r"\[1\] .+ · \d{4}-\d{2}(-\d{2})? · <https?://", t) for t in context)
    assert "Agreements with El Salvador" in answer["text"]
    assert "factdesk_post" in buttons(answer)
    assert not slack.rejected


async def test_a_bad_signature_is_refused_and_nothing_is_answered(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        url = events_url(services)
        forged = await slack.slash_command(url, "/agreement", "el-salvador", bad_signature=True)
        stale = await slack.slash_command(url, "/agreement", "el-salvador", stale=True)
    assert (forged.status, stale.status) == (401, 401)
    assert slack.responses == []


async def test_post_to_channel_posts_the_same_answer_visibly_saying_who_asked(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        await slack.slash_command(events_url(services), "/timeline", "2019", user_name="jane")
        private = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        post = buttons(private)["factdesk_post"]
        url = events_url(services)
        delivery = await slack.block_action(url, "factdesk_post", post["value"], user_name="jane")
        assert delivery.status == 200
        # Posted by the bot (chat.postMessage), so that a correction can edit it later.
        public = await slack.wait_for(lambda: slack.messages and slack.messages[0])
    assert public["channel"] == "C1" and not public["thread_ts"]
    assert sections(public) == sections(private)
    context = [e["text"] for b in public["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert any("Asked by jane" in t for t in context)
    assert "factdesk_post" not in buttons(public)
    assert len(slack.responses) == 1  # nothing more through the response url
    (kept,) = await seeded_copy.connection.fetchone("SELECT count(*) FROM posted_answers")
    assert kept == 1  # kept, with the facts it shows, for a correction to reach it


async def test_post_to_a_channel_the_bot_is_not_in_falls_back_to_the_commands_reply(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    slack.register_method("chat.postMessage", lambda payload: {"ok": False, "error": "not_in_channel"})
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        await slack.slash_command(events_url(services), "/timeline", "2019", user_name="jane")
        private = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        post = buttons(private)["factdesk_post"]
        await slack.block_action(events_url(services), "factdesk_post", post["value"], user_name="jane")
        public = await slack.wait_for(lambda: len(slack.responses) > 1 and slack.responses[1])
    assert public["response_type"] == "in_channel" and public["replace_original"] is False
    assert sections(public) == sections(private)
    (kept,) = await seeded_copy.connection.fetchone("SELECT count(*) FROM posted_answers")
    assert kept == 0  # a reply the bot cannot edit later is not kept


async def test_a_user_mistake_is_one_friendly_line_with_usage(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        await slack.slash_command(events_url(services), "/timeline", "someday")
        answer = await slack.wait_for(lambda: slack.responses and slack.responses[0])
    assert len(answer["blocks"]) == 1
    text = answer["blocks"][0]["text"]["text"]
    assert "someday" in text and "Usage: /timeline" in text and "\n" not in text


async def long_and_loud_store(store: SQLiteStore) -> None:
    await ingest_long_and_loud(
        store, loud="<!channel> <!here> @everyone <@U024BE7LH> <#C0123|general>", zones=30
    )


async def test_a_long_answer_is_cut_between_lines_and_more_shows_the_rest(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    await long_and_loud_store(seeded_copy)
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        await slack.slash_command(events_url(services), "/timeline", "2021 peru")
        first = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        more = buttons(first)["factdesk_more"]
        shown = json.loads(more["value"])["o"]
        await slack.block_action(events_url(services), "factdesk_more", more["value"])
        second = await slack.wait_for(lambda: len(slack.responses) > 1 and slack.responses[1])
    assert not slack.rejected, slack.rejected
    assert 0 < shown < 20
    assert second["response_type"] == "ephemeral"
    assert not set(sections(first)) & set(sections(second))


async def test_document_text_pings_nobody(slack: FakeSlack, seeded_copy: SQLiteStore) -> None:
    await long_and_loud_store(seeded_copy)
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        await slack.slash_command(events_url(services), "/search", "leaked")
        answer = await slack.wait_for(lambda: slack.responses and slack.responses[0])
    rendered = json.dumps(answer["payload"], ensure_ascii=False)
    assert "leaked" in rendered
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<#C0123", "@everyone", "@here"):
        assert ping not in rendered, ping


async def test_socket_mode_acks_answers_once_per_delivery_and_survives_a_disconnect(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    settings = settings_for(
        seeded_copy.path, slack=slack, slack_app_token="xapp-e2e", slack_signing_secret=None
    )
    async with running(settings, seeded_copy) as services:
        assert "slack (socket mode)" in services.surfaces
        await slack.wait_connected(1)
        envelope = await slack.socket_slash_command("/agreement", "guatemala")
        await slack.wait_for(lambda: slack.acks.get(envelope) and slack.responses)
        assert slack.ack_latency(envelope) < 3.0
        await slack.redeliver(envelope)
        await slack.wait_for(lambda: len(slack.acks[envelope]) == 2)
        await slack.disconnect()
        await slack.wait_connected(2)
        second = await slack.socket_slash_command("/timeline", "2019")
        await slack.wait_for(lambda: slack.acks.get(second) and len(slack.responses) == 2)
    assert [r["command"] for r in slack.responses] == ["/agreement", "/timeline"]
    assert slack.responses[0]["blocks"][0]["text"]["text"] == "Agreements with Guatemala"
    assert slack.links_issued == 2


async def test_a_rate_limited_web_api_call_is_retried_after_retry_after(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    client = slack_client(settings_for(seeded_copy.path, slack=slack))
    slack.rate_limit("chat.postMessage", times=1, retry_after=1)
    result = await client.chat_postMessage(channel="C1", text="digest")
    assert result["ok"]
    assert len(slack.ratelimited) == 1 and len(slack.messages) == 1


async def test_healthz_answers_beside_the_slack_endpoint(slack: FakeSlack, seeded_copy: SQLiteStore) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        url = f"http://127.0.0.1:{services.http_port}/healthz"
        async with aiohttp.ClientSession() as session, session.get(url) as resp:
            body = await resp.json()
            status = resp.status
    assert status == 200
    assert body["ok"] is True and body["checks"]["store"] == "ok"


async def test_factdesk_serve_runs_slack_over_http_and_stops_cleanly_on_sigterm(
    slack: FakeSlack, seeded_db_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "serve.db"
    shutil.copy(seeded_db_path, db)
    proc = await start_serve(
        tmp_path,
        db,
        FACTDESK_SLACK_BOT_TOKEN="xoxb-e2e",
        FACTDESK_SLACK_SIGNING_SECRET=SECRET,
        FACTDESK_SLACK_API_URL=slack.api_url,
    )
    try:
        assert proc.stdout is not None
        banner = (await asyncio.wait_for(proc.stdout.readline(), 30)).decode()
        port = int(re.search(r"port (\d+)", banner).group(1))  # type: ignore[union-attr]
        delivery = await slack.slash_command(f"http://127.0.0.1:{port}/slack/events", "/source", "1")
        assert delivery.status == 200
        answer = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        assert answer["blocks"][0]["type"] == "header"
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        await reap(proc)


async def test_slack_and_discord_expose_exactly_the_commands_of_the_registry(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    import discord

    from bot.commands.registry import COMMANDS
    from bot.desk import Desk
    from bot.surfaces.discord.app import FactdeskDiscord

    registry = {c.name for c in COMMANDS}
    client = FactdeskDiscord(settings_for(seeded_copy.path, slack=slack), Desk(seeded_copy))
    try:
        slash = {c.name for c in client.tree.get_commands(type=discord.AppCommandType.chat_input)}
        assert slash == registry
        menus = {c.name for c in client.tree.get_commands(type=discord.AppCommandType.message)}
        assert menus == {"Find sources"}
    finally:
        await client.close()
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        for name in sorted(registry):
            delivery = await slack.slash_command(events_url(services), f"/{name}", "2019")
            assert delivery.status == 200, name
        await slack.wait_for(lambda: len(slack.responses) == len(registry))
        unknown = await slack.slash_command(events_url(services), "/nonexistent", "x")
    assert {r["command"] for r in slack.responses} == {f"/{n}" for n in registry}
    assert unknown.status == 404


async def test_the_answer_of_a_change_has_no_button_and_a_button_never_makes_a_change_again(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    """Buttons run their command again: on an editor's correction that would correct again (a new
    version each click), so its answer has none, and a button value carrying one is refused."""
    settings = settings_for(seeded_copy.path, slack=slack, admins=["slack:UEDITOR"])
    async with running(settings, seeded_copy) as services:
        url = events_url(services)
        await slack.slash_command(url, "/fact", 'correct 7 date=2019-09-17 note="moved"', user_id="UEDITOR")
        done = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        assert "corrected (version 2)" in done["text"]
        assert buttons(done) == {}
        value = json.dumps({"c": '/fact correct 7 date=2019-09-18 note="again"', "o": 0})
        for action in ("factdesk_post", "factdesk_more"):
            delivery = await slack.block_action(url, action, value, user_id="UEDITOR")
            assert delivery.status == 200
        await slack.slash_command(url, "/fact", "show 7", user_id="UEDITOR")
        shown = await slack.wait_for(lambda: len(slack.responses) > 1 and slack.responses[-1])
    assert (await seeded_copy.fact(7)).version == 2  # type: ignore[union-attr]
    assert "factdesk_post" in buttons(shown)  # reading a fact is not a change: it can be posted
    assert not slack.messages
