"""The Discord fake works with the real discord.py client (REST + gateway) over sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.fakes.discord import (
    GUILD_ID,
    MAX_COMMAND_OPTIONS,
    FakeDiscord,
    command_problems,
    could_ping,
    running,
)
from tests.helpers import ManualClock

Handler = Callable[[discord.Interaction, str], Awaitable[None]]
TOPICS = ["elections", "electricity prices", "employment", "inflation"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(clock=clock) as server:
        server.patch(monkeypatch)
        yield server


class EchoBot(discord.Client):
    """A minimal bot: ``/echo text`` (body: ``self.handler``) and ``/lookup topic`` with autocomplete."""

    def __init__(self, *, fast_reidentify: bool = False, **options: Any) -> None:
        super().__init__(
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
            **options,
        )
        self.fast_reidentify = fast_reidentify
        self.tree = app_commands.CommandTree(self)
        self.handler: Handler = self.reply
        self.outcomes: asyncio.Queue[Any] = asyncio.Queue()
        self.tree_errors: list[BaseException] = []

        @self.tree.command(name="echo", description="Repeat the text")
        async def echo(interaction: discord.Interaction, text: str) -> None:
            try:
                await self.handler(interaction, text)
            except discord.HTTPException as exc:
                await self.outcomes.put(exc)

        async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=t, value=t) for t in TOPICS if current.lower() in t]

        @self.tree.command(name="lookup", description="Look a topic up")
        @app_commands.autocomplete(topic=topics)
        async def lookup(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(f"looking up {topic}")

        @self.tree.error
        async def on_tree_error(
            interaction: discord.Interaction, error: app_commands.AppCommandError
        ) -> None:
            self.tree_errors.append(error)

    async def setup_hook(self) -> None:
        guild = discord.Object(int(GUILD_ID))
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not self.fast_reidentify:  # discord.py sleeps 5 s before re-identifying
            await super().before_identify_hook(shard_id, initial=initial)

    @staticmethod
    async def reply(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(f"echo: {text}")

    async def outcome(self) -> Any:
        """The next thing the /echo handler reported (an exception it caught, or a value it put)."""
        return await asyncio.wait_for(self.outcomes.get(), 2.0)


class ShardedEchoBot(EchoBot, discord.AutoShardedClient):
    """The same bot on discord.py's AutoShardedClient (``shard_count``, ``shard_ids`` as options)."""


# (a) login, READY, guild sync


async def test_login_ready_and_guild_sync(fake: FakeDiscord) -> None:
    bot = EchoBot()
    async with running(bot):
        assert bot.user is not None and str(bot.user.id) == fake.application_id
        assert str(bot.application_id) == fake.application_id
        assert bot.get_guild(int(GUILD_ID)) is not None
        assert fake.identifies == 1 and fake.connections == 1 and fake.heartbeats >= 1
        names = {c["name"]: c for c in fake.synced[GUILD_ID]}
        assert set(names) == {"echo", "lookup"}
        echo = names["echo"]
        assert echo["id"] and echo["guild_id"] == GUILD_ID and echo["application_id"] == fake.application_id
        assert [(o["name"], o["type"], o["required"]) for o in echo["options"]] == [("text", 3, True)]
        assert None not in fake.synced  # nothing global
        assert fake.identify_payloads[0]["intents"] == discord.Intents.default().value
    assert len(fake.close_codes) == 1  # the client's socket is closed (discord.py closes with 4000)


# (b) defer, then a follow-up with an embed


