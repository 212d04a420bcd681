"""Dates bound to their own clause: one event per dated clause, each with its date and country.

Every sentence here is invented (real country names, since countries are recognised from a
gazetteer; the events are not real).
"""

from __future__ import annotations

import datetime as dt

import pytest

from facts.countries import find_countries
from facts.extract.agreements import SentenceCountries, attribute, has_agreement_term
from facts.extract.date_clauses import clause_spans, clause_text
from facts.extract.dates import find_anaphor, find_dates, main_date
from facts.extract.pipeline import extract
from facts.read.article import ArticleInput
from facts.store.sqlite_store import SQLiteStore
from facts.store.text_spans import FACT_TEXT

D = dt.date(2022, 11, 17)  # a Thursday


def clauses(sentence: str, dct: dt.date = D) -> list[tuple[str, str | None]]:
    mentions = find_dates(sentence, published=dct)
    out = []
    for span in clause_spans(sentence, mentions):
        a, b = clause_text(sentence, span)
        date = main_date([m for m in mentions if a <= m.span[0] < b])
        out.append((sentence[a:b], date.iso if date else None))
    return out


SPLITS = [
    (
        "Lodz left the accord on October 29, but rejoined it on November 2.",
        [("Lodz left the accord on October 29", "2022-10-29"), ("rejoined it on November 2.", "2022-11-02")],
    ),
    (
        "The senate ratified it in December 2019, the president signed it into law in January, "
        "and the assembly adopted it in March.",
        [
            ("The senate ratified it in December 2019", "2019-12"),
            ("the president signed it into law in January", "2022-01"),
            ("the assembly adopted it in March.", "2022-03"),
        ],
    ),
    (
        "Ministers agreed to extend the pact by 90 days in November, but then in March agreed to a "
        "30-day extension.",
        [
            ("Ministers agreed to extend the pact by 90 days in November", "2022-11"),
            ("in March agreed to a 30-day extension.", "2022-03"),
        ],
    ),
    (  # ellipsis: the second clause repeats the first one's verb
        "The treaty resembles the deals Borduria signed on May 4 and Syldavia on June 9.",
        [
            ("The treaty resembles the deals Borduria signed on May 4", "2022-05-04"),
            ("Syldavia on June 9.", "2022-06-09"),
        ],
    ),
    (
        "Delegates met on Monday and agreed on Tuesday to sign.",
        [("Delegates met on Monday", "2022-11-14"), ("agreed on Tuesday to sign.", "2022-11-15")],
    ),
]


@pytest.mark.parametrize(("sentence", "expected"), SPLITS)
def test_a_sentence_with_two_dated_events_gives_one_clause_per_event(sentence, expected):
    assert clauses(sentence) == expected


ONE_EVENT = [
    "On Friday, Borduria said it would sign the deal in June.",  # the lead-in has no event of its own
    "The accord was signed in May, the foreign minister said on Friday.",  # a verb of saying only reports
    "The president took the country out of the treaty on November 4, 2020, after announcing it in 2017.",
    "These are the third and fourth accords it has signed, following one pact in 1979 and Syldavia in 1994.",
    "The deal was signed on May 4.",
    # an aside between two dashes is not a clause of its own
    "In June a court ruled the plan - which Bordurian and Syldavian officials signed in April - void.",
]


@pytest.mark.parametrize("sentence", ONE_EVENT)
def test_one_event_is_not_cut(sentence):
    assert clauses(sentence) == []


DATES = [
    # an aside ", signed on Friday," keeps its own past; the main verb's future is not its
    (
        "The accord, signed on Friday, will be extended by five years, officials said.",
        dt.date(2021, 1, 31),
        "day",
        "2021-01-29",
    ),
    # month-precision publication: the whole month is the window
    ("The accord was signed on May 20.", dt.date(2021, 5, 15), "month", "2021-05-20"),
    ("The accord was signed on May 2.", dt.date(2021, 5, 15), "month", "2021-05-02"),
    # a future cue after "that" / "which" belongs to that clause, not to the date before it
    (
        "Officials announced a March 3 rule that would require visas.",
        dt.date(2021, 6, 2),
        "day",
        "2021-03-03",
    ),
    (
        "Borduria and Syldavia signed a deal on Friday in Lodz, which is expected to open the ports.",
        dt.date(2022, 7, 23),
        "day",
        "2022-07-22",
    ),
    ("The vote that is scheduled for May 3 was delayed.", dt.date(2021, 4, 20), "day", "2021-05-03"),
    # a planned date is the coming one, whatever the publication date
    ("The rule will take effect on July 1, the ministry said.", dt.date(2020, 4, 26), "day", "2020-07-01"),
    # a schedule word reads a day shortly after publication as the coming day
    (
        "The assembly does not return to session until Jan. 27, so the vote waits.",
        dt.date(2019, 12, 28),
        "day",
        "2020-01-27",
    ),
    ("Talks must end by the Nov. 3 deadline.", dt.date(2020, 10, 23), "day", "2020-11-03"),
    ("The lower house passed the bill on Dec. 19.", dt.date(2020, 1, 16), "day", "2019-12-19"),
    # "a year ago <weekday>": that weekday, a year back
    ("The talks collapsed a year ago Wednesday.", dt.date(2021, 6, 4), "day", "2020-06-02"),
    ("Talks resumed two weeks ago on Monday.", dt.date(2021, 6, 4), "day", "2021-05-17"),
]


