"""People and organisations in wire-style sentences, and surname linking within a document."""

from __future__ import annotations

import pytest

from facts.extract.entities import EntityMention, find_entities, link_surnames
from facts.text.passages import split_passages


def people(text: str) -> list[tuple[str, str | None]]:
    return [(e.name, e.title) for e in find_entities(text) if e.kind == "person"]


def orgs(text: str) -> list[str]:
    return [e.name for e in find_entities(text) if e.kind == "org"]


# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The official said acting Homeland Security Secretary Jane Doe would sign the pact.",
            [("Jane Doe", "acting Homeland Security Secretary")],
        ),
        (
            "Acting Secretary of Homeland Security Jane Doe met reporters on Monday.",
            [("Jane Doe", "Acting Secretary of Homeland Security")],
        ),
        ("Foreign Minister Ana Ruiz Perez signed the accord.", [("Ana Ruiz Perez", "Foreign Minister")]),
        ("Salvadoran President Juan Perez praised the deal.", [("Juan Perez", "President")]),
        (
            "El Salvador Foreign Minister Ana Hill Rivera was present.",
            [("Ana Hill Rivera", "Foreign Minister")],
        ),
        (
            "Vice President-elect Mary K. Smith has criticized the plan.",
            [("Mary K. Smith", "Vice President-elect")],
        ),
        ("Secretary of State Mark Lane arrives Tuesday.", [("Mark Lane", "Secretary of State")]),
        ("Guatemala’s President-elect Ana Gomez wants a vote.", [("Ana Gomez", "President-elect")]),
        ("Then-President Tom Carver signed the order.", [("Tom Carver", "Then-President")]),
        ("U.N. Secretary-General Luis Mora urged calm.", [("Luis Mora", "U.N. Secretary-General")]),
        (
            "Gov. Dana Reyes and Sen. Paul Ortiz toured the site.",
            [("Dana Reyes", "Gov."), ("Paul Ortiz", "Sen.")],
        ),
        (
            "White House spokeswoman Karen Diaz declined to comment.",
            [("Karen Diaz", "White House spokeswoman")],
        ),
        ("President Carver Friday signed the order.", [("Carver", "President")]),
        ("Prime Minister Theresa Maye left early.", [("Theresa Maye", "Prime Minister")]),
    ],
)
def test_titled_people(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert people(text) == expected


def test_rev_title_and_name_with_initial() -> None:
    text = "“It is a moral failure,” said Rev. John L. Smith, president of a refugee charity."
    assert people(text) == [("John L. Smith", "Rev.")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Tom Lee, the acting secretary of the Department of Labor, traveled to the border.",
            [("Tom Lee", "acting secretary of the Department of Labor")],
        ),
        (
            "Luis de la Cruz, the mayor of the town, said residents were afraid.",
            [("Luis de la Cruz", "mayor of the town")],
        ),
        (
            "“We will not stop,” said Sean O'Malley, a spokesman for the group.",
            [("Sean O'Malley", "spokesman for the group")],
        ),
        ("Chad Wolf, the acting head of the agency, spoke.", [("Chad Wolf", "acting head of the agency")]),
        ("Luis Coleman, Peru's energy minister, signed the accord.", [("Luis Coleman", "energy minister")]),
        ("Tom Lee, a lawyer who represents families, said the ruling was wrong.", [("Tom Lee", "lawyer")]),
    ],
)
def test_appositives(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert people(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Families wait at the gate. (Jane Doe/AP Photo)", [("Jane Doe", "photographer")]),
        ("A shelter in Tijuana. (AP Photo/Marco Ruiz, File)", [("Marco Ruiz", "photographer")]),
        ("Guards at the prison. (Pablo Ramos Ortega/AP Photo)", [("Pablo Ramos Ortega", "photographer")]),
    ],
)
def test_photo_credits(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert people(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CNN's Ana Ruiz and Bo Li contributed to this report.", ["Ana Ruiz", "Bo Li"]),
        ("CNN’s Ana Ruiz, Tom Lee and Bo Li contributed to this report.", ["Ana Ruiz", "Tom Lee", "Bo Li"]),
        ("Associated Press writers Ana Ruiz in Mexico City and Bo Li contributed.", ["Ana Ruiz", "Bo Li"]),
        ("Reporting by Ana Ruiz; Editing by Bo Li", ["Ana Ruiz", "Bo Li"]),
        ("By Ana Ruiz and Bo Li", ["Ana Ruiz", "Bo Li"]),
    ],
)
def test_contributors_and_bylines(text: str, expected: list[str]) -> None:
    assert people(text) == [(name, "reporter") for name in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kevin McNally said the talks failed.", "Kevin McNally"),
        ("Siobhan O’Brien said the shelters were full.", "Siobhan O’Brien"),
        ("Ian MacLeod told reporters the plan was dead.", "Ian MacLeod"),
        ("Ursula von Berg said the bloc would respond.", "Ursula von Berg"),
        ("“It is over,” said Andres Lopez Obrador.", "Andres Lopez Obrador"),
        ("Migrants could be returned, according to Rubens at the time.", "Rubens"),
        ("Ruiz, who leads the group, said she was pleased.", "Ruiz"),
        ("Bukowski's government welcomed the news.", "Bukowski"),
        ("Martin Luther King Jr. said the time is always right.", "Martin Luther King Jr."),
        ("The plan would cost $3 million, Elena Moreau of the Policy Institute said.", "Elena Moreau"),
        ("Foreign Minister Min-jun Park announced the deal.", "Min-jun Park"),
        ("“It hurts,” Coleman complained.", "Coleman"),
    ],
)
def test_speakers(text: str, expected: str) -> None:
    assert [name for name, _ in people(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Officials said the agreement would take effect in June.",
        "Advocates said the plan was cruel.",
        "Monday was quiet, officials said.",
        "March said nothing about it.",
        "Mexico said it would not accept the migrants.",
        "Washington said the deal was done.",
        "Guatemala, Honduras and El Salvador said they would cooperate.",
        "Thousands of Central Americans said they would keep going.",
        "Salvadorans said they would stay.",
        "The Trump administration said Tuesday it had finalized the deal.",
        "Homeland security officials have insisted the plan is legal.",
        "Human Rights Watch said the camps were unsafe.",
        "The report was published according to The Hill.",
        "Critics of the plan said it violated the law.",
        "In July, the two countries signed the accord.",
        "Gang members said they were threatened.",
        "Diplomats in Ciudad Juarez noted the change.",
        "Thousands of Central American migrants said they would wait.",
        "The Obama-era program ended, officials said.",
    ],
)
def test_no_false_people(text: str) -> None:
    assert people(text) == []


