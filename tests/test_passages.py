"""split_passages: sentence boundaries, line kinds and offsets on wire-style copy."""

from __future__ import annotations

import pytest

from facts.text.passages import PASSAGE_KINDS, Passage, split_passages


def texts(doc: str, kind: str | None = None) -> list[str]:
    return [p.text for p in split_passages(doc) if kind is None or p.kind == kind]


def kinds(doc: str) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in split_passages(doc)]


# Abbreviations that must not end a sentence: each line is exactly one sentence.
ONE_SENTENCE = [
    "The talks began on Sept. 20 in the capital and ran late into the night.",
    "Officials in the U.S. and Canada said the rule would change little.",
    "The U.N. refugee agency said it had not been consulted on the plan.",
    "In this Nov. 16, 2018, photo, a deportation flight leaves a Texas airfield.",
    "The Rev. John L. Smith, who leads a refugee charity, called the plan cruel.",
    "Vice President-elect Kamala D. Harris has criticized the accord in the past.",
    "The accord takes effect Dec. 1, Gov. Ana Ruiz of the state told reporters.",
    "Dr. Bo Li and Mr. Tom Lee of the Geneva office met the delegation on Jan. 3.",
]


@pytest.mark.parametrize("sentence", ONE_SENTENCE)
def test_abbreviations_do_not_split(sentence: str) -> None:
    assert texts(sentence) == [sentence]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            "The minister signed the deal Friday. It takes effect in March.",
            ["The minister signed the deal Friday.", "It takes effect in March."],
        ),
        (
            "“We are ready to help,” the minister said. “The rest is up to them.”",
            ["“We are ready to help,” the minister said.", "“The rest is up to them.”"],
        ),
        (
            "The official said the envoy would sign a ``regional protection pact.'' Talks continue.",
            ["The official said the envoy would sign a ``regional protection pact.''", "Talks continue."],
        ),
        (
            "He called it ``a historic day.'' '' The critics disagreed.",
            ["He called it ``a historic day.'' ''", "The critics disagreed."],
        ),
        (
            "The governor left early. ...",
            ["The governor left early. ..."],
        ),
        (
            "Is the deal legal? Lawyers are divided! Courts will decide.",
            ["Is the deal legal?", "Lawyers are divided!", "Courts will decide."],
        ),
    ],
)
def test_sentences_and_quotes(doc: str, expected: list[str]) -> None:
    assert texts(doc) == expected


def test_no_passage_is_only_punctuation() -> None:
    doc = "He said it was ``over.''\n''\n---\nThe vote is set for Tuesday. ''"
    for p in split_passages(doc):
        assert any(ch.isalnum() for ch in p.text), p


CAPTION_DOCS = [
    "FILE - In this Aug. 3, 2019, photo, migrants wait at a shelter in Tijuana.\n\nThe story begins here.",
    "FILE – Border agents patrol the river near Eagle Pass, Texas, on May 2, 2021.\n\nThe story begins here.",
    "FILE — A cargo ship waits outside the port on Oct. 5, 2020.\n\nThe story begins here.",
    "FILE PHOTO: A flag flies over the ministry in the capital.\n\nThe story begins here.",
    "Families line up for water at a camp near the border. (Jane Doe/AP Photo)\n\nThe story begins here.",
    "The envoy arrives at the airport on Monday. (AP Photo/Marco Ruiz)\n\nThe story begins here.",
    "Ministers pose for a group photo before the summit. (Reuters)\n\nThe story begins here.",
    "Workers repair a wall near the crossing. Photo: Ana Ruiz/Getty Images\n\nThe story begins here.",
    "Protesters march in the capital. Credit: Bo Li for The Daily Ledger\n\nThe story begins here.",
]


@pytest.mark.parametrize("doc", CAPTION_DOCS)
def test_captions(doc: str) -> None:
    found = split_passages(doc)
    assert {p.kind for p in found[:-1]} == {"caption"}
    assert found[-1].kind == "sentence"
    assert found[-1].text == "The story begins here."


def test_every_sentence_of_a_caption_line_is_a_caption() -> None:
    doc = "FILE - Guards watch the gate on June 2, 2017. Officials said later the prison was full…"
    assert [p.kind for p in split_passages(doc)] == ["caption", "caption"]


def test_lines_before_a_dateline_line_are_captions() -> None:
    doc = (
        "Border agents escort a family across a bridge on March 4, 2020 near Laredo, Texas.\n"
        "Washington CNN  — \n\n"
        "The two governments signed a new accord on Friday.\n"
    )
    assert kinds(doc) == [
        ("caption", "Border agents escort a family across a bridge on March 4, 2020 near Laredo, Texas."),
        ("dateline", "Washington CNN  —"),
        ("sentence", "The two governments signed a new accord on Friday."),
    ]


@pytest.mark.parametrize(
    "line", ["Washington CNN  — ", "NEW YORK (AP) —", "LONDON —", "Mexico City (Reuters) -"]
)
def test_dateline_lines(line: str) -> None:
    doc = f"{line}\nThe talks resumed on Monday."
    assert [p.kind for p in split_passages(doc)] == ["dateline", "sentence"]


