"""Tests for facts.extract.dates: one table per family of expressions, resolved against a publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from facts.extract.dates import PRECISIONS, DateMention, find_dates, main_date, month_end, parse_year_range

D = dt.date
FRI = D(2019, 9, 20)  # a Friday
TUE = D(2020, 12, 15)  # a Tuesday
SUN = D(2025, 1, 26)  # a Sunday


def _mentions(sentence: str, dct: dt.date, **kwargs) -> list[DateMention]:
    found = find_dates(sentence, published=dct, **kwargs)
    for m in found:
        assert sentence[m.span[0]:m.span[1]] == m.text
        assert m.precision in PRECISIONS
        assert m.start <= m.end
    assert [m.span for m in found] == sorted(m.span for m in found)
    return found


def _one(sentence: str, dct: dt.date, **kwargs) -> DateMention:
    found = _mentions(sentence, dct, **kwargs)
    assert len(found) == 1, [m.text for m in found]
    return found[0]


EX2 = "The plan was expected to take effect this summer, but in August the new leader said it needed approval"
EX3 = ("The minister is scheduled to visit in early March as part of a tour that is set to begin later "
       "this week")

# --------------------------------------------------------------------------- absolute dates

ABSOLUTE = [
    # sentence, DCT, text, precision, iso, relative
    ("The two countries signed the pact on Friday, Sept. 20, in Washington.", FRI,
     "Friday, Sept. 20", "day", "2019-09-20", True),
    ("Talks resumed Sept. 20 after a two-week pause.", D(2019, 10, 2), "Sept. 20", "day", "2019-09-20", True),
    ("The ruling came Sept. 20, 2019, in a 5-4 decision.", D(2021, 3, 1), "Sept. 20, 2019", "day",
     "2019-09-20", False),
    ("Guatemala signed a similar deal Nov. 16, 2018, officials said.", FRI, "Nov. 16, 2018", "day",
     "2018-11-16", False),
    ("The law took effect September 20, 2019.", FRI, "September 20, 2019", "day", "2019-09-20", False),
    ("The accord was initialled on 20 September 2019 in Madrid.", FRI, "20 September 2019", "day",
     "2019-09-20", False),
    ("The filing, dated 2019-09-20, was made public.", FRI, "2019-09-20", "day", "2019-09-20", False),
    ("The first flights left July 25, 2019, from Texas.", FRI, "July 25, 2019", "day", "2019-07-25", False),
    ("The order was issued Aug. 9, 2017, by the agency.", FRI, "Aug. 9, 2017", "day", "2017-08-09", False),
    ("The memo, dated 9/20/2019, was leaked.", FRI, "9/20/2019", "day", "2019-09-20", False),
    ("Rebels seized the town on the 3rd of May, witnesses said.", FRI, "the 3rd of May", "day",
     "2019-05-03", True),
    ("Arrests surged in September 2019, the agency said.", D(2020, 1, 5), "September 2019", "month",
     "2019-09", False),
    ("The embassy reopened in March of 2018.", FRI, "March of 2018", "month", "2018-03", False),
    ("The program started in 2017 with 300 families.", FRI, "2017", "year", "2017", False),
    ("Arrests have fallen since 2015, police said.", FRI, "2015", "year", "2015", False),
    ("The wall is to be finished by 2020, officials said.", FRI, "2020", "year", "2020", False),
    ("Prices collapsed in late 2018 and never recovered.", FRI, "late 2018", "year", "2018", False),
]


@pytest.mark.parametrize(("sentence", "dct", "text", "precision", "iso", "relative"), ABSOLUTE)
def test_absolute_dates(sentence, dct, text, precision, iso, relative):
    m = _one(sentence, dct)
    assert (m.text, m.precision, m.iso, m.relative) == (text, precision, iso, relative)


def test_month_day_without_year_is_latest_not_after_publication():
    assert _one("Talks began Sept. 30 in the capital.", FRI).iso == "2018-09-30"
    assert _one("Talks began Sept. 20 in the capital.", FRI).iso == "2019-09-20"


def test_month_day_with_future_cue_is_earliest_not_before_publication():
    assert _one("The vote will be held Sept. 30, the speaker said.", FRI).iso == "2019-09-30"
    assert _one("The vote will be held Aug. 30, the speaker said.", FRI).iso == "2020-08-30"


def test_weekday_with_month_day_is_one_mention_and_picks_the_matching_year():
    m = _one("The deal was signed on Friday, Sept. 20, officials said.", D(2019, 9, 25))
    assert (m.text, m.start, m.precision) == ("Friday, Sept. 20", D(2019, 9, 20), "day")
    # Sept. 21 was a Friday in 2018: the weekday decides the year.
    assert _one("It happened on Friday, Sept. 21, police said.", FRI).iso == "2018-09-21"


def test_year_interval_and_month_interval():
    m = _one("Arrests surged in September 2019, the agency said.", FRI)
    assert (m.start, m.end, m.iso_end) == (D(2019, 9, 1), D(2019, 9, 30), None)
    m = _one("The program started in 2017 with 300 families.", FRI)
    assert (m.start, m.end) == (D(2017, 1, 1), D(2017, 12, 31))
    m = _one("Prices collapsed in late 2018 and never recovered.", FRI)
    assert (m.start, m.end, m.mod, m.iso_end) == (D(2018, 7, 1), D(2018, 12, 31), "late", "2018")


# --------------------------------------------------------------------------- weekdays

WEEKDAYS = [
    # sentence, DCT, text, resolved day
    ("The minister said Tuesday the talks had failed.", TUE, "Tuesday", D(2020, 12, 15)),
    ("Negotiators met Monday in Geneva.", TUE, "Monday", D(2020, 12, 14)),
    ("Negotiators met Wednesday in Geneva.", TUE, "Wednesday", D(2020, 12, 9)),
    ("Negotiators will meet Wednesday in Geneva.", TUE, "Wednesday", D(2020, 12, 16)),
    ("The final vote is scheduled for Monday.", TUE, "Monday", D(2020, 12, 21)),
    ("Lawmakers are set to vote on Thursday.", TUE, "Thursday", D(2020, 12, 17)),
    ("The court ruled last Tuesday.", TUE, "last Tuesday", D(2020, 12, 8)),
    ("The court will rule next Tuesday.", TUE, "next Tuesday", D(2020, 12, 22)),
    ("Friday's vote was delayed by a storm.", TUE, "Friday", D(2020, 12, 11)),
    ("Police clashed with protesters Saturday night.", TUE, "Saturday night", D(2020, 12, 12)),
]


@pytest.mark.parametrize(("sentence", "dct", "text", "day"), WEEKDAYS)
def test_weekdays(sentence, dct, text, day):
    m = _one(sentence, dct)
    assert (m.text, m.start, m.end, m.precision, m.relative) == (text, day, day, "day", True)


# --------------------------------------------------------------------------- relative expressions

RELATIVE = [
    # sentence, DCT, text, precision, start, end, mod
    ("Arrivals fell sharply last year, the agency said.", FRI, "last year", "year",
     D(2018, 1, 1), D(2018, 12, 31), None),
    ("This year the number of requests doubled.", FRI, "This year", "year",
     D(2019, 1, 1), D(2019, 12, 31), None),
    ("The rules will change next year.", FRI, "next year", "year", D(2020, 1, 1), D(2020, 12, 31), None),
    ("In June, the ministry announced new rules.", FRI, "June", "month", D(2019, 6, 1), D(2019, 6, 30), None),
    ("The ministry published the rules in August.", FRI, "August", "month",
     D(2019, 8, 1), D(2019, 8, 31), None),
    ("The ministry will publish the rules in August.", FRI, "August", "month",
     D(2020, 8, 1), D(2020, 8, 31), None),
    ("Officials met with the envoy earlier this month.", FRI, "earlier this month", "month",
     D(2019, 9, 1), D(2019, 9, 20), None),
    ("Exports rose 3 percent last month.", FRI, "last month", "month", D(2019, 8, 1), D(2019, 8, 31), None),
    # "by" schedules: a month-day within a quarter after the story is the coming one
    ("Lodz may quit the pact by Oct. 7, officials hinted.", FRI, "Oct. 7", "day",
     D(2019, 10, 7), D(2019, 10, 7), None),
    ("Lodz had quit the pact by Aug. 7, officials said.", FRI, "Aug. 7", "day",
     D(2019, 8, 7), D(2019, 8, 7), None),
    ("The court is expected to rule this month.", FRI, "this month", "month",
     D(2019, 9, 1), D(2019, 9, 30), None),
    ("The law passed late last year after a long fight.", FRI, "late last year", "year",
     D(2018, 7, 1), D(2018, 12, 31), "late"),
    ("The talks began in early February.", FRI, "early February", "month",
     D(2019, 2, 1), D(2019, 2, 10), "early"),
    ("Early February brought record snow.", FRI, "Early February", "month",
     D(2019, 2, 1), D(2019, 2, 10), "early"),
    ("Shelling resumed in mid-February.", FRI, "mid-February", "month",
     D(2019, 2, 11), D(2019, 2, 20), "mid"),
    ("Shelling resumed in late February.", FRI, "late February", "month",
     D(2019, 2, 21), D(2019, 2, 28), "late"),
    ("The team arrived in the capital this week.", FRI, "this week", "week",
     D(2019, 9, 16), D(2019, 9, 22), None),
    ("A decision is expected later this week.", D(2019, 9, 17), "later this week", "week",
     D(2019, 9, 18), D(2019, 9, 22), None),
    ("Protests erupted last week in three cities.", FRI, "last week", "week",
     D(2019, 9, 9), D(2019, 9, 15), None),
    ("The envoy will return next week.", FRI, "next week", "week", D(2019, 9, 23), D(2019, 9, 29), None),
    ("Fighting flared over the weekend.", FRI, "the weekend", "week", D(2019, 9, 14), D(2019, 9, 15), None),
    ("Fighting flared this past weekend.", D(2019, 9, 22), "this past weekend", "week",
     D(2019, 9, 21), D(2019, 9, 22), None),
    ("The plan was to take effect this summer.", FRI, "this summer", "season",
     D(2019, 6, 1), D(2019, 8, 31), None),
    ("Prices rose last fall, traders said.", FRI, "last fall", "season",
     D(2018, 9, 1), D(2018, 11, 30), None),
    ("The river flooded this spring.", FRI, "this spring", "season", D(2019, 3, 1), D(2019, 5, 31), None),
    ("Shelters filled up this winter.", D(2019, 1, 15), "this winter", "season",
     D(2018, 12, 1), D(2019, 2, 28), None),
    ("Crossings peaked in the summer of 2018.", FRI, "summer of 2018", "season",
     D(2018, 6, 1), D(2018, 8, 31), None),
    ("The camp was open between November 2019 and March 2020.", D(2020, 9, 1),
     "between November 2019 and March 2020", "range", D(2019, 11, 1), D(2020, 3, 31), None),
    ("Flights were suspended from May to July 2019.", FRI, "from May to July 2019", "range",
     D(2019, 5, 1), D(2019, 7, 31), None),
    ("The summit runs Sept. 20-22 in Vienna.", D(2019, 9, 20), "Sept. 20-22", "range",
     D(2019, 9, 20), D(2019, 9, 22), None),
    ("The last flight left more than 100 days ago.", FRI, "more than 100 days ago", "before",
     D(2019, 6, 12), D(2019, 6, 12), None),
    ("The caravan set out over two weeks ago.", FRI, "over two weeks ago", "before",
     D(2019, 9, 6), D(2019, 9, 6), None),
    ("The caravan set out three days ago.", FRI, "three days ago", "day",
     D(2019, 9, 17), D(2019, 9, 17), None),
    ("The caravan set out 3 days ago.", FRI, "3 days ago", "day", D(2019, 9, 17), D(2019, 9, 17), None),
    ("A year ago, the border was open.", FRI, "A year ago", "year", D(2018, 1, 1), D(2018, 12, 31), None),
    ("The shelter closed about a month ago.", FRI, "about a month ago", "month",
     D(2019, 8, 1), D(2019, 8, 31), "approx"),
    ("The shelter closed less than a week ago.", FRI, "less than a week ago", "after",
     D(2019, 9, 13), D(2019, 9, 20), None),
    ("Yesterday the bill failed in committee.", FRI, "Yesterday", "day",
     D(2019, 9, 19), D(2019, 9, 19), None),
    ("The bill passed today.", FRI, "today", "day", FRI, FRI, None),
    ("The president will speak tonight.", FRI, "tonight", "day", FRI, FRI, None),
    ("Some 300 families currently live in the camp.", FRI, "currently", "day", FRI, FRI, None),
    ("The camp now holds 300 families.", FRI, "now", "day", FRI, FRI, None),
    ("As of now, no charges have been filed.", FRI, "As of now", "day", FRI, FRI, None),
    ("The vote will be held tomorrow.", FRI, "tomorrow", "day", D(2019, 9, 21), D(2019, 9, 21), None),
    ("Gunmen attacked a bus last night.", FRI, "last night", "day", D(2019, 9, 19), D(2019, 9, 19), None),
    ("Gang violence soared in the 1990s.", FRI, "the 1990s", "range", D(1990, 1, 1), D(1999, 12, 31), None),
    ("Gang violence soared in the late 1990s.", FRI, "the late 1990s", "range",
     D(1997, 1, 1), D(1999, 12, 31), "late"),
    ("The agency changed course earlier this year.", FRI, "earlier this year", "year",
     D(2019, 1, 1), FRI, None),
    ("Growth slowed in mid-2019.", D(2020, 1, 1), "mid-2019", "year", D(2019, 4, 1), D(2019, 9, 30), "mid"),
    ("The wall should be finished by the end of the year.", FRI, "the end of the year", "year",
     D(2019, 7, 1), D(2019, 12, 31), "late"),
    ("Sales fell in the first quarter of 2019.", FRI, "the first quarter of 2019", "range",
     D(2019, 1, 1), D(2019, 3, 31), None),
    ("Markets rallied on Christmas Eve.", D(2019, 12, 30), "Christmas Eve", "day",
     D(2019, 12, 24), D(2019, 12, 24), None),
    ("Sales fell in the second half of last year.", FRI, "the second half of last year", "range",
     D(2018, 7, 1), D(2018, 12, 31), None),
    ("Imports jumped in Q3 2018.", FRI, "Q3 2018", "range", D(2018, 7, 1), D(2018, 9, 30), None),
    ("Remittances doubled in the '90s.", FRI, "the '90s", "range", D(1990, 1, 1), D(1999, 12, 31), None),
    ("Flights were suspended from November to March 2020.", D(2020, 6, 1), "from November to March 2020",
     "range", D(2019, 11, 1), D(2020, 3, 31), None),
    ("Flights were suspended from May 2019 to July.", FRI, "from May 2019 to July", "range",
     D(2019, 5, 1), D(2019, 7, 31), None),
    ("Flights were suspended between 2014 and 2018.", FRI, "between 2014 and 2018", "range",
     D(2014, 1, 1), D(2018, 12, 31), None),
    ("The leaders will meet early next year.", FRI, "early next year", "year",
     D(2020, 1, 1), D(2020, 6, 30), "early"),
    ("The court ruled last June.", FRI, "last June", "month", D(2019, 6, 1), D(2019, 6, 30), None),
]


@pytest.mark.parametrize(("sentence", "dct", "text", "precision", "start", "end", "mod"), RELATIVE)
def test_relative_expressions(sentence, dct, text, precision, start, end, mod):
    m = _one(sentence, dct)
    assert (m.text, m.precision, m.start, m.end, m.mod) == (text, precision, start, end, mod)


def test_relative_flag():
    assert _one("Arrivals fell sharply last year.", FRI).relative
    assert not _one("Arrivals fell sharply in 2018.", FRI).relative
    assert not _one("Gang violence soared in the 1990s.", FRI).relative


def test_later_this_week_in_a_sunday_paper_is_the_coming_week():
    m = _one("A tour is set to begin later this week.", SUN)
    assert (m.start, m.end) == (D(2025, 1, 27), D(2025, 2, 2))


def test_future_cue_only_counts_in_its_own_clause():
    found = _mentions("The law was expected to take effect in June, but officials will delay it.", FRI)
    assert [m.iso for m in found] == ["2019-06"]
    found = _mentions("Officials said Monday that the president will visit in March.", FRI)
    assert [m.iso for m in found] == ["2019-09-16", "2020-03"]
    found = _mentions("The company, which will open a plant next year, reported losses in June.", FRI)
    assert [m.iso for m in found] == ["2020", "2019-06"]


def test_a_verb_of_saying_starts_a_clause_for_future_cues():
    found = _mentions("In a statement Thursday, the department said the rule would take effect soon.", FRI)
    assert [(m.text, m.iso) for m in found] == [("Thursday", "2019-09-19")]
    found = _mentions("Officials said Monday the president will visit the border.", FRI)
    assert [(m.text, m.iso) for m in found] == [("Monday", "2019-09-16")]
    found = _mentions("The minister said the plan will take effect in June.", FRI)
    assert [(m.text, m.iso) for m in found] == [("June", "2020-06")]


def test_early_march_with_future_cue_in_a_january_paper():
    m = _mentions("The minister is scheduled to visit in early March.", SUN)[0]
    assert (m.start, m.end, m.mod, m.iso, m.iso_end) == (D(2025, 3, 1), D(2025, 3, 10), "early", "2025-03",
                                                          "2025-03")
    assert _one("The minister visited in early March.", SUN).iso == "2024-03"


# --------------------------------------------------------------------------- before / after, anchors

ANCHORS = {"inauguration": D(2021, 1, 20), "election": D(2020, 11, 3)}

ANCHORED = [
    # sentence, text, precision, start, end
    ("Shortly after his inauguration, the president rescinded the policy.", "Shortly after his inauguration",
     "after", D(2021, 1, 20), D(2021, 2, 19)),
    ("The rule was drafted before the election.", "before the election", "before",
     D(2020, 11, 3), D(2020, 11, 3)),
    ("Two days after the election, the count went on.", "Two days after the election", "day",
     D(2020, 11, 5), D(2020, 11, 5)),
    ("Since his inauguration, arrests have fallen.", "Since his inauguration", "after",
     D(2021, 1, 20), D(2021, 1, 20)),
]


@pytest.mark.parametrize(("sentence", "text", "precision", "start", "end"), ANCHORED)
def test_anchored_expressions(sentence, text, precision, start, end):
    m = _one(sentence, D(2021, 9, 20), anchors=ANCHORS)
    assert (m.text, m.precision, m.start, m.end, m.relative) == (text, precision, start, end, False)


def test_no_anchor_no_mention():
    assert _mentions("Shortly after his inauguration, the president rescinded the policy.", FRI) == []
    assert _mentions("The rule was drafted before the election.", FRI, anchors={"inauguration": FRI}) == []


def test_before_and_after_absolute_dates():
    m = _one("The offices closed shortly after Sept. 11, 2001.", FRI)
    assert (m.text, m.precision, m.start, m.end) == ("shortly after Sept. 11, 2001", "after",
                                                     D(2001, 9, 11), D(2001, 10, 11))
    m = _one("Most of the families arrived before 2015.", FRI)
    assert (m.text, m.precision, m.start, m.end) == ("before 2015", "before", D(2015, 1, 1), D(2015, 1, 1))


# --------------------------------------------------------------------------- approximate publication date

def test_month_precision_dct_widens_day_level_relative_dates_to_a_week():
    dct = D(2025, 1, 1)  # only "January 2025" is known
    m = _one("The minister said Tuesday the talks had failed.", dct, published_precision="month")
    assert (m.precision, m.start, m.end, m.iso, m.iso_end) == (
        "week", D(2024, 12, 30), D(2025, 1, 5), "2024-12-30", "2025-01-05")
    assert _one("The bill failed yesterday.", dct, published_precision="month").precision == "week"
    m = _one("Arrivals fell sharply last year.", dct, published_precision="month")
    assert (m.precision, m.iso) == ("year", "2024")
    assert _one("The accord was signed Dec. 12, 2024.", dct, published_precision="month").precision == "day"
    assert _one("The bill failed today.", dct, published_precision="year").precision == "week"


def test_published_may_be_a_datetime():
    m = _one("The bill failed yesterday.", dt.datetime(2019, 9, 20, 23, 59))
    assert m.start == D(2019, 9, 19)


def test_holidays_and_before():
    m = _one("Most families arrived before Thanksgiving.", D(2019, 12, 10))
    assert (m.text, m.precision, m.end) == ("before Thanksgiving", "before", D(2019, 11, 28))


# --------------------------------------------------------------------------- not dates

NOT_DATES = [
    "The 2018 budget cut aid to the region.",
    "A 2018 State Department report described the gang's reach.",
    "Turnout in the 2020 election was high.",
    "The country's 2019 harvest was poor.",
    "Congress approved $44 million in aid.",
    "The Senate passed the bill in a 52-48 vote.",
    "Members of G-20 met in Rome.",
    "The 18th Street gang controls the district.",
    "Some 42,000 people applied for asylum.",
    "Unemployment rose 5 percent.",
    "About 62% of voters agreed.",
    "Officials may decide to extend the program.",
    "Thousands joined a march on the capital.",
    "Migrants cross the river every single day.",
    "The 9/11 attacks reshaped the agency.",
    "The Sept. 11 attacks reshaped the agency.",
    "Authorities invoked Title 42 to expel migrants.",
    "Call the hotline at 202-555-0143 or (800) 555-2019.",
    "Shoppers crowded stores on Black Friday.",
    "Theresa May met the president in Washington.",
    "Since the fall of Kabul, thousands have fled.",
    "Prices could fall sharply if the deal collapses.",
    "Over the last year, arrests doubled.",
    "The deal was announced two days later.",
    "The court heard 1,800 cases.",
    "The now-defunct agency was well known.",
    "Prices rose in the coming months.",
    "April Ryan asked about the deal.",
    "",
]


@pytest.mark.parametrize("sentence", NOT_DATES)
def test_not_dates(sentence):
    assert _mentions(sentence, FRI) == []


# --------------------------------------------------------------------------- subordinate clauses

SUBORDINATE = [
    # sentence, DCT, [(text, subordinate), ...]
    ("officials said Tuesday they had completed a deal reached last year", TUE,
     [("Tuesday", False), ("last year", True)]),
    (EX3,
     SUN, [("early March", False), ("later this week", True)]),
    ("Castillo, who took office in June, said Friday he would visit Washington.", FRI,
     [("June", True), ("Friday", False)]),
    ("The agreement, which was signed last year, takes effect next week.", FRI,
     [("last year", True), ("next week", False)]),
    ("Officials said that the program would end in June.", FRI, [("June", False)]),
    ("The minister told reporters that the visit would happen next week.", FRI, [("next week", False)]),
    ("Officials who asked not to be named said Monday the talks had stalled.", FRI, [("Monday", False)]),
    ("Officials from the two countries met Friday.", FRI, [("Friday", False)]),
    ("Guatemala signed a deal in July with the agency that oversees asylum, officials said.", FRI,
     [("July", False)]),
    ("The talks, which began in 2018 and were suspended in March, resumed on Thursday.", FRI,
     [("2018", True), ("March", True), ("Thursday", False)]),
]


@pytest.mark.parametrize(("sentence", "dct", "expected"), SUBORDINATE)
def test_subordinate(sentence, dct, expected):
    assert [(m.text, m.subordinate) for m in _mentions(sentence, dct)] == expected


# --------------------------------------------------------------------------- main_date

MAIN = [
    ("officials said Tuesday they had completed a deal reached last year", TUE,
     "Tuesday", "2020-12-15", None),
    (EX2,
     FRI, "August", "2019-08", None),
    (EX3,
     SUN, "early March", "2025-03", "2025-03"),
    # the main clause wins even over a more precise subordinate date
    ("The agreement, which was signed last year, was first proposed in 2017.", FRI, "2017", "2017", None),
    ("The camp opened in 2017 and has grown since 2015.", FRI, "2017", "2017", None),
]


@pytest.mark.parametrize(("sentence", "dct", "text", "iso", "iso_end"), MAIN)
def test_main_date(sentence, dct, text, iso, iso_end):
    m = main_date(_mentions(sentence, dct))
    assert m is not None
    assert (m.text, m.iso, m.iso_end) == (text, iso, iso_end)


def test_main_date_when_all_are_subordinate_and_when_none():
    found = _mentions("The deal, which was signed last year, collapsed.", FRI)
    assert main_date(found) is found[0]
    assert main_date([]) is None


# --------------------------------------------------------------------------- DateMention display

def _dm(start: dt.date, end: dt.date, precision: str, mod: str | None = None) -> DateMention:
    return DateMention(start, end, precision, mod, "x", (0, 1), False, False)


DISPLAY = [
    # mention, iso, iso_end, rank
    (_dm(D(2019, 9, 20), D(2019, 9, 20), "day"), "2019-09-20", None, 6),
    (_dm(D(2019, 9, 16), D(2019, 9, 22), "week"), "2019-09-16", "2019-09-22", 5),
    (_dm(D(2019, 9, 1), D(2019, 9, 30), "month"), "2019-09", None, 4),
    (_dm(D(2019, 9, 1), D(2019, 9, 10), "month", "early"), "2019-09", "2019-09", 4),
    (_dm(D(2019, 6, 1), D(2019, 8, 31), "season"), "2019-06", "2019-08", 3),
    (_dm(D(2019, 11, 1), D(2020, 3, 31), "range"), "2019-11", "2020-03", 3),
    (_dm(D(1990, 1, 1), D(1999, 12, 31), "range"), "1990", "1999", 3),
    (_dm(D(2019, 9, 20), D(2019, 9, 22), "range"), "2019-09-20", "2019-09-22", 3),
    (_dm(D(2019, 6, 12), D(2019, 6, 12), "before"), "2019-06-12", "2019-06-12", 2),
    (_dm(D(2021, 1, 20), D(2021, 2, 19), "after"), "2021-01-20", "2021-02-19", 2),
    (_dm(D(2019, 1, 1), D(2019, 12, 31), "year"), "2019", None, 1),
    (_dm(D(2018, 7, 1), D(2018, 12, 31), "year", "late"), "2018", "2018", 1),
]


@pytest.mark.parametrize(("mention", "iso", "iso_end", "rank"), DISPLAY)
def test_display(mention, iso, iso_end, rank):
    assert (mention.iso, mention.iso_end, mention.rank) == (iso, iso_end, rank)


# --------------------------------------------------------------------------- parse_year_range

YEAR_RANGES = [
    ("2019", (D(2019, 1, 1), D(2019, 12, 31))),
    ("2019-2021", (D(2019, 1, 1), D(2021, 12, 31))),
    ("2019..2021", (D(2019, 1, 1), D(2021, 12, 31))),
    ("2019 to 2021", (D(2019, 1, 1), D(2021, 12, 31))),
    ("2019–2021", (D(2019, 1, 1), D(2021, 12, 31))),
    (" 2019 ", (D(2019, 1, 1), D(2019, 12, 31))),
    ("2019-06", (D(2019, 6, 1), D(2019, 6, 30))),
    ("2019-06-2020-02", (D(2019, 6, 1), D(2020, 2, 29))),
    ("2019-06..2020-02", (D(2019, 6, 1), D(2020, 2, 29))),
    ("2019-06-15", (D(2019, 6, 15), D(2019, 6, 15))),
    ("", None),
    ("last year", None),
    ("2021-2019", None),
    ("2019-13", None),
    ("19", None),
    ("2019-2021-2023", None),
]


@pytest.mark.parametrize(("arg", "expected"), YEAR_RANGES)
def test_parse_year_range(arg, expected):
    assert parse_year_range(arg) == expected


def test_now_yields_to_any_other_date_in_the_sentence() -> None:
    found = find_dates("The pact was signed in July and is now in force.", published=dt.date(2019, 9, 20))
    assert main_date(found).iso == "2019-07"


@pytest.mark.parametrize(
    ("year", "month", "last"),
    [
        (2021, 1, D(2021, 1, 31)),
        (2021, 4, D(2021, 4, 30)),
        (2021, 2, D(2021, 2, 28)),
        (2024, 2, D(2024, 2, 29)),  # leap year
        (1900, 2, D(1900, 2, 28)),  # a century not divisible by 400
        (2000, 2, D(2000, 2, 29)),  # one that is
        (2021, 12, D(2021, 12, 31)),  # the year turns
    ],
)
def test_month_end_is_the_last_day_of_the_month(year: int, month: int, last: dt.date) -> None:
    assert month_end(year, month) == last
