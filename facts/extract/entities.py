"""People and organisations in news text, by rules.

No statistical tagger is available offline (spaCy models are not on PyPI), and the ones measured
confuse people with places on exactly our kind of copy. News prose is formulaic enough for rules:

* people appear after a title ("acting Homeland Security Secretary Jane Doe"), before an
  appositive ("Tom Lee, the acting secretary of ..."), in photo credits ("(Jane Doe/AP Photo)"),
  in contributor lines ("CNN's Ana Ruiz and Bo Li contributed") and next to speech verbs
  ("Lee said", "according to Lee", "Lee, who ..."); a bare surname is resolved to the full
  name by :func:`link_surnames`;
* organisations end in a head word ("... Department", "... Watch", "... International"), start
  with one ("Department of ..."), or are listed acronyms and aliases ("DHS", "U.N.").

Precision comes first: a capitalised word is a person only in one of those contexts, and never
when it is a function word, a month, a weekday, a country, a capital city or an organisation.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from facts.countries import country_surface, find_countries
from facts.text.prefilter import finditer_at, word_starts

__all__ = ["ORG_ALIASES", "EntityMention", "find_entities", "link_surnames"]


@dataclass(frozen=True)
class EntityMention:
    """A person or organisation; ``text[start:end]`` is the name as written, ``name`` canonical."""

    kind: str
    name: str
    title: str | None
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

_MONTHS = frozenset((
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
))
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Capitalised words that start sentences or clauses but never names.
_STOPWORDS = (
    "A", "About", "According", "Across", "After", "Again", "Against", "Ahead", "All", "Also", "Although",
    "Among", "An", "And", "Another", "Any", "As", "At", "Because", "Before", "Being", "Both", "But", "By",
    "Despite", "During", "Each", "Earlier", "Either", "Even", "Every", "For", "From", "Given", "He", "Her",
    "His", "How", "However", "I", "If", "In", "Instead", "Into", "It", "Its", "Just", "Last", "Later",
    "Like", "Many", "Meanwhile", "More", "Most", "Much", "My", "Neither", "Next", "No", "Nor", "Not",
    "Notably", "Now", "Of", "On", "Once", "One", "Only", "Or", "Other", "Our", "Over", "Per", "Rather",
    "Several", "She", "Shortly", "Since", "So", "Some", "Still", "Such", "That", "The", "Their", "Then",
    "There", "These", "They", "This", "Those", "Though", "Through", "Thus", "To", "Today", "Under",
    "Unlike", "Until", "Upon", "We", "What", "When", "Where", "Whether", "Which", "While", "Who", "Why",
    "With", "Within", "Without", "Yet", "You", "Your", "Additionally", "Separately", "Yesterday",
    "Tomorrow", "Tonight", "Two", "Three", "Four", "Five", "Mr", "Mrs", "Ms",
)

# Plural and collective subjects of speech verbs that are not people's names.
_COMMON_SUBJECTS = frozenset((
    "Advocates", "Agents", "Aides", "Analysts", "Authorities", "Critics", "Democrats", "Diplomats",
    "Documents", "Experts", "Families", "Investigators", "Judges", "Lawmakers", "Lawyers", "Leaders",
    "Migrants", "Officers", "Officials", "Organizers", "Others", "Parents", "Police", "Polls",
    "Prosecutors", "Protesters", "Records", "Refugees", "Reports", "Republicans", "Researchers",
    "Residents", "Scientists", "Senators", "Soldiers", "Sources", "Students", "Supporters", "Survivors",
    "Teachers", "Troops", "Victims", "Voters", "Witnesses", "Workers", "Everyone", "Nobody", "Someone",
    "Immigration", "Homeland", "Gang", "Gangs", "Administration", "Government", "Congress",
    "Thousands", "Hundreds", "Dozens", "Millions", "Members", "Representatives", "Groups", "Delegates",
))

# Titles written before a name. Capitalised ones may stand alone ("President Lee").
_TITLE_HEADS = (
    "President", "Vice President", "Prime Minister", "Deputy Prime Minister", "Minister", "Secretary",
    "Secretary-General", "Undersecretary", "Under Secretary", "Attorney General", "Solicitor General",
    "Ambassador", "Envoy", "Chancellor", "Governor", "Gov.", "Lt. Gov.", "Senator", "Sen.",
    "Representative", "Rep.", "Congressman", "Congresswoman", "Mayor", "Judge", "Chief Justice",
    "Justice", "Commissioner", "Director", "Director-General", "Chairman", "Chairwoman", "Chair",
    "Speaker", "Leader", "Chief", "Executive", "Officer", "Spokesman", "Spokeswoman", "Spokesperson",
    "General", "Gen.", "Lt. Gen.", "Maj. Gen.", "Brig. Gen.", "Admiral", "Adm.", "Colonel", "Col.",
    "Lt.", "Capt.", "Sgt.", "Cmdr.", "Commander", "Rev.", "Reverend", "Father", "Bishop", "Archbishop",
    "Cardinal", "Pope", "Rabbi", "Imam", "Sheikh", "King", "Queen", "Prince", "Princess", "Emperor",
    "Dr.", "Mr.", "Mrs.", "Ms.", "Sheriff", "Detective", "Prosecutor", "Pastor", "Sister", "Coach",
)
# Lower-case roles written before a full name ("spokeswoman Jane Doe"): a full name must follow.
_LOWER_TITLE_HEADS = (
    "spokesman", "spokeswoman", "spokesperson", "lawyer", "attorney", "activist", "analyst",
    "economist", "professor", "photographer", "journalist", "correspondent", "reporter", "director",
    "secretary", "minister", "president", "ambassador", "senator", "judge", "researcher",
)
_TITLE_MODIFIERS = (
    "acting", "former", "outgoing", "incoming", "interim", "deputy", "senior", "executive", "late",
    "then", "current", "newly elected", "Then", "Acting", "Former", "Outgoing", "Incoming", "Interim",
    "Deputy", "Senior", "Executive",
)
# Words after "Secretary of ..." / "Minister of ..." that belong to the office, not the name.
_OFFICE_WORDS = (
    "Homeland", "Security", "State", "Defense", "Defence", "Treasury", "Justice", "Labor", "Labour",
    "Commerce", "Agriculture", "Education", "Energy", "Interior", "Transportation", "Veterans",
    "Affairs", "Health", "Human", "Services", "Housing", "Urban", "Development", "Foreign", "Public",
    "Army", "Navy", "Air", "Force", "War", "Finance", "Economy", "Trade", "Immigration", "Citizenship",
    "Home", "Office", "Environment", "Communications", "Culture", "Tourism", "Women", "Family",
    "Welfare", "Police", "Staff", "Joint", "Chiefs", "Government", "Migration", "Refugees",
    "Relations", "International", "External", "National", "Intelligence", "Exterior", "House",
    "Representatives", "Senate", "Economic", "Social", "Planning", "Industry", "Mines", "Infrastructure",
)
# Roles that make "Name, the <role> ..." an appositive.
_ROLES = (
    "secretary", "minister", "president", "vice president", "director", "spokesman", "spokeswoman",
    "spokesperson", "chief", "head", "leader", "chairman", "chairwoman", "chair", "CEO", "founder",
    "co-founder", "ambassador", "governor", "senator", "congressman", "congresswoman", "representative",
    "mayor", "commissioner", "official", "adviser", "advisor", "professor", "researcher", "analyst",
    "lawyer", "attorney", "judge", "executive", "coordinator", "manager", "deputy", "envoy", "commander",
    "general", "pastor", "bishop", "priest", "economist", "expert", "specialist", "fellow", "scholar",
    "activist", "journalist", "reporter", "editor", "author", "photographer", "member", "officer",
    "agent", "diplomat", "prosecutor", "candidate", "nominee", "founder", "owner", "partner", "aide",
)
_SPEECH_VERBS = (
    "said", "says", "told", "added", "noted", "wrote", "argued", "explained", "stated", "asked",
    "replied", "tweeted", "posted", "announced", "insisted", "warned", "acknowledged", "stressed",
    "emphasized", "emphasised", "contended", "continued", "recalled", "testified", "conceded",
    "claimed", "declared", "confirmed", "denied", "predicted", "urged", "called", "praised",
    "criticized", "criticised", "signed", "responded", "disputed", "agreed", "complained", "cautioned",
    "countered", "observed", "remarked", "suggested", "admitted", "signaled", "signalled", "maintained",
    "lamented", "vowed", "pledged", "promised", "questioned", "estimated", "conceded", "reiterated",
)
_POSSESSED = (
    "administration", "government", "campaign", "transition", "spokesman", "spokeswoman",
    "spokesperson", "lawyer", "lawyers", "attorney", "attorneys", "office", "wife", "husband",
    "family", "son", "daughter", "aides", "allies", "supporters", "presidency", "tenure", "team",
    "plan", "plans", "agenda", "policy", "policies", "decision", "remarks", "statement", "visit",
)

# Organisation head words: a capitalised phrase ending in (or starting "<Head> of") one of these.
_ORG_HEADS = (
    "Department", "Ministry", "Court", "Service", "Services", "Patrol", "Enforcement", "Protection",
    "Watch", "International", "News", "Agency", "Commission", "Council", "Party", "Bank", "University",
    "Organization", "Organisation", "Office", "Committee", "Institute", "Foundation", "Association",
    "Union", "Corporation", "Company", "Network", "Times", "Post", "Journal", "Press", "Fund", "Forces",
    "Guard", "Police", "Administration", "Authority", "Bureau", "Center", "Centre", "Alliance",
    "Coalition", "Federation", "Church", "Conference", "Assembly", "Parliament", "Tribunal", "Reserve",
    "Board", "Society", "Corps", "Secretariat", "Program", "Programme", "Institution", "Cartel",
    "Command", "Army", "Navy", "College", "School", "Hospital", "Group", "Chamber",
)
# Heads that need two words in front of them ("Food and Drug Administration", not "Biden Administration").
_WEAK_HEADS = frozenset({"Administration", "Group", "Program", "Programme", "Post", "Times", "School"})
_NOT_ORGS = frozenset({"Oval Office", "Post Office", "High Court"})
_ORG_HEADS_SET = frozenset(_ORG_HEADS)
# Places used for the people who govern them ("Washington said") and first words of place names.
_PLACE_WORDS = frozenset((
    "Washington", "Brussels", "Kremlin", "Capitol", "Hollywood", "Silicon", "Wall", "Downing",
    "Central", "Latin", "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western",
    "Middle", "New", "Los", "Las", "San", "Santa", "Fort", "Port", "Lake", "Mount", "Saint", "St",
))

# Canonical names: every alias (as written, case-sensitive) -> one name.
ORG_ALIASES: dict[str, str] = {
    "DHS": "Department of Homeland Security",
    "Homeland Security": "Department of Homeland Security",
    "Homeland Security Department": "Department of Homeland Security",
    "Department of Homeland Security": "Department of Homeland Security",
    "State Department": "State Department",
    "Department of State": "State Department",
    "ICE": "Immigration and Customs Enforcement",
    "Immigration and Customs Enforcement": "Immigration and Customs Enforcement",
    "CBP": "Customs and Border Protection",
    "Customs and Border Protection": "Customs and Border Protection",
    "Border Patrol": "Border Patrol",
    "USCIS": "Citizenship and Immigration Services",
    "Citizenship and Immigration Services": "Citizenship and Immigration Services",
    "FBI": "Federal Bureau of Investigation",
    "CIA": "Central Intelligence Agency",
    "DEA": "Drug Enforcement Administration",
    "DOJ": "Justice Department",
    "Justice Department": "Justice Department",
    "Department of Justice": "Justice Department",
    "Pentagon": "Defense Department",
    "Defense Department": "Defense Department",
    "Department of Defense": "Defense Department",
    "HHS": "Department of Health and Human Services",
    "ORR": "Office of Refugee Resettlement",
    "White House": "White House",
    "Congress": "Congress",
    "Supreme Court": "Supreme Court",
    "UN": "United Nations",
    "U.N.": "United Nations",
    "United Nations": "United Nations",
    "UNHCR": "UN High Commissioner for Refugees",
    "U.N. High Commissioner for Refugees": "UN High Commissioner for Refugees",
    "UN High Commissioner for Refugees": "UN High Commissioner for Refugees",
    "United Nations High Commissioner for Refugees": "UN High Commissioner for Refugees",
    "Office of the United Nations High Commissioner for Refugees": "UN High Commissioner for Refugees",
    "U.N. refugee agency": "UN High Commissioner for Refugees",
    "UN refugee agency": "UN High Commissioner for Refugees",
    "UNICEF": "UNICEF",
    "IOM": "International Organization for Migration",
    "International Organization for Migration": "International Organization for Migration",
    "WHO": "World Health Organization",
    "EU": "European Union",
    "E.U.": "European Union",
    "European Union": "European Union",
    "NATO": "NATO",
    "IMF": "International Monetary Fund",
    "OAS": "Organization of American States",
    "ACLU": "American Civil Liberties Union",
    "MSF": "Doctors Without Borders",
    "Doctors Without Borders": "Doctors Without Borders",
    "Gallup": "Gallup",
    "Oxfam": "Oxfam",
    "Greenpeace": "Greenpeace",
    "Global Witness": "Global Witness",
    "Human Rights First": "Human Rights First",
    "Save the Children": "Save the Children",
    "Red Cross": "Red Cross",
    "Red Crescent": "Red Crescent",
    "Caritas": "Caritas",
    "CNN": "CNN",
    "AP": "Associated Press",
    "Associated Press": "Associated Press",
    "AFP": "Agence France-Presse",
    "Reuters": "Reuters",
    "BBC": "BBC",
    "NPR": "NPR",
    "CBS": "CBS",
    "NBC": "NBC",
    "ABC": "ABC",
    "VOA": "Voice of America",
    "Voice of America": "Voice of America",
    "Hamas": "Hamas",
    "Hezbollah": "Hezbollah",
    "Taliban": "Taliban",
}
_ACRONYMS = frozenset(
    k for k in ORG_ALIASES if k.replace(".", "").replace("-", "").isupper() and " " not in k
)

# --------------------------------------------------------------------------------------------
# Regular expressions
# --------------------------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_SEP = r"[ \u00a0]"


def _alt(words: Iterable[str]) -> str:
    """Regex matching any of ``words``, longest first, factored into a character trie.

    A flat alternation of a hundred words is tried word by word at every position; the trie
    tries one branch per character, which is what makes the cue scans below cheap.
    """
    trie: dict[str, dict] = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        branches = [
            (_SEP if ch == " " else re.escape(ch)) + render(child) for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + render(trie) + ")"


def _literal(phrase: str) -> str:
    """Regex for a phrase whose spaces may be typed as no-break spaces."""
    return _SEP.join(re.escape(word) for word in phrase.split(" "))


# Title words that are also surnames ("Stephen King", "Erik Prince") may follow a first name.
_SURNAME_TITLES = frozenset({
    "King", "Queen", "Prince", "Bishop", "Judge", "Father", "Sister", "Coach", "Chief", "General",
    "Pope", "Leader", "Speaker", "Chair", "Cardinal", "Officer", "Executive", "Justice", "Pastor",
})
_TITLE_WORDS = tuple(h.split()[0].rstrip(".") for h in _TITLE_HEADS)
_NOT_FIRST = _alt((*_STOPWORDS, *_WEEKDAYS, *_TITLE_WORDS, "Jr", "Sr"))
_NOT_LATER = _alt(
    (*_STOPWORDS, *_WEEKDAYS, *(w for w in _TITLE_WORDS if w not in _SURNAME_TITLES), "Jr", "Sr")
)
# "McNamara", "O'Brien", "Jean-Paul", "Min-jun"; not "Obama-era" or "Trump-backed".
_NOT_NAME_SUFFIX = r"(?:era|led|based|backed|style|born|elect|designate|appointed|run|owned|funded|made)\b"
_WORD_SHAPE = (
    rf"(?:O['’])?[{_UP}][{_LOW}]+(?:[{_UP}][{_LOW}]+)?(?:-(?!{_NOT_NAME_SUFFIX})[{_UP}]?[{_LOW}]+)?"
)
_WORD = rf"(?!{_NOT_FIRST}(?![\w'’-])){_WORD_SHAPE}"
_LATER_WORD = rf"(?!{_NOT_LATER}(?![\w'’-])){_WORD_SHAPE}"
_INITIAL = rf"[{_UP}]\."
_PARTICLE = (
    r"(?:de la|de las|de los|van der|van den|von der|de|del|della|da|das|do|dos|di|du|van|von|bin|ibn|al|y)"
)
_SUFFIX = r"(?:,?[ \u00a0](?:Jr\.|Sr\.|II|III|IV)(?![\w]))"
_NAME = rf"{_WORD}(?:{_SEP}(?:{_INITIAL}|(?:{_PARTICLE}{_SEP})?{_LATER_WORD})){{0,3}}{_SUFFIX}?"

_QUAL = rf"(?!{_alt((*_STOPWORDS, *_WEEKDAYS, *_MONTHS))}\b)(?:[A-Z]\.(?:[A-Z]\.)+|[{_UP}][\w-]*)"
_HEAD = (
    rf"(?:{_alt(_TITLE_HEADS)}|{_alt(_LOWER_TITLE_HEADS)})(?:-elect|-designate)?"
    rf"(?:{_SEP}(?:of|for){_SEP}(?:the{_SEP})?{_alt(_OFFICE_WORDS)}"
    rf"(?:{_SEP}(?:and{_SEP})?{_alt(_OFFICE_WORDS)})*)?"
)
_TITLED = re.compile(
    rf"(?<![\w.])(?P<title>(?:{_alt(_TITLE_MODIFIERS)}(?:{_SEP}|-))*(?:{_QUAL}{_SEP}){{0,4}}?{_HEAD})"
    rf"{_SEP}(?P<name>{_NAME})(?![\w])"
)
_APPOSITIVE = re.compile(
    rf"(?<![\w.])(?P<name>{_NAME}),{_SEP}(?:(?:the|a|an){_SEP})?"
    rf"(?P<title>(?:[{_UP}][\w.-]*['’]s{_SEP})?(?:[a-z][\w'’-]*{_SEP}){{0,3}}?{_alt(_ROLES)}\b"
    rf"(?:(?!{_SEP}(?:who|which|that|said|says|told)\b)(?:U\.[SN]\.|[^,.;:()\n“”\"]))*)"
)
_CREDIT = re.compile(
    rf"\((?:Photo{_SEP}by{_SEP})?(?P<a>{_NAME})[ \u00a0]*/[ \u00a0]*[A-Z][^()/\n]{{1,40}}\)"
    rf"|\((?:AP|AFP|EPA|Reuters|Getty)[^()/\n]{{0,20}}/[ \u00a0]*(?P<b>{_NAME})(?:,{_SEP}File)?\)"
)
_PLACE_SUFFIX = rf"(?:{_SEP}in{_SEP}[{_UP}][\w.]*(?:{_SEP}[{_UP}][\w.]*){{0,2}})"
_NAME_LIST = rf"{_NAME}{_PLACE_SUFFIX}?(?:(?:,{_SEP}|,?{_SEP}and{_SEP}){_NAME}{_PLACE_SUFFIX}?)*"
_CONTRIBUTED = re.compile(rf"(?P<names>{_NAME_LIST}){_SEP}contributed\b")
_BYLINE = re.compile(
    rf"(?:^|(?<=\n)|(?<=[;.]{_SEP}))(?:By|(?:Additional{_SEP})?[Rr]eporting{_SEP}by|Writing{_SEP}by|Editing{_SEP}by)"
    rf"{_SEP}(?P<names>{_NAME_LIST})"
)
_NAME_IN_LIST = re.compile(rf"(?P<name>{_NAME}){_PLACE_SUFFIX}?")
# "Ana Ruiz of the Peterson Institute said": an affiliation between the name and the verb.
_AFFILIATION = (
    rf"(?:{_SEP}(?:of|at|from){_SEP}(?:the{_SEP})?[{_UP}][\w'’.-]*"
    rf"(?:{_SEP}(?:(?:of|for|on|and|the|&){_SEP})*[{_UP}][\w'’.-]*){{0,6}})"
)
_SAID_AFTER = re.compile(
    rf"(?<![\w.’'])(?P<name>{_NAME})(?P<affiliation>{_AFFILIATION})?"
    rf"(?:{_SEP}(?:also|later|previously|then|has|had|have|once|repeatedly|again|first|recently|"
    rf"publicly|quickly|immediately|himself|herself)){{0,2}}{_SEP}{_alt(_SPEECH_VERBS)}\b"
)
_SAID_BEFORE = re.compile(
    rf"\b(?:said|says|according{_SEP}to|added|wrote|asked){_SEP}(?P<name>{_NAME})(?![\w])"
)
_SAID_BEFORE_WORDS = ("said", "says", "according", "added", "wrote", "asked")  # every match begins so
_WHO = re.compile(rf"(?<![\w.’'])(?P<name>{_NAME}),{_SEP}who\b")
_POSSESSIVE = re.compile(rf"(?<![\w.’'])(?P<name>{_NAME})['’]s{_SEP}{_alt(_POSSESSED)}\b")

_ORG_TOKEN = (
    rf"(?!{_alt((*_STOPWORDS, *_WEEKDAYS, *_MONTHS))}(?![\w'’-]))"
    rf"(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z]{{2,}}(?:-\d+)?|[{_UP}][\w'’-]*[\w])"
)
_ORG_COMPLEMENT_TOKEN = rf"(?!{_alt(tuple(h.split()[0] for h in _TITLE_HEADS))}\b){_ORG_TOKEN}"
_HEADED_ORG = re.compile(
    rf"(?<![\w.])(?P<org>(?:{_ORG_TOKEN}{_SEP}(?:(?:and|&){_SEP})?){{0,5}}{_alt(_ORG_HEADS)}(?![\w-])"
    rf"(?:{_SEP}(?:of|for|on){_SEP}(?:the{_SEP})?{_ORG_COMPLEMENT_TOKEN}"
    rf"(?:{_SEP}(?:(?:and|&|(?:of|for|on)(?:{_SEP}the)?){_SEP})?{_ORG_COMPLEMENT_TOKEN}){{0,5}})?)"
)
_AND = re.compile(rf"{_SEP}(?:and|&){_SEP}")
# Head words that open an organisation's name ("... and Ministry of Finance").
_ORG_OPENERS = frozenset({
    "Department", "Ministry", "Office", "Council", "Commission", "Committee", "University", "Bank",
    "Agency", "Bureau", "Court", "Center", "Centre", "Institute", "Chamber", "Federation", "Association",
    "Organization", "Organisation",
})
_KNOWN_ORG = re.compile(
    r"(?<![\w.-])(?:"
    + "|".join(_literal(a) for a in sorted(ORG_ALIASES, key=lambda a: (-len(a), a)))
    + r")(?![\w]|-\w)"
)
# Every _KNOWN_ORG match begins with the first two characters of an alias (as _literal writes them).
_KNOWN_ORG_OPENINGS = frozenset(
    opening for a in ORG_ALIASES for opening in {a[:2], a[:2].replace(" ", "\u00a0")}
)
_US_PREFIX = re.compile(rf"(?:U\.S\.|US|United{_SEP}States){_SEP}")
# Cheap scans find where patterns may start (capitalised words, and "acting"/"spokeswoman" for
# titles) and their cue words; each pattern is then tried only at starts shortly before one of
# its cues, instead of at every character.
# A capital that starts a word: not inside a word, "U.S." or "Then-President" (whose start is
# "Then"). ``[^\W_]`` is exactly ``str.isalnum`` (checked over all of Unicode in the tests); the
# look-behinds follow the capital, so ``re`` can skip ahead to capitals.
_CAPITAL_AT_START = re.compile(rf"[{_UP}](?<![^\W_].)(?<![.'’-].)")
_POSSESSIVE_S = re.compile(r"['’]s(?!\w)")
_CUE_LISTS: dict[str, tuple[str, ...]] = {
    "head": (*_TITLE_HEADS, *_LOWER_TITLE_HEADS),
    "role": _ROLES,
    "speech": _SPEECH_VERBS,
    "org": _ORG_HEADS,
    "lower_title": tuple(w for w in (*_TITLE_MODIFIERS, *_LOWER_TITLE_HEADS) if w.islower()),
}
_CUES: dict[str, frozenset[str]] = {}
for _cue, _phrases in _CUE_LISTS.items():
    for _word in {w for phrase in _phrases for w in phrase.split()}:
        _CUES[_word] = _CUES.get(_word, frozenset()) | {_cue}
_CUE_WORD = re.compile(_alt(_CUES) + r"(?![\w])")
# The same scan tried only where no letter or digit precedes, which is all _words keeps. It finds
# the same cues unless a cue discarded mid-word would have swallowed one: only cues with a
# non-alphanumeric character inside ("Secretary-General") can, and texts holding one take the
# full scan.
_CUE_AT_START = re.compile(r"(?<![^\W_])" + _CUE_WORD.pattern)
_SPANNING_CUES = tuple(w for w in _CUES if any(not ch.isalnum() for ch in w[:-1]))
_REACH = 100  # characters between the start of a pattern and its cue word
_SENTENCE_START = re.compile(r"(?:^|[.!?]['’\"”)]*\s+|[\n“\"‘(]\s*)$")
_LEADING_POSSESSIVE = re.compile(r"^['’]s?(?!\w)")
# A capitalised phrase right after these words is a place or a title, not a speaker.
_PLACE_BEFORE = re.compile(
    r"(?:^|\W)(?:[Tt]he|in|at|from|near|across|outside|inside|into|around|toward|towards|via)[ \u00a0]$"
)
_NOT_A_TOKEN = re.compile(r"[A-Z]\.|Jr\.|Sr\.|I+V?")


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@cache
def _capital_cities() -> frozenset[str]:
    """Capital cities (countryinfo), which news uses for governments: "Washington said"."""
    from countryinfo import all_countries as ci_all

    out = set()
    for entry in ci_all():
        capital = entry.info().get("capital")
        if isinstance(capital, str) and capital:
            out.add(capital)
    return frozenset(out)


@lru_cache(maxsize=4096)
def _tokens(name: str) -> tuple[str, ...]:
    """Words of a name without initials and suffixes: "Mary K. Smith" -> ("Mary", "Smith")."""
    return tuple(t for t in name.replace("\u00a0", " ").split() if not _NOT_A_TOKEN.fullmatch(t))


@lru_cache(maxsize=4096)
def _is_place_or_thing(name: str) -> bool:
    """Countries, capitals, organisations and calendar words are never people."""
    words = name.split()
    first = words[0]
    if first in _MONTHS or first in _COMMON_SUBJECTS or first in _PLACE_WORDS or name in _capital_cities():
        return True
    if any(w in _ORG_HEADS_SET or w in _ACRONYMS for w in words):
        return True
    if len(words) == 1:
        return country_surface(name) is not None
    if any((hit := country_surface(w)) and hit[1] == "demonym" for w in words):
        return True  # "Central Americans", "Peruvian Officials"
    # "Mexico City", "Costa Rica" are places; "Chad Lee" is not (find_countries knows why).
    mentions = find_countries(name)
    return bool(mentions) and mentions[0].start == 0


def _at_sentence_start(text: str, start: int) -> bool:
    return _SENTENCE_START.search(text, max(0, start - 4), start) is not None


def _clean_name(raw: str) -> str:
    return " ".join(raw.replace("\u00a0", " ").split()).rstrip(",")


def _clean_title(raw: str) -> str | None:
    """Drop a leading country ("Peruvian President" -> "President") and spare whitespace."""
    title = " ".join(raw.replace("\u00a0", " ").split()).strip(" ,")
    mentions = find_countries(title)
    if mentions and mentions[0].start == 0:
        title = _LEADING_POSSESSIVE.sub("", title[mentions[0].end :]).strip(" ,")
    return title or None


# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    mention: EntityMention
    confident: bool


def _person(text: str, start: int, end: int, title: str | None, confident: bool) -> _Candidate:
    raw = text[start:end]
    return _Candidate(EntityMention("person", _clean_name(raw), title, start, end, raw), confident)


@dataclass
class _Words:
    """Where patterns may start in one text, and where their cue words are."""

    capitals: list[int]
    lower_titles: list[int]
    cues: dict[str, list[int]]

    def near(self, cue: str, starts: list[int] | None = None) -> list[int]:
        """The ``starts`` (default: capitalised words) at most ``_REACH`` characters before a ``cue``."""
        anchors = self.cues.get(cue)  # ascending offsets
        if not anchors:
            return []
        candidates = self.capitals if starts is None else starts
        last = len(anchors)
        out = []
        for s in candidates:
            i = bisect_left(anchors, s)  # the first cue at or after s is the nearest one after it
            if i < last and anchors[i] - s <= _REACH:
                out.append(s)
        return out


def _words(text: str) -> _Words:
    capitals = [m.start() for m in _CAPITAL_AT_START.finditer(text)]
    lower_titles: list[int] = []
    cues: dict[str, list[int]] = {}
    cue_scan = _CUE_WORD if any(w in text for w in _SPANNING_CUES) else _CUE_AT_START
    for m in cue_scan.finditer(text):
        pos = m.start()
        if pos and text[pos - 1].isalnum():
            continue
        for kind in _CUES[m.group().replace("\u00a0", " ")]:
            cues.setdefault(kind, []).append(pos)
            if kind == "lower_title":
                lower_titles.append(pos)
    possessives = [m.start() for m in _POSSESSIVE_S.finditer(text)]
    if possessives:
        cues["possessive"] = possessives
    who = text.find(", who")
    while who >= 0:
        cues.setdefault("who", []).append(who)
        who = text.find(", who", who + 5)
    return _Words(capitals, lower_titles, cues)


def _scan(regex: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)`` restricted to matches beginning at ``starts`` (sorted offsets).

    The name patterns open with long negative look-aheads that the regex engine would otherwise
    try at every character; capitalised words are few, so this is several times faster.
    """
    last = -1
    for pos in starts:
        if pos < last:
            continue
        m = regex.match(text, pos)
        if m:
            yield m
            last = m.end()


