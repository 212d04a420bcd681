"""Where the store's sentences are read from: the one copy of each, in its document's body.

Passages, facts and their sources keep offsets, not text (migration ``0009_text_by_offsets``):
a passage is ``body[start:end]`` of its document, and a fact is either the span
``[span_start, span_end)`` of document ``span_doc`` or, when an editor changed its wording or no
passage holds it word for word, its own ``text``. SQLite's ``substr`` counts characters, as
Python's slices do, so the offsets the extractor computed read back the same text.
"""

from __future__ import annotations

__all__ = ["FACT_SPAN", "FACT_TEXT", "passage_text"]


def passage_text(p: str = "p", d: str = "d") -> str:
    """SQL for the text of passage ``p`` of document ``d`` (both aliases in the query)."""
    return f"substr({d}.body, {p}.start + 1, {p}.end - {p}.start)"


FACT_SPAN = (
    "(SELECT substr(x.body, f.span_start + 1, f.span_end - f.span_start) FROM documents x"
    " WHERE x.id = f.span_doc)"
)
"""SQL for the sentence fact ``f`` was extracted from (its wording before any correction)."""

FACT_TEXT = f"coalesce(f.text, {FACT_SPAN})"
"""SQL for fact ``f``'s current wording."""