# --------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DHS said the rule was final.", ["Department of Homeland Security"]),
        ("The Department of Homeland Security said so.", ["Department of Homeland Security"]),
        ("Homeland Security declined to comment.", ["Department of Homeland Security"]),
        ("The State Department said Friday that aid would resume.", ["State Department"]),
        ("In June, the State Department announced cuts.", ["State Department"]),
        (
            "ICE and CBP agents, along with the FBI and the U.N., attended.",
            [
                "Immigration and Customs Enforcement",
                "Customs and Border Protection",
                "Federal Bureau of Investigation",
                "United Nations",
            ],
        ),
        ("U.S. Customs and Border Protection said arrests fell.", ["Customs and Border Protection"]),
        ("U.S. Border Patrol agents detained the group.", ["Border Patrol"]),
        ("U.S. Immigration and Customs Enforcement ran the flight.", ["Immigration and Customs Enforcement"]),
        ("The UNHCR and the U.N. High Commissioner for Refugees", ["UN High Commissioner for Refugees"] * 2),
        (
            "Amnesty International and Human Rights Watch criticized the move.",
            ["Amnesty International", "Human Rights Watch"],
        ),
        (
            "A report by Refugees International and Human Rights Watch found problems.",
            ["Refugees International", "Human Rights Watch"],
        ),
        (
            "The Justice Department and the Department of Health and Human Services issued rules.",
            ["Justice Department", "Department of Health and Human Services"],
        ),
        (
            "The White House declined to comment, and the Supreme Court did not rule.",
            ["White House", "Supreme Court"],
        ),
        (
            "The plan was backed by the Republican Party and the European Union.",
            ["Republican Party", "European Union"],
        ),
        ("Two sources told CBS News about the plan.", ["CBS News"]),
        ("The head of Church World Service spoke.", ["Church World Service"]),
        ("In an interview with CNN en Español, he said so.", ["CNN"]),
        ("Congress resisted the cuts.", ["Congress"]),
        ("Migrants told The Associated Press they were afraid.", ["Associated Press"]),
        ("The Inter-American Development Bank approved a loan.", ["Inter-American Development Bank"]),
        (
            "Experts at the Center for Strategic and International Studies and the U.S. Chamber of Commerce",
            ["Center for Strategic and International Studies", "U.S. Chamber of Commerce"],
        ),
        (
            "The International Committee of the Red Cross and Save the Children sent aid.",
            ["International Committee of the Red Cross", "Save the Children"],
        ),
        ("A Ministry of Health and Ministry of Finance aide", ["Ministry of Health", "Ministry of Finance"]),
    ],
)
def test_organisations(text: str, expected: list[str]) -> None:
    assert orgs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The meeting at the Oval Office lasted an hour.",
        "The Trump administration moved to end the program.",
        "Officials from Central America met in Guatemala City.",
        "The Biden Administration said nothing.",
    ],
)
def test_no_false_organisations(text: str) -> None:
    assert orgs(text) == []


