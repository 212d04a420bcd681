"""Facets: which part of an agreement's story a sentence tells."""

from __future__ import annotations

import pytest

from facts.extract.salience import event_verb, facets_of, score_sentence


@pytest.mark.parametrize(
    ("sentence", "facets"),
    [
        ("The two ministers signed the accord in Lima.", {"signing"}),
        ("The government finalized the plan on Tuesday.", {"change"}),
        ("The treaty was later terminated by the new cabinet.", {"change"}),
        ("The pact has not yet been implemented.", {"status"}),
        ("The deal, known as the Andes Compact, would allow boats to fish in both zones.", {"definition"}),
        ("Rights groups condemned the agreement as a farce.", {"criticism"}),
        ("Fishermen gathered at the harbour at dawn.", set()),
    ],
)
def test_facets(sentence: str, facets: set[str]) -> None:
    assert facets_of(sentence) == facets


@pytest.mark.parametrize(
    ("sentence", "verb"),
    [
        ("Peru and Chile signed a pact on Monday.", "sign"),
        ("Officials said they had finalised the accord.", "finalize"),
        ("The treaty was cancelled last year.", "cancel"),
        ("The talks went on into the night.", None),
    ],
)
def test_event_verb(sentence: str, verb: str | None) -> None:
    assert event_verb(sentence) == verb


def test_a_dated_signed_lead_outranks_a_no_comment_line() -> None:
    lead = score_sentence(
        "Peru and Chile signed a fisheries pact on Monday, officials said.",
        dated=True,
        people=0,
        has_term=True,
        explicit=True,
        position=0,
        named_agreement=False,
    )
    furniture = score_sentence(
        "The ministry did not respond to a request for comment on the pact.",
        dated=False,
        people=0,
        has_term=True,
        explicit=False,
        position=9,
        named_agreement=False,
    )
    assert lead.score > furniture.score + 5
    assert "signing" in lead.facets and lead.event_verb == "sign"
