"""Turn facts into answer lines: one line per fact or event, every source cited verbatim.

A line shows one sentence (the longest wording carried) and cites every outlet that carried
that fact or reported the same event. When those sources give different dates or numbers
for it, the line says so and names who says what.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from facts.answers.contract import Answer, Citation, Item, Source
from facts.store.rows import DocumentRow, FactRow, SourceRow

__all__ = ["AnswerBuilder", "cluster_by_event", "display_date"]


SAME_EVENT_DAYS = 3


def cluster_by_event(facts: Iterable[FactRow]) -> list[list[FactRow]]:
    """Group facts that report the same event; keep first-seen order.

    Same stored event (verb, country, date) first; then events with the same verb and
    country dated at most three days apart by *different* outlets are taken as one event
    whose sources disagree on the date, so the line shows both dates.
    """
    clusters: list[list[FactRow]] = []
    by_event: dict[int, list[FactRow]] = {}
    for fact in facts:
        if fact.event_id is not None and fact.event_id in by_event:
            by_event[fact.event_id].append(fact)
            continue
        cluster = [fact]
        clusters.append(cluster)
        if fact.event_id is not None:
            by_event[fact.event_id] = cluster
    return _join_disputed_dates(clusters)


def _join_disputed_dates(clusters: list[list[FactRow]]) -> list[list[FactRow]]:
    out: list[list[FactRow]] = []
    by_key: dict[tuple[str, str], list[tuple[dt.date, list[FactRow]]]] = {}
    for cluster in clusters:
        key, day = _event_day(cluster)
        target = None
        if key is not None and day is not None:
            docs = {s.doc.id for f in cluster for s in f.sources}
            for oday, other in by_key.get(key, ()):
                if oday == day or abs((oday - day).days) > SAME_EVENT_DAYS:
                    continue
                if not docs & {s.doc.id for f in other for s in f.sources}:
                    target = other
                    break
        if target is not None:
            target.extend(cluster)
            continue
        out.append(cluster)
        if key is not None and day is not None:
            by_key.setdefault(key, []).append((day, cluster))
    return out


def _event_day(cluster: Sequence[FactRow]) -> tuple[tuple[str, str] | None, dt.date | None]:
    lead = cluster[0]
    if lead.event_key is None or lead.date_precision != "day" or not lead.date_start:
        return None, None
    return lead.event_key, dt.date.fromisoformat(lead.date_start)


def display_date(cluster: Sequence[FactRow]) -> tuple[str | None, str | None, str | None]:
    """(date, date_end, precision) of a line: the event date, else "as of" the earliest report."""
    corrected = [f for f in cluster if f.corrected_at and f.date_label]
    if corrected:
        lead = max(corrected, key=lambda f: f.corrected_at or "")
        return lead.date_label, lead.date_end_label, lead.date_precision
    dated = [f for f in cluster if f.date_label]
    if dated:
        label = agreed_date(cluster)
        best = max(
            dated, key=lambda f: (f.date_label == label, _rank(f.date_precision), len(f.sources))
        )
        return best.date_label, best.date_end_label, best.date_precision
    published = min(s.doc.published for f in cluster for s in f.sources)
    return published, None, "as_of"


def _compatible(a: str, b: str) -> bool:
    """"2022-07" and "2022-07-22" do not disagree: one is the other at a coarser precision."""
    return a.startswith(b) or b.startswith(a)


def agreed_date(cluster: Sequence[FactRow]) -> str | None:
    """The date label a line shows when its sources disagree: the one most independent outlets
    give (an outlet giving the same day at a coarser precision agrees with it), then the one the
    earliest report gives, then the most precise."""
    rows = [s for s in _one_per_outlet(s for f in cluster for s in f.sources) if s.date_label]
    if not rows:
        return None
    labels = {s.date_label for s in rows if s.date_label}

    def support(label: str) -> tuple[int, int, int, tuple[int, ...]]:
        backers = [s for s in rows if s.date_label and _compatible(s.date_label, label)]
        first = min(_day_number(s.doc.published) for s in backers)
        return (len(backers), -first, len(label), _neg(label))

    return max(labels, key=support)


def _day_number(published: str) -> int:
    return dt.date.fromisoformat(published if len(published) == 10 else published[:7] + "-01").toordinal()


def _neg(label: str) -> tuple[int, ...]:
    """Earlier dates win the last tie: the larger this key, the earlier ``label``."""
    return tuple(-int(p) for p in label.split("-"))


_RANKS = {"day": 6, "week": 5, "month": 4, "season": 3, "range": 3, "before": 2, "after": 2, "year": 1}


def _rank(precision: str | None) -> int:
    return _RANKS.get(precision or "", 0)


def _one_per_outlet(sources: Iterable[SourceRow]) -> list[SourceRow]:
    by_doc: dict[int, SourceRow] = {}
    for s in sources:
        by_doc.setdefault(s.doc.id, s)
    return list(by_doc.values())


def _is_clause(fact: FactRow) -> bool:
    """Was the fact taken from one clause of its sentence? (its text is in no quote as a whole)"""
    if not fact.sources:
        return False
    mine = " ".join(fact.text.split())
    quotes = [" ".join(s.quote.split()) for s in fact.sources]
    return mine not in quotes and any(mine in q for q in quotes)


def _desk_label(fact: FactRow) -> str | None:
    """How an answer labels the desk's work on a line: a correction, or a fact the desk added."""
    if fact.corrected_at:
        return f"Corrected {fact.corrected_at}: {fact.correction_note}"
    if fact.origin == "desk":
        return "Added by the desk."
    return None


