"""A deterministic generator of realistic wire-news articles, for benchmarks and load tests.

``generate_articles(n, seed=...)`` always yields the same articles for the same ``n`` and
``seed``: it draws from its own :class:`random.Random` and never reads the clock. The stories
are about agreements between real countries (trade pacts, asylum agreements, security
accords) and carry what real news carries and what the extractor must cope with: dates in
many forms ("Sept. 20, 2019", "on Tuesday", "late last year", "between November 2019 and
March 2020", "the 2018 budget"), countries by name, abbreviation and demonym, named people
and organisations with titles, curly and AP-style ``...'' quotes, photo captions, datelines
and boilerplate. About a fifth of the articles re-run a few sentences of an earlier story
(the same event carried by another outlet, sometimes lightly edited) so near-duplicate
merging is exercised.

Sentences come from templates such as ``"{b} {froze|paused} its {short} with {a} {when}"``:
``{a|b}`` picks one of the alternatives, ``{3..19}`` a number, and a named slot a person, a
country, a date phrase, a topic phrase or an elaboration clause (:data:`_SLOTS`). Most of a
sentence's words come from large lists, with few fixed words between them, so two unrelated
stories rarely share a word 3-gram and full-text search and the shingle-based dedup see text
that varies like real copy. Each template is compiled once into a function that builds its
sentence with a single f-string: about 6,000 articles a second on a small 2-CPU VM (CPython
3.11).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from facts.read.article import ArticleInput

__all__ = ["COUNTRIES", "OUTLETS", "generate_articles"]

T = TypeVar("T")


def _w(text: str) -> tuple[str, ...]:
    """A word list written as ``"a|b|c"``."""
    return tuple(text.split("|"))


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

# (ISO code, name as printed in prose, abbreviation or "", demonym, people plural, capital)
Country = tuple[str, str, str, str, str, str]
COUNTRIES: tuple[Country, ...] = (
    ("US", "the United States", "the U.S.", "American", "Americans", "WASHINGTON"),
    ("MX", "Mexico", "", "Mexican", "Mexicans", "MEXICO CITY"),
    ("SV", "El Salvador", "", "Salvadoran", "Salvadorans", "SAN SALVADOR"),
    ("GT", "Guatemala", "", "Guatemalan", "Guatemalans", "GUATEMALA CITY"),
    ("HN", "Honduras", "", "Honduran", "Hondurans", "TEGUCIGALPA"),
    ("NI", "Nicaragua", "", "Nicaraguan", "Nicaraguans", "MANAGUA"),
    ("CR", "Costa Rica", "", "Costa Rican", "Costa Ricans", "SAN JOSE"),
    ("PA", "Panama", "", "Panamanian", "Panamanians", "PANAMA CITY"),
    ("CO", "Colombia", "", "Colombian", "Colombians", "BOGOTA"),
    ("VE", "Venezuela", "", "Venezuelan", "Venezuelans", "CARACAS"),
    ("EC", "Ecuador", "", "Ecuadorian", "Ecuadorians", "QUITO"),
    ("PE", "Peru", "", "Peruvian", "Peruvians", "LIMA"),
    ("BR", "Brazil", "", "Brazilian", "Brazilians", "BRASILIA"),
    ("AR", "Argentina", "", "Argentine", "Argentines", "BUENOS AIRES"),
    ("CL", "Chile", "", "Chilean", "Chileans", "SANTIAGO"),
    ("CU", "Cuba", "", "Cuban", "Cubans", "HAVANA"),
    ("CA", "Canada", "", "Canadian", "Canadians", "OTTAWA"),
    ("GB", "Britain", "the U.K.", "British", "Britons", "LONDON"),
    ("FR", "France", "", "French", "French citizens", "PARIS"),
    ("DE", "Germany", "", "German", "Germans", "BERLIN"),
    ("ES", "Spain", "", "Spanish", "Spaniards", "MADRID"),
    ("IT", "Italy", "", "Italian", "Italians", "ROME"),
    ("PL", "Poland", "", "Polish", "Poles", "WARSAW"),
    ("UA", "Ukraine", "", "Ukrainian", "Ukrainians", "KYIV"),
    ("TR", "Turkey", "", "Turkish", "Turks", "ANKARA"),
    ("GR", "Greece", "", "Greek", "Greeks", "ATHENS"),
    ("NL", "the Netherlands", "", "Dutch", "Dutch citizens", "THE HAGUE"),
    ("SE", "Sweden", "", "Swedish", "Swedes", "STOCKHOLM"),
    ("RU", "Russia", "", "Russian", "Russians", "MOSCOW"),
    ("CN", "China", "", "Chinese", "Chinese citizens", "BEIJING"),
    ("JP", "Japan", "", "Japanese", "Japanese citizens", "TOKYO"),
    ("KR", "South Korea", "", "South Korean", "South Koreans", "SEOUL"),
    ("IN", "India", "", "Indian", "Indians", "NEW DELHI"),
    ("PK", "Pakistan", "", "Pakistani", "Pakistanis", "ISLAMABAD"),
    ("ID", "Indonesia", "", "Indonesian", "Indonesians", "JAKARTA"),
    ("PH", "the Philippines", "", "Filipino", "Filipinos", "MANILA"),
    ("VN", "Vietnam", "", "Vietnamese", "Vietnamese citizens", "HANOI"),
    ("AU", "Australia", "", "Australian", "Australians", "CANBERRA"),
    ("EG", "Egypt", "", "Egyptian", "Egyptians", "CAIRO"),
    ("NG", "Nigeria", "", "Nigerian", "Nigerians", "ABUJA"),
    ("KE", "Kenya", "", "Kenyan", "Kenyans", "NAIROBI"),
    ("ZA", "South Africa", "", "South African", "South Africans", "JOHANNESBURG"),
    ("ET", "Ethiopia", "", "Ethiopian", "Ethiopians", "ADDIS ABABA"),
    ("MA", "Morocco", "", "Moroccan", "Moroccans", "RABAT"),
    ("IL", "Israel", "", "Israeli", "Israelis", "JERUSALEM"),
    ("SA", "Saudi Arabia", "", "Saudi", "Saudis", "RIYADH"),
    ("AE", "the United Arab Emirates", "the UAE", "Emirati", "Emiratis", "DUBAI"),
    ("IR", "Iran", "", "Iranian", "Iranians", "TEHRAN"),
    ("QA", "Qatar", "", "Qatari", "Qataris", "DOHA"),
    ("RW", "Rwanda", "", "Rwandan", "Rwandans", "KIGALI"),
)

# (outlet, domain, wire tag for the dateline or "")
OUTLETS: tuple[tuple[str, str, str], ...] = (
    ("The Associated Press", "apnews.com", "AP"),
    ("Reuters", "reuters.com", "Reuters"),
    ("Agence France-Presse", "afp.com", "AFP"),
    ("The New York Times", "nytimes.com", ""),
    ("The Washington Post", "washingtonpost.com", ""),
    ("The Guardian", "theguardian.com", ""),
    ("BBC News", "bbc.com", ""),
    ("Al Jazeera", "aljazeera.com", ""),
    ("NPR", "npr.org", ""),
    ("Los Angeles Times", "latimes.com", ""),
    ("The Wall Street Journal", "wsj.com", ""),
    ("Bloomberg", "bloomberg.com", ""),
    ("Miami Herald", "miamiherald.com", ""),
    ("Politico", "politico.com", ""),
    ("El País", "elpais.com", ""),
    ("The Hill", "thehill.com", ""),
)
_WIRES = tuple(o for o in OUTLETS if o[2])

_FIRST = _w(
    "Ana|Carlos|Maria|Jose|Luis|Sofia|Miguel|Elena|Jorge|Lucia|Mark|Sarah|David|Emily|James|Laura|Michael|"
    "Rachel|Thomas|Anne|Pierre|Claire|Hans|Katrin|Marco|Giulia|Piotr|Olena|Mehmet|Ayse|Nikos|Ingrid|Sergei|"
    "Wei|Hiroshi|Yuki|Min-jun|Priya|Rahul|Imran|Dewi|Grace|Chinedu|Wanjiru|Thabo|Abebe|Youssef|Noa|Khalid|"
    "Fatima|Reza|Amal|Jean-Paul|Gabriela|Rodrigo|Valentina|Alejandro|Patricia|Kevin|Chad|Oscar|Beatriz"
)
_LAST = _w(
    "Ruiz|Hernandez|Lopez|Martinez|Garcia|Rodriguez|Castillo|Morales|Ortega|Vargas|Stevenson|Miller|Johnson|"
    "Anderson|Sullivan|Bennett|Harper|Coleman|Dubois|Laurent|Schmidt|Weber|Rossi|Bianchi|Kowalski|Shevchenko|"
    "Yilmaz|Papadopoulos|Lindqvist|Ivanov|Zhang|Chen|Tanaka|Sato|Kim|Park|Sharma|Khan|Santoso|Reyes|Tran|"
    "Okafor|Mwangi|Ndlovu|Tesfaye|Benali|Cohen|Al-Rashid|Hosseini|Mugabo|Alvarez|Guzman|Pineda|Quiroz|"
    "Fuentes|Navarro|Salazar|Delgado|Mendoza|Whitaker|Prescott|Abernathy|Kessler|Okonjo|Haddad|Moreau|Brandt|"
    "Falk|Novak|Horvat|Lindgren|Sandoval|Ibarra"
)
_GOV_TITLES = _w(
    "Foreign Minister|Trade Minister|Interior Minister|Security Minister|Economy Minister|Defense Minister|"
    "Deputy Foreign Minister|Energy Minister|Migration Commissioner|President|Prime Minister|Vice President|"
    "Agriculture Minister|Justice Minister|Finance Minister|Labor Minister"
)
_US_TITLES = _w(
    "Secretary of State|Homeland Security Secretary|acting Homeland Security Secretary|Commerce Secretary|"
    "Trade Representative|Sen.|Rep.|Defense Secretary|President|Attorney General|Ambassador"
)
_ORGS = _w(
    "Human Rights Watch|Amnesty International|the U.N. refugee agency|the International Rescue Committee|"
    "the American Civil Liberties Union|Doctors Without Borders|Oxfam|Refugees International|"
    "the Migration Policy Institute|the World Trade Organization|the International Monetary Fund|"
    "the Inter-American Development Bank|the European Commission|the Council on Foreign Relations|"
    "the Brookings Institution|the Wilson Center|Transparency International|the International Crisis Group|"
    "the Norwegian Refugee Council|Greenpeace|the Peterson Institute for International Economics|"
    "the Center for Strategic and International Studies|the Washington Office on Latin America|Cristosal|"
    "the Chamber of Commerce|the International Organization for Migration|Global Witness|the Atlantic Council"
)
_ORG_ROLES = _w(
    "director|senior researcher|spokeswoman|spokesman|executive director|policy analyst|president|"
    "legal adviser|regional director|senior fellow|chief economist|advocacy director|program manager"
)

# domain -> agreement kinds (long phrase, short noun)
_KINDS: dict[str, tuple[tuple[str, str], ...]] = {
    "migration": (
        ("asylum cooperative agreement", "agreement"), ("safe third country agreement", "agreement"),
        ("migration pact", "pact"), ("readmission agreement", "agreement"),
        ("labor mobility accord", "accord"), ("border security compact", "compact"),
        ("memorandum of understanding on migration", "memorandum"), ("refugee resettlement deal", "deal"),
    ),
    "trade": (
        ("free trade agreement", "agreement"), ("trade pact", "pact"), ("tariff deal", "deal"),
        ("customs agreement", "agreement"), ("investment treaty", "treaty"), ("beef export deal", "deal"),
        ("grain corridor deal", "deal"), ("digital trade accord", "accord"),
    ),
    "security": (
        ("security accord", "accord"), ("defense cooperation agreement", "agreement"),
        ("extradition treaty", "treaty"), ("intelligence-sharing pact", "pact"),
        ("counternarcotics accord", "accord"), ("status of forces agreement", "agreement"),
        ("maritime security pact", "pact"),
    ),
    "energy": (
        ("gas supply deal", "deal"), ("nuclear cooperation agreement", "agreement"),
        ("fisheries agreement", "agreement"), ("water-sharing treaty", "treaty"),
        ("climate partnership", "partnership"), ("critical minerals deal", "deal"),
        ("power grid accord", "accord"),
    ),
}
_DOMAINS = tuple(_KINDS)
_NAMES = _w("Pacific Gateway|Northern Corridor|Puente|Blue Horizon|Andean Shield|Sentinel|Open Harbor|"
            "Tierra Firme|Southern Cone|Atlas|Meridian|Keystone|Horizonte")

_ADJ = _w(
    "new|stricter|temporary|regional|bilateral|long-delayed|controversial|costly|informal|expanded|fragile|"
    "emergency|rural|coastal|cross-border|annual|federal|private|state-run|seasonal|overcrowded|sweeping|"
    "modest|joint|local|foreign|domestic|proposed|existing|binding|voluntary|strategic|limited|broader|"
    "ambitious|renewed|unpaid|outdated|secret|faster"
)
_NOUNS: dict[str, tuple[str, ...]] = {
    "migration": _w(
        "asylum claims|deportation flights|shelters|work visas|border patrols|processing centers|"
        "detention centers|visa quotas|smuggling networks|parole programs|family reunification cases|"
        "refugee camps|identity checks|migrant caravans|court hearings|asylum interviews|return flights|"
        "residency permits|biometric checks|reception centers|labor inspections|consular services|"
        "transit routes|bus convoys|waiting lists|legal aid clinics|protection screenings|travel documents"
    ),
    "trade": _w(
        "tariffs|import quotas|export licenses|customs checks|farm subsidies|steel exports|car parts|"
        "shipping costs|dairy imports|port fees|investment rules|supply chains|price controls|"
        "fishing licenses|trade surpluses|anti-dumping duties|rules of origin|state aid|currency swaps|"
        "public tenders|food prices|soybean shipments|textile factories|labor standards|digital taxes|"
        "copper mines|sugar quotas|wine exports"
    ),
    "security": _w(
        "joint patrols|military bases|drug seizures|arms shipments|police academies|surveillance drones|"
        "naval exercises|intelligence reports|extradition requests|gang leaders|prison transfers|"
        "coast guard vessels|border fences|radar stations|weapons permits|cartel finances|special forces|"
        "checkpoints|air patrols|cyberattacks|troop rotations|money laundering probes|kidnapping cases|"
        "port inspections|helicopter crews"
    ),
    "energy": _w(
        "gas pipelines|power plants|fishing quotas|water rights|coal plants|lithium mines|solar farms|"
        "electricity prices|oil exports|dam projects|carbon credits|grid connections|wind farms|"
        "fuel subsidies|reactor designs|mining concessions|river flows|emission targets|drought relief funds|"
        "refinery upgrades|nickel exports|gas terminals|transmission lines|hydropower stations"
    ),
}
_DET = _w("the |the |its |more |fewer |their |some |many |")
# Every topic phrase of a domain with its determiner, so that one draw picks one.
_NP: dict[str, tuple[str, ...]] = {
    d: tuple(f"{det}{adj}{n}" for det in _DET for adj in ("", *(a + " " for a in _ADJ)) for n in nouns)
    for d, nouns in _NOUNS.items()
}
# Verb phrases that agree with a singular or a plural subject.
_CLAIM_VERBS = _w(
    "would strain|could ease|will not fix|already cut|threatened|depended on|ignored|would expand|"
    "could delay|might undermine|may speed up|will reshape|would tighten|could revive|did little to curb|"
    "will double|might halt|would shield|undercut|rewarded|hurt|would formalize|left out|put pressure on|"
    "would limit|could open up|would fund|would overhaul|sidestepped|could replace|would protect|"
    "might complicate|could slow|would reward|will require|could weaken|might block|would free up|"
    "overshadowed|drew attention to|exposed|could jeopardize|would simplify|may outlast|helped finance|"
    "could absorb|tends to favor|would bypass|has yet to affect|might revive|could offset|crowded out"
)
_PURPOSE_VERBS = _w(
    "expand|limit|regulate|fund|speed up|phase out|share data on|cut|protect|monitor|coordinate|guarantee|"
    "double|restrict|streamline|inspect|finance|cap|reopen|modernize|standardize|track|audit|relocate|"
    "insure|subsidize|license|register|digitize|review"
)
_REPORT = _w(
    "said|said|said|told reporters|argued|noted|added|insisted|warned|acknowledged|stressed|wrote|"
    "complained|predicted|conceded|told lawmakers|said in a statement|told The Associated Press|"
    "said on television|posted on social media"
)
_VENUES = (
    "at a news conference in {city}", "during a visit to {city}", "in a televised address", "in an interview",
    "on a call with reporters", "at a forum in {city}", "before a parliamentary committee",
    "in a radio interview", "at a summit in {city}", "in a speech in {city}",
    "on the sidelines of a conference in {city}", "after talks in {city}", "at a rally in {city}",
    "in a letter to {org}",
)
_SOURCES = (
    "according to a senior official", "according to two officials familiar with the talks",
    "according to a government statement", "according to documents seen by reporters", "{officials} said",
    "the {foreign|trade|interior|finance} ministry said", "according to state media", "a spokesperson said",
    "according to {org}", "{org} said", "according to figures from {org2}", "{person} said",
    "{person} told reporters", "data from {org2} show", "a diplomat in {city} said", "local media reported",
    "{person} of {org2} {report}", "{org2} estimated",
)
_JUDGMENT = _w(
    "a farce|a mockery of the asylum system|a historic day|an important step|a dangerous precedent|"
    "a betrayal|good news|a disaster|a first step|not enough|a serious mistake|long overdue|"
    "a victory for common sense|a political stunt|a lifeline|a trap|a gamble|a slap in the face|"
    "a turning point|an insult|a relief|a fig leaf|a blank check|wishful thinking|a test of trust|"
    "a hard sell|a work in progress|a model for others|a recipe for chaos|the right call"
)
_IT_IS = _w("it is|this is|that is|what we saw today is|frankly, it is|honestly, this is|to me it is|"
            "in our view it is|let's be clear, it is")
_WE = _w(
    "we will|we cannot|we must|we are ready to|nobody should have to|our government will|we refuse to|"
    "the region needs to|both countries have to|we intend to|no one can|we promised to"
)
_FOR = (
    " for {bp}", " for farmers in {B}", " for the whole region", " for workers on both sides",
    " for families in {city}", " for anyone who depends on {np}", " for our economy",
    " for the people of {B}", " for people like me", " for {who} in {city}", "", "", "", "",
)
_REASONS = (
    "concerns over human rights", "a dispute over {np}", "a change of government in {B}",
    "allegations of corruption", "a surge in arrivals", "a court ruling against it",
    "pressure from {groups}", "delays in promised funding", "security concerns", "protests in {city}",
    "a row over a detained journalist", "budget cuts", "a spike in {np}", "complaints about {np}",
    "a corruption scandal involving {person}", "a report by {org2}", "{np}",
)
_GOODS = _w("beef|soybeans|steel|aluminum|coffee|bananas|avocados|wine|cars|textiles|semiconductors|wheat|"
            "corn|shrimp|copper|solar panels|pharmaceuticals|sugar|lithium|salmon|cotton|rice")
_OFFICIALS = _w("officials|authorities|diplomats|government officials|negotiators|senior officials|ministers|"
                "lawmakers|aides")
_GROUPS = _w("rights groups|unions|business associations|opposition parties|farm cooperatives|"
             "church leaders|student groups|fishermen's associations|bar associations|chambers of commerce")
_CITIES_EXTRA = _w("Tijuana|Ciudad Juarez|Tapachula|Nuevo Laredo|San Pedro Sula|Houston|Brussels|Geneva|"
                   "El Paso|Lampedusa|Calais|Istanbul|Darien|Cucuta|Antwerp|Rotterdam|Mombasa|Busan|Gdansk")
_AHEAD = _w("elections|a regional summit|a court hearing|budget talks|a state visit|a vote in parliament|"
            "a donor conference|trade talks|a referendum")
_DEADLINES = _w("the end of the year|the elections|the next harvest|the summer|the rainy season|"
                "the deadline|the holidays|the new fiscal year|the next round of talks")
_WHO = _w("migrants|asylum-seekers|people|workers|families|minors|truck drivers|farmers|students|fishermen")
_MOVED = _w("crossed into|were deported from|applied for asylum in|were returned to|left|were stranded in|"
            "found jobs in|were detained in|moved to|fled")
_JOBS = _w("farmer|teacher|truck driver|nurse|shop owner|fisherman|taxi driver|mechanic|street vendor|"
           "construction worker|pastor|lawyer|retired engineer")
_CAPTION_WHO = _w("migrants|an officer|asylum-seekers|soldiers|protesters|farmers|dock workers|officials|"
                  "families|police officers|delegates|residents|fishermen|students|truck drivers")
_CAPTION_DO = _w(
    "wait in line outside a shelter|board a deportation flight|march toward the capital|"
    "unload containers at the port|stand guard at a checkpoint|walk along the highway|"
    "attend the signing ceremony|protest against the agreement|cross the river on a raft|"
    "wait for buses near the border crossing|inspect cargo at the customs office|gather outside parliament"
)
_CAPTION_POSE = _w("center|left|right|second from left|second from right|foreground")
_CAPTION_ACT = _w("speaks during a news conference about|gestures while discussing|"
                  "listens to questions about|arrives for talks on|signs documents on|"
                  "waves to supporters after a debate on|tours a site linked to|meets with officials about")
_SUBHEADS = _w("Rising tensions|What comes next|A long road|Critics speak out|The numbers|Trade at stake|"
               "Pressure at the border|Background|Who benefits|Remain in place|Old rivals|Money matters")
_NO_REPLY = _w("did not respond to a request for comment|declined to comment|did not return calls|"
               "did not immediately respond to a request for comment|could not be reached for comment")
_MON_AP = _w("Jan.|Feb.|March|April|May|June|July|Aug.|Sept.|Oct.|Nov.|Dec.")
_MON = _w("January|February|March|April|May|June|July|August|September|October|November|December")
_WEEKDAYS = _w("Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday")
_PART = _w("early |mid-|late ")
_SEASONS = _w("spring|summer|fall|winter")
_RELATIVE = _w("last year|this week|earlier this month|last month|earlier this year|late last year|"
               "early last year|last week|in recent weeks|two years ago|this month|last fall")
_FUTURE = _w("next month|by the end of the year|next year|in the coming weeks|within 90 days|"
             "before the end of the month|early next year|after the elections")
_EDITS = (("said", "says"), ("officials", "authorities"), ("agreement", "accord"), ("would", "will"),
          ("more than", "over"), ("about", "roughly"), ("signed", "inked"), ("deal", "pact"),
          ("announced", "said"), ("also", "further"), ("last week", "recently"))
_ABOUT = ("more than ", "about ", "nearly ", "", "at least ")
_EVENT_VERBS = _w("signed|signed|signed|ratified|finalized|suspended|terminated|announced|renewed|reached|"
                  "approved")
_FIRST_DAY, _LAST_DAY = dt.date(2015, 1, 1).toordinal(), dt.date(2025, 12, 31).toordinal()
_TABLE_START = dt.date(2010, 1, 1).toordinal()  # earliest day a story mentions (4 years before 2015)
# "Sept. 20, 2019" and "Sept. 20" for every day from _TABLE_START on, indexed by day number.
_AP_DATES = tuple(f"{_MON_AP[d.month - 1]} {d.day}, {d.year}" for d in map(
    dt.date.fromordinal, range(_TABLE_START, _LAST_DAY + 1)))
_AP_MONTH_DAYS = tuple(x.rsplit(",", 1)[0] for x in _AP_DATES)


# --------------------------------------------------------------------------------------------
# The generator's state and phrase builders
# --------------------------------------------------------------------------------------------


class _Story:
    """One event: who, which agreement, what happened; shared by every outlet that carries it."""

    __slots__ = ("a", "akind", "b", "cities", "crit", "critic", "day", "domain", "kind", "name", "named_a",
                 "named_b", "off_a", "off_b", "org", "pub", "short", "third", "verb", "wday", "when", "yday")

    def __init__(self) -> None:
        self.pub = dt.date(2019, 1, 1)
        self.day = self.yday = self.wday = 0  # see published()
        self.a: Country = COUNTRIES[0]
        self.b: Country = COUNTRIES[1]
        self.third: Country = COUNTRIES[2]
        self.cities: tuple[str, ...] = ()  # the two capitals, title-cased, three times each
        self.domain = self.kind = self.akind = self.short = self.verb = self.when = self.org = ""
        self.name: str | None = None
        self.off_a: tuple[str, str] = ("", "")
        self.off_b: tuple[str, str] = ("", "")
        self.crit: tuple[str, str] = ("", "")
        self.critic = ""  # "Ana Ruiz, director at Human Rights Watch,"
        self.named_a: tuple[str, ...] = ()  # see _named_forms
        self.named_b: tuple[str, ...] = ()

    def published(self, ordinal: int) -> None:
        """Set the publication day, and the day numbers date phrases are computed from."""
        self.pub = dt.date.fromordinal(ordinal)
        self.day = ordinal - _TABLE_START
        self.yday = ordinal - dt.date(self.pub.year, 1, 1).toordinal() + 1
        self.wday = self.pub.weekday()


class _Gen:
    """The random source and the phrase builders that templates call."""

    def __init__(self, seed: int) -> None:
        self.rand = random.Random(seed).random
        self.recent: deque[tuple[_Story, list[str]]] = deque(maxlen=400)

    def p(self, seq: Sequence[T]) -> T:
        return seq[int(self.rand() * len(seq))]

    def ri(self, lo: int, hi: int) -> int:
        return lo + int(self.rand() * (hi - lo + 1))

    # -- people, places, things -----------------------------------------------------------

    def person(self) -> str:
        r = self.rand
        return f"{_FIRST[int(r() * len(_FIRST))]} {_LAST[int(r() * len(_LAST))]}"

    def ref(self, c: Country) -> str:
        return c[2] if c[2] and self.rand() < 0.4 else c[1]

    def official(self, c: Country) -> tuple[str, str]:
        """(title, full name) of a government official of ``c``."""
        return self.p(_US_TITLES if c[0] == "US" else _GOV_TITLES), self.person()

    def np(self, s: _Story) -> str:
        nps = _NP[s.domain]
        return nps[int(self.rand() * len(nps))]

    # -- numbers --------------------------------------------------------------------------

    def count(self) -> str:
        r = self.rand
        n = 1_200 + int(r() * 94_000)
        return f"{_ABOUT[int(r() * len(_ABOUT))]}{n - n % 100 if r() < 0.5 else n:,}"

    def money(self) -> str:
        r = self.rand
        if r() < 0.5:
            return f"${11 + int(r() * 980)} million"
        return f"${1 + int(r() * 48)}.{1 + int(r() * 9)} billion"

    def pct(self) -> str:
        r = self.rand
        return f"{2 + int(r() * 84)}{'%' if r() < 0.5 else ' percent'}"

    # -- dates ----------------------------------------------------------------------------

    def when(self, s: _Story) -> str:
        """A past date phrase as news writes it, relative to the story's publication day."""
        r, pub = self.rand, s.pub
        k = r()
        if k < 0.16:
            return f"on {_AP_DATES[s.day - 8 - int(r() * 1393)]}"
        if k < 0.28:
            if s.yday <= 8:
                return f"on {_AP_DATES[s.day - 8 - int(r() * 393)]}"
            return f"on {_AP_MONTH_DAYS[s.day - 7 - int(r() * (s.yday - 7))]}"  # earlier this year
        if k < 0.42:
            day = _WEEKDAYS[(s.wday - 1 - int(r() * 6)) % 7]
            return f"on {day}" if r() < 0.6 else day
        if k < 0.58:
            return _RELATIVE[int(r() * len(_RELATIVE))]
        if k < 0.68:
            m = int(r() * 12)
            return f"in {_PART[int(r() * 3)]}{_MON[m]}{'' if m + 1 < pub.month else f' {pub.year - 1}'}"
        if k < 0.74:
            return self.between(pub)
        if k < 0.8:
            return f"more than {30 + 10 * int(r() * 38)} days ago"
        if k < 0.88:
            return f"in {pub.year - 1 - int(r() * 8)}"
        if k < 0.94:
            m = int(r() * 12)
            return f"in {_MON[m]}" if m + 1 < pub.month else f"in {_MON[m]} {pub.year - 1}"
        return f"in the {_SEASONS[int(r() * 4)]} of {pub.year - 1 - int(r() * 5)}"

    def between(self, pub: dt.date) -> str:
        r = self.rand
        y1 = pub.year - 1 - int(r() * 4)
        m1, m2 = int(r() * 12), int(r() * 12)
        return f"between {_MON[m1]} {y1} and {_MON[m2]} {y1 + 1 if m2 <= m1 else y1}"

    def span(self, pub: dt.date) -> str:
        return self.between(pub) if self.rand() < 0.5 else f"for {self.ri(3, 30)} months"

    def year_mod(self, pub: dt.date) -> str:
        """A bare year used as a modifier: "the 2018 budget"."""
        y = pub.year - self.ri(0, 4)
        return self.p((f"the {y} budget", f"a {y} State Department report", f"the {y} election",
                       f"its {y} annual report", f"the {y} census", f"a {y} audit", f"the {y} survey"))

    # -- quotes ---------------------------------------------------------------------------

    def quote_body(self, s: _Story) -> str:
        """One or two quoted clauses, capitalised."""
        r = self.rand
        text = _QCLAUSES[int(r() * len(_QCLAUSES))](self, s)
        if r() < 0.9:
            text += _QJOIN[int(r() * len(_QJOIN))] + _QCLAUSES[int(r() * len(_QCLAUSES))](self, s)
        return text[:1].upper() + text[1:]