def _titled(text: str, starts: list[int]) -> list[_Candidate]:
    out = []
    for m in _scan(_TITLED, text, starts):
        name = m.group("name")
        head_is_lower = m.group("title").split()[-1][:1].islower()
        if head_is_lower and len(_tokens(name)) < 2:
            continue
        if _is_place_or_thing(name):
            continue
        out.append(_person(text, m.start("name"), m.end("name"), _clean_title(m.group("title")), True))
    return out


def _appositives(text: str, starts: list[int]) -> list[_Candidate]:
    out = []
    for m in _scan(_APPOSITIVE, text, starts):
        name = m.group("name")
        if len(_tokens(name)) < 2 or _is_place_or_thing(name):
            continue
        out.append(_person(text, m.start("name"), m.end("name"), _clean_title(m.group("title")), True))
    return out


def _credits(text: str) -> list[_Candidate]:
    out: list[_Candidate] = []
    if "/" not in text:
        return out
    for m in _CREDIT.finditer(text):
        group = "a" if m.group("a") else "b"
        if len(_tokens(m.group(group))) >= 2 and not _is_place_or_thing(m.group(group)):
            out.append(_person(text, m.start(group), m.end(group), "photographer", True))
    return out


def _contributors(text: str, starts: list[int]) -> list[_Candidate]:
    matches: list[re.Match[str]] = []
    if "contributed" in text:
        matches += _scan(_CONTRIBUTED, text, starts)
    if "By " in text or "by " in text:
        matches += _BYLINE.finditer(text)
    out = []
    for m in matches:
        for item in _NAME_IN_LIST.finditer(text, m.start("names"), m.end("names")):
            name = item.group("name")
            if len(_tokens(name)) >= 2 and not _is_place_or_thing(name):
                out.append(_person(text, item.start("name"), item.end("name"), "reporter", True))
    return out


