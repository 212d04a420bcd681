"""From a row read by column name to the dataclasses of :mod:`facts.store.rows`: one builder each.

A row is anything indexed by column name (:class:`sqlite3.Row` here). The SQL column lists
the builders expect sit beside them, so a query and the object built from it cannot drift
apart: a document read with another table carries its columns as ``doc_<field>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from facts.store.rows import DocumentRow, FactRow, PassageHit, SourceRow
from facts.store.text_spans import FACT_TEXT, passage_text

__all__ = [
    "DOC_COLUMNS",
    "FACT_COLUMNS",
    "SOURCE_COLUMNS",
    "NamedRow",
    "document_row",
    "fact_row",
    "passage_hit",
    "source_row",
]


class NamedRow(Protocol):
    """A database row read by column name."""

    def __getitem__(self, name: str, /) -> Any: ...


_DOC_FIELDS = (
    "id", "url", "version", "outlet", "title", "published", "published_precision", "author", "date_note",
    "superseded_by",
)
DOC_COLUMNS = ", ".join(f"d.{f} AS doc_{f}" for f in _DOC_FIELDS)
"""The columns of ``documents d`` that :func:`document_row` reads."""

_FACT_FIELDS = (
    "id", "text", "date_start", "date_end", "date_precision", "date_mod", "date_label", "date_end_label",
    "event_id", "salience", "facets", "agreement_name", "status", "origin", "version", "corrected_at",
    "correction_note",
)
FACT_COLUMNS = ", ".join(f"{FACT_TEXT} AS text" if f == "text" else f"f.{f}" for f in _FACT_FIELDS)
"""The columns of ``facts f`` that :func:`fact_row` reads; the query adds ``explicit``."""

SOURCE_COLUMNS = (
    f"s.fact_id, s.passage_id, {passage_text()} AS quote, p.idx AS passage_index, s.date_start, s.date_end,"
    f" s.date_precision, s.date_label, s.numbers, p.is_caption, {DOC_COLUMNS}"
)
"""The columns of ``fact_sources s`` and ``passages p`` that :func:`source_row` reads."""


def document_row(row: NamedRow, *, facts: int = 0) -> DocumentRow:
    """The document in ``row``'s ``doc_*`` columns; ``facts`` is how many facts it sources."""
    return DocumentRow(**{f: row[f"doc_{f}"] for f in _DOC_FIELDS}, facts=facts)


def source_row(row: NamedRow, doc: DocumentRow) -> SourceRow:
    return SourceRow(
        fact_id=row["fact_id"],
        passage_id=row["passage_id"],
        doc=doc,
        quote=row["quote"],
        passage_index=row["passage_index"],
        date_start=row["date_start"],
        date_end=row["date_end"],
        date_precision=row["date_precision"],
        date_label=row["date_label"],
        numbers=tuple((row["numbers"] or "").split()),
        is_caption=bool(row["is_caption"]),
    )


def fact_row(
    row: NamedRow, *, sources: Sequence[SourceRow], event_key: tuple[str, str] | None
) -> FactRow:
    """The fact in ``row`` (:data:`FACT_COLUMNS` and ``explicit``) with its current sources."""
    return FactRow(
        id=row["id"],
        text=row["text"],
        date_start=row["date_start"],
        date_end=row["date_end"],
        date_precision=row["date_precision"],
        date_mod=row["date_mod"],
        date_label=row["date_label"],
        date_end_label=row["date_end_label"],
        event_id=row["event_id"],
        salience=row["salience"],
        facets=frozenset((row["facets"] or "").split()),
        agreement_name=row["agreement_name"],
        status=row["status"],
        origin=row["origin"],
        version=row["version"],
        corrected_at=row["corrected_at"],
        correction_note=row["correction_note"],
        explicit=bool(row["explicit"]),
        sources=tuple(sources),
        event_key=event_key,
    )


def passage_hit(row: NamedRow, *, rank: float = 0.0) -> PassageHit:
    """A passage (``passage_id``, ``text``, ``kind``, ``fact_id`` and its ``doc_*`` columns)."""
    return PassageHit(
        passage_id=row["passage_id"],
        doc=document_row(row),
        text=row["text"],
        kind=row["kind"],
        rank=rank,
        fact_id=row["fact_id"],
    )
