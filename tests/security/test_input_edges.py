"""Odd input gets a clear one-line answer, never ``internal``, and nothing rendered pings anyone."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.commands.registry import COMMANDS
from bot.handler import MAX_COMMAND_CHARS, Access, handle
from bot.requests import Request
from bot.surfaces.discord.embeds import paginate
from bot.surfaces.slack.blocks import render_answer
from facts.errors import UsageError
from facts.store.corrections import parse_date_spec
from facts.store.sqlite_store import SQLiteStore

EDITOR = "slack:UEDITOR"
ACCESS = Access(admins=frozenset({EDITOR}))


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("/timeline 0001", "bad_input"),
        ("/timeline 0999-1001", "bad_input"),
        ("/timeline page 2", "bad_input"),
        ("/timeline page", "bad_input"),
        ("/timeline 2019 page 0", "bad_input"),
        ("/timeline 2019 page 99999999999999999999", "bad_input"),
        ("/timeline 2019 page ²", "bad_input"),
        ("/fact show 99999999999999999999", "not_found"),
        ("/fact show ³", "bad_input"),
        ("/fact history 123456789012345678901234567890", "not_found"),
        ("/source 99999999999999999999999", "bad_input"),
        ("/source ⁴", "bad_input"),
        ("/fact correct 1 date=0001 note=typo", "bad_input"),
        ("/fact correct 1 date=1799-12-31 note=typo", "bad_input"),
        ("/fact correct 1 date=2201 note=typo", "bad_input"),
        ("/fact correct 1 v=99999999999999999999999 note=typo", "bad_input"),
        ("/agreement \ud800", "bad_input"),
        ("/search \udfff\ud800", "bad_input"),
        (f"/ask {'why ' * MAX_COMMAND_CHARS}", "bad_input"),
    ],
)
async def test_input_that_once_answered_internal_gets_a_clear_reply(
    seeded_copy: SQLiteStore, line: str, code: str
) -> None:
    command, _, text = line.partition(" ")
    answer = await handle(Request(command.lstrip("/"), text, actor=EDITOR), seeded_copy, access=ACCESS)
    assert answer.error is not None and answer.error.code == code, (line, answer.error)
    assert "Usage:" in answer.error.message
    answer.to_json()  # serialisable as the JSON contract (no lone surrogate left to encode)


@pytest.mark.parametrize(
    ("text", "start"),
    [("1800", "1800-01-01"), ("2200-12", "2200-12-01"), ("2019-09-20", "2019-09-20"), ("0999 to 2019", None)],
)
def test_editor_dates_stay_within_sane_years_and_are_zero_padded(text: str, start: str | None) -> None:
    today = dt.date(2026, 5, 4)
    if start is None:
        with pytest.raises(UsageError):
            parse_date_spec(text, today=today)
        return
    spec = parse_date_spec(text, today=today)
    assert spec.start == start and len(spec.start) == 10


async def test_a_corrected_year_is_stored_zero_padded_and_the_country_still_answers(
    seeded_copy: SQLiteStore,
) -> None:
    timeline = await handle(Request("timeline", "2019", actor=EDITOR), seeded_copy, access=ACCESS)
    fact_id = timeline.items[0].fact_id
    answer = await handle(
        Request("fact", f"correct {fact_id} date=1850 note=archive", actor=EDITOR), seeded_copy, access=ACCESS
    )
    assert answer.error is None
    (start,) = await seeded_copy.connection.fetchone("SELECT date_start FROM facts WHERE id = ?", (fact_id,))
    assert start == "1850-01-01"
    answer = await handle(
        Request("agreement", "el-salvador", actor="slack:UNOBODY"), seeded_copy, access=ACCESS
    )
    assert answer.error is None and answer.items


def mrkdwn_texts(node: object) -> list[str]:
    """Every text Slack parses for mentions (``plain_text`` objects are shown as they are)."""
    if isinstance(node, list):
        return [t for child in node for t in mrkdwn_texts(child)]
    if not isinstance(node, dict):
        return []
    found = [node["text"]] if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str) else []
    return found + [t for value in node.values() for t in mrkdwn_texts(value)]


PINGS_SLACK = ("<!channel", "<!here", "<!everyone", "<@U", "<#C", "<!subteam")
PINGS_DISCORD = ("@everyone", "@here", "<@1", "<@&", "<#1")
HOSTILE = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U024BE7LH>",
    "<#C12345|general>",
    "<!subteam^S1>",
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@&987654321>",
    "<#42>",
    '"',
    "'",
    "\\",
    "=",
    "\ud800",
    "\u200b",
    "\u202e",
    "ｒｅｔｒａｃｔ",
    "r\u0435tract",
    "99999999999999999999",
    "-1",
    "page",
    "2019",
    "0001",
    "el-salvador",
    "date=0001",
    "note=",
    "show",
    "history",
    "retract",
    "correct",
]


@settings(
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from([c.name for c in COMMANDS] + ["FACT", "nope"]),
    words=st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)), max_size=8),
    actor=st.sampled_from(["slack:UNOBODY", "discord:77", "http:anonymous"]),
)
async def test_generated_commands_never_crash_never_write_and_never_ping(
    seeded_store: SQLiteStore, name: str, words: list[str], actor: str
) -> None:
    changes = await seeded_store.connection.total_changes()
    answer = await handle(Request(name.lower(), " ".join(words), actor=actor), seeded_store, access=ACCESS)
    # nobody outside the desk writes
    assert await seeded_store.connection.total_changes() == changes, (name, words)
    assert answer.error is None or answer.error.code != "internal", (name, words, answer.error)
    slack = render_answer(answer)
    shown = " ".join(mrkdwn_texts(slack.blocks)) + slack.text
    assert not any(p in shown for p in PINGS_SLACK), (name, words)
    assert not any(w in shown for w in ("@everyone", "@here", "@channel")), (name, words)
    page = paginate(answer)
    # Embeds never ping on Discord; a message's content can, so it must carry no live mention.
    assert not any(p in (page.content or "") for p in PINGS_DISCORD), (name, words)