@pytest.mark.parametrize(("sentence", "dct", "precision", "iso"), DATES)
def test_event_dates(sentence, dct, precision, iso):
    date = main_date(find_dates(sentence, published=dct, published_precision=precision))
    assert date is not None and date.iso == iso


@pytest.mark.parametrize(
    "sentence",
    [
        "LODZ, April 26 (Wire Agencies) — The new deal will enter into force on July 1, the office said.",
        "LODZ, Borduria, April 26 (Wire) - The new deal will enter into force on July 1.",
        "Lodz, April 26 (BNA) The new deal will enter into force on July 1.",  # title case, agency
    ],
)
def test_a_wire_dateline_is_the_filing_day_not_an_event(sentence):
    dates = find_dates(sentence, published=dt.date(2020, 4, 26))
    assert [d.iso for d in dates] == ["2020-07-01"]


BASE = find_dates("They met on May 4, 2021.", published=dt.date(2021, 5, 10))[0]
ANAPHORA = [
    ("The day before, talks had stalled.", "2021-05-03", "day"),
    ("That day the deal was signed.", "2021-05-04", "day"),
    ("Two days later, the envoy agreed.", "2021-05-06", "day"),
    ("He left the next day.", "2021-05-05", "day"),
    ("The next week, ministers returned.", "2021-05-10", "week"),
    ("That month, prices rose.", "2021-05", "month"),
    ("The day before the vote, talks stalled.", None, None),  # dated by the vote, not the story
    ("The talks went on.", None, None),
]


@pytest.mark.parametrize(("sentence", "iso", "precision"), ANAPHORA)
def test_anaphoric_dates_take_the_story_date(sentence, iso, precision):
    got = find_anaphor(sentence, BASE)
    assert (got.iso, got.precision) == (iso, precision) if iso else got is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Peru agreed to take back its nationals on charter flights.", True),
        ("Chile will accept deportees from third countries.", True),
        ("Peru and Chile agreed to normalize relations.", True),
        ("The two countries would restore diplomatic ties.", True),
        ("The Lodz Protocol was extended for a year.", True),
        ("Peru will accept the result of the vote.", False),
        ("The initiative drew crowds in Lima.", False),
    ],
)
def test_agreements_written_as_verbs_count(sentence, expected):
    assert has_agreement_term(sentence) is expected


def _spans(texts: list[tuple[int, str]]) -> list[SentenceCountries]:
    return [
        SentenceCountries(t, para, [(m.country.code, m.start, m.end) for m in find_countries(t)])
        for para, t in texts
    ]


def test_a_party_of_the_story_means_its_agreement_and_another_country_its_own():
    story = _spans(
        [
            (0, "Peru, Chile and Bolivia signed a water accord on Friday."),
            (1, "Bolivia withdrew from the accord on May 2."),
            (2, "Ecuador signed a similar deal last year."),
        ]
    )
    links = attribute(story, topic="PE", home="US", parties=("PE", "CL", "BO"))
    assert [link.countries if link else None for link in links] == [
        ("PE", "CL", "BO"),
        ("PE", "CL", "BO"),
        ("EC",),
    ]


def test_the_subject_of_a_sentence_is_a_party_however_far_the_agreement_word():
    story = _spans(
        [(0, "Peru is the third Andean nation to join what officials describe as the river basin accord.")]
    )
    links = attribute(story, topic=None, home="US")
    assert links[0] is not None and links[0].countries == ("PE",)


def test_attribution_carries_across_one_sentence_paragraphs():
    story = _spans(
        [
            (0, "Peru signed the accord with the United States on Friday."),
            (1, "The U.S. Senate had approved it in March."),
            (2, "Officials in Lima welcomed the vote."),
            (3, "Chile's president was not consulted."),
        ]
    )
    links = attribute(story, topic="PE", home="US", parties=("PE",))
    assert [link.countries if link else None for link in links] == [("PE",), ("PE",), ("PE",), None]