def _speakers(text: str, words: _Words) -> list[_Candidate]:
    """Names next to speech verbs, "according to", ", who" or a possessive: lower confidence."""
    out = []
    said_before = finditer_at(_SAID_BEFORE, text, word_starts(text, _SAID_BEFORE_WORDS, fold=False))
    matches = [*_scan(_SAID_AFTER, text, words.near("speech")), *said_before]
    matches += _scan(_WHO, text, words.near("who"))
    matches += _scan(_POSSESSIVE, text, words.near("possessive"))
    for m in matches:
        name = m.group("name")
        start = m.start("name")
        if _is_place_or_thing(name) or _PLACE_BEFORE.search(text, max(0, start - 12), start):
            continue
        if len(_tokens(name)) == 1:
            # "Thousands of migrants said": an affiliation only counts after a full name.
            if "affiliation" in m.re.groupindex and m.group("affiliation"):
                continue
            if not _plausible_surname(text, name, start):
                continue
        out.append(_person(text, start, m.end("name"), None, False))
    return out


def _plausible_surname(text: str, word: str, start: int) -> bool:
    """A lone capitalised word is a surname unless it is an ordinary word seen lower-case."""
    if word in _COMMON_SUBJECTS:
        return False
    if _at_sentence_start(text, start):
        return re.search(rf"(?<![\w]){re.escape(word.lower())}(?![\w])", text) is None
    return True