@pytest.mark.parametrize(
    ("doc", "dateline", "sentence"),
    [
        ("NEW YORK - The United States planned a pact.", "NEW YORK -", "The United States planned a pact."),
        ("MEXICO CITY (AP) — Officials met on Monday.", "MEXICO CITY (AP) —", "Officials met on Monday."),
        (
            "SAN SALVADOR, El Salvador (AP) — The vote was close.",
            "SAN SALVADOR, El Salvador (AP) —",
            "The vote was close.",
        ),
        ("WASHINGTON (Reuters) -- Lawmakers left town.", "WASHINGTON (Reuters) --", "Lawmakers left town."),
        ("GENEVA—The agency issued a report.", "GENEVA—", "The agency issued a report."),
    ],
)
def test_dateline_prefix_is_not_part_of_the_sentence(doc: str, dateline: str, sentence: str) -> None:
    assert kinds(doc) == [("dateline", dateline), ("sentence", sentence)]


@pytest.mark.parametrize(
    "doc",
    [
        "ICE — the immigration agency — said it would comply.",
        "COVID-19 cases rose again in the region.",
        "U.S. - Mexico relations were tense.",
    ],
)
def test_line_openings_that_are_not_datelines(doc: str) -> None:
    assert kinds(doc) == [("sentence", doc)]


def test_headline_and_headings() -> None:
    doc = (
        "# Pact signed at the border\n\nThe pact was signed Friday.\n\nRising tensions\n\n"
        "Talks stalled.\n\n## What comes next\n"
    )
    assert kinds(doc) == [
        ("headline", "Pact signed at the border"),
        ("sentence", "The pact was signed Friday."),
        ("heading", "Rising tensions"),
        ("sentence", "Talks stalled."),
        ("heading", "What comes next"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Short line ending with a period.",
        "A question for the minister?",
        "“A quoted line”",
        "The minister said:",
        "this line has far too many words to be a heading at all here",
    ],
)
def test_not_headings(line: str) -> None:
    assert split_passages(line)[0].kind == "sentence"


def test_short_lines_that_are_headings_not_furniture() -> None:
    doc = "The pact was signed Friday.\n\nUpdated guidance for shelters\n\nBy the numbers"
    assert [p.kind for p in split_passages(doc)] == ["sentence", "heading", "heading"]


def test_headline_only_as_first_line() -> None:
    doc = "The pact was signed Friday.\n# Not a headline here"
    assert [p.kind for p in split_passages(doc)] == ["sentence", "heading"]


BOILERPLATE = [
    "CNN’s Ana Ruiz and Bo Li contributed to this report.",
    "Associated Press writer Tom Lee in Geneva contributed.",
    "Includes reporting from the Associated Press",
    "Sign up for our morning newsletter!",
    "By submitting this form, you agree to our terms.",
    "Subscribe to read the full story.",
    "Follow us on social media for updates.",
    "Copyright 2020 The Daily Ledger. All rights reserved.",
    "© 2021 Ledger Media",
    "Click here to read the full report.",
    "Read more: How the pact came together",
    "This story has been updated with comment from the ministry.",
    "Reporting by Ana Ruiz; Editing by Bo Li",
    "By Ana Ruiz and Bo Li",
    "Updated 4:05 PM ET, Fri September 20, 2019",
    "Published Sept. 20, 2019",
]


@pytest.mark.parametrize("line", BOILERPLATE)
def test_boilerplate(line: str) -> None:
    doc = f"The pact was signed Friday.\n\n{line}"
    found = split_passages(doc)
    assert found[0].kind == "sentence"
    assert {p.kind for p in found[1:]} == {"boilerplate"}


def test_sentences_that_look_like_furniture_are_not() -> None:
    doc = "By Monday, the talks had collapsed. Families who sign up for aid wait weeks."
    assert [p.kind for p in split_passages(doc)] == ["sentence", "sentence"]


def test_nbsp_and_double_spaces() -> None:
    doc = "\u00a0The pact was\u00a0signed  Friday.\u00a0 Talks  resume\u00a0Monday.\u00a0\n"
    found = split_passages(doc)
    assert [p.text for p in found] == ["The pact was\u00a0signed  Friday.", "Talks  resume\u00a0Monday."]


def test_paragraph_and_index_numbering() -> None:
    doc = "First one. Second one.\n\n\nThird one.\nFourth one."
    found = split_passages(doc)
    assert [(p.paragraph, p.index) for p in found] == [(0, 0), (0, 1), (1, 2), (2, 3)]


@pytest.mark.parametrize("doc", ["", "   ", "\n\n \u00a0\n"])
def test_empty(doc: str) -> None:
    assert split_passages(doc) == []


OFFSET_DOCS = [
    "# Pact signed\n\nFILE - A shelter on Aug. 9, 2017.\nNEW YORK - The U.S. said so.  Talks went on.\n",
    "Agents at the river. (Jane Doe/AP Photo)\r\nWashington CNN  — \r\n\r\nThe deal was ``done.'' ''\r\n",
    "\u00a0\u00a0Rising tensions\n\n“It is over,” said Rev. John L. Smith.\u00a0 Sept. 20 came.\n\nSign up!",
    "MEXICO CITY (AP) — Officials met.\n\nCNN’s Ana Ruiz contributed to this report.\n\n\n",
    "one line without any punctuation at all but plenty of words to not be a heading",
]


@pytest.mark.parametrize("doc", OFFSET_DOCS)
def test_offsets_point_into_the_document(doc: str) -> None:
    found = split_passages(doc)
    assert found
    previous_end = 0
    for i, p in enumerate(found):
        assert isinstance(p, Passage)
        assert doc[p.start : p.end] == p.text
        assert p.text == p.text.strip()
        assert p.index == i
        assert p.kind in PASSAGE_KINDS
        assert p.start >= previous_end
        previous_end = p.end
    assert [p.paragraph for p in found] == sorted(p.paragraph for p in found)
