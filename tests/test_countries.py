"""Countries: query resolution, fuzzy suggestions and mentions in wire-style text."""

from __future__ import annotations

import pytest

from facts.countries import (
    Country,
    all_countries,
    country_surface,
    find_countries,
    resolve_country,
    slugify,
    suggest_countries,
)


def codes(text: str) -> list[str]:
    return [m.country.code for m in find_countries(text)]


def mentions(text: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.country.code, m.form) for m in find_countries(text)]


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def test_all_countries_one_per_code() -> None:
    countries = all_countries()
    assert len(countries) >= 249
    assert len({c.code for c in countries}) == len(countries)
    assert len({c.slug for c in countries}) == len(countries)
    assert all(isinstance(c, Country) and c.name and c.slug for c in countries)


@pytest.mark.parametrize(
    ("code", "name", "slug", "demonym"),
    [
        ("SV", "El Salvador", "el-salvador", "Salvadoran"),
        ("VE", "Venezuela", "venezuela", "Venezuelan"),
        ("BO", "Bolivia", "bolivia", "Bolivian"),
        ("US", "United States", "united-states", "American"),
        ("GB", "United Kingdom", "united-kingdom", "British"),
        ("KR", "South Korea", "south-korea", "South Korean"),
        ("IR", "Iran", "iran", "Iranian"),
        ("RU", "Russia", "russia", "Russian"),
        ("SY", "Syria", "syria", "Syrian"),
        ("TZ", "Tanzania", "tanzania", "Tanzanian"),
        ("VN", "Vietnam", "vietnam", "Vietnamese"),
        ("LA", "Laos", "laos", "Laotian"),
        ("MD", "Moldova", "moldova", "Moldovan"),
        ("TW", "Taiwan", "taiwan", "Taiwanese"),
        ("CI", "Ivory Coast", "ivory-coast", "Ivorian"),
        ("CD", "Democratic Republic of the Congo", "democratic-republic-of-the-congo", "Congolese"),
        ("PS", "Palestine", "palestine", "Palestinian"),
        ("FM", "Micronesia", "micronesia", "Micronesian"),
        ("TR", "Turkey", "turkey", "Turkish"),
        ("GT", "Guatemala", "guatemala", "Guatemalan"),
    ],
)
def test_printed_names(code: str, name: str, slug: str, demonym: str) -> None:
    country = resolve_country(code)
    assert country == Country(code, name, slug, demonym)


def test_slugify() -> None:
    assert slugify("Côte d'Ivoire") == "cote-divoire"
    assert slugify("  El  Salvador ") == "el-salvador"


# --------------------------------------------------------------------------------------------
# resolve_country
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("el-salvador", "SV"),
        ("El Salvador", "SV"),
        ("  el   SALVADOR ", "SV"),
        ("SV", "SV"),
        ("SLV", "SV"),
        ("slv", "SV"),
        ("salvadoran", "SV"),
        ("Salvadorans", "SV"),
        ("El Salvadoran", "SV"),
        ("US", "US"),
        ("U.S.", "US"),
        ("usa", "US"),
        ("america", "US"),
        ("Americans", "US"),
        ("United States of America", "US"),
        ("uk", "GB"),
        ("U.K.", "GB"),
        ("Britain", "GB"),
        ("Venezuela, Bolivarian Republic of", "VE"),
        ("Korea, Republic of", "KR"),
        ("south korea", "KR"),
        ("Czech Republic", "CZ"),
        ("czechia", "CZ"),
        ("Côte d'Ivoire", "CI"),
        ("cote divoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Congo", "CD"),
        ("DR Congo", "CD"),
        ("Republic of the Congo", "CG"),
        ("türkiye", "TR"),
        ("turkey", "TR"),
        ("Viet Nam", "VN"),
        ("Syrian Arab Republic", "SY"),
        ("Russian Federation", "RU"),
        ("the Gambia", "GM"),
        ("Burma", "MM"),
        ("Chinese", "CN"),
        ("French", "FR"),
        ("Dominican", "DO"),
        ("Guatemalans", "GT"),
        ("Mexican", "MX"),
    ],
)
def test_resolve_country(query: str, code: str) -> None:
    found = resolve_country(query)
    assert found is not None and found.code == code


@pytest.mark.parametrize("query", ["atlantis", "", "   ", "narnia republic", "xx"])
def test_resolve_unknown(query: str) -> None:
    assert resolve_country(query) is None


def test_resolve_is_stable_for_every_country() -> None:
    for country in all_countries():
        assert resolve_country(country.name) == country
        assert resolve_country(country.slug) == country
        assert resolve_country(country.code) == country


# --------------------------------------------------------------------------------------------
# suggest_countries
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [("el salvdor", "SV"), ("guatamala", "GT"), ("hondras", "HN"), ("venezuala", "VE"), ("Nicaragu", "NI")],
)
def test_suggest_countries(query: str, code: str) -> None:
    found = suggest_countries(query)
    assert found and found[0].code == code
    assert len(found) <= 3


