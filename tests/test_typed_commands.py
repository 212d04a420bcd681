"""Typed commands: the text a person types and the options a typed surface sends become the same
arguments, read once; ``text()`` shows arguments as one would type them; mistakes keep their
words on both paths; the editors' check is decided on the arguments, whichever way they came."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.commands.digest import DigestArgs
from bot.commands.fact import FactArgs
from bot.commands.ingest import IngestArgs
from bot.commands.queries import AgreementArgs, AskArgs, SearchArgs, SourceArgs, TimelineArgs
from bot.commands.registry import COMMANDS, Command, HelpArgs, get_command
from bot.handler import handle_options
from bot.invocation import Access, Context
from bot.requests import Request
from facts.countries import resolve_country
from facts.errors import FactdeskError, NotFound, UsageError
from facts.store.sqlite_store import SQLiteStore


def command(name: str) -> Command[Any]:
    found = get_command(name)
    assert found is not None
    return found


def country(slug: str) -> Any:
    found = resolve_country(slug)
    assert found is not None
    return found


# (command, text as typed, the same as typed options, the arguments both stand for)
SAME_ARGUMENTS = [
    ("agreement", "El Salvador", {"country": "el-salvador"}, AgreementArgs(country("el-salvador"))),
    (
        "timeline",
        "2019-2020 guatemala page 2",
        {"year": 2019, "to": 2020, "country": "guatemala", "page": 2},
        TimelineArgs(
            dt.date(2019, 1, 1), dt.date(2020, 12, 31), country("guatemala"), 2, "2019-2020 guatemala"
        ),
    ),
    (
        "timeline",
        "2021",
        {"year": 2021, "to": None, "country": None, "page": None},
        TimelineArgs(dt.date(2021, 1, 1), dt.date(2021, 12, 31), None, 1, "2021"),
    ),
    ("search", "  grain   treaty ", {"query": "grain treaty"}, SearchArgs("grain treaty")),
    (
        "ask",
        "who signed the grain treaty?",
        {"question": "who signed the grain treaty?"},
        AskArgs("who signed the grain treaty?"),
    ),
    ("source", "3", {"ref": "3"}, SourceArgs(3)),
    (
        "source",
        "https://lowland.example/a",
        {"ref": "https://lowland.example/a"},
        SourceArgs("https://lowland.example/a"),
    ),
    (
        "fact",
        'correct 12 text="The envoy of Lowmark signed." note="wrong envoy" version=4',
        {
            "action": "correct",
            "id": 12,
            "text": "The envoy of Lowmark signed.",
            "note": "wrong envoy",
            "version": 4,
        },
        FactArgs(
            "correct", 12, {"text": "The envoy of Lowmark signed.", "note": "wrong envoy", "version": "4"}
        ),
    ),
    ("fact", "show 7", {"action": "show", "id": 7}, FactArgs("show", 7)),
    (
        "ingest",
        'https://lowland.example/a outlet="Lowland Courier" published=2020-02-03',
        {"url": "https://lowland.example/a", "published": "2020-02-03", "outlet": "Lowland Courier"},
        IngestArgs("https://lowland.example/a", "2020-02-03", "Lowland Courier", None),
    ),
    (
        "digest",
        "subscribe 0 8 * * 1 Europe/Madrid",
        {"action": "subscribe", "schedule": "0 8 * * 1", "timezone": "Europe/Madrid"},
        DigestArgs("subscribe", "0 8 * * 1", "Europe/Madrid"),
    ),
    ("digest", "", {"action": None}, DigestArgs("preview")),
    ("factdesk", "help", {"topic": "help"}, HelpArgs("help")),
]


@pytest.mark.parametrize(("name", "text", "options", "expected"), SAME_ARGUMENTS)
def test_text_and_typed_options_read_into_the_same_arguments(
    name: str, text: str, options: dict[str, Any], expected: object
) -> None:
    c = command(name)
    assert c.parse(text) == expected
    assert c.options(options) == expected


@pytest.mark.parametrize(("name", "text", "options", "expected"), SAME_ARGUMENTS)
def test_arguments_shown_as_text_read_back_the_same(
    name: str, text: str, options: dict[str, Any], expected: Any
) -> None:
    c = command(name)
    assert c.parse(expected.text()) == expected


# (command, text, typed options, error class, message start): a mistake reads the same either way.
MISTAKES = [
    (
        "agreement",
        "atlantisia",
        {"country": "atlantisia"},
        UsageError,
        "I don't know a country called 'atlantisia'",
    ),
    ("agreement", "", {"country": None}, UsageError, "Which country?"),
    ("timeline", "1999x", {"year": "1999x"}, UsageError, "'1999x' is not a year or a range of years."),
    ("timeline", "0999", {"year": "0999"}, UsageError, "Timelines cover the years 1000 to 9998; '0999' is"),
    ("timeline", "2019 page 0", {"year": 2019, "page": 0}, UsageError, "'0' is not a page number."),
    ("search", "   ", {"query": " "}, UsageError, "Give some words to search for."),
    ("search", "?!", {"query": "?!"}, UsageError, "'?!' has no words to look for."),
    ("ask", "", {"question": None}, UsageError, "Give some question."),
    ("source", "lowland", {"ref": "lowland"}, UsageError, "'lowland' is not a source number or a url."),
    ("fact", "retract", {"action": "retract"}, UsageError, "/fact retract needs a fact id"),
    ("fact", "burn 3", {"action": "burn", "id": 3}, UsageError, "Which /fact action?"),
    (
        "fact",
        "show 99999999999999999999",
        {"action": "show", "id": 99999999999999999999},
        NotFound,
        "There is no fact",
    ),
    ("ingest", "", {"url": None}, UsageError, "Which page? Give its url."),
    ("digest", "explode", {"action": "explode"}, UsageError, "'explode' is not a /digest action."),
]


@pytest.mark.parametrize(("name", "text", "options", "error", "message"), MISTAKES)
def test_a_mistake_has_the_same_words_typed_or_as_options(
    name: str, text: str, options: dict[str, Any], error: type[FactdeskError], message: str
) -> None:
    c = command(name)
    for read in (lambda: c.parse(text), lambda: c.options(options)):
        with pytest.raises(error) as caught:
            read()
        assert str(caught.value).startswith(message), str(caught.value)


@pytest.mark.parametrize(
    ("name", "text", "writes"),
    [
        ("fact", "show 3", False),
        ("fact", "history 3", False),
        ("fact", "RETRACT 3 a reason", True),
        ("fact", '"correct" 3 note=x', True),
        ("digest", "preview", False),
        ("digest", "now", True),
        ("ingest", "https://lowland.example/a", True),
        ("timeline", "2019", False),
    ],
)
def test_whether_a_command_writes_is_read_from_its_parsed_arguments(
    name: str, text: str, writes: bool
) -> None:
    c = command(name)
    assert c.writes(c.parse(text)) is writes


def test_every_registry_entry_parses_builds_and_runs() -> None:
    for c in COMMANDS:
        assert callable(c.parse) and callable(c.options) and callable(c.run), c.name
        assert {a.name for a in c.arguments}, c.name


async def test_a_typed_retract_by_a_non_editor_is_refused_and_changes_nothing(
    seeded_copy: SQLiteStore,
) -> None:
    fact_id = (await seeded_copy.agreement_facts("SV"))[0].id
    context = Context(access=Access(admins=frozenset({"discord:1"}), discord_admin_roles=frozenset({"77"})))
    outsider = Request("fact", "", actor="discord:42", channel="discord:9", roles=("5",))
    values = {"action": "retract", "id": fact_id, "note": "not so"}
    answer = await handle_options(command("fact"), values, outsider, seeded_copy, context=context)
    assert answer.error is not None and answer.error.code == "forbidden"
    assert answer.command == f"/fact retract {fact_id} note='not so'"
    assert (await seeded_copy.fact(fact_id)).status == "active"  # type: ignore[union-attr]
    by_role = Request("fact", "", actor="discord:43", channel="discord:9", roles=("77",))
    done = await handle_options(command("fact"), values, by_role, seeded_copy, context=context)
    assert done.error is None and done.title == f"Fact {fact_id} retracted (version 2)"


async def test_typed_options_past_the_length_cap_are_refused_like_text(seeded_copy: SQLiteStore) -> None:
    changes = seeded_copy.connection.total_changes
    values = {
        "action": "add",
        "text": "Lowmark ships grain. " * 200,
        "country": "peru",
        "source": "1",
        "quote": "grain",
    }
    answer = await handle_options(
        command("fact"), values, Request("fact", "", actor="cli:desk"), seeded_copy, context=Context()
    )
    assert answer.error is not None and answer.error.code == "bad_input"
    assert "a command takes at most 4,000" in answer.error.message
    assert seeded_copy.connection.total_changes == changes
