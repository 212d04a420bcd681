"""What the surfaces read from each platform's payloads, the one mapping of delivery failures,
and what the Desk does for surfaces (form lookups, delivery claims) so they never hold the store."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from bot.commands.fact_forms import Form
from bot.delivery_errors import map_delivery_errors
from bot.desk import EXPIRE_EVERY_SECONDS, Desk
from bot.digest_scheduler import DeliveryError
from bot.invocation import Access, Context
from bot.requests import Request
from bot.surfaces.discord.payloads import options_from
from bot.surfaces.slack import payloads
from facts.answers.contract import Answer
from facts.store.sqlite_store import SQLiteStore

SLASH = {
    "command": "/timeline",
    "text": "2019\u200b  lowmark",
    "user_id": "U7",
    "user_name": "ines",
    "channel_id": "C3",
    "trigger_id": "t-1",
}


def button(value: object, **extra: Any) -> dict[str, Any]:
    raw = value if isinstance(value, str) else json.dumps(value)
    body = {"type": "block_actions", "user": {"id": "U8", "name": "odo"}, "channel": {"id": "C4"}}
    return body | {"actions": [{"action_id": "factdesk_more", "value": raw}]} | extra


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (SLASH, Request("timeline", "2019 lowmark", actor="slack:U7", channel="slack:C3")),
        (
            button({"c": "/search grain  quotas", "o": 10}),
            Request("search", "grain quotas", actor="slack:U8", channel="slack:C4"),
        ),
        (button("not json"), None),
        (button({"o": 3}), None),
        ({"type": "view_submission", "user": {"id": "U9"}, "view": {}}, None),
    ],
)
def test_slack_payloads_become_one_neutral_request(body: dict[str, Any], expected: Request | None) -> None:
    assert payloads.request_from(body) == expected


@pytest.mark.parametrize(
    ("body", "user", "name", "trigger"),
    [
        (SLASH, "U7", "ines", "t-1"),
        (button({"c": "/ask x"}, trigger_id="t-2"), "U8", "odo", "t-2"),
        ({"user": {"id": "U9", "username": "vela"}}, "U9", "vela", None),
        ({}, "", "someone", None),
    ],
)
def test_slack_user_and_trigger_are_read_from_every_payload_kind(
    body: dict[str, Any], user: str, name: str, trigger: str | None
) -> None:
    assert payloads.user_id(body) == user
    assert payloads.user_name(body) == name
    assert payloads.trigger_id(body) == trigger


def test_a_slack_form_carries_its_fact_and_reads_back_its_fields() -> None:
    meta = payloads.FormMeta("correct", 12, 3, "C5")
    view = {
        "private_metadata": meta.dumps(),
        "state": {"values": {"note": {"value": {"value": "a typo"}}, "date": {"value": {"value": None}}}},
    }
    assert payloads.form_meta(view) == meta
    assert payloads.form_values(view) == {"note": "a typo", "date": None}
    assert payloads.form_meta({}) == payloads.FormMeta("add", None, None, None)
    assert payloads.button_offset(button({"c": "/ask x", "o": -4})) == 0


def test_discord_options_are_cleaned_text_or_whole_numbers() -> None:
    given = {"query": "grain\u200b   quotas", "year": 2019, "to": None, "flag": True}
    assert options_from(given) == {"query": "grain quotas", "year": 2019, "to": None, "flag": None}


class ApiError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def describe(exc: ApiError) -> tuple[int, str]:
    return exc.status, f"refused ({exc.status})"


@pytest.mark.parametrize(
    ("raised", "message", "transient"),
    [
        (ApiError(429), "Lowchat: refused (429)", True),
        (ApiError(503), "Lowchat: refused (503)", True),
        (ApiError(403), "Lowchat: refused (403)", False),
        (ConnectionRefusedError("nobody there"), "Lowchat unreachable: nobody there", True),
        (aiohttp.ServerDisconnectedError(), "Lowchat: outcome unknown: ServerDisconnectedError", False),
        (TimeoutError(), "Lowchat: outcome unknown: TimeoutError", False),
    ],
)
def test_platform_failures_map_to_one_delivery_error(
    raised: Exception, message: str, transient: bool
) -> None:
    with pytest.raises(DeliveryError) as caught, map_delivery_errors("Lowchat", ApiError, describe):
        raise raised
    assert str(caught.value) == message and caught.value.transient is transient
    assert caught.value.__cause__ is raised


def test_other_errors_pass_through_the_mapping() -> None:
    with pytest.raises(KeyError), map_delivery_errors("Lowchat", ApiError, describe):
        raise KeyError("not a delivery problem")


EDITOR = "slack:UED"


def desk_on(store: SQLiteStore) -> Desk:
    return Desk(store, Context(access=Access(admins=frozenset({EDITOR}))))


async def test_the_desk_opens_a_prefilled_form_for_an_editor_only(seeded_copy: SQLiteStore) -> None:
    fact = (await seeded_copy.agreement_facts("SV"))[0]
    desk = desk_on(seeded_copy)
    form = await desk.form_for(Request("fact", "", actor=EDITOR), "correct", fact.id)
    assert isinstance(form, Form) and form.version == fact.version and form.title == f"Correct fact {fact.id}"
    assert {f.name: f.initial for f in form.fields}["text"] == fact.text
    refused = await desk.form_for(Request("fact", "", actor="slack:UREPORTER"), "correct", fact.id)
    assert isinstance(refused, Answer) and refused.error and refused.error.code == "forbidden"
    missing = await desk.form_for(Request("fact", "", actor=EDITOR), "correct", 10**9)
    assert isinstance(missing, Answer) and missing.error and missing.error.code == "not_found"
    adding = await desk.form_for(Request("fact", "", actor=EDITOR), "add", None)
    assert isinstance(adding, Form) and "country" in {f.name for f in adding.fields}


async def test_a_submitted_form_changes_only_what_was_edited(seeded_copy: SQLiteStore) -> None:
    fact = (await seeded_copy.agreement_facts("SV"))[0]
    desk = desk_on(seeded_copy)
    editor = Request("fact", "", actor=EDITOR)
    untouched: dict[str, str | None] = {"text": fact.text, "date": None, "note": "looked again"}
    nothing = await desk.submit_form(editor, "correct", fact.id, fact.version, untouched)
    assert nothing.error is not None and nothing.error.code == "bad_input"
    assert "Say what to correct" in nothing.error.message
    reworded = "The Ruritanian ministry confirmed the signing the next morning."
    edited: dict[str, str | None] = {"text": reworded, "date": None, "note": "the desk checked the wording"}
    answer = await desk.submit_form(editor, "correct", fact.id, fact.version, edited)
    assert answer.error is None and answer.title == f"Fact {fact.id} corrected (version 2)"
    assert answer.command.startswith(f"/fact correct {fact.id} v={fact.version} text=")
    after = await seeded_copy.fact(fact.id)
    assert after is not None and after.text == reworded and after.version == 2
    assert (after.date_start, after.date_precision) == (fact.date_start, fact.date_precision)


async def test_the_desk_claims_each_delivery_once_and_sweeps_old_ones(empty_store: SQLiteStore) -> None:
    desk = Desk(empty_store)
    assert await desk.first_delivery("slack:t-1", 1000.0) is True
    assert await desk.first_delivery("slack:t-1", 1001.0) is False
    assert await desk.first_delivery("slack:t-2", 1000.0 + EXPIRE_EVERY_SECONDS) is True  # and sweeps
    assert await desk.first_delivery("slack:t-1", 1000.0 + 3601.0) is True  # expired, claimed anew


async def test_a_failing_store_answers_rather_than_drops(empty_store: SQLiteStore) -> None:
    desk = Desk(empty_store)
    await empty_store.close()
    assert await desk.first_delivery("slack:t-3", 5.0) is True
