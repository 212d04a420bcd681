"""Answers as Slack messages: cited lines, sources, buttons, escaping and Slack's limits.

The limits below are Slack's, written out here on purpose (not imported from the renderer), so a
wrong constant in the renderer fails these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.commands.registry import COMMANDS
from bot.surfaces.slack.blocks import MORE_ACTION, POST_ACTION, escape, render_answer
from bot.surfaces.slack.manifest import manifest_yaml
from facts.answers.contract import Answer, Citation, Item, Source
from facts.errors import ErrorCode

SLACK_MAX_BLOCKS = 50
SLACK_SECTION_CHARS = 3000
SLACK_HEADER_CHARS = 150
SLACK_BLOCK_TEXT_CAP = 13_000


def answer_with(items: int, *, text: str = "The two countries signed the accord on Friday.") -> Answer:
    sources = [
        Source(n=1, doc_id=10, outlet="Andes Wire", title="Peru and Chile sign", published="2021-03-08",
               url="https://andes.example/1"),
        Source(n=2, doc_id=11, outlet="Coast Daily", title="Pact signed", published="2021-03-09",
               url="https://coast.example/2?a=1&b=2"),
    ]
    return Answer(
        command="/timeline 2021",
        title="Timeline 2021",
        items=[
            Item(text=f"{text} ({i})", citations=(Citation(1, text), Citation(2, text)), date="2021-03-05",
                 date_precision="day")
            for i in range(items)
        ],
        sources=sources,
        notes=["2 more — use /timeline 2021 page 2"],
    )


def all_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def block_chars(blocks: list[dict[str, Any]]) -> int:
    total = 0
    for b in blocks:
        if isinstance(b.get("text"), dict):
            total += len(b["text"]["text"])
        for e in b.get("elements", ()):
            t = e.get("text")
            total += len(t if isinstance(t, str) else (t or {}).get("text", ""))
    return total


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= SLACK_MAX_BLOCKS
    assert block_chars(blocks) < SLACK_BLOCK_TEXT_CAP
    for b in blocks:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= SLACK_SECTION_CHARS
        if b["type"] == "header":
            assert b["text"]["type"] == "plain_text" and len(b["text"]["text"]) <= SLACK_HEADER_CHARS


def test_lines_carry_their_date_and_numbered_links_and_sources_follow() -> None:
    message = render_answer(answer_with(2))
    blocks = message.blocks
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Timeline 2021"}}
    first = blocks[1]["text"]["text"]
    assert first.startswith("*2021-03-05*")
    assert "<https://andes.example/1|[1]>" in first
    assert "<https://coast.example/2?a=1&amp;b=2|[2]>" in first
    context = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert any(t.startswith("[1] Andes Wire · 2021-03-08 · <https://andes.example/1|") for t in context)
    assert any("page 2" in t for t in context)
    assert "Timeline 2021" in message.text and "(0)" in message.text
    assert_within_limits(blocks)


def test_the_private_answer_offers_post_to_channel_and_the_posted_one_says_who_asked() -> None:
    private = render_answer(answer_with(1))
    actions = [b for b in private.blocks if b["type"] == "actions"]
    assert len(actions) == 1
    button = actions[0]["elements"][0]
    assert button["action_id"] == POST_ACTION
    assert json.loads(button["value"]) == {"c": "/timeline 2021", "o": 0}
    posted = render_answer(answer_with(1), buttons=False, asked_by="jane")
    assert not [b for b in posted.blocks if b["type"] == "actions"]
    assert "Asked by jane" in all_text(posted.blocks)
    assert "<@" not in all_text(posted.blocks)


@pytest.mark.parametrize(
    "evil",
    ["<!channel> read this", "<!here|here> now", "<!everyone>", "<@U024BE7LH> said", "<#C12345|general>",
     "@here @channel @everyone look", "a & b <b>bold</b>"],
)
def test_document_text_pings_nobody_and_shows_as_written(evil: str) -> None:
    message = render_answer(answer_with(1, text=evil))
    rendered = all_text(message.blocks) + message.text
    for ping in ("<!channel", "<!here", "<!everyone", "<@U", "<#C"):
        assert ping not in rendered
    for word in ("@here", "@channel", "@everyone"):
        assert word not in rendered
    assert "&lt;" in rendered or "&amp;" in rendered or "@\u2060" in rendered


def test_escape_keeps_plain_text_readable() -> None:
    assert escape("Peru & Chile <signed>") == "Peru &amp; Chile &lt;signed&gt;"
    assert escape("email me @ noon") == "email me @ noon"


def test_a_long_answer_is_cut_between_lines_with_a_more_button() -> None:
    long_text = "The agreement, which officials described at length, " * 20
    answer = answer_with(60, text=long_text)
    first = render_answer(answer)
    assert_within_limits(first.blocks)
    shown = sum(1 for b in first.blocks if b["type"] == "section")
    assert 0 < shown < 60
    more = next(e for b in first.blocks if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == MORE_ACTION)
    value = json.loads(more["value"])
    assert value == {"c": "/timeline 2021", "o": shown}
    assert f"{60 - shown} more" in all_text(first.blocks)
    second = render_answer(answer, offset=value["o"])
    assert_within_limits(second.blocks)
    assert f"({shown})" in second.blocks[1]["text"]["text"]


def test_one_enormous_line_is_clipped_not_rejected() -> None:
    message = render_answer(answer_with(1, text="x" * 10_000))
    assert_within_limits(message.blocks)


def test_an_error_is_one_line() -> None:
    failure = Answer.failure("/timeline x", ErrorCode.BAD_INPUT, "'x' is not a year. Usage: /timeline <year>")
    message = render_answer(failure)
    assert len(message.blocks) == 1
    assert message.blocks[0]["text"]["text"].startswith(":warning: ")
    assert "Usage: /timeline" in message.text


def test_the_manifest_declares_every_registry_command() -> None:
    path = Path(__file__).resolve().parent.parent / "deploy" / "slack" / "manifest.yml"
    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    declared = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(declared) == {f"/{c.name}" for c in COMMANDS}
    for c in COMMANDS:
        assert declared[f"/{c.name}"]["description"] == c.help
    assert {"commands", "chat:write"} <= set(manifest["oauth_config"]["scopes"]["bot"])
    assert path.read_text(encoding="utf-8") == manifest_yaml()  # regenerated after every registry change
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
