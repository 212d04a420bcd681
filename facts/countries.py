"""Countries: one table built from pycountry (names, codes) and countryinfo (demonyms).

Two jobs with different rules:

* :func:`resolve_country` answers a user's query, so it is forgiving: case, spacing,
  punctuation and diacritics are ignored and codes, official names, slugs and demonyms all work.
* :func:`find_countries` scans news text, so it is strict: names and demonyms must be
  capitalised as written in prose, only a handful of unambiguous abbreviations count as codes
  ("US", "U.S.", "UK", ...; never "us" or "IT"), and regions that contain a country's name
  ("Central America", "New Mexico", "Gulf of Mexico") are consumed without a mention.

The tables are built once, on first use, and the text scanner is a single regular expression
compiled from a character trie of every surface form, so a scan costs one pass over the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = [
    "Country",
    "CountryMention",
    "all_countries",
    "country_surface",
    "find_countries",
    "resolve_country",
    "slugify",
    "suggest_countries",
]


@dataclass(frozen=True)
class Country:
    """One ISO 3166-1 country under the name a newsroom would print."""

    code: str
    name: str
    slug: str
    demonym: str


@dataclass(frozen=True)
class CountryMention:
    """Where ``text[start:end]`` names ``country``; ``form`` is "name", "demonym" or "code"."""

    country: Country
    start: int
    end: int
    text: str
    form: str


# Printed names where pycountry's name (or its missing common_name) is not what news text uses.
_NAME_OVERRIDES: dict[str, str] = {
    "BN": "Brunei",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "CI": "Ivory Coast",
    "CZ": "Czech Republic",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "MF": "Saint Martin",
    "PS": "Palestine",
    "RU": "Russia",
    "SH": "Saint Helena",
    "SX": "Sint Maarten",
    "TR": "Turkey",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}

# Extra surface forms found in prose, written with the capitalisation prose uses.
_NAME_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("United States", "United States of America", "America"),
    "GB": ("United Kingdom", "Britain", "Great Britain", "England", "Scotland", "Wales", "Northern Ireland"),
    "KR": ("South Korea", "Republic of Korea"),
    "KP": ("North Korea",),
    "RU": ("Russian Federation",),
    "IR": ("Iran",),
    "SY": ("Syria",),
    "BO": ("Bolivia",),
    "TZ": ("Tanzania",),
    "VN": ("Vietnam", "Viet Nam"),
    "LA": ("Laos",),
    "MD": ("Moldova",),
    "TW": ("Taiwan",),
    "CZ": ("Czechia",),
    "CI": ("Côte d'Ivoire", "Cote d'Ivoire"),
    "CD": ("Democratic Republic of Congo", "DR Congo", "Congo-Kinshasa", "Congo"),
    "CG": ("Republic of Congo", "Congo-Brazzaville"),
    "PS": ("Palestinian Territories", "Palestinian territories", "State of Palestine"),
    "FM": ("Federated States of Micronesia",),
    "VA": ("Vatican", "Holy See"),
    "MK": ("Macedonia",),
    "MM": ("Burma",),
    "TL": ("East Timor",),
    "SZ": ("Swaziland",),
    "CV": ("Cape Verde",),
    "TR": ("Türkiye", "Turkiye"),
    "KN": ("St. Kitts and Nevis",),
    "LC": ("St. Lucia",),
    "VC": ("St. Vincent and the Grenadines",),
    "BS": ("The Bahamas",),
    "GM": ("The Gambia",),
    "NL": ("The Netherlands",),
}

# Abbreviations matched case-sensitively in text; query lookups also accept every ISO code.
_TEXT_CODES: dict[str, str] = {
    "US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US",
    "UK": "GB", "U.K.": "GB",
    "UAE": "AE", "U.A.E.": "AE",
    "DRC": "CD", "PRC": "CN", "DPRK": "KP",
}

# Demonyms countryinfo lacks or spells differently from wire copy; the first is the printed one.
_DEMONYM_EXTRAS: dict[str, tuple[str, ...]] = {
    "US": ("American",),
    "GB": ("British", "Briton"),
    "SV": ("Salvadoran", "El Salvadoran", "Salvadorean"),
    "AR": ("Argentine", "Argentinian"),
    "EC": ("Ecuadorian",),
    "PH": ("Filipino", "Filipina", "Philippine"),
    "SA": ("Saudi",),
    "AE": ("Emirati",),
    "CD": ("Congolese",),
    "CZ": ("Czech",),
    "SK": ("Slovak",),
    "SI": ("Slovenian",),
    "KG": ("Kyrgyz",),
    "TJ": ("Tajik",),
    "UZ": ("Uzbek",),
    "KZ": ("Kazakh",),
    "TR": ("Turkish", "Turk"),
    "CV": ("Cape Verdean",),
    "MV": ("Maldivian",),
    "LA": ("Laotian",),
    "IS": ("Icelandic",),
    "MK": ("North Macedonian",),
    "PS": ("Palestinian",),
}

# Plural-only nouns for nationalities whose adjective does not pluralise ("the Poles").
_PLURAL_NOUNS: dict[str, tuple[str, ...]] = {
    "PL": ("Poles",), "SE": ("Swedes",), "DK": ("Danes",), "FI": ("Finns",), "ES": ("Spaniards",),
}

# countryinfo demonyms that name a region or several territories, not one country.
_DEMONYM_DROP = frozenset({
    "Channel Islander", "Christmas Island", "Djibouti", "Gibraltar", "Vaticanian", "Indian Ocean",
    "Heard and McDonald Islander", "South Georgia and the South Sandwich Islander",
})

# Phrases that contain a country's surface form but do not mention that country.
_BLOCKERS: tuple[str, ...] = (
    *(
        f"{prefix}{sep}{stem}"
        for prefix in ("Central", "Latin", "South", "North", "Meso", "Middle", "Native", "Pan", "Inter")
        for sep in (" ", "-")
        for stem in ("America", "American", "Americans")
    ),
    "American Indian", "American Indians", "African American", "African Americans",
    "Organization of American States", "Bank of America", "Voice of America", "Captain America",
    "Miss America", "Indian Ocean",
    "New Mexico", "New Mexican", "New Mexicans", "Gulf of Mexico", "New Jersey", "New Guinea",
    "Gulf of Guinea", "New South Wales", "New England",
)

# Country names that are also given names, surnames or US states: kept only when no other
# capitalised word touches them ("Chad Lee", "Michael Jordan", "Georgia Gov.", "Niger Delta").
_AMBIGUOUS_NAMES = frozenset({"Chad", "Jordan", "Georgia", "Jersey", "Niger"})
# Capitalised words that can precede such a name without making it part of a longer name.
_FUNCTION_WORDS = frozenset({
    "A", "An", "And", "As", "At", "Before", "Between", "But", "By", "During", "For", "From", "If", "In",
    "Including", "Inside", "Into", "Like", "Near", "Neither", "Nor", "Of", "On", "Or", "Outside", "Since",
    "So", "The", "Then", "Through", "To", "Toward", "Towards", "Unlike", "Until", "When", "While", "With",
    "Within", "Without", "Both", "Across", "Also", "After",
})

_WORD_BEFORE = re.compile(r"([A-Za-z][\w.'’-]*)[ \u00a0]$")
_WORD_AFTER = re.compile(r"[ \u00a0]([A-Za-z])")
_INITIAL = re.compile(r"[A-Z]\.")


# --------------------------------------------------------------------------------------------
# Normalisation helpers
# --------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Strip diacritics: "Côte" -> "Cote", "Türkiye" -> "Turkiye"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_KEY_DROP = re.compile(r"[.'’`]")
_KEY_SPACE = re.compile(r"[\s_\-,()/]+")


def _key(text: str) -> str:
    """Lookup key for queries: folded, lower-case, no dots/apostrophes, single spaces, no "the"."""
    key = _KEY_SPACE.sub(" ", _KEY_DROP.sub("", _fold(text).casefold())).strip()
    return key[4:] if key.startswith("the ") else key


def slugify(text: str) -> str:
    """URL slug: "Côte d'Ivoire" -> "cote-divoire", "El Salvador" -> "el-salvador"."""
    return "-".join(re.findall(r"[a-z0-9]+", _KEY_DROP.sub("", _fold(text).lower())))


def _plural(demonym: str) -> str | None:
    """English plural of a nationality noun, or None when the adjective is not a noun."""
    if demonym.endswith(("ese", "ish", "ch", "ss", "sh")):
        return None
    return demonym + "s"


# --------------------------------------------------------------------------------------------
# Tables (built once)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    countries: tuple[Country, ...]
    by_code: dict[str, Country]
    by_key: dict[str, Country]
    surface: dict[str, tuple[Country, str] | None]  # None: a blocker phrase
    pattern: re.Pattern[str]
    fuzzy_keys: tuple[str, ...]
    fuzzy_codes: tuple[str, ...]


def _countryinfo_rows() -> dict[str, dict[str, Any]]:
    """countryinfo's record per alpha-2 code (the most populous when a code repeats)."""
    from countryinfo import all_countries as ci_all

    rows: dict[str, dict[str, Any]] = {}
    for entry in ci_all():
        data = entry.info()
        code = (data.get("ISO") or {}).get("alpha2") or ""
        if not code:
            continue
        known = rows.get(code)
        if known is None or (data.get("population") or 0) > (known.get("population") or 0):
            rows[code] = dict(data)
    return rows


