"""Shared wording for every surface: how a date at its precision reads, how a line's citations
are marked, and whose wording a line shows."""

from __future__ import annotations

from dataclasses import dataclass

from facts.answers.contract import Item

__all__ = ["Mark", "format_date", "marks", "wording"]


@dataclass(frozen=True)
class Mark:
    """One cited source of a line: its number, the link to the quoted sentence ("" for none)
    and its label (``"12"``, or ``"12, caption"`` when only a picture's caption is quoted)."""

    n: int
    url: str
    label: str


def marks(item: Item) -> list[Mark]:
    """The line's sources in citation order, once each, linked to the first sentence quoted."""
    out: dict[int, Mark] = {}
    captions: dict[int, bool] = {}
    for c in item.citations:
        captions[c.source] = captions.get(c.source, True) and c.caption
        if c.source not in out:
            out[c.source] = Mark(c.source, c.url, str(c.source))
    return [
        Mark(m.n, m.url, f"{m.n}, caption" if captions[m.n] else m.label) for m in out.values()
    ]


def wording(item: Item) -> str:
    """ "wording: Andes Wire" when the line is one outlet's sentence that others carry too."""
    return f"wording: {item.wording}" if item.wording else ""


def format_date(item: Item) -> str:
    """ "2019-09-20", "2019-09", "2019", "week of 2019-09-16", "2019-11 to 2020-03", "as of 2025-01-26"."""
    if not item.date:
        return ""
    p = item.date_precision
    if p == "as_of":
        return f"as of {item.date}"
    if p == "before":
        return f"before {item.date}"
    if p == "after":
        return f"after {item.date}"
    if p == "week":
        return f"week of {item.date}"
    if item.date_end and item.date_end != item.date:
        return f"{item.date} to {item.date_end}"
    return item.date