# --------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------


def _canonical_org(name: str) -> str:
    name = " ".join(name.replace("\u00a0", " ").split())
    if name in ORG_ALIASES:
        return ORG_ALIASES[name]
    bare = _US_PREFIX.sub("", name, count=1) if _US_PREFIX.match(name) else name
    return ORG_ALIASES.get(bare, name)


def _split_coordination(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split "A and B" when both sides are organisations.

    "Amnesty International and Human Rights Watch" and "the Red Cross and Save the Children" are
    two; "Customs and Border Protection" and "Department of Health and Human Services" are one.
    """
    for m in _AND.finditer(text, start, end):
        left_word = text[start : m.start()].split()[-1]
        right = text[m.end() : end].split()
        if left_word in _ORG_HEADS_SET or right[0] in _ORG_OPENERS or _KNOWN_ORG.match(text, m.end()):
            return [(start, m.start()), *_split_coordination(text, m.end(), end)]
    return [(start, end)]


def _orgs(text: str, words: _Words) -> list[EntityMention]:
    spans: list[tuple[int, int]] = []
    starts = [q for q in words.capitals if text[q : q + 2] in _KNOWN_ORG_OPENINGS]
    for m in _scan(_KNOWN_ORG, text, starts):
        spans.append((m.start(), m.end()))
    for m in _scan(_HEADED_ORG, text, words.near("org")):
        start, end = m.span("org")
        words = text[start:end].split()
        head = words[-1]
        if len(words) < 2 or (head in _WEAK_HEADS and len(words) < 3):
            continue
        for s, e in _split_coordination(text, start, end):
            if len(text[s:e].split()) >= 2 and text[s:e] not in _NOT_ORGS:
                spans.append((s, e))
    out: list[EntityMention] = []
    last_end = -1
    for start, end in sorted(spans, key=lambda se: (se[0], -(se[1] - se[0]))):
        if start < last_end:
            continue
        raw = text[start:end]
        out.append(EntityMention("org", _canonical_org(raw), None, start, end, raw))
        last_end = end
    return out


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def find_entities(text: str) -> list[EntityMention]:
    """People and organisations in ``text`` (a sentence or a whole article), in textual order.

    >>> [(e.kind, e.name, e.title) for e in find_entities("DHS Secretary Ana Ruiz met UNHCR staff.")]
    [('org', 'Department of Homeland Security', None), ('person', 'Ana Ruiz', 'DHS Secretary'), \
('org', 'UN High Commissioner for Refugees', None)]
    """
    if not text:
        return []
    words = _words(text)
    if not words.capitals:
        return []
    title_starts = sorted({*words.capitals, *words.lower_titles})
    people = _titled(text, words.near("head", title_starts))
    people += _appositives(text, words.near("role"))
    people += _credits(text)
    people += _contributors(text, words.capitals)
    people += _speakers(text, words)
    orgs = _orgs(text, words)

    chosen: list[EntityMention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    # Confident people first (titled before appositive), then organisations, then speakers.
    for cand in people:
        if cand.confident and free(cand.mention.start, cand.mention.end):
            chosen.append(cand.mention)
            taken.append((cand.mention.start, cand.mention.end))
    for org in orgs:
        if free(org.start, org.end):
            chosen.append(org)
            taken.append((org.start, org.end))
    for cand in people:
        if not cand.confident and free(cand.mention.start, cand.mention.end):
            chosen.append(cand.mention)
            taken.append((cand.mention.start, cand.mention.end))
    chosen.sort(key=lambda e: (e.start, e.end))
    return chosen


def link_surnames(mentions_by_sentence: list[list[EntityMention]]) -> list[list[EntityMention]]:
    """Resolve short names to the full names used in the same document.

    "Lee said" becomes "Tom Lee" when "Tom Lee" appears in the document (the closest earlier
    full name wins, else the first later one); "Ruiz Perez" and "Ruiz" both resolve to
    "Ana Ruiz Perez". A lone untitled word that matches no full name and never carries a
    title in the document is dropped: it was only ever a guess from a speech verb.
    """
    people = [
        (i, m) for i, sentence in enumerate(mentions_by_sentence) for m in sentence if m.kind == "person"
    ]
    full = [(i, m.name, _tokens(m.name)) for i, m in people if len(_tokens(m.name)) >= 2]
    titled_words = {m.name for _, m in people if m.title and len(_tokens(m.name)) == 1}

    out: list[list[EntityMention]] = []
    for i, sentence in enumerate(mentions_by_sentence):
        row: list[EntityMention] = []
        for m in sentence:
            if m.kind != "person":
                row.append(m)
                continue
            target = _resolve(m.name, i, full)
            if target:
                row.append(replace(m, name=target))
            elif len(_tokens(m.name)) >= 2 or m.title or m.name in titled_words:
                row.append(m)
        out.append(row)
    return out


def _resolve(name: str, sentence: int, full: list[tuple[int, str, tuple[str, ...]]]) -> str | None:
    words = _tokens(name)
    if not words:
        return None
    before: str | None = None
    after: str | None = None
    for i, candidate, tokens in full:
        if candidate == name or not _short_form(words, tokens):
            continue
        if i <= sentence:
            before = candidate
        elif after is None:
            after = candidate
    return before or after


def _short_form(words: tuple[str, ...], tokens: tuple[str, ...]) -> bool:
    """Is ``words`` a surname part ("Ruiz", "Ruiz Perez") or a shorter full name of ``tokens``?"""
    if len(words) >= len(tokens):
        return False
    if len(words) >= 2 and tokens[: len(words)] == words:
        return True
    return any(tokens[k : k + len(words)] == words for k in range(1, len(tokens) - len(words) + 1))