def _article(
    body: str, *, title: str = "Water talks", published: str = "2022-11-17", url: str = "u1"
) -> ArticleInput:
    return ArticleInput(
        title=title,
        outlet="Test Wire",
        published=published,
        published_precision="day",
        url=f"https://example.org/{url}",
        body=body,
        origin=url,
    )


def test_extraction_gives_each_clause_its_date_and_a_plural_sentence_each_its_country():
    body = (
        "Peru signed a water accord with Chile on Monday.\n\n"
        "Chile left the accord on October 29, but rejoined it on November 2.\n\n"
        "The accord resembles the deals Bolivia signed on May 4 and Ecuador on June 9.\n"
    )
    ex = extract(_article(body, title="Peru and Chile sign water accord"))
    got = [
        (c.text, c.date.iso if c.date else None, c.agreement.countries if c.agreement else None)
        for c in ex.candidates
    ]
    assert got[1:] == [
        ("Chile left the accord on October 29", "2022-10-29", ("PE", "CL")),
        ("rejoined it on November 2.", "2022-11-02", ("PE", "CL")),
        ("The accord resembles the deals Bolivia signed on May 4", "2022-05-04", ("BO",)),
        ("Ecuador on June 9.", "2022-06-09", ("EC",)),
    ]
    assert all(c.sentence in body for c in ex.candidates)


def test_the_day_before_takes_the_date_of_the_previous_sentence_of_the_story():
    body = "Peru and Chile signed the accord on Monday.\n\nThe day before, the talks had nearly collapsed.\n"
    ex = extract(_article(body, title="Peru and Chile sign accord"))
    assert [c.date.iso for c in ex.candidates] == ["2022-11-14", "2022-11-13"]


def test_topic_from_the_body_when_the_title_names_no_country():
    body = (
        "The river accord between Peru and Bolivia was extended on Monday.\n\n"
        "Bolivia had threatened to leave the accord in June.\n"
    )
    ex = extract(_article(body, title="River accord extended"))
    assert ex.topic in {"PE", "BO"}
    assert {c for cand in ex.candidates for c in (cand.agreement.countries if cand.agreement else ())} == {
        "PE",
        "BO",
    }


async def test_a_repeated_paragraph_is_one_fact(empty_store: SQLiteStore) -> None:
    lead = "Peru and Chile agreed on Monday to share the water of the border river for ten years."
    body = f"{lead}\n\nThe deal still needs the approval of both congresses.\n\n{lead}\n"
    await empty_store.ingest(_article(body, title="Peru and Chile share river"))
    sql = f"SELECT count(*) FROM facts f WHERE {FACT_TEXT} = ?"
    (n,) = await empty_store.connection.fetchone(sql, (lead,))
    assert n == 1


async def test_timeline_shows_each_clause_and_cites_the_whole_sentence(empty_store: SQLiteStore) -> None:
    from facts.answers.queries import timeline

    sentence = "Chile left the accord on October 29, but rejoined it on November 2."
    body = f"Peru and Chile signed a water accord in July.\n\n{sentence}\n"
    await empty_store.ingest(_article(body, title="Peru and Chile water accord"))
    answer = await timeline(empty_store, dt.date(2022, 1, 1), dt.date(2022, 12, 31), None, 1, again="2022")
    lines = {(i.date, i.text) for i in answer.items}
    assert ("2022-10-29", "Chile left the accord on October 29") in lines
    assert ("2022-11-02", "rejoined it on November 2.") in lines
    assert all(
        c.quote == sentence
        for i in answer.items
        if i.date in ("2022-10-29", "2022-11-02")
        for c in i.citations
    )


@pytest.mark.parametrize(
    ("sentence", "home_party"),
    [
        ("Peru signed a water accord with the United States on Monday.", "US"),
        ("Washington's envoy said the U.S. would sign the accord with Peru.", "US"),
        ("Peru signed a water accord with Chile on Monday.", None),  # no home country named
        ("The United States held elections on Monday.", None),  # no agreement
    ],
)
def test_a_line_naming_the_home_country_is_also_one_of_its_agreements(
    sentence: str, home_party: str | None
) -> None:
    ex = extract(_article(sentence + "\n", title="Peru water accord"))
    assert [c.home_party for c in ex.candidates] == [home_party]


