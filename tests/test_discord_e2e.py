"""The Discord app end to end: the real discord.py client, over sockets, against a fake Discord.

Login, command sync, deferred answers with cited embeds, autocomplete, buttons, pages, the
three-second rule by the fake's clock, a gateway reconnect, a 429, and documents that try to
ping everyone.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.commands.registry import COMMANDS
from bot.runtime.serve import Services
from facts.store.sqlite_store import SQLiteStore
from tests.conftest import ingest_long_and_loud
from tests.fakes.discord import GUILD_ID, FakeDiscord
from tests.helpers import settings_for

FLAG_EPHEMERAL = 64
DEFERRED = 5
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    import discord

    # factdesk points discord.py at the fake from its settings; restore the real urls afterwards.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    # The fake's clock is the real monotonic one here: the three-second rule is measured, not slept.
    async with FakeDiscord(clock=time.monotonic) as server:
        yield server


@asynccontextmanager
async def running(fake: FakeDiscord, store: SQLiteStore) -> AsyncIterator[Services]:
    services = Services(settings_for(store.path, discord=fake), store)
    await services.start()
    try:
        await fake.wait_ready()
        yield services
    finally:
        await services.stop()


def button_id(message: dict[str, Any], act: str) -> str:
    """The custom id of a message's ``act`` button (``factdesk:<act>:<view>:<start>``)."""
    ids = [c["custom_id"] for row in message["components"] for c in row["components"]]
    return next(i for i in ids if i.startswith(f"factdesk:{act}:"))


async def answered(fake: FakeDiscord, count: int) -> dict[str, Any]:
    await fake.wait_for(lambda: len(fake.followups) >= count)
    return fake.followups[count - 1]