def _demonym_forms(code: str, info: dict[str, Any] | None) -> list[str]:
    forms = list(_DEMONYM_EXTRAS.get(code, ()))
    raw = (info or {}).get("demonym") or ""
    for part in raw.split(","):
        part = part.strip()
        if part and part not in _DEMONYM_DROP and part not in forms:
            forms.append(part)
    return forms


def _with_variants(surface: str) -> list[str]:
    """The surface as written, plus its curly-apostrophe and diacritic-free spellings."""
    out = [surface]
    if "'" in surface:
        out.append(surface.replace("'", "’"))
    folded = _fold(surface)
    if folded != surface and folded != "Reunion":  # "Reunion" is an ordinary word
        out.append(folded)
    return out


def _build() -> _Tables:
    import pycountry

    info = _countryinfo_rows()
    countries: list[Country] = []
    by_key: dict[str, Country] = {}
    surface: dict[str, tuple[Country, str] | None] = {}
    population: dict[str, int] = {}
    fuzzy: dict[str, str] = {}

    def add_key(text: str, country: Country) -> None:
        key = _key(text)
        if key:
            by_key.setdefault(key, country)

    def add_surface(text: str, country: Country, form: str) -> None:
        for variant in _with_variants(text):
            known = surface.get(variant)
            # Several countries share a demonym ("Chinese", "French"): the most populous wins.
            if known is None or population[country.code] > population[known[0].code]:
                surface[variant] = (country, form)

    records = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    for rec in records:
        code = rec.alpha_2
        row = info.get(code)
        population[code] = int((row or {}).get("population") or 0)
        name = _NAME_OVERRIDES.get(code) or getattr(rec, "common_name", None) or rec.name
        demonyms = _demonym_forms(code, row)
        country = Country(code=code, name=name, slug=slugify(name), demonym=demonyms[0] if demonyms else "")
        countries.append(country)

    by_code = {c.code: c for c in countries}
    # Explicit names and aliases first: by_key keeps the first country given for a key.
    for country in countries:
        rec = pycountry.countries.get(alpha_2=country.code)
        official = getattr(rec, "official_name", None)
        names = [country.name, *_NAME_ALIASES.get(country.code, ())]
        text_names = [n for n in names if n]
        if official and "," not in official:
            text_names.append(official[4:] if official.startswith("the ") else official)
        for n in text_names:
            add_surface(n, country, "name")
            fuzzy.setdefault(_key(n), country.code)
        for n in (*text_names, country.slug):
            add_key(n, country)
    for text, code in _TEXT_CODES.items():
        add_key(text, by_code[code])
        surface[text] = (by_code[code], "code")
    for country in countries:
        rec = pycountry.countries.get(alpha_2=country.code)
        add_key(rec.alpha_2, country)
        add_key(rec.alpha_3, country)
        add_key(rec.name, country)
    for country in countries:
        row = info.get(country.code)
        for demonym in _demonym_forms(country.code, row):
            forms = [demonym] + ([p] if (p := _plural(demonym)) else [])
            for form in forms:
                add_surface(form, country, "demonym")
        for noun in _PLURAL_NOUNS.get(country.code, ()):
            add_surface(noun, country, "demonym")
    for text, hit in surface.items():
        if hit is not None and hit[1] == "demonym":
            add_key(text, hit[0])
    for country in countries:
        for alt in (info.get(country.code) or {}).get("altSpellings") or ():
            if len(alt.strip()) >= 4 and alt.strip() not in {"Island", "Mann", "Prathet", "Guiana", "Thai"}:
                add_key(alt, country)
    for phrase in _BLOCKERS:
        surface[phrase] = None

    pattern = re.compile(r"(?<![\w])" + _trie_regex(surface) + r"(?![\w])")
    return _Tables(
        countries=tuple(sorted(countries, key=lambda c: c.name)),
        by_code=by_code,
        by_key=by_key,
        surface=surface,
        pattern=pattern,
        fuzzy_keys=tuple(fuzzy),
        fuzzy_codes=tuple(fuzzy.values()),
    )