def _conflict_note(cluster: Sequence[FactRow], only_doc: int | None) -> str | None:
    """Say when the outlets behind one line disagree on its date or, for one sentence, its figures.

    Figures are compared only between versions of the same sentence: two different sentences
    about one event naturally carry different numbers.
    """
    keep = [s for f in cluster for s in f.sources if only_doc is None or s.doc.id == only_doc]
    rows = _one_per_outlet(keep)
    dates = {s.date_label for s in rows if s.date_label}
    shown = agreed_date(cluster) if only_doc is None else None
    if len(rows) > 1 and len(dates) > 1 and not all(_compatible(a, b) for a in dates for b in dates):
        backing = [s.doc.outlet for s in rows if shown and s.date_label and _compatible(s.date_label, shown)]
        others = [f"{s.doc.outlet} dates it {s.date_label}" for s in rows
                  if s.date_label and not (shown and _compatible(s.date_label, shown))]
        if shown and backing:
            return (f"Sources differ on the date: {shown} as {', '.join(backing)} give it; "
                    + "; ".join(others) + ".")
        return "Sources differ on the date: " + "; ".join(others) + "."
    for fact in cluster:
        versions = [s for s in _one_per_outlet(fact.sources) if only_doc is None or s.doc.id == only_doc]
        figures = {frozenset(s.numbers) for s in versions if s.numbers}
        if len(versions) > 1 and len(figures) > 1:
            parts = [f"{s.doc.outlet} says {', '.join(s.numbers)}" for s in versions if s.numbers]
            return "Sources differ on the figures: " + "; ".join(parts) + "."
    return None


def _wording(worded: SourceRow | None, sources: Sequence[SourceRow]) -> str | None:
    """The outlet whose sentence a line shows, when other outlets carry the line too."""
    if worded is None or len({s.doc.outlet for s in sources}) < 2:
        return None
    return worded.doc.outlet


class AnswerBuilder:
    """Collects lines and lists their sources in order of first citation, by the store's numbers."""

    def __init__(self, title: str, *, command: str = "") -> None:
        self.answer = Answer(command=command, title=title)
        self._numbers: dict[int, int] = {}

    @classmethod
    def continuing(cls, answer: Answer) -> AnswerBuilder:
        """A builder that adds to ``answer`` (its sources already listed)."""
        b = cls(answer.title, command=answer.command)
        b.answer = answer
        b._numbers = {s.doc_id: s.n for s in answer.sources}
        return b

    def source_number(self, doc: DocumentRow) -> int:
        n = self._numbers.get(doc.id)
        if n is None:
            n = doc.id  # the store's number: the one /source and `factdesk sources` take
            self._numbers[doc.id] = n
            self.answer.sources.append(
                Source(
                    n=n,
                    doc_id=doc.id,
                    outlet=doc.outlet,
                    title=doc.title,
                    published=doc.published,
                    url=doc.url,
                )
            )
        return n

    def add_cluster(
        self,
        cluster: Sequence[FactRow],
        *,
        group: str | None = None,
        only_doc: int | None = None,
        clauses: bool = False,
    ) -> Item:
        """One line for a fact or an event cluster, citing every supporting passage once.

        With ``clauses``, a fact taken from one event clause of a sentence that reports several
        shows that clause (verbatim) and cites the whole sentence."""
        # A line the desk corrected is shown as corrected, whatever else reported the event.
        lead = max(cluster, key=lambda f: (f.corrected_at is not None, f.salience, len(f.sources)))
        sources = [s for f in cluster for s in f.sources if only_doc is None or s.doc.id == only_doc]
        worded = max(
            (s for s in lead.sources if only_doc is None or s.doc.id == only_doc),
            key=lambda s: len(s.quote),
            default=None,
        )
        text = worded.quote if worded else lead.text
        citations: list[Citation] = []
        seen: set[tuple[int, str]] = set()
        for s in sources:
            n = self.source_number(s.doc)
            if (n, s.quote) in seen:
                continue
            seen.add((n, s.quote))
            citations.append(Citation(source=n, quote=s.quote, caption=s.is_caption))
        date, date_end, precision = display_date(cluster)
        notes = [_desk_label(lead), None if lead.corrected_at else _conflict_note(cluster, only_doc)]
        if lead.corrected_at or (clauses and _is_clause(lead)):
            text = lead.text  # the desk's wording or the event's clause; citations keep the sentence
        item = Item(
            text=text,
            citations=tuple(citations),
            date=date,
            date_end=date_end,
            date_precision=precision,
            note=" ".join(n for n in notes if n) or None,
            group=group,
            fact_id=lead.id,
            wording=_wording(worded, sources) if text == (worded.quote if worded else None) else None,
        )
        self.answer.items.append(item)
        return item

    def add_passage(
        self,
        text: str,
        doc: DocumentRow,
        *,
        date: tuple[str | None, str | None, str | None] = (None, None, None),
        caption: bool = False,
    ) -> Item:
        n = self.source_number(doc)
        item = Item(
            text=text,
            citations=(Citation(source=n, quote=text, caption=caption),),
            date=date[0],
            date_end=date[1],
            date_precision=date[2],
        )
        self.answer.items.append(item)
        return item
