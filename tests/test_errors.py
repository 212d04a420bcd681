"""The error vocabulary as a person meets it: each mistake comes back as one code and one line,
from the one place errors become replies (bot/handler.py), and the JSON shows the plain code."""

from __future__ import annotations

import json

import pytest

from bot.handler import Access, handle
from bot.requests import parse_command_line
from facts.answers.contract import Answer
from facts.errors import ErrorCode, FactdeskError, Forbidden
from facts.store.sqlite_store import SQLiteStore

STRANGER_REFUSAL = (
    "Only the desk's editors can do that, and slack:UVISITOR is not one of them;"
    " an admin can add you to FACTDESK_ADMINS."
)
READ_ONLY_REFUSAL = (
    "This surface is read-only: the record changes only through an editor's Slack or Discord"
    " account or the command line."
)


@pytest.mark.parametrize(
    ("line", "actor", "code", "message"),
    [
        ("/fact retract 3 a duplicate", "slack:UVISITOR", ErrorCode.FORBIDDEN, STRANGER_REFUSAL),
        ("/fact retract 3 a duplicate", "http:anonymous", ErrorCode.FORBIDDEN, READ_ONLY_REFUSAL),
        ("/fact add text=x country=ruritania", "discord:77", ErrorCode.FORBIDDEN, None),
        ("/frobnicate now", "cli:local", ErrorCode.UNKNOWN_COMMAND, None),
        ("/timeline whenever", "cli:local", ErrorCode.BAD_INPUT, None),
        ("/source 4242", "cli:local", ErrorCode.NOT_FOUND, None),
        ("/fact retract 4242 gone", "cli:local", ErrorCode.NOT_FOUND, None),
    ],
)
async def test_each_mistake_is_one_code_and_one_line(
    empty_store: SQLiteStore, line: str, actor: str, code: ErrorCode, message: str | None
) -> None:
    answer = await handle(parse_command_line(line, actor=actor), empty_store, access=Access())
    assert answer.error is not None and answer.error.code is code
    assert answer.items == [] and "\n" not in answer.error.message
    if message is not None:  # a refusal is word for word, with no usage line after it
        assert answer.error.message == message
    shows_usage = code in {ErrorCode.BAD_INPUT, ErrorCode.NOT_FOUND}
    assert ("Usage: /" in answer.error.message) is shows_usage, answer.error.message


async def test_a_refusal_is_logged_and_changes_nothing(
    seeded_store: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    facts = await seeded_store.agreement_facts("SV")
    assert facts, "the bundled corpus reports an agreement of El Salvador"
    first = facts[0]
    request = parse_command_line(f"/fact retract {first.id} a duplicate", actor="slack:UVISITOR")
    answer = await handle(request, seeded_store, access=Access())
    assert answer.error is not None and answer.error.code is ErrorCode.FORBIDDEN
    assert f"refused: slack:UVISITOR may not change the record: /fact retract {first.id}" in caplog.text
    after = await seeded_store.fact(first.id)
    assert after is not None and after.version == first.version


def test_the_json_answer_carries_the_plain_code() -> None:
    body = json.dumps(Answer.failure("/timeline whenever", ErrorCode.BAD_INPUT, "Not a year.").to_json())
    assert json.loads(body)["error"] == {"code": "bad_input", "message": "Not a year."}
    assert type(Answer.failure("/x", ErrorCode.BUSY, "m").to_json()["error"]["code"]) is str


def test_every_error_names_its_own_code_and_the_refusal_no_usage() -> None:
    def subclasses(cls: type[FactdeskError]) -> list[type[FactdeskError]]:
        return [c for s in cls.__subclasses__() for c in (s, *subclasses(s))]

    codes = [cls.code for cls in subclasses(FactdeskError) if cls.__module__ == "facts.errors"]
    assert len(codes) == len(set(codes)), "two errors share a code"
    assert {cls.__name__ for cls in subclasses(FactdeskError) if not cls.shows_usage} == {"Forbidden"}
    assert str(Forbidden("not yours")) == "not yours"