def test_suggest_limit_and_exact_first() -> None:
    assert [c.code for c in suggest_countries("Mexico", limit=1)] == ["MX"]
    assert suggest_countries("zzzzqqq") == []
    assert suggest_countries("") == []


# --------------------------------------------------------------------------------------------
# find_countries
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. and Honduras signed the pact.", [("U.S.", "US", "code"), ("Honduras", "HN", "name")]),
        ("The US team met their UK peers.", [("US", "US", "code"), ("UK", "GB", "code")]),
        ("The U.K. and U.S.A. delegations left.", [("U.K.", "GB", "code"), ("U.S.A.", "US", "code")]),
        ("Let us know what the rest of us think.", []),
        ("Mexican officials praised the plan.", [("Mexican", "MX", "demonym")]),
        ("Guatemala's President spoke first.", [("Guatemala", "GT", "name")]),
        ("Guatemala’s foreign ministry objected.", [("Guatemala", "GT", "name")]),
        (
            "Agents patrolled the U.S.-Mexico border.",
            [("U.S.", "US", "code"), ("Mexico", "MX", "name")],
        ),
        ("Thousands of Salvadorans live abroad.", [("Salvadorans", "SV", "demonym")]),
        ("Many El Salvadorans hold temporary status.", [("El Salvadorans", "SV", "demonym")]),
        ("The plan targets non-Salvadoran migrants.", [("Salvadoran", "SV", "demonym")]),
        (
            "Americans were told to leave; an American died.",
            [("Americans", "US", "demonym"), ("American", "US", "demonym")],
        ),
        ("Trade with America slowed.", [("America", "US", "name")]),
        ("Turkey and Greece agreed.", [("Turkey", "TR", "name"), ("Greece", "GR", "name")]),
        (
            "The United States and the United Kingdom",
            [("United States", "US", "name"), ("United Kingdom", "GB", "name")],
        ),
        (
            "Ivory Coast and Côte d’Ivoire are one.",
            [("Ivory Coast", "CI", "name"), ("Côte d’Ivoire", "CI", "name")],
        ),
        (
            "Papua New Guinea and Equatorial Guinea",
            [("Papua New Guinea", "PG", "name"), ("Equatorial Guinea", "GQ", "name")],
        ),
        ("Guinea-Bissau voted.", [("Guinea-Bissau", "GW", "name")]),
        ("Niger and Nigeria share a border.", [("Niger", "NE", "name"), ("Nigeria", "NG", "name")]),
        ("Officials in Mexico City said no.", [("Mexico", "MX", "name")]),
        ("El\u00a0Salvador signed.", [("El\u00a0Salvador", "SV", "name")]),
    ],
)
def test_find_countries(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert mentions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Migrants from Central America crossed.",
        "Central American governments objected.",
        "Thousands of Central Americans waited.",
        "Latin America and Latin American leaders",
        "South America, North America and North Americans",
        "Trade across the Americas grew.",
        "Voters in New Mexico and New Jersey",
        "Storms in the Gulf of Mexico",
        "The Organization of American States met.",
        "A Native American tribe sued.",
        "Ships crossed the Indian Ocean.",
    ],
)
def test_regions_are_not_countries(text: str) -> None:
    assert codes(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chad Wolf took over the department.", []),
        ("The acting secretary, Chad Wolf, spoke.", []),
        ("Michael Jordan visited the arena.", []),
        ("Georgia Gov. Tom Lee signed the bill.", []),
        ("The Niger Delta flooded.", []),
        ("Jersey City officials met.", []),
        ("In Chad, the army withdrew.", ["TD"]),
        ("Chad and Niger signed the accord.", ["TD", "NE"]),
        ("Jordan's king met the envoy.", ["JO"]),
        ("Troops left Georgia after the war.", ["GE"]),
        ("The island of Jersey voted.", ["JE"]),
        ("It ended at the Niger Delta. Niger then voted.", ["NE"]),
    ],
)
def test_names_that_are_also_people_or_places(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_mentions_are_case_sensitive() -> None:
    assert codes("turkey dinner in china and the chad") == []
    assert codes("MEXICO CITY is loud") == []


def test_mention_offsets() -> None:
    text = "Talks between El Salvador, the U.S. and Guatemalan envoys"
    for m in find_countries(text):
        assert text[m.start : m.end] == m.text
    assert [m.text for m in find_countries(text)] == ["El Salvador", "U.S.", "Guatemalan"]


def test_country_surface() -> None:
    found = country_surface("Salvadorans")
    assert found is not None and found[0].code == "SV" and found[1] == "demonym"
    assert country_surface("us") is None
    assert country_surface("Central America") is None
