"""When outlets disagree on a date: the date most independent outlets give, then the earliest
report's; the note names the others and who gives them. And summaries keep what a deal does."""

from __future__ import annotations

import pytest

from facts.answers.answer_lines import AnswerBuilder, agreed_date, display_date
from facts.answers.summary import select_lines
from facts.store.rows import DocumentRow, FactRow, SourceRow


def doc(n: int, outlet: str, published: str) -> DocumentRow:
    return DocumentRow(
        id=n,
        url=f"https://example.org/{n}",
        version=1,
        outlet=outlet,
        title="t",
        published=published,
        published_precision="day",
    )


def fact(
    fid: int,
    text: str,
    sources: list[tuple[DocumentRow, str | None]],
    *,
    salience: float = 5.0,
    facets: frozenset[str] = frozenset(),
) -> FactRow:
    rows = tuple(
        SourceRow(
            fact_id=fid,
            passage_id=fid * 10 + i,
            doc=d,
            quote=text,
            passage_index=i,
            date_start=label if label and len(label) == 10 else None,
            date_end=None,
            date_precision="day" if label and len(label) == 10 else ("month" if label else None),
            date_label=label,
            numbers=(),
        )
        for i, (d, label) in enumerate(sources)
    )
    label = next((lab for _, lab in sources if lab), None)
    return FactRow(
        id=fid,
        text=text,
        date_start=label if label and len(label) == 10 else None,
        date_end=None,
        date_precision="day" if label and len(label) == 10 else None,
        date_mod=None,
        date_label=label,
        date_end_label=None,
        event_id=None,
        salience=salience,
        facets=facets,
        agreement_name=None,
        status="active",
        origin="extracted",
        sources=rows,
    )


A = doc(1, "Lima Post", "2021-03-02")
B = doc(2, "Andes Wire", "2021-03-01")
C = doc(3, "Pacific Daily", "2021-03-03")

DISPUTES = [
    # two outlets against one: the majority, whatever the order
    ([(A, "2021-03-01"), (B, "2021-02-28"), (C, "2021-03-01")], "2021-03-01"),
    # one against one: the earliest report (Andes Wire, published first)
    ([(A, "2021-03-01"), (B, "2021-02-28")], "2021-02-28"),
    ([(C, "2021-03-02"), (A, "2021-03-01")], "2021-03-01"),
    # a month agrees with a day inside it
    ([(A, "2021-03"), (B, "2021-02-28"), (C, "2021-03-01")], "2021-03-01"),
]


@pytest.mark.parametrize(("sources", "expected"), DISPUTES)
def test_the_date_most_outlets_give_then_the_earliest_report(sources, expected):
    cluster = [fact(i + 1, f"The pact was signed, version {i}.", [src]) for i, src in enumerate(sources)]
    assert agreed_date(cluster) == expected
    assert display_date(cluster)[0] == expected


def test_the_note_names_the_other_date_and_who_gives_it():
    cluster = [fact(1, "The pact was signed.", [(A, "2021-03-01"), (C, "2021-03-01"), (B, "2021-02-28")])]
    item = AnswerBuilder("t").add_cluster(cluster)
    assert item.date == "2021-03-01"
    assert item.note == (
        "Sources differ on the date: 2021-03-01 as Lima Post, Pacific Daily give it;"
        " Andes Wire dates it 2021-02-28."
    )


def test_compatible_precisions_are_not_a_dispute():
    cluster = [fact(1, "The pact was signed.", [(A, "2021-03"), (B, "2021-03-01")])]
    assert AnswerBuilder("t").add_cluster(cluster).note is None


DISTINCT = [
    "Peru signed the fisheries accord with Chile in Lima.",
    "Congress in Santiago approved quotas for anchovy fleets.",
    "Bolivia asked to join talks about river water.",
    "Negotiators finalized customs rules covering copper exports.",
    "Inspectors announced monthly checks along coastal ports.",
    "Farmers' unions criticized subsidies promised under earlier plans.",
    "Both navies renewed patrols near disputed islands.",
]


def test_a_summary_keeps_the_definitional_line_even_undated_and_weak():
    strong = [
        [
            fact(
                i,
                DISTINCT[i - 1],
                [(A, f"2021-03-0{i}")],
                salience=8.0,
                facets=frozenset({"signing"}),
            )
        ]
        for i in range(1, 8)
    ]
    definition = [
        fact(
            20,
            "The agreement allows fishing boats to land their catch in either country.",
            [(B, None)],
            salience=2.5,
            facets=frozenset({"definition"}),
        )
    ]
    chosen = select_lines([*strong, definition], limit=5)
    assert 7 in chosen  # the definitional line, index 7, beats stronger repeats of signing


def test_a_summary_shows_each_event_date_before_more_lines_on_one_date():
    same_day = [
        [
            fact(
                i,
                DISTINCT[i - 1],
                [(A, "2021-03-01")],
                salience=9.0,
                facets=frozenset({"change"}),
            )
        ]
        for i in range(1, 6)
    ]
    later = [
        fact(
            30,
            "Chile ratified the accord in May.",
            [(C, "2021-05")],
            salience=4.0,
            facets=frozenset({"change"}),
        )
    ]
    chosen = select_lines([*same_day, later], limit=4)
    assert 5 in chosen


def test_a_summary_gives_every_report_its_own_news_before_more_from_one():
    # Five strong lines from one outlet's story on one day, one weaker line from another story.
    one_story = [
        [fact(i, DISTINCT[i - 1], [(A, f"2021-03-0{i}")], salience=9.0, facets=frozenset({"change"}))]
        for i in range(1, 6)
    ]
    other_story = [
        fact(
            40,
            "Peru and Chile extended the accord by a year.",
            [(C, "2021-03-03")],
            salience=5.0,
            facets=frozenset({"change"}),
        )
    ]
    assert 5 in select_lines([*one_story, other_story], limit=3)


def test_a_forecast_joins_the_period_of_the_report_that_makes_it():
    from facts.answers.summary import agreement_periods

    signed = [fact(50, "Peru signed the accord.", [(A, "2021-03-01")], facets=frozenset({"signing"}))]
    forecast = [fact(51, "The first boats will be delivered on June 1, 2035.", [(A, "2035-06-01")])]
    later = [fact(52, "Peru left the accord.", [(doc(4, "Lima Post", "2026-01-05"), "2026-01-05")])]
    assert agreement_periods([signed, forecast, later]) == [0, 0, 1]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (
            "Peru has recalled its envoys to Chile and Bolivia for talks.",
            "Peru recalled its envoys to Chile and Bolivia on Friday, officials said.",
            True,
        ),
        (
            "Peru signed the water accord with Chile on Monday after long talks in Lima.",
            "Peru left the water accord with Chile on Friday, citing unpaid fees.",
            False,
        ),
        ("Peru signed the water accord with Chile.", "The water accord gives Peru more water.", False),
    ],
)
def test_two_outlets_wording_one_news_are_one_summary_line(a: str, b: str, same: bool) -> None:
    from facts.answers.summary import same_news

    first, second = [fact(60, a, [(A, None)])], [fact(61, b, [(C, None)])]
    assert same_news(first, second) is same
    assert len(select_lines([first, second], limit=5, min_score=0)) == (1 if same else 2)