def test_people_and_organisations_together() -> None:
    text = "White House spokeswoman Karen Diaz said DHS and the State Department agreed."
    found = find_entities(text)
    assert [(e.kind, e.name) for e in found] == [
        ("org", "White House"),
        ("person", "Karen Diaz"),
        ("org", "Department of Homeland Security"),
        ("org", "State Department"),
    ]
    for e in found:
        assert text[e.start : e.end] == e.text


def test_empty_and_lowercase_text() -> None:
    assert find_entities("") == []
    assert find_entities("nothing capitalised here at all.") == []


# --------------------------------------------------------------------------------------------
# link_surnames
# --------------------------------------------------------------------------------------------

STORY = """FILE - Acting Secretary of Homeland Security Dana Kowalski at the border on May 2, 2019. \
(Luis Ortega Vidal/AP Photo)

Dana Kowalski and Foreign Minister Ana Hill Rivera signed the pact on Friday.
Kowalski said the deal was a first step. Hill Rivera said her country was ready.
“We are grateful,” Hill said. Ana Hill, who flew in on Thursday, left early.
Vega said nothing, and Monday passed.
President Carver praised the pact, and Carver later said more.
"""


def test_link_surnames_resolves_to_the_full_name() -> None:
    sentences = [p.text for p in split_passages(STORY)]
    linked = link_surnames([find_entities(s) for s in sentences])
    people_by_sentence = [[(e.text, e.name) for e in row if e.kind == "person"] for row in linked]
    flat = [pair for row in people_by_sentence for pair in row]
    assert ("Kowalski", "Dana Kowalski") in flat
    assert ("Hill Rivera", "Ana Hill Rivera") in flat
    assert ("Hill", "Ana Hill Rivera") in flat
    assert ("Ana Hill", "Ana Hill Rivera") in flat
    assert ("Luis Ortega Vidal", "Luis Ortega Vidal") in flat
    # A lone word that matches no full name and never carries a title is dropped ...
    assert all(text != "Vega" for text, _ in flat)
    # ... unless the same word carries a title somewhere in the document.
    assert ("Carver", "Carver") in flat
    assert flat.count(("Carver", "Carver")) == 2


def test_link_surnames_prefers_the_closest_earlier_name_and_keeps_shape() -> None:
    def person(name: str, title: str | None = None) -> EntityMention:
        return EntityMention("person", name, title, 0, len(name), name)

    org = EntityMention("org", "State Department", None, 0, 16, "State Department")
    rows = [
        [person("Tom Lee", "Mayor")],
        [person("Lee"), org],
        [person("Amy Lee", "Judge")],
        [person("Lee")],
        [],
    ]
    linked = link_surnames(rows)
    assert [len(r) for r in linked] == [1, 2, 1, 1, 0]
    assert linked[1][0].name == "Tom Lee"
    assert linked[1][1] == org
    assert linked[3][0].name == "Amy Lee"


def test_link_surnames_uses_a_later_full_name_when_none_came_before() -> None:
    rows = [
        [EntityMention("person", "Ortiz", None, 0, 5, "Ortiz")],
        [EntityMention("person", "Paul Ortiz", "Sen.", 5, 15, "Paul Ortiz")],
    ]
    assert link_surnames(rows)[0][0].name == "Paul Ortiz"
