"""The near-duplicate rule: the same sentence (perhaps lightly edited) is one fact; different
sentences that merely share a stock clause are not."""

from __future__ import annotations

import pytest

from facts.extract.near_duplicates import is_near_duplicate, shingles, tokens

SAME = [
    # identical apart from quotes and the spelling of the United States
    ("The U.S. and Peru signed the accord on Friday, officials said.",
     "The United States and Peru signed the accord on Friday, officials said."),
    # a verb swapped in the middle
    ("Chile threatened to leave the fisheries pact unless quotas for anchovy boats were raised next year.",
     "Chile warned that it would leave the fisheries pact unless quotas for anchovy boats were raised "
     "next year."),
    # the ending reworded
    ("The two ministers agreed on the text of the pact but were still working out how it would be "
     "implemented along the border.",
     "The two ministers agreed on the text of the pact and were working out a way to implement it along "
     "the border."),
    # a quote embedded in a longer sentence
    ("We will not accept a deal that leaves our fishermen without work",
     "Speaking in Lima on Tuesday, the minister said: We will not accept a deal that leaves our fishermen "
     "without work, and the cabinet agreed."),
    # attribution moved
    ("Officials said the commission will meet in Lima every three months to review the catch figures.",
     "The commission will meet in Lima every three months to review the catch figures, officials said."),
]

DIFFERENT = [
    # one stock opening, two different facts
    ("The two governments said in a joint statement that anchovy quotas will be reviewed by marine "
     "biologists every spring.",
     "The two governments said in a joint statement that border crossings near Arica will stay open "
     "through the holidays."),
    # one stock ending, two different facts
    ("Copper exports fell sharply during the winter, the foreign ministry said in a statement released "
     "to reporters on Monday evening.",
     "A rail link to the port is being studied, the foreign ministry said in a statement released to "
     "reporters on Monday evening."),
    # the same topic in different words is related, not the same sentence
    ("Peru and Chile signed a fisheries agreement on Friday.",
     "On Friday the two neighbours put their names to a deal on fishing."),
]


def near(a: str, b: str) -> bool:
    wa, wb = tokens(a), tokens(b)
    return is_near_duplicate(shingles(wa), shingles(wb), len(wa), len(wb), tokens_a=wa)


@pytest.mark.parametrize(("a", "b"), SAME)
def test_the_same_sentence_lightly_edited_is_one(a: str, b: str) -> None:
    assert near(a, b)
    assert near(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_sentences_sharing_only_a_stock_clause_stay_apart(a: str, b: str) -> None:
    assert not near(a, b)
    assert not near(b, a)
