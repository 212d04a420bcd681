"""The platform-neutral answer every command returns, and its JSON contract.

Shape (see README, "JSON answer contract")::

    {command, title, items: [{text, date, date_end, date_precision,
     citations: [{source, quote, url, caption}], note, group, fact_id, wording}],
     sources: [{n, doc_id, outlet, title, published, url}], notes: [...],
     error: null | {code, message}}

A source's ``n`` is the store's number for the document (its id): the number ``/source n`` and
``factdesk sources`` take, the same in every answer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from facts.errors import ErrorCode

__all__ = ["Answer", "AnswerError", "Citation", "Item", "Source"]


@dataclass(frozen=True)
class Citation:
    """A verbatim quote from the document numbered ``source`` in the answer's sources; ``url``
    points at the quoted sentence on the publisher's page (a text fragment), ``caption``: the
    quote is a picture's caption, not the article's text."""

    source: int
    quote: str
    url: str = ""
    caption: bool = False


@dataclass(frozen=True)
class Item:
    """One line of an answer: its text, its event date at its precision, and its quotes."""

    text: str
    citations: tuple[Citation, ...]
    date: str | None = None
    date_end: str | None = None
    date_precision: str | None = None
    note: str | None = None
    group: str | None = None
    fact_id: int | None = None
    wording: str | None = None  # the outlet whose sentence the line shows, when several carry it


@dataclass(frozen=True)
class Source:
    """A document cited by an answer, numbered by the store (``n`` is its id), listed in order of
    first citation."""

    n: int
    doc_id: int
    outlet: str
    title: str
    published: str
    url: str


@dataclass(frozen=True)
class AnswerError:
    code: ErrorCode
    message: str


@dataclass
class Answer:
    """What a command answers; adapters only render it. ``command`` is the command as shown,
    set by the core after the command ran (a scheduled digest names its own)."""

    command: str = ""
    title: str = ""
    items: list[Item] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: AnswerError | None = None

    @classmethod
    def failure(cls, command: str, code: ErrorCode, message: str) -> Answer:
        return cls(command=command, title="Error", error=AnswerError(code, message))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        """The answer :meth:`to_json` gave (a posted answer, kept to be edited later)."""
        error = data.get("error")
        return cls(
            command=data.get("command", ""),
            title=data.get("title", ""),
            items=[
                Item(**{**it, "citations": tuple(Citation(**c) for c in it.get("citations", []))})
                for it in data.get("items", [])
            ],
            sources=[Source(**src) for src in data.get("sources", [])],
            notes=list(data.get("notes", [])),
            error=AnswerError(ErrorCode(error["code"]), error["message"]) if error else None,
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON contract: plain types only, every key always present."""
        items = []
        for it in self.items:
            d = asdict(it)
            d["citations"] = [asdict(c) for c in it.citations]
            items.append(d)
        return {
            "command": self.command,
            "title": self.title,
            "items": items,
            "sources": [asdict(s) for s in self.sources],
            "notes": list(self.notes),
            "error": {"code": str(self.error.code), "message": self.error.message} if self.error else None,
        }
