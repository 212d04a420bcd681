"""Turn facts into answer lines: one line per fact or event, every source cited verbatim.

A line shows one sentence (the longest wording carried) and cites every outlet that carried
that fact or reported the same event. When those sources give different dates or numbers
for it, the line says so and names who says what.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from facts.answer import Answer, Citation, Item, Source
from facts.records import DocumentRow, FactRow, SourceRow

__all__ = ["AnswerBuilder", "cluster_by_event", "display_date"]


def cluster_by_event(facts: Iterable[FactRow]) -> list[list[FactRow]]:
    """Group facts that report the same dated event; keep first-seen order."""
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
    return clusters


def display_date(cluster: Sequence[FactRow]) -> tuple[str | None, str | None, str | None]:
    """(date, date_end, precision) of a line: the event date, else "as of" the earliest report."""
    dated = [f for f in cluster if f.date_label]
    if dated:
        best = max(dated, key=lambda f: (_rank(f.date_precision), -len(f.sources)))
        return best.date_label, best.date_end_label, best.date_precision
    published = min(s.doc.published for f in cluster for s in f.sources)
    return published, None, "as_of"


_RANKS = {"day": 6, "week": 5, "month": 4, "season": 3, "range": 3, "before": 2, "after": 2, "year": 1}


def _rank(precision: str | None) -> int:
    return _RANKS.get(precision or "", 0)


def _conflict_note(sources: Sequence[SourceRow]) -> str | None:
    """Say when the outlets behind one line disagree on its date or its numbers."""
    by_doc: dict[int, SourceRow] = {}
    for s in sources:
        by_doc.setdefault(s.doc.id, s)
    if len(by_doc) < 2:
        return None
    rows = list(by_doc.values())
    dates = {s.date_label for s in rows if s.date_label}
    if len(dates) > 1:
        parts = [f"{s.doc.outlet} dates it {s.date_label}" for s in rows if s.date_label]
        return "Sources differ on the date: " + "; ".join(parts) + "."
    numbers = [frozenset(s.numbers) for s in rows if s.numbers]
    if len(numbers) > 1 and len(set(numbers)) > 1:
        parts = [f"{s.doc.outlet} says {', '.join(s.numbers)}" for s in rows if s.numbers]
        return "Sources differ on the figures: " + "; ".join(parts) + "."
    return None


class AnswerBuilder:
    """Collects lines and numbers their sources in order of first citation."""

    def __init__(self, command: str, title: str) -> None:
        self.answer = Answer(command=command, title=title)
        self._numbers: dict[int, int] = {}

    def source_number(self, doc: DocumentRow) -> int:
        n = self._numbers.get(doc.id)
        if n is None:
            n = len(self._numbers) + 1
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
        self, cluster: Sequence[FactRow], *, group: str | None = None, only_doc: int | None = None
    ) -> Item:
        """One line for a fact or an event cluster, citing every supporting passage once."""
        lead = max(cluster, key=lambda f: (f.salience, len(f.sources)))
        sources = [s for f in cluster for s in f.sources if only_doc is None or s.doc.id == only_doc]
        text = max(
            (s.quote for s in lead.sources if only_doc is None or s.doc.id == only_doc),
            key=len,
            default=lead.text,
        )
        citations: list[Citation] = []
        seen: set[tuple[int, str]] = set()
        for s in sources:
            n = self.source_number(s.doc)
            if (n, s.quote) in seen:
                continue
            seen.add((n, s.quote))
            citations.append(Citation(source=n, quote=s.quote))
        date, date_end, precision = display_date(cluster)
        item = Item(
            text=text,
            citations=tuple(citations),
            date=date,
            date_end=date_end,
            date_precision=precision,
            note=_conflict_note(sources),
            group=group,
            fact_id=lead.id,
        )
        self.answer.items.append(item)
        return item

    def add_passage(
        self,
        text: str,
        doc: DocumentRow,
        *,
        date: tuple[str | None, str | None, str | None] = (None, None, None),
    ) -> Item:
        n = self.source_number(doc)
        item = Item(
            text=text,
            citations=(Citation(source=n, quote=text),),
            date=date[0],
            date_end=date[1],
            date_precision=date[2],
        )
        self.answer.items.append(item)
        return item
