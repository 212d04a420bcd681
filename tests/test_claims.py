"""A message's claims (facts/answers/claims.py) and /check, which answers each of them."""

from __future__ import annotations

import pytest

from bot.handler import handle
from bot.requests import Request
from facts.answers.claims import MAX_CLAIMS, claims
from facts.store.sqlite_store import SQLiteStore


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Freedonia signed the lagoon accord on 3 May.", ["Freedonia signed the lagoon accord on 3 May."]),
        ("The quota falls to 4,000 tonnes next year.", ["The quota falls to 4,000 tonnes next year."]),
        ("talks went well, the minister told reporters", []),  # nothing to check in it
        ("Minister Ana Lucke led the talks for us.", ["Minister Ana Lucke led the talks for us."]),
        ("Did Freedonia sign the accord in May?", []),  # a question, not a claim
        ("Can someone check the Freedonia figures?", []),  # a request
        ("ok", []),
        (  # a pasted list: one claim a line, bullets dropped, the same claim once
            "- The pact was ratified in 2021.\n* The pact was ratified in 2021.\n• It covers 12 harbours.",
            ["The pact was ratified in 2021.", "It covers 12 harbours."],
        ),
        (
            "Quick check: the deal was signed on Friday. It runs for   five years under Ruritanian law.",
            ["Quick check: the deal was signed on Friday.", "It runs for five years under Ruritanian law."],
        ),
    ],
)
def test_the_claims_of_a_message(text: str, expected: list[str]) -> None:
    assert claims(text) == expected


async def test_check_says_when_a_message_states_nothing_to_check(seeded_store: SQLiteStore) -> None:
    answer = await handle(Request(command="check", text="thanks all, see you tomorrow"), seeded_store)
    assert answer.error is None and not answer.items
    assert answer.notes and "states nothing to check" in answer.notes[0]


async def test_check_takes_so_many_claims_and_says_how_many_it_left(seeded_store: SQLiteStore) -> None:
    text = "\n".join(f"Ruritania paid {n} million for the harbour in 2019." for n in range(1, MAX_CLAIMS + 3))
    answer = await handle(Request(command="check", text=text), seeded_store)
    groups = {it.group for it in answer.items} | {n for n in answer.notes if n.startswith("Claim")}
    assert len(groups) <= MAX_CLAIMS
    assert any(n.startswith("2 more claims were not checked") for n in answer.notes)
    assert answer.command.startswith("/check Ruritania paid 1 million") and len(answer.command) < 1600


async def test_check_refuses_an_overlong_text_with_its_usage(seeded_store: SQLiteStore) -> None:
    answer = await handle(Request(command="check", text="The accord was signed. " * 200), seeded_store)
    assert answer.error is not None and answer.error.code == "bad_input"
    assert "Usage: /check" in answer.error.message and "\n" not in answer.error.message
