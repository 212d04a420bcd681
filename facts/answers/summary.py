"""Choose the lines of an agreement summary: cover every facet, then the strongest, never twice.

A reader of ``/agreement X`` wants what the agreement is, who signed it and when, how it
changed, where it stands and who criticised it, in a dozen lines at most. Candidates are
facts (or event clusters) attributed to the country's agreements; each facet's best line
is taken first (a definitional line such as "The agreement allows ..." whether dated or
not), then the best line of each document (each report's own news), then the best line of
each event date (how it changed), then the rest by score,
skipping lines that mostly repeat a chosen one.
When the reports span separate agreements years apart, each period keeps its best line.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from facts.answers.answer_lines import display_date
from facts.extract.date_clauses import IRREGULAR_PAST
from facts.extract.near_duplicates import tokens
from facts.store.rows import FactRow
from facts.text.lemmas import lemma
from facts.text.stopwords import STOP_WORDS

__all__ = ["FACET_ORDER", "agreement_periods", "cluster_score", "select_lines"]

FACET_ORDER = ("signing", "definition", "change", "status", "criticism")
GAP_DAYS = 730
REPEAT_JACCARD = 0.45
OPENING_WORDS = 6
OPENING_JACCARD = 0.5
FILL_TO = 8


def cluster_score(cluster: Sequence[FactRow]) -> float:
    outlets = {s.doc.id for f in cluster for s in f.sources}
    best = max(f.salience for f in cluster)
    explicit = any(f.explicit for f in cluster)
    return best + 0.75 * (len(outlets) - 1) + (1.0 if explicit else 0.0)


def _facets(cluster: Sequence[FactRow]) -> frozenset[str]:
    return frozenset().union(*(f.facets for f in cluster))


def _words(cluster: Sequence[FactRow]) -> frozenset[str]:
    return frozenset(w for f in cluster for w in tokens(f.text) if w not in STOP_WORDS)


def _opening(cluster: Sequence[FactRow]) -> tuple[frozenset[str], frozenset[str]]:
    """The lemmas of a line's first content words, and those of its past-tense verbs among them:
    what it says happened ("France recalled its ambassadors"), before the details outlets vary."""
    words = [w for w in tokens(cluster[0].text) if w not in STOP_WORDS][:OPENING_WORDS]
    verbs = frozenset(lemma(w) for w in words if w.endswith("ed") or w in IRREGULAR_PAST)
    return frozenset(lemma(w) for w in words), verbs


def same_news(a: Sequence[FactRow], b: Sequence[FactRow]) -> bool:
    """Two lines that open alike with the same verb report the same news in other words ("France
    has recalled its ambassadors to …" / "France recalled its ambassadors to … on Friday")."""
    return _same_opening(_opening(a), _opening(b))


def _same_opening(a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]]) -> bool:
    (wa, va), (wb, vb) = a, b
    union = wa | wb
    return bool(va & vb) and bool(union) and len(wa & wb) / len(union) >= OPENING_JACCARD


def _day(cluster: Sequence[FactRow]) -> dt.date:
    start = min((f.date_start for f in cluster if f.date_start), default=None)
    if start:
        return dt.date.fromisoformat(start)
    date, _, _ = display_date(cluster)
    assert date is not None
    return dt.date.fromisoformat(date if len(date) == 10 else date + "-01")


def _event_label(cluster: Sequence[FactRow]) -> str | None:
    """The event date a line shows, or None for a line the reports do not date."""
    date, _, precision = display_date(cluster)
    return None if precision == "as_of" else date


def _period_day(cluster: Sequence[FactRow]) -> dt.date:
    """The day that places a line in a period: its event date, or, for a plan or forecast dated
    after every report of it ("submarines delivered in the 2030s"), the day it was reported."""
    reported = max((s.doc.published[:10] for f in cluster for s in f.sources), default="")
    day = _day(cluster)
    if len(reported) == 10 and day.isoformat() > reported:
        return dt.date.fromisoformat(reported)
    return day


def agreement_periods(clusters: Sequence[Sequence[FactRow]]) -> list[int]:
    """Period number of each cluster: reports more than two years apart are separate agreements."""
    days = [_period_day(c) for c in clusters]
    order = sorted(range(len(clusters)), key=lambda i: days[i])
    period = [0] * len(clusters)
    current, last = 0, None
    for i in order:
        day = days[i]
        if last is not None and (day - last).days > GAP_DAYS:
            current += 1
        period[i] = current
        last = day
    return period


def period_name(clusters: Sequence[Sequence[FactRow]]) -> str:
    """A period's label: its most cited agreement name, with the years it spans."""
    names = Counter(f.agreement_name for c in clusters for f in c if f.agreement_name)
    years = sorted({_period_day(c).year for c in clusters})
    span = str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
    if names:
        return f"{names.most_common(1)[0][0]} ({span})"
    return f"Reported {span}"


def select_lines(clusters: Sequence[Sequence[FactRow]], *, limit: int, min_score: float = 3.0) -> list[int]:
    """Indexes of the chosen clusters (unordered)."""
    scores = [cluster_score(c) for c in clusters]
    cache: dict[int, frozenset[str]] = {}

    def words(i: int) -> frozenset[str]:  # only chosen lines and those tested against them
        if i not in cache:
            cache[i] = _words(clusters[i])
        return cache[i]

    facets = [_facets(c) for c in clusters]
    periods = agreement_periods(clusters)
    ranked = sorted(range(len(clusters)), key=lambda i: -scores[i])
    chosen: list[int] = []

    openings: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def opening(i: int) -> tuple[frozenset[str], frozenset[str]]:
        if i not in openings:
            openings[i] = _opening(clusters[i])
        return openings[i]

    def repeats(i: int) -> bool:
        for j in chosen:
            union = words(i) | words(j)
            if union and len(words(i) & words(j)) / len(union) >= REPEAT_JACCARD:
                return True
            if _same_opening(opening(i), opening(j)):
                return True
        return False

    def take(i: int) -> None:
        if i not in chosen and len(chosen) < limit and not repeats(i):
            chosen.append(i)

    for p in sorted(set(periods)):
        for i in ranked:
            if periods[i] == p:
                take(i)
                break
    for facet in FACET_ORDER:
        if any(facet in facets[j] for j in chosen):
            continue
        for i in ranked:
            floor = min_score - 1 if facet == "definition" else min_score  # undated, still essential
            if facet in facets[i] and scores[i] >= floor and not repeats(i):
                take(i)
                break
    # Each report's own news (its lead, most often): the best line of every document, the best
    # documents first, so that a story only one outlet carried is not crowded out.
    lead_of: dict[int, int] = {}
    for i in ranked:
        for doc in {s.doc.id for f in clusters[i] for s in f.sources}:
            lead_of.setdefault(doc, i)
    for i in sorted(set(lead_of.values()), key=lambda i: -scores[i]):
        if scores[i] >= min_score and facets[i]:
            take(i)
    # How it changed: the best line of each date the reports give an event, before more lines
    # about a date already shown.
    dates_shown = {_event_label(clusters[j]) for j in chosen}
    for i in ranked:
        label = _event_label(clusters[i])
        if label is None or label in dates_shown or not facets[i] or scores[i] < min_score - 1:
            continue
        before = len(chosen)
        take(i)
        if len(chosen) > before:
            dates_shown.add(label)
    for i in ranked:
        if scores[i] < min_score:
            break
        take(i)
    # A thin file still deserves a useful summary: weaker lines fill it up to a few lines.
    for i in ranked:
        if len(chosen) >= FILL_TO or scores[i] < min_score - 1:
            break
        take(i)
    return chosen
