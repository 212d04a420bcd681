"""``@factdesk …`` in channels and threads: how a mention is read, how often a user may mention,
and, through the real slack-bolt against the fake Slack, where the answer goes."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest

from bot.mentions import SLOW_DOWN, MentionWindow, mention_request
from bot.runtime.serve import Services
from facts.store.sqlite_store import SQLiteStore
from tests.conftest import running_services as running
from tests.conftest import slack_events_url as events_url
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import BOT_USER_ID, FakeSlack, strip_proxy_env
from tests.helpers import settings_for

BOT = f"<@{BOT_USER_ID}>"


@pytest.mark.parametrize(
    ("text", "command", "args"),
    [
        (f"{BOT} /timeline 2019", "timeline", "2019"),
        (f"{BOT} agreement el-salvador", "agreement", "el-salvador"),  # no slash: still the command
        (f"{BOT} when did Freedonia sign the accord?", "ask", "when did Freedonia sign the accord?"),
        (f"{BOT} timeline of the lagoon talks?", "ask", "timeline of the lagoon talks?"),  # not its arguments
        (f"Hey {BOT}, who signed it?", "ask", "Hey , who signed it?"),
        (f"{BOT}", "factdesk", "help"),
        ("<@!4242> /search quotas", "search", "quotas"),  # Discord's nickname mention
        (f"{BOT} /fact retract 12", "fact", "retract 12"),  # the core decides who may
        (f"{BOT}   /ASK   how   many\u200b boats? ", "ask", "how many boats?"),
        (f"{BOT} <!here> <#C1|news> <@&77> who signed?", "ask", "who signed?"),  # no markup echoed
    ],
)
def test_a_mention_reads_as_a_command_or_a_question(text: str, command: str, args: str) -> None:
    r = mention_request(text, actor="slack:U7", channel="C9")
    assert (r.command, r.text, r.actor, r.channel) == (command, args, "slack:U7", "C9")


def test_each_user_gets_so_many_mentions_in_any_sixty_seconds() -> None:
    now = [1000.0]
    window = MentionWindow(2, clock=lambda: now[0])
    assert window.allow("a")
    now[0] = 1030.0
    assert [window.allow("a"), window.allow("a")] == [True, False]
    assert window.allow("b")  # another user has a window of their own
    now[0] = 1059.9
    assert not window.allow("a")  # a refused mention does not count
    now[0] = 1060.0  # sixty seconds after the first
    assert window.allow("a") and not window.allow("a")


@pytest.fixture
async def slack(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeSlack]:
    strip_proxy_env(monkeypatch)
    async with FakeSlack(signing_secret="mention-secret") as fake:
        yield fake


async def test_a_mention_in_a_thread_is_answered_in_that_thread(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        url = events_url(services)
        delivery = await slack.app_mention(
            url, f"{BOT} who signed the asylum agreement?", channel_id="C5", thread_ts="1700000000.000100"
        )
        assert delivery.status == 200
        answer = await slack.wait_for(lambda: slack.messages and slack.messages[0])
        # Not in a thread: a new thread under the mentioning message.
        second = await slack.app_mention(url, f"{BOT} /agreement el-salvador", channel_id="C5")
        started = await slack.wait_for(lambda: len(slack.messages) > 1 and slack.messages[1])
    assert (answer["channel"], answer["thread_ts"]) == ("C5", "1700000000.000100")
    cited = json.dumps(answer["blocks"])
    assert "#:~:text=" in cited  # every line cites, linked to its sentence
    assert started["thread_ts"] == second.trigger_id  # the mentioning message's ts
    assert "Agreements with El Salvador" in started["text"]
    assert not slack.rejected


async def test_a_redelivered_or_bot_written_mention_is_not_answered_again(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        url = events_url(services)
        await slack.app_mention(url, f"{BOT} /timeline 2019", event_id="Ev0001")
        await slack.wait_for(lambda: slack.messages)
        await slack.app_mention(url, f"{BOT} /timeline 2019", event_id="Ev0001")  # Slack retries
        await slack.app_mention(url, f"{BOT} /timeline 2019", bot_id="B0OTHER")  # another bot
        await slack.app_mention(url, f"{BOT} /search asylum")
        await slack.wait_for(lambda: len(slack.messages) == 2)
    assert [m["text"].splitlines()[0] for m in slack.messages][1].startswith("Search")


async def test_mentions_over_the_limit_get_a_private_word_and_no_answer(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    settings = settings_for(seeded_copy.path, slack=slack).model_copy(update={"mentions_per_minute": 1})
    async with running(settings, seeded_copy) as services:
        url = events_url(services)
        await slack.app_mention(url, f"{BOT} /timeline 2019", user_id="UEAGER")
        await slack.wait_for(lambda: slack.messages)
        await slack.app_mention(url, f"{BOT} /timeline 2020", user_id="UEAGER")
        warned = await slack.wait_for(lambda: slack.ephemerals and slack.ephemerals[0])
    assert warned["user"] == "UEAGER" and warned["text"] == SLOW_DOWN
    assert len(slack.messages) == 1


async def test_a_mentioned_admin_action_is_refused_for_a_reporter_and_text_pings_nobody(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        url = events_url(services)
        await slack.app_mention(url, f'{BOT} /fact "retract" 12 note=gone', user_id="UREPORTER")
        refused = await slack.wait_for(lambda: slack.messages and slack.messages[0])
        await slack.app_mention(url, f"{BOT} <!channel> <@U024BE7LH> what did @here say about the deal?")
        asked = await slack.wait_for(lambda: len(slack.messages) > 1 and slack.messages[1])
    assert "Only the desk's editors" in refused["text"]
    assert (await seeded_copy.fact(12)).status == "active"  # type: ignore[union-attr]
    rendered = json.dumps(asked["payload"], ensure_ascii=False)
    for ping in ("<!channel>", "<!here>", "<@U024BE7LH>"):
        assert ping not in rendered, ping


# ---------------------------------------------------------------------------- Discord


@pytest.fixture
async def discord_fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    import discord

    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(
        discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    )
    async with FakeDiscord() as server:
        yield server


async def test_a_discord_mention_in_a_thread_is_answered_there_as_a_reply(
    discord_fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    fake = discord_fake
    thread = fake.add_thread(fake.default_channel_id, "asylum-deal-desk")
    bot = f"<@{fake.bot_user['id']}>"
    services = Services(settings_for(seeded_copy.path, discord=fake), seeded_copy)
    await services.start()
    try:
        await fake.wait_ready()
        asked = await fake.user_message(f"{bot} who signed the asylum agreement?", channel_id=thread)
        reply = await fake.wait_for(lambda: fake.channel_messages and fake.channel_messages[0])
        await fake.user_message(f"{bot} /agreement el-salvador", bot=True)  # another bot: ignored
        await fake.user_message("/agreement el-salvador, no mention", mention_bot=False)
        await fake.user_message(f"{bot} /fact retract 12 note=gone")  # a member without the role
        refused = await fake.wait_for(lambda: len(fake.channel_messages) > 1 and fake.channel_messages[1])
    finally:
        await services.stop()
    assert reply["channel_id"] == thread
    assert str(reply["payload"]["message_reference"]["message_id"]) == asked
    assert reply["pings"] is False and reply["embeds"]
    assert "#:~:text=" in json.dumps(reply["embeds"])  # cited, linked to the sentence
    assert "Only the desk's editors" in (refused["content"] or json.dumps(refused["embeds"]))
    assert len(fake.channel_messages) == 2
    assert (await seeded_copy.fact(12)).status == "active"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- "Find sources"

TWO_CLAIMS = (
    "Checking my draft before it runs:\n"
    "El Salvador signed the asylum agreement with the United States in September 2019.\n"
    "Under the deal, 5,000 Ruritanian pilots a year are trained in Panama.\n"
    "Can someone confirm both?"
)


BOTH_SAID = (
    "Two lines of my draft:\n"
    "El Salvador signed the asylum agreement with the United States in September 2019.\n"
    "Kevin McAleenan signed the deal for the United States. ok?"
)


async def test_find_sources_on_a_message_with_two_claims_cites_each(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        await slack.message_shortcut(events_url(services), "factdesk_find_sources", BOTH_SAID)
        private = await slack.wait_for(lambda: slack.responses and slack.responses[0])
    texts = [b["text"]["text"] for b in private["blocks"] if b["type"] == "section"]
    for claim in (1, 2):
        head = next(i for i, t in enumerate(texts) if t.startswith(f"*Claim {claim}: "))
        line = texts[head + 1]  # the first line under the claim: a quote, linked to its sentence
        assert re.search(r"<https?://[^|>]+#:~:text=[^|>]+\|\[\d+(, caption)?\]>", line), line
    assert "do not say" not in json.dumps(private)


async def test_find_sources_on_slack_answers_each_claim_privately_then_posts_to_the_thread(
    slack: FakeSlack, seeded_copy: SQLiteStore
) -> None:
    async with running(settings_for(seeded_copy.path, slack=slack), seeded_copy) as services:
        url = events_url(services)
        shortcut = await slack.message_shortcut(url, "factdesk_find_sources", TWO_CLAIMS, channel_id="C7")
        assert shortcut.status == 200
        private = await slack.wait_for(lambda: slack.responses and slack.responses[0])
        post = next(e for b in private["blocks"] if b["type"] == "actions" for e in b["elements"])
        assert post["action_id"] == "factdesk_post_thread" and post["text"]["text"] == "Post to thread"
        await slack.block_action(url, "factdesk_post_thread", post["value"], channel_id="C7")
        public = await slack.wait_for(lambda: slack.messages and slack.messages[0])
    assert private["response_type"] == "ephemeral"
    texts = [b["text"]["text"] for b in private["blocks"] if b["type"] == "section"]
    assert any(t.startswith("*Claim 1: El Salvador signed") for t in texts)
    cited = [t for t in texts if "#:~:text=" in t]
    assert cited  # the first claim: lines the documents hold, each linked to its sentence
    notes = " ".join(e["text"] for b in private["blocks"] if b["type"] == "context" for e in b["elements"])
    assert "Claim 2, the documents do not say" in notes and "Ruritanian pilots" in notes
    assert "Can someone confirm" not in json.dumps(private)  # a request, not a claim
    assert (public["channel"], public["thread_ts"]) == ("C7", shortcut.trigger_id)
    assert [b for b in public["blocks"] if b["type"] == "section"] == [
        b for b in private["blocks"] if b["type"] == "section"
    ]
    assert not slack.rejected


async def test_find_sources_on_discord_answers_each_claim_privately(
    discord_fake: FakeDiscord, seeded_copy: SQLiteStore
) -> None:
    fake = discord_fake
    services = Services(settings_for(seeded_copy.path, discord=fake), seeded_copy)
    await services.start()
    try:
        await fake.wait_ready()
        assert fake.command_id("Find sources", kind=3) or fake.command_id(
            "Find sources", fake.default_guild_id, kind=3
        )
        mid = await fake.user_message(TWO_CLAIMS, mention_bot=False)
        await fake.message_command("Find sources", mid)
        reply = await fake.wait_for(lambda: fake.followups and fake.followups[-1])
    finally:
        await services.stop()
    assert reply["flags"] & 64  # private
    embed = json.dumps(reply["embeds"])
    assert "Claim 1: El Salvador signed" in embed and "#:~:text=" in embed
    assert "Claim 2, the documents do not say" in embed
    assert reply["pings"] is False
