"""The article as it enters the store, before extraction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ArticleInput"]


@dataclass(frozen=True)
class ArticleInput:
    """One article to ingest: its text and the metadata its text lacks.

    ``published`` is ``YYYY-MM-DD`` or ``YYYY-MM``; ``published_precision`` says which
    (``"day"`` or ``"month"``). ``body`` is the article text exactly as received: every
    passage offset and every quote refers to it.
    """

    title: str
    outlet: str
    published: str
    published_precision: str
    url: str
    body: str
    origin: str = ""
    author: str | None = None
    date_note: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
