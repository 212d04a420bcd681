"""Shared wording for every surface: how a date at its precision reads."""

from __future__ import annotations

from facts.answers.contract import Item

__all__ = ["format_date"]


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