async def test_defer_then_followup_embed(fake: FakeDiscord) -> None:
    bot = EchoBot()

    async def deferred(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer()
        await interaction.followup.send(f"echo: {text}", embed=discord.Embed(title="Echo", description=text))

    bot.handler = deferred
    async with running(bot):
        iid = await fake.slash_command("echo", {"text": "hi @everyone"})
        await fake.wait_for(lambda: len(fake.followups) == 1)
    record = fake.interactions[iid]
    assert record.responded and record.deferred
    assert record.payload["data"]["id"] == fake.command_id("echo", GUILD_ID)
    assert [c["type"] for c in fake.callbacks] == [5]
    followup = fake.followups[0]
    assert followup["interaction_id"] == iid
    assert followup["embeds"][0]["title"] == "Echo" and followup["embeds"][0]["description"] == "hi @everyone"
    assert followup["allowed_mentions"] == {"parse": []}
    assert followup["pings"] is False
    assert bot.tree_errors == [] and fake.rejected == [] and fake.errors == []


# (c) an embed over Discord's limit is refused


async def test_oversized_embed_description_is_rejected(fake: FakeDiscord) -> None:
    bot = EchoBot()

    async def too_long(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(embed=discord.Embed(description="x" * 4097))

    bot.handler = too_long
    async with running(bot):
        iid = await fake.slash_command("echo", {"text": "hi"})
        exc = await bot.outcome()
    assert isinstance(exc, discord.HTTPException) and exc.status == 400 and exc.code == 50035
    assert "data.embeds.0.description" in str(exc) and "4096 or fewer" in str(exc)
    assert fake.rejected[0]["route"] == "callback"
    assert "description" in fake.rejected[0]["errors"]["data"]["embeds"]["0"]
    assert fake.callbacks == [] and not fake.interactions[iid].responded


async def test_content_over_2000_is_rejected_and_empty_message_too(fake: FakeDiscord) -> None:
    bot = EchoBot()

    async def two(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer()
        for content in ("y" * 2001, ""):
            try:
                await interaction.followup.send(content)
            except discord.HTTPException as exc:
                await bot.outcomes.put(exc)

    bot.handler = two
    async with running(bot):
        await fake.slash_command("echo", {"text": "hi"})
        too_long, empty = await bot.outcome(), await bot.outcome()
    assert too_long.code == 50035 and "In content: Must be 2000 or fewer in length." in str(too_long)
    assert empty.code == 50006
    assert [(r["route"], r["code"]) for r in fake.rejected] == [("followup", 50035), ("followup", 50006)]


# (d) the 3-second deadline, by the fake's clock


async def test_callback_after_three_seconds_is_unknown_interaction(
    fake: FakeDiscord, clock: ManualClock
) -> None:
    bot = EchoBot()
    async with running(bot):
        iid = await fake.slash_command("echo", {"text": "late"})
        clock.advance(3.5)
        exc = await bot.outcome()
    assert isinstance(exc, discord.NotFound) and exc.code == 10062
    assert fake.errors[-1]["code"] == 10062 and not fake.interactions[iid].responded


async def test_double_acknowledgement_and_expired_token(fake: FakeDiscord, clock: ManualClock) -> None:
    bot = EchoBot()
    proceed = asyncio.Event()

    async def twice_then_late(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message("first")
        interaction.response._response_type = None  # clear discord.py's local guard
        try:
            await interaction.response.send_message("second")
        except discord.HTTPException as exc:
            await bot.outcomes.put(exc)
        await proceed.wait()
        await interaction.followup.send("sixteen minutes later")

    bot.handler = twice_then_late
    async with running(bot):
        await fake.slash_command("echo", {"text": "x"})
        double = await bot.outcome()
        clock.advance(16 * 60)
        proceed.set()
        expired = await bot.outcome()
    assert double.code == 40060 and double.status == 400
    assert expired.code == 50027 and expired.status == 401
    assert len(fake.callbacks) == 1 and fake.followups == []


# (e) autocomplete


async def test_autocomplete_returns_choices(fake: FakeDiscord) -> None:
    bot = EchoBot()
    async with running(bot):
        iid = await fake.autocomplete("lookup", {"topic": "ele"})
        await fake.wait_for(lambda: fake.interactions[iid].responded)
    option = fake.interactions[iid].payload["data"]["options"][0]
    assert option == {"name": "topic", "type": 3, "value": "ele", "focused": True}
    callback = fake.callbacks[0]
    assert callback["type"] == 8
    assert [c["value"] for c in callback["data"]["choices"]] == ["elections", "electricity prices"]


# (f) op 7 RECONNECT -> RESUME -> still answering


async def test_reconnect_resume_then_answer(fake: FakeDiscord) -> None:
    bot = EchoBot()
    async with running(bot):
        await fake.reconnect_request()
        assert fake.resumes == 1 and fake.identifies == 1 and fake.connections == 2
        assert fake.close_codes == [4000]
        await fake.slash_command("echo", {"text": "after resume"})
        await fake.wait_for(lambda: len(fake.callbacks) == 1)
    assert fake.callbacks[0]["type"] == 4 and fake.callbacks[0]["content"] == "echo: after resume"
    assert fake.callbacks[0]["pings"] is False


async def test_invalid_session_makes_the_client_identify_again(fake: FakeDiscord) -> None:
    bot = EchoBot(fast_reidentify=True)
    async with running(bot):
        await fake.invalidate_session(wait=True)
        assert fake.identifies == 2 and fake.resumes == 0
        await fake.slash_command("echo", {"text": "new session"})
        await fake.wait_for(lambda: len(fake.callbacks) == 1)


# (g) a 429 on the follow-up is retried


async def test_rate_limited_followup_is_retried(fake: FakeDiscord) -> None:
    bot = EchoBot()

    async def deferred(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(ephemeral=True)
        await interaction.followup.send(f"echo: {text}", ephemeral=True)

    bot.handler = deferred
    fake.rate_limit("followup", times=1, retry_after=0.05)
    async with running(bot):
        await fake.slash_command("echo", {"text": "again"})
        await fake.wait_for(lambda: len(fake.followups) == 1)
    assert [key for key, _ in fake.ratelimited] == ["followup"]
    assert fake.followups[0]["content"] == "echo: again" and fake.followups[0]["flags"] & 64
    assert [key for _, _, key in fake.requests].count("followup") == 2


# components, modals, edits, channel messages


async def test_button_click_updates_the_message_and_modal_submit_answers(fake: FakeDiscord) -> None:
    bot = EchoBot()

    class More(discord.ui.View):
        @discord.ui.button(label="More", custom_id="more")
        async def more(self, interaction: discord.Interaction, button: discord.ui.Button[More]) -> None:
            await interaction.response.edit_message(content="more facts", view=None)

    class Feedback(discord.ui.Modal, title="Feedback"):
        note: discord.ui.TextInput[Feedback] = discord.ui.TextInput(label="Note", custom_id="note")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"thanks: {self.note.value}", ephemeral=True)

    async def with_view(interaction: discord.Interaction, text: str) -> None:
        if text == "modal":
            await interaction.response.send_modal(Feedback(custom_id="feedback"))
        else:
            await interaction.response.send_message("facts", view=More())

    bot.handler = with_view
    async with running(bot):
        await fake.slash_command("echo", {"text": "button"})
        await fake.wait_for(lambda: len(fake.callbacks) == 1)
        original = fake.callbacks[0]["message_id"]
        click = await fake.button("more")
        await fake.wait_for(lambda: fake.interactions[click].responded)
        await fake.slash_command("echo", {"text": "modal"})
        await fake.wait_for(lambda: len(fake.callbacks) == 3)
        submit = await fake.modal_submit("feedback", {"note": "useful"})
        await fake.wait_for(lambda: fake.interactions[submit].responded)
    assert fake.interactions[click].payload["message"]["id"] == original
    assert fake.callbacks[1]["type"] == 7 and fake.messages[original]["content"] == "more facts"
    assert fake.messages[original]["components"] == []
    assert fake.callbacks[2]["type"] == 9 and fake.callbacks[2]["data"]["custom_id"] == "feedback"
    assert fake.callbacks[3]["content"] == "thanks: useful" and fake.callbacks[3]["flags"] == 64


async def test_edit_original_and_channel_message(fake: FakeDiscord) -> None:
    bot = EchoBot()

    async def edit(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content=f"done: {text}")

    bot.handler = edit
    async with running(bot):
        await fake.slash_command("echo", {"text": "x"})
        await fake.wait_for(lambda: len(fake.edits) == 1)
        channel = bot.get_channel(int(fake.default_channel_id))
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("digest <@&123>", embed=discord.Embed(title="Digest"))
        with pytest.raises(discord.NotFound):
            await bot.get_partial_messageable(42).send("nowhere")
    assert fake.edits[0]["original"] and fake.edits[0]["content"] == "done: x"
    assert fake.messages[fake.edits[0]["message_id"]]["flags"] & 128 == 0  # no longer loading
    message = fake.channel_messages[0]
    assert str(sent.id) == message["message_id"] and message["channel_id"] == fake.default_channel_id
    assert message["allowed_mentions"] == {"parse": []} and message["pings"] is False


# (h) shards: one session each, a guild's events on its own shard

OTHER_GUILD = str(int(GUILD_ID) + (1 << 22))  # GUILD_ID is on shard 1 of 2, this one on shard 0


@pytest.fixture
async def two_guilds(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(clock=clock, guild_ids=(GUILD_ID, OTHER_GUILD), shards=2) as server:
        server.patch(monkeypatch)
        yield server


async def test_a_sharded_client_takes_the_recommended_shards_and_gets_each_guild_on_its_shard(
    two_guilds: FakeDiscord,
) -> None:
    fake = two_guilds
    bot = ShardedEchoBot(fast_reidentify=True)  # no shard_count: discord.py asks GET /gateway/bot
    async with running(bot):
        await fake.wait_ready(shards=[0, 1])
        assert sorted(fake.identified_shards) == [(0, 2), (1, 2)]
        assert sorted(p["shard"] for p in fake.identify_payloads) == [[0, 2], [1, 2]]
        assert (fake.shard_of(GUILD_ID), fake.shard_of(OTHER_GUILD), fake.shard_of(None)) == (1, 0, 0)
        on_one = await fake.slash_command("echo", {"text": "one"}, guild_id=GUILD_ID)
        on_zero = await fake.slash_command("echo", {"text": "zero"}, guild_id=OTHER_GUILD)
        await fake.wait_for(lambda: len(fake.callbacks) == 2)
        limits = await bot.fetch_session_start_limits()
    asked = [key for _, path, key in fake.requests if path.endswith("/gateway/bot")]
    assert asked == ["gateway", "gateway"] and bot.shard_count == 2  # to connect, then the limits
    assert limits.max_concurrency == 1
    assert (fake.interactions[on_one].shard, fake.interactions[on_zero].shard) == (1, 0)
    assert sorted(c["content"] for c in fake.callbacks) == ["echo: one", "echo: zero"]


async def test_a_client_on_one_shard_hears_only_its_guilds(two_guilds: FakeDiscord) -> None:
    fake = two_guilds
    bot = ShardedEchoBot(shard_count=2, shard_ids=[1])
    async with running(bot):
        assert fake.identified_shards == [(1, 2)] and fake.live_shards() == [1]
        assert bot.get_guild(int(GUILD_ID)) is not None  # READY and GUILD_CREATE: shard 1's guild only
        assert bot.get_guild(int(OTHER_GUILD)) is None
        with pytest.raises(RuntimeError, match="no gateway session for shard 0"):
            await fake.slash_command("echo", {"text": "nobody hears"}, guild_id=OTHER_GUILD)
        await fake.slash_command("echo", {"text": "heard"}, guild_id=GUILD_ID)
        await fake.wait_for(lambda: len(fake.callbacks) == 1)
    assert fake.callbacks[0]["content"] == "echo: heard"


async def test_identify_with_a_shard_outside_its_count_is_closed_4010(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as ws:
        hello = await ws.receive_json()
        identify = {"token": fake.token, "intents": 0, "properties": {}, "shard": [2, 2]}
        await ws.send_json({"op": 2, "d": identify})
        closing = await ws.receive()
    assert hello["op"] == 10
    assert closing.type is aiohttp.WSMsgType.CLOSE and closing.data == 4010
    assert fake.identifies == 0


async def test_wrong_token_fails_login(fake: FakeDiscord) -> None:
    with pytest.raises(discord.LoginFailure):
        async with running(EchoBot(), token="wrong-token"):
            pass
    assert fake.errors[0]["status"] == 401 and fake.identifies == 0


# the fake's own rules, without a client


def test_could_ping_follows_allowed_mentions() -> None:
    assert could_ping({"content": "hi @everyone"})
    assert could_ping({"content": "hi <@1>", "allowed_mentions": {"parse": ["users"]}})
    assert not could_ping({"content": "hi @everyone", "allowed_mentions": {"parse": ["users"]}})
    assert not could_ping({"content": "hi <@&2>", "allowed_mentions": {"parse": []}})
    assert not could_ping({"content": "no mention here"})


def test_command_definitions_are_checked() -> None:
    options = [{"name": f"o{i}", "description": "d", "type": 3} for i in range(MAX_COMMAND_OPTIONS + 1)]
    problems = command_problems(
        [
            {"name": "Echo", "description": "d", "type": 1},
            {"name": "ok", "description": "", "type": 1},
            {"name": "many", "description": "d", "type": 1, "options": options},
        ]
    )
    assert {(p.path, p.code) for p in problems} == {
        ((0, "name"), "APPLICATION_COMMAND_INVALID_NAME"),
        ((1, "description"), "BASE_TYPE_BAD_LENGTH"),
        ((2, "options"), "BASE_TYPE_MAX_LENGTH"),
    }