def _char(ch: str) -> str:
    return r"[ \u00a0]" if ch == " " else re.escape(ch)


def _trie_regex(words: dict[str, Any]) -> str:
    """One regex for many literals, factored by common prefixes, longest alternative first."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = True

    def render(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [_char(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return "(?:" + render(trie) + ")"


@cache
def _tables() -> _Tables:
    return _build()


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def all_countries() -> list[Country]:
    """Every ISO 3166-1 country, sorted by printed name."""
    return list(_tables().countries)


def resolve_country(query: str) -> Country | None:
    """The country a user means, or None.

    Accepts names, official names, aliases, slugs, ISO alpha-2 and alpha-3 codes and demonyms
    (singular or plural), ignoring case, spacing, punctuation and diacritics::

        resolve_country("el-salvador").code  # "SV"
        resolve_country("Salvadorans").code  # "SV"
        resolve_country("U.S.").code         # "US"
        resolve_country("atlantis")          # None
    """
    tables = _tables()
    key = _key(query)
    if not key:
        return None
    found = tables.by_key.get(key)
    if found is None and len(key) in (2, 3):
        found = tables.by_code.get(key.upper())
    return found


def suggest_countries(query: str, limit: int = 3) -> list[Country]:
    """Closest countries to a misspelt query, best first ("el salvdor" -> El Salvador)."""
    from rapidfuzz import fuzz, process

    tables = _tables()
    exact = resolve_country(query)
    out: list[Country] = [exact] if exact else []
    key = _key(query)
    if not key or limit <= 0:
        return out[:limit]
    hits = process.extract(key, tables.fuzzy_keys, scorer=fuzz.WRatio, limit=limit * 4, score_cutoff=70)
    for _, _, index in hits:
        country = tables.by_code[tables.fuzzy_codes[index]]
        if country not in out:
            out.append(country)
        if len(out) >= limit:
            break
    return out


def country_surface(text: str) -> tuple[Country, str] | None:
    """``(country, form)`` when ``text`` is exactly one surface form as written in prose.

    ``country_surface("Salvadorans")`` -> ``(El Salvador, "demonym")``; lower-case "us" -> None.
    """
    return _tables().surface.get(text.replace("\u00a0", " "))


def find_countries(text: str) -> list[CountryMention]:
    """Country mentions in ``text``: textual order, non-overlapping, longest surface first.

    >>> [m.country.code for m in find_countries("Mexican officials at the U.S.-Mexico border")]
    ['MX', 'US', 'MX']
    """
    tables = _tables()
    out: list[CountryMention] = []
    for match in tables.pattern.finditer(text):
        surface = match.group().replace("\u00a0", " ")
        hit = tables.surface.get(surface)
        if hit is None:
            continue
        country, form = hit
        if surface in _AMBIGUOUS_NAMES and _touches_capitalised(text, match.start(), match.end()):
            continue
        out.append(CountryMention(country, match.start(), match.end(), match.group(), form))
    return out


def _touches_capitalised(text: str, start: int, end: int) -> bool:
    """Is the word at ``text[start:end]`` part of a longer capitalised name?"""
    after = _WORD_AFTER.match(text, end)
    if after and after.group(1).isupper():
        return True
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before is None:
        return False
    word = before.group(1)
    if word.endswith(".") and not _INITIAL.fullmatch(word):
        return False  # the previous sentence ended there ("... the Niger Delta. Niger and ...")
    return word[0].isupper() and word not in _FUNCTION_WORDS