async def test_serve_reaches_ready_syncs_and_answers_with_a_deferral_then_a_cited_embed(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    async with running(fake, seeded_copy) as services:
        assert "discord" in services.surfaces
        synced = {(c["name"], c["type"]) for c in fake.synced[GUILD_ID]}
        assert synced == {(c.name, 1) for c in COMMANDS} | {("Find sources", 3)}  # and the message menu
        interaction = await fake.slash_command("agreement", {"country": "el-salvador"})
        followup = await answered(fake, 1)
    record = fake.interactions[interaction]
    assert record.response_type == DEFERRED
    assert record.responded_at is not None and record.responded_at - record.dispatched_at < 3.0
    deferral = fake.callbacks[0]
    assert deferral["flags"] & FLAG_EPHEMERAL
    assert followup["flags"] & FLAG_EPHEMERAL
    embed = followup["embeds"][0]
    assert embed["title"] == "Agreements with El Salvador"
    lines = [ln for ln in embed["description"].splitlines() if ln.startswith("**")]
    assert lines and all(re.search(r"\[\[\d+\]\]\(https?://", ln) for ln in lines)
    assert embed["fields"][0]["name"] == "Sources"
    assert followup["allowed_mentions"] == {"parse": []} and not followup["pings"]
    assert not fake.rejected


async def test_timeline_takes_typed_options(fake: FakeDiscord, seeded_copy: SQLiteStore) -> None:
    async with running(fake, seeded_copy):
        await fake.slash_command("timeline", {"year": 2019, "to": 2020, "country": "guatemala"})
        followup = await answered(fake, 1)
    embed = followup["embeds"][0]
    assert "2019" in embed["title"] and "Guatemala" in embed["title"]
    dates = re.findall(r"^\*\*(\d{4})", embed["description"], re.M)
    assert dates and all(d in {"2019", "2020"} for d in dates)


async def test_country_autocomplete_by_name_code_or_demonym(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    async with running(fake, seeded_copy):
        for typed in ("salv", "SV", "Salvadoran"):
            await fake.autocomplete("agreement", {"country": typed}, focused="country")
        await fake.wait_for(lambda: len(fake.callbacks) == 3)
    for callback in fake.callbacks:
        assert callback["type"] == AUTOCOMPLETE_RESULT
        choices = callback["data"]["choices"]
        assert {"name": "El Salvador", "value": "el-salvador"} in [
            {"name": c["name"], "value": c["value"]} for c in choices
        ]
        assert len(choices) <= 25


async def test_post_to_channel_posts_the_answer_visibly_saying_who_asked(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    async with running(fake, seeded_copy):
        await fake.slash_command("agreement", {"country": "guatemala"}, user_name="jane")
        private = await answered(fake, 1)
        await fake.button(button_id(private, "post"), user_name="jane")
        await fake.wait_for(lambda: len(fake.callbacks) == 2)
    public = fake.callbacks[1]
    assert not public["flags"] & FLAG_EPHEMERAL
    assert public["embeds"][0]["description"] == private["embeds"][0]["description"]
    assert re.match(r"Asked by jane · /agreement guatemala", public["embeds"][0]["footer"]["text"], re.I)
    assert not public["pings"]


async def long_and_loud(store: SQLiteStore) -> None:
    await ingest_long_and_loud(
        store, loud="@everyone @here <@123456789012345678> <@&123456789012345679>", zones=12
    )


async def test_a_long_answer_pages_with_next_and_previous(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    await long_and_loud(seeded_copy)
    async with running(fake, seeded_copy):
        await fake.slash_command("timeline", {"year": 2021, "country": "peru"})
        followup = await answered(fake, 1)
        first = followup["embeds"][0]
        await fake.button(button_id(followup, "next"))
        await fake.wait_for(lambda: len(fake.callbacks) == 2)
        second = fake.callbacks[1]
        await fake.button(button_id(second, "previous"))
        await fake.wait_for(lambda: len(fake.callbacks) == 3)
        back = fake.callbacks[2]
    assert not fake.rejected, fake.rejected
    assert second["type"] == UPDATE_MESSAGE
    assert second["embeds"][0]["description"] != first["description"]
    assert back["embeds"][0]["description"] == first["description"]


async def test_document_text_pings_nobody(fake: FakeDiscord, seeded_copy: SQLiteStore) -> None:
    await long_and_loud(seeded_copy)
    async with running(fake, seeded_copy):
        await fake.slash_command("search", {"query": "leaked"})
        followup = await answered(fake, 1)
    assert "leaked" in followup["embeds"][0]["description"]
    assert not followup["pings"] and followup["allowed_mentions"] == {"parse": []}
    text = str(followup["embeds"])
    for ping in ("@everyone", "@here", "<@123456789012345678>", "<@&123456789012345679>"):
        assert ping not in text


async def test_after_a_gateway_reconnect_commands_are_still_answered(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    async with running(fake, seeded_copy):
        await fake.slash_command("source", {"ref": "1"})
        await answered(fake, 1)
        await fake.reconnect_request()
        await fake.wait_for(lambda: fake.resumes == 1)
        await fake.slash_command("source", {"ref": "2"})
        await answered(fake, 2)
    assert fake.identifies == 1 and fake.connections == 2


async def test_a_rate_limited_follow_up_is_retried_and_sent_once(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    async with running(fake, seeded_copy):
        fake.rate_limit("followup", times=1, retry_after=0.05)
        await fake.slash_command("search", {"query": "asylum"})
        await answered(fake, 1)
    assert len(fake.ratelimited) == 1 and len(fake.followups) == 1


async def test_factdesk_discord_sync_registers_the_commands_in_a_guild(
    fake: FakeDiscord, seeded_db_path: Path, tmp_path: Path
) -> None:
    db = tmp_path / "sync.db"
    shutil.copy(seeded_db_path, db)
    env = {
        "PATH": "/usr/bin:/bin",
        "FACTDESK_DB": str(db),
        "FACTDESK_DISCORD_TOKEN": "fake-token",
        "FACTDESK_DISCORD_API_URL": fake.api_url,
        "FACTDESK_DISCORD_GATEWAY_URL": fake.gateway_url,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "discord",
        "sync",
        "--guild",
        GUILD_ID,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert f"synced {len(COMMANDS) + 1} commands guild {GUILD_ID}" in out.decode()
    assert "Find sources (message menu)" in out.decode() and "/agreement" in out.decode()
    assert {c["name"] for c in fake.synced[GUILD_ID]} == {c.name for c in COMMANDS} | {"Find sources"}


async def test_an_answers_buttons_work_after_a_restart_and_a_change_has_none(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    """Nothing of an answer's buttons lives in the process that sent it: after a restart (or on
    another process on the same store) Next and Post answer the command again."""
    await long_and_loud(seeded_copy)
    async with running(fake, seeded_copy):
        await fake.slash_command("timeline", {"year": 2021, "country": "peru"})
        followup = await answered(fake, 1)
    async with running(fake, seeded_copy):  # a new client and desk: nothing kept in memory
        await fake.button(button_id(followup, "next"))
        turned = await fake.wait_for(
            lambda: next((c for c in fake.callbacks if c["type"] == UPDATE_MESSAGE), None)
        )
        await fake.button(button_id(turned, "post"), user_name="jane")
        posted = await fake.wait_for(
            lambda: next((c for c in fake.callbacks if c["type"] == 4 and not c["flags"] & FLAG_EPHEMERAL),
                          None)
        )
        # An unknown view (a store restored from an older backup) is said, not failed.
        await fake.button("factdesk:next:999999:0")
        gone = await fake.wait_for(
            lambda: next((c for c in fake.callbacks if "no longer kept" in str(c.get("content"))), None)
        )
    assert turned["embeds"][0]["description"] != followup["embeds"][0]["description"]
    assert posted["embeds"][0]["description"] == turned["embeds"][0]["description"]
    assert gone["flags"] & FLAG_EPHEMERAL
    assert not fake.rejected, fake.rejected


async def test_the_answer_of_a_change_has_no_buttons_on_discord(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    editors = fake.add_role("desk editors")
    settings = settings_for(seeded_copy.path, discord=fake, discord_admin_roles=[editors])
    services = Services(settings, seeded_copy)
    await services.start()
    try:
        await fake.wait_ready()
        await fake.slash_command(
            "fact", {"action": "retract", "id": 12, "note": "wrong story"}, roles=[editors]
        )
        done = await answered(fake, 1)
    finally:
        await services.stop()
    assert "retracted" in str(done["embeds"]).lower()
    assert not done["components"]  # a button would run the retraction again


async def test_a_rest_only_process_edits_what_the_gateway_process_posted(
    fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    """Two processes on one store: one holds the gateway, the other (FACTDESK_DISCORD_GATEWAY=false)
    never connects it, yet a correction made there edits the answer the first one posted."""
    from bot.requests import Request

    gateway = Services(settings_for(seeded_copy.path, discord=fake), seeded_copy)
    rest_settings = settings_for(seeded_copy.path, discord=fake).model_copy(update={"discord_gateway": False})
    rest_only = Services(rest_settings, seeded_copy, run_digests=False)
    await gateway.start(http=False)
    await rest_only.start(http=False)
    try:
        await fake.wait_ready()
        await fake.slash_command("timeline", {"year": 2020})
        private = await answered(fake, 1)
        await fake.button(button_id(private, "post"))
        await asyncio.wait_for(gateway.posted.wait_kept(1), 5.0)
        posted = next(c for c in fake.callbacks if c["type"] == 4 and not c["flags"] & FLAG_EPHEMERAL)
        fact_id = int(re.search(r"`#(\d+)`", posted["embeds"][0]["description"]).group(1))  # type: ignore[union-attr]
        correction = Request("fact", f'correct {fact_id} text="Worded by the desk." note="plainer"')
        answer = await rest_only.desk.handle(correction)  # the machine's own user: the desk
        assert answer.error is None
        await fake.wait_for(lambda: fake.channel_edits and fake.channel_edits[0])
        await rest_only.posted.settle()
    finally:
        await rest_only.stop()
        await gateway.stop()
    assert fake.identifies == 1  # only the gateway process connected
    assert "Worded by the desk." in str(fake.channel_edits[0]["embeds"])
    assert "discord (REST only)" in rest_only.surfaces