def _a(noun: str) -> str:
    """``noun`` with its indefinite article."""
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _agr(g: _Gen, s: _Story) -> str:
    """How a sentence names the agreement."""
    k = g.rand()
    if s.name and k < 0.3:
        return f"the {s.name} {s.short.title()}"
    return f"the {s.kind}" if k < 0.6 else f"the {s.short}"


def _named_forms(off: tuple[str, str], c: Country) -> tuple[str, ...]:
    """Ten ways to name an official, in the proportions copy uses them (draw one at random)."""
    title, name = off
    owner = c[1] + ("'" if c[1].endswith("s") else "'s")
    adjs = ("U.S.", "U.S.", "U.S.", c[3], c[3]) if c[0] == "US" else (c[3],) * 5
    return (*(f"{adj} {title} {name}" for adj in adjs), *(f"{title} {name}",) * 3,
            *(f"{name}, {owner} {title.lower()},",) * 2)


def _last_name(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


# --------------------------------------------------------------------------------------------
# Templates, compiled once into functions (generator, story) -> text
# --------------------------------------------------------------------------------------------

Template = Callable[[_Gen, _Story], str]

# Lists a slot draws one item from, by slot name.
_PICKS: dict[str, tuple[str, ...]] = {
    "cv": _CLAIM_VERBS, "pv": _PURPOSE_VERBS, "report": _REPORT, "officials": _OFFICIALS, "who": _WHO,
    "moved": _MOVED, "groups": _GROUPS, "goods": _GOODS, "judgment": _JUDGMENT, "future": _FUTURE,
    "org2": _ORGS, "adj": _ADJ, "role": _ORG_ROLES, "xcity": _CITIES_EXTRA, "deadline": _DEADLINES,
    "ahead": _AHEAD, "job": _JOBS, "weekday": _WEEKDAYS, "we": _WE, "it_is": _IT_IS,
    "arole": tuple(_a(x) for x in _ORG_ROLES), "aadj": tuple(_a(x) for x in _ADJ),
}
# Slots computed from the story (``s``) or by the generator (``g``): Python expressions.
_SLOTS: dict[str, str] = {
    "np": "nps[int(r() * len(nps))]",
    "a": "(s.a[2] or s.a[1] if r() < 0.4 else s.a[1])", "b": "(s.b[2] or s.b[1] if r() < 0.4 else s.b[1])",
    "c": "(s.third[2] or s.third[1] if r() < 0.4 else s.third[1])", "A": "s.a[1]", "B": "s.b[1]",
    "any": "g.ref(g.p((s.a, s.b, s.third)))", "other": "g.p(COUNTRIES)[1]",
    "a_adj": "s.a[3]", "b_adj": "s.b[3]", "c_adj": "s.third[3]", "bp": "s.b[4]",
    "kind": "s.kind", "akind": "s.akind", "short": "s.short", "agr": "_agr(g, s)", "verb": "s.verb",
    "when0": "s.when", "when": "g.when(s)", "span": "g.span(s.pub)", "yearmod": "g.year_mod(s.pub)",
    "lastyear": "s.pub.year - 1", "recentyear": "s.pub.year - g.ri(1, 3)",
    "pastyear": "s.pub.year - g.ri(4, 12)",
    "off_a": "s.named_a[int(r() * 10)]", "off_b": "s.named_b[int(r() * 10)]", "critic": "s.critic",
    "crit_name": "s.crit[0]", "org": "s.org", "person": "g.person()",
    "city": "(s.cities[int(r() * 6)] if r() < 0.7 else _CITIES_EXTRA[int(r() * len(_CITIES_EXTRA))])",
    "count": "g.count()", "money": "g.money()", "pct": "g.pct()",
    # One elaboration clause (90%; always for "tail+"), and a second one in a fifth of those.
    "tail": "(_TAILS[int(r() * _NT)](g, s) + (_TAILS[int(r() * _NT)](g, s) if x < 0.18 else '')"
            " if (x := r()) < 0.9 else '')",
    "tail+": "(_TAILS[int(r() * _NT)](g, s) + (_TAILS[int(r() * _NT)](g, s) if r() < 0.2 else ''))",
    "qbody": "g.quote_body(s)",
    "spk_a": "s.named_a[int(r() * 10)].rstrip(',')", "spk_b": "s.named_b[int(r() * 10)].rstrip(',')",
    "spk_crit": "s.critic[:-1]", "last_a": "_last_name(s.off_a[1])",
    "last_b": "_last_name(s.off_b[1])", "last_crit": "_last_name(s.crit[0])",
}
# Slots filled by one of several compiled phrases (which may have slots of their own).
_PHRASES: dict[str, tuple[Template, ...]] = {}
_SLOT = re.compile(r"\{([^{}]*)\}")
_RANGE = re.compile(r"(\d+)\.\.(\d+)")


def _slot_code(slot: str, consts: dict[str, Any]) -> str:
    """The Python expression that fills one ``{slot}`` of a template."""
    if "|" in slot:
        name = f"_k{len(consts)}"
        consts[name] = tuple(slot.split("|"))
        return f"{name}[int(r() * {len(consts[name])})]"
    if m := _RANGE.fullmatch(slot):
        lo, hi = int(m.group(1)), int(m.group(2))
        return f"{lo} + int(r() * {hi - lo + 1})"
    if slot in _PHRASES:
        consts[f"_c_{slot}"] = _PHRASES[slot]
        return f"_c_{slot}[int(r() * {len(_PHRASES[slot])})](g, s)"
    if slot in _PICKS:
        consts[f"_p_{slot}"] = _PICKS[slot]
        return f"_p_{slot}[int(r() * {len(_PICKS[slot])})]"
    return _SLOTS[slot]


def _literal(text: str) -> str:
    if "{" in text or "}" in text:
        raise ValueError(f"unbalanced or nested braces in template text {text!r}")
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("{", "{{").replace("}", "}}")


def _compile(template: str, *, sentence: bool = True) -> Template:
    """Turn ``"{a} and {b} {signed|sealed} ..."`` into a function building it in one f-string.

    A ``sentence`` comes back capitalised; a clause (``sentence=False``) as written.
    """
    consts: dict[str, Any] = {}
    parts, pos = [], 0
    for m in _SLOT.finditer(template):
        parts.append(_literal(template[pos : m.start()]))
        parts.append("{" + _slot_code(m.group(1), consts) + "}")
        pos = m.end()
    parts.append(_literal(template[pos:]))
    source = (
        "def template(g, s):\n"
        "    r = g.rand\n"
        "    nps = _NP[s.domain]\n"
        f'    text = f"{"".join(parts)}"\n'
        f"    return {'text[:1].upper() + text[1:]' if sentence else 'text'}\n"
    )
    namespace: dict[str, Any] = {**globals(), **consts}
    exec(source, namespace)  # the source is built above from this module's constant templates only
    fn: Template = namespace["template"]
    fn.__doc__ = template
    return fn


def _phrases(*templates: str) -> tuple[Template, ...]:
    return tuple(_compile(t, sentence=False) for t in templates)


_PHRASES.update(reason=_phrases(*_REASONS), source=_phrases(*_SOURCES), venue=_phrases(*_VENUES),
                for_=_phrases(*_FOR),
                cost_span=_phrases("", " over {2..10} years", " a year", " in its first {2..5} years"))
_QCLAUSES = _phrases(
    "{we} {pv} {np}{for_}", "this {short} {cv} {np}", "{np} {cv} {np}",
    "{it_is} {judgment}{for_}, {because|since|now that|when} {np} {cv} {np}",
    "{we} {pv} {np} before {deadline}", "nobody in {city} asked for {np}",
)
_QJOIN = (", and ", " because ", ", but ", " — ", " and ", ", so ", "; ")
_QUOTE_STYLES = (
    "“{qbody},” said {spk_X}.", "“{qbody},” said {spk_X}.", "“{qbody},” {last_X} {report}.",
    "“{qbody},” {last_X} {report}.", "``{qbody},'' said {spk_X}.", "``{qbody},'' {last_X} {report}.",
    "{subj_X} {report}: “{qbody}.”", '"{qbody}," {last_X} {report}.',
)
_PHRASES.update({f"quote_{who}": tuple(
    _compile(t.replace("_X", f"_{who}").replace("{subj_crit}", "{critic}").replace("{subj_a}", "{off_a}")
             .replace("{subj_b}", "{off_b}")) for t in _QUOTE_STYLES
) for who in ("a", "b", "crit")})


# Elaboration clauses: most of a sentence's own words come from here.
_TAILS: tuple[Template, ...] = tuple(_compile(t, sentence=False) for t in (
    ", as {np} {cv} {np}",
    ", a move that {cv} {np} in {city}",
    ", a step {person} {report} {cv} {np}",
    ", despite {reason}",
    " amid {aadj} debate over {np} and {np}",
    " while {np} {cv} {np} across {B}",
    ", even as {person}, {arole} at {org2}, {report} that {np} {cv} {np}",
    " ahead of {ahead} in {city} {future}",
    ", which {cv} {np}",
    " after {count} {who} {moved} {b} {when}",
    " in {a bid|an effort|an attempt} to {pv} {np} before {deadline}",
    ", {person} of {org2} {report}",
    " because {np} {cv} {np}, {person} {report}",
    ", and {np} {cv} {np} in {city}",
    " {at a time when|just as|now that|even though} {np} {cv} {np}",
    ", though {person} {report} that {np} {cv} {np}",
    ", a decision {person} {report} {cv} {np}",
    " {on top of|in addition to|alongside|besides} {np} that {cv} {np}",
    ", with {count} {who} {moved} {b} since {pastyear}",
    ", partly to {pv} {np} and {np}",
    " to help {pv} {np} in {city}",
    " as {org2} {report} {np} {cv} {np}",
    ", {a shift|a change|a reversal|an outcome} that {cv} {np} {when}",
    " {weeks after|days after|months after|shortly after} {np} {cv} {np}",
    ", leaving {np} and {np} {in limbo|unresolved|on hold|untouched}",
    " under pressure from {groups} in {city}",
    ", {critics|supporters|analysts|diplomats} {say|note|argue}",
    " with backing from {org2} and {groups}",
))

_NT = len(_TAILS)

# A story's lead: the event itself.
_EVENTS: tuple[Template, ...] = tuple(_compile(t) for t in (
    "{a} and {b} {verb} {akind} {when0} that {would|will|aims to|is meant to|could} {pv} {np} in {city}"
    "{tail}.",
    "{off_a} {verb} {agr} with {b} {when0} in {city}{tail}, {source}.",
    "{off_a} {verb} {agr} with {b} {when0} in {city}{tail}, {source}.",
    "{b} {suspended|froze|pulled out of|put on hold|terminated|reviewed|paused} its {short} with {a} {when}, "
    "{citing|pointing to|after|in response to|blaming} {reason}{tail+}.",
    "{off_b} {announced|said|confirmed|signaled} {when} that {B} would "
    "{withdraw from|renegotiate|terminate|extend|sign|ratify} {agr} {future}{tail+}.",
    "{agr} between {a} and {B}, {verb} {when0}, {has not yet been implemented|took effect|remains in force|"
    "was never applied|has stalled|is under review|faces a court challenge}{tail+}, {source}.",
))

# The rest of a story, drawn without repeats.
_BODY: tuple[Template, ...] = _EVENTS[:2] + _EVENTS[3:] + tuple(_compile(t) for t in (
    "{b_adj} {lawmakers|senators|legislators|deputies} {ratified|approved|rejected|debated|shelved} {agr} "
    "{when} by a vote of {41..160} to {3..40}{tail+}.",
    "{officials} in {city} {report} {when} that {agr} with {B} had been "
    "{finalized|suspended|terminated|renewed|expanded|signed|amended} after {np} {cv} {np}{tail}.",
    "{The talks that led to|Negotiations on|Discussions over|Haggling over} {agr} "
    "{ran|dragged on|lasted|stretched} {span}, with {3..19} {rounds|sessions|meetings} in {city}{tail+}.",
    "{quote_a}", "{quote_a}", "{quote_b}", "{quote_b}", "{quote_crit}", "{quote_crit}",
    "{org} {criticized|condemned|denounced|slammed|questioned|welcomed} {agr} {when}, saying it {cv} {np}"
    "{tail}.",
    "{critic} {report} that {np} in {B} {cv} {np}{tail}.",
    "{crit_name} of {org} called {agr} ``{judgment},'' {adding|arguing|and warned|noting} that {np} {cv} "
    "{np}{tail}.",
    "{At least|Some|More than|Nearly} {2..40} {groups} in {b} {filed|lodged|announced|prepared} "
    "{a lawsuit|a legal challenge|complaints|a petition|appeals} against the {short} {when}, "
    "{arguing|saying|claiming} that {np} {cv} {np}{tail+}.",
    "{count} {who} {moved} {any} {when}{tail+}, {source}.",
    "Trade between {a} and {B} {reached|fell to|topped|hit} {money} in {lastyear}, {up|down} {pct} from "
    "{pastyear}{tail+}, {source}.",
    "The {State Department|finance ministry|Treasury|foreign ministry|budget office} {report} {when} that "
    "{money} from {yearmod} would go to {np} instead of {np}{tail}.",
    "{b_adj} exports of {goods} {rose|fell|jumped|slumped} {pct} {when}, to {money}{tail+}, {source}.",
    "{The program|The plan|Its first phase|The initiative|The scheme} {would cost|could cost|costs} {money}"
    "{cost_span} {and|, which would|to} {pv} {np}{tail+}.",
    "{It was not clear when|Nobody could say when|Officials did not say when|It remained unclear whether|"
    "There was no word on when|It is uncertain how soon} {agr} {would take effect|would be implemented|"
    "would come into force|might start|would be applied|could begin}; {b_adj} {officials} {report} {np} "
    "could {come|arrive|follow|start} {future}{tail+}.",
    "{Details|The terms|Key provisions|The costs} of the {short} {will be settled|are still being worked out|"
    "remain secret|were not released}, {person} {report}, adding that {np} {cv} {np}{tail}.",
    "{a} has {similar|comparable|older|looser} arrangements with {c} and {other} covering {np}{tail+}.",
    "{Many|Thousands of|A growing number of|Some} {bp} {depend on|protested over|lost income from|"
    "benefit from|worry about} {np}{tail+}, {surveys show|polls suggest|economists say}.",
    "The {b_adj} {economy|farm sector|tourism sector|manufacturing sector|export sector|steel industry} "
    "{grew|shrank|expanded|contracted} {pct} in {recentyear}, {the fastest pace since|its best showing since|"
    "the weakest result since|a rate not seen since|the slowest pace since} {pastyear}{tail+}.",
    "{off_a} visited {c} {when} to discuss {np} with {c_adj} {officials}{tail}.",
    "According to {yearmod}, {np} {cv} {np}{tail}, a finding {b_adj} officials "
    "{disputed|rejected|did not contest|welcomed}.",
    "{off_b} {report} {venue} that {np} {cv} {np}{tail}.",
    "{off_b} {report} that {np} {cv} {np}{tail}.",
    "{person}, a {20..79}-year-old {job} in {city}, {report} that {np} {cv} {np}{tail}.",
    "In {city}, {count} {who} {gathered|lined up|marched|waited} {when} {outside|near|around} "
    "{a government office|the port|the border crossing|parliament|the embassy}, {where|as} {np} {cv} {np}"
    "{tail}.",
    "{org2} {estimates|reported|calculated} that {np} {cost|absorbed|accounted for} {money} {when}{tail}.",
))



def _orders(count: int) -> tuple[tuple[Template, ...], ...]:
    """Fixed shuffles of the body templates (a story draws one): no template twice in a story."""
    rng = random.Random(0)
    return tuple(tuple(rng.sample(_BODY, len(_BODY))) for _ in range(count))


_ORDERS = _orders(512)


def _no_comment(g: _Gen, s: _Story) -> str:
    """Newsroom furniture that real copy is full of (and that near-duplicates across stories)."""
    who = g.p((f"The {s.b[3]} Embassy in {g.p(_CITIES_EXTRA)}", f"{s.b[1]}'s foreign ministry",
               f"A spokesperson for the {s.a[3]} government", s.org))
    return _cap(f"{who} {g.p(_NO_REPLY)} {g.p(('', 'on ', 'late '))}{g.p(_WEEKDAYS)}.")


# --------------------------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------------------------


def _new_story(g: _Gen) -> _Story:
    s = _Story()
    s.published(g.ri(_FIRST_DAY, _LAST_DAY))
    s.a = COUNTRIES[0] if g.rand() < 0.25 else g.p(COUNTRIES)
    s.b = g.p(COUNTRIES)
    while s.b is s.a:
        s.b = g.p(COUNTRIES)
    s.third = g.p(COUNTRIES)
    s.cities = (s.a[5].title(), s.b[5].title()) * 3
    s.domain = g.p(_DOMAINS)
    s.kind, s.short = g.p(_KINDS[s.domain])
    s.akind = _a(s.kind)
    s.name = g.p(_NAMES) if g.rand() < 0.15 else None
    s.verb = g.p(_EVENT_VERBS)
    s.when = g.when(s)
    s.off_a, s.off_b = g.official(s.a), g.official(s.b)
    s.crit = (g.person(), g.p(_ORG_ROLES))
    s.org = g.p(_ORGS)
    s.critic = f"{s.crit[0]}, {s.crit[1]} at {s.org},"
    s.named_a, s.named_b = _named_forms(s.off_a, s.a), _named_forms(s.off_b, s.b)
    return s


def _rerun(g: _Gen, old: _Story) -> _Story:
    """The same event on another outlet, the same day or up to two days later."""
    s = _Story()
    for name in _Story.__slots__:
        setattr(s, name, getattr(old, name))
    s.published(min(_LAST_DAY, old.pub.toordinal() + g.ri(0, 2)))
    return s


def _edit(g: _Gen, sentence: str) -> str:
    """A light copy-desk edit: one word swapped."""
    start = int(g.rand() * len(_EDITS))
    for old, new in _EDITS[start:] + _EDITS[:start]:
        hit = sentence.find(f" {old} ")
        if hit >= 0:
            return f"{sentence[:hit]} {new} {sentence[hit + len(old) + 2 :]}"
    return sentence


def _borrow(g: _Gen) -> tuple[_Story, list[str]] | None:
    """For about one article in five: an earlier story and 2-6 of its sentences to re-run."""
    if len(g.recent) < 5 or g.rand() >= 0.2:
        return None
    old, sents = g.p(g.recent)
    k = min(len(sents), g.ri(2, 6))
    start = 0 if g.rand() < 0.6 else g.ri(0, len(sents) - k)
    return _rerun(g, old), [_edit(g, x) if g.rand() < 0.3 else x for x in sents[start : start + k]]


def _sentences(g: _Gen, s: _Story, total: int, borrowed: list[str]) -> list[str]:
    """The story's sentences: a lead (or the borrowed ones), then templates without repeats."""
    out = list(borrowed) if borrowed else [g.p(_EVENTS)(g, s)]
    order = _ORDERS[int(g.rand() * len(_ORDERS))]
    out += [t(g, s) for t in order[: total - len(out)]]
    if g.rand() < 0.15 and len(out) > 3:
        out[-1] = _no_comment(g, s)
    return out


def _caption(g: _Gen, s: _Story) -> str:
    date = _AP_DATES[s.day - g.ri(1, 900)]
    c = s.a if g.rand() < 0.5 else s.b
    place = f"{c[5].title()}, {c[1].removeprefix('the ')}" if g.rand() < 0.7 else g.p(_CITIES_EXTRA)
    k = g.rand()
    if k < 0.6:
        what = f"{g.p(_CAPTION_WHO)} {g.p(_CAPTION_DO)}"
        text = f"FILE - In this {date}, {g.p(('', 'file '))}photo, {what} in {place}."
    elif k < 0.8:
        text = f"{c[3]} {g.p(_CAPTION_WHO)} {g.p(_CAPTION_DO)} in {place}, {date}."
    else:
        who = g.p(s.named_a if c is s.a else s.named_b)
        text = f"{who.rstrip(',')}, {g.p(_CAPTION_POSE)}, {g.p(_CAPTION_ACT)} {g.np(s)} in {place}, {date}."
    return text + (f" (AP Photo/{g.person()})" if g.rand() < 0.3 else "")


def _boilerplate(g: _Gen, s: _Story, tag: str) -> str:
    if tag == "Reuters":
        return f"Reporting by {g.person()} in {s.b[5].title()} and {g.person()} in {s.a[5].title()}; " \
               f"Editing by {g.person()}"
    if tag == "AP":
        return f"Associated Press writer {g.person()} in {s.a[5].title()} contributed to this report."
    return f"{g.person()} contributed reporting from {s.b[5].title()}."


def _paragraphs(g: _Gen, sents: list[str], wanted: int) -> list[str]:
    """``sents`` in about ``wanted`` paragraphs of one to three sentences."""
    total = len(sents)
    n = max(min(wanted, total), -(-total // 3))
    sizes = [1] * n
    extra = total - n
    while extra:
        i = int(g.rand() * n)
        if sizes[i] < 3:
            sizes[i] += 1
            extra -= 1
    out, at = [], 0
    for size in sizes:
        out.append(" ".join(sents[at : at + size]))
        at += size
    return out


def _title(g: _Gen, s: _Story) -> str:
    a = (s.a[2] or s.a[1]).removeprefix("the ")
    b = s.b[1].removeprefix("the ")
    return g.p((
        f"{a} and {b} {s.verb} {s.kind}",
        f"{b} {g.p(('suspends', 'signs', 'ratifies', 'questions'))} {s.short} with {a}",
        f"Rights groups criticize {a}-{b} {s.short}",
        f"What to know about the {a}-{b} {s.kind}",
        f"{s.b[3]} lawmakers {g.p(('back', 'reject', 'delay'))} {s.kind}",
        f"{a} {g.p(('pushes', 'presses', 'courts'))} {b} on {s.kind}",
    ))


def _article(g: _Gen, index: int) -> ArticleInput:
    borrowed = _borrow(g)
    story, copied = borrowed if borrowed else (_new_story(g), [])
    outlet, domain, tag = g.p(_WIRES) if g.rand() < 0.4 else g.p(OUTLETS)
    caption = _caption(g, story) if g.rand() < 0.55 else None
    boiler = _boilerplate(g, story, tag) if g.rand() < 0.35 else None
    subhead = g.p(_SUBHEADS) if g.rand() < 0.15 else None
    extras = (caption is not None) + (boiler is not None)
    sents = _sentences(g, story, g.ri(10, 25) - extras, copied)
    paras = _paragraphs(g, sents, g.ri(6, 14) - extras - (subhead is not None))
    if g.rand() < 0.6:
        place = (story.a if g.rand() < 0.5 else story.b)[5]
        paras[0] = f"{place} ({tag}) — {paras[0]}" if tag else f"{place} — {paras[0]}"
    if subhead:
        paras.insert(g.ri(2, len(paras) - 1), subhead)
    if caption:
        paras.insert(0 if g.rand() < 0.5 else g.ri(1, len(paras) - 1), caption)
    if boiler:
        paras.append(boiler)
    if not copied:
        g.recent.append((story, sents[:8]))
    return _make(g, index, story, (outlet, domain), _title(g, story), "\n\n".join(paras), bool(copied))


def _make(g: _Gen, index: int, s: _Story, outlet: tuple[str, str], title: str, body: str,
          rerun: bool) -> ArticleInput:
    month_only = g.rand() < 0.1
    published = f"{s.pub.year}-{s.pub.month:02d}" if month_only else s.pub.isoformat()
    slug = "-".join(title.lower().replace("'", "").replace(".", "").split()[:8])
    url = f"https://www.{outlet[1]}/{s.pub.year}/{s.pub.month:02d}/{s.pub.day:02d}/{slug}-{index:06d}"
    return ArticleInput(
        title=title, outlet=outlet[0], published=published,
        published_precision="month" if month_only else "day", url=url, body=body,
        origin=f"benchgen:{index}", author=None if g.rand() < 0.3 else g.person(),
        metadata={"countries": [s.a[0], s.b[0], s.third[0]], "agreement": s.kind, "domain": s.domain,
                  "rerun": rerun},
    )


def generate_articles(n: int, *, seed: int = 20191) -> Iterator[ArticleInput]:
    """``n`` realistic news articles, the same ones for the same ``n`` and ``seed``."""
    g = _Gen(seed)
    for index in range(n):
        yield _article(g, index)
