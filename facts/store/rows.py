"""Rows the store returns: plain frozen dataclasses, independent of the database behind them."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DocumentRow", "FactRow", "IngestResult", "PassageHit", "SourceRow"]


@dataclass(frozen=True)
class DocumentRow:
    id: int
    url: str
    version: int
    outlet: str
    title: str
    published: str
    published_precision: str
    author: str | None = None
    date_note: str | None = None
    superseded_by: int | None = None
    facts: int = 0


@dataclass(frozen=True)
class SourceRow:
    """One passage supporting a fact, with the date that passage gives for it."""

    fact_id: int
    passage_id: int
    doc: DocumentRow
    quote: str
    passage_index: int
    date_start: str | None
    date_end: str | None
    date_precision: str | None
    date_label: str | None
    numbers: tuple[str, ...]
    is_caption: bool = False


@dataclass(frozen=True)
class FactRow:
    id: int
    text: str
    date_start: str | None
    date_end: str | None
    date_precision: str | None
    date_mod: str | None
    date_label: str | None
    date_end_label: str | None
    event_id: int | None
    salience: float
    facets: frozenset[str]
    agreement_name: str | None
    status: str
    origin: str
    explicit: bool = False
    sources: tuple[SourceRow, ...] = field(default_factory=tuple)
    event_key: tuple[str, str] | None = None  # (lifecycle verb, country) of its dated event
    version: int = 1
    corrected_at: str | None = None  # day of the desk's last correction, with its note
    correction_note: str | None = None


@dataclass(frozen=True)
class PassageHit:
    passage_id: int
    doc: DocumentRow
    text: str
    kind: str
    rank: float
    fact_id: int | None


@dataclass(frozen=True)
class IngestResult:
    """What one ingested article did to the store."""

    origin: str
    status: str  # "added" | "unchanged" | "new_version" | "failed"
    doc_id: int
    version: int
    passages: int = 0
    new_facts: int = 0
    merged_facts: int = 0
    error: str | None = None