async def test_the_home_countrys_agreements_are_the_lines_that_name_it(empty_store) -> None:
    body = (
        "Peru signed a water accord with the United States on Monday.\n\n"
        "Peru signed a second water accord with Chile on Tuesday.\n"
    )
    await empty_store.ingest(_article(body, title="Peru water accords"))
    us = [f.text for f in await empty_store.agreement_facts("US")]
    peru = [f.text for f in await empty_store.agreement_facts("PE")]
    assert us == ["Peru signed a water accord with the United States on Monday."]
    assert len(peru) == 2
    assert not any(f.explicit for f in await empty_store.agreement_facts("US"))


@pytest.mark.parametrize(
    ("sentence", "linked"),
    [
        ("A peace deal was signed in the Chilean capital on Saturday by envoys of Peru.", ("PE",)),
        ("The accord with Bolivia was sealed in Peru's capital on Monday.", ("BO",)),
        ("Peru signed the accord with Chile on Monday.", ("PE", "CL")),
    ],
)
def test_the_country_whose_capital_hosts_a_signing_is_no_party(
    sentence: str, linked: tuple[str, ...]
) -> None:
    from facts.countries import find_countries
    from facts.extract.agreements import SentenceCountries, linked_countries

    mentions = [(m.country.code, m.start, m.end) for m in find_countries(sentence)]
    assert tuple(linked_countries(SentenceCountries(sentence, 0, mentions), "US")) == linked


def test_a_storys_lead_naming_a_party_belongs_to_its_agreement_without_the_word() -> None:
    story = [
        SentenceCountries("Lodz announced a partnership with Peru on Monday.", 0, [("PE", 37, 41)]),
        SentenceCountries("The first flight to Peru was halted on Tuesday.", 0, [("PE", 20, 24)]),
        SentenceCountries("Peru held elections in May.", 1, [("PE", 0, 4)]),  # past the lead
        SentenceCountries("Turnout in Peru was low.", 1, [("PE", 11, 15)]),
        SentenceCountries("The accord was criticised by lawyers.", 2, []),
    ]
    links = attribute(story, topic="PE", home="US", parties=("PE",))
    assert [link.countries if link else None for link in links] == [("PE",), ("PE",), None, None, ("PE",)]
    assert not any(link.explicit for link in links[:2] if link)
    no_deal = [SentenceCountries("Peru held elections in May.", 0, [("PE", 0, 4)])]
    assert attribute(no_deal, topic="PE", home="US", parties=("PE",)) == [None]  # no agreement story


@pytest.mark.parametrize(
    ("body", "dates"),
    [
        # a lead in the present perfect reports the day's news
        ("Peru has signed a water accord with Chile.\n", ["2022-11-17"]),
        ("The water accord bill has been passed by 300 votes.\n", ["2022-11-17"]),
        # not a lead: the third sentence of the story
        ("Peru met Chile.\n\nThey talked at length.\n\nPeru has signed a water accord with Chile.\n", [None]),
        # no agreement and no lifecycle verb: nothing to date
        ("Peru has hosted many visiting ministers.\n", [None]),
        # its own date wins
        ("Peru has signed a water accord with Chile on Monday.\n", ["2022-11-14"]),
    ],
)
def test_a_lead_in_the_present_perfect_is_dated_by_its_story(body: str, dates: list[str | None]) -> None:
    ex = extract(_article(body, title="Peru and Chile"))
    assert [c.date.iso if c.date else None for c in ex.candidates if " has " in c.text] == dates


def test_an_arrangement_named_after_a_country_makes_an_agreement_story() -> None:
    story = [
        SentenceCountries("The king has signed into law the bill on flights to Peru.", 0, [("PE", 50, 54)]),
        SentenceCountries("Critics call the Peru scheme cruel.", 1, [("PE", 17, 21)]),
    ]
    links = attribute(story, topic="PE", home="US", parties=("PE",))
    assert [link.countries if link else None for link in links] == [("PE",), ("PE",)]


@pytest.mark.parametrize(
    ("body", "date"),
    [
        # an opening that states a lasting condition dates its own state, not the main clause's news
        (
            "While Peru and Chile have long been at odds, including over a war in 1879, it is the first "
            "time Peru has recalled its envoy over the accord.\n",
            "2022-11-17",
        ),
        ("Although the two have been allies since 1990, Peru left the accord on Monday.\n", "2022-11-14"),
        # a temporal "while" and an event "although" keep their dates
        ("While in Lima on Monday, the minister signed the accord.\n", "2022-11-14"),
        ("Although Peru signed the accord in 2019, it never took effect.\n", "2019"),
    ],
)
def test_an_opening_condition_keeps_its_date_to_itself(body: str, date: str | None) -> None:
    ex = extract(_article(body, title="Peru and Chile accord"))
    assert [c.date.iso if c.date else None for c in ex.candidates] == [date]
