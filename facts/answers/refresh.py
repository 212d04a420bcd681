"""A posted answer brought up to date after the desk changed one of its facts.

The lines showing the fact are rebuilt as an answer asked now would show them: a correction
with its label ("Corrected <day>: <note>"), a restored fact as it stands. A retracted fact's line
stays where readers saw it, labelled "Retracted <day>: <reason>", so that a message no one
re-reads does not silently lose a line. Everything else in the answer is left as it was posted.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from facts.answers.answer_lines import AnswerBuilder
from facts.answers.contract import Answer
from facts.answers.sentence_links import link_sentences
from facts.store.rows import FactRow

__all__ = ["refreshed"]


class FactBodies(Protocol):
    async def fact(self, fact_id: int) -> FactRow | None: ...
    async def document_bodies(self, doc_ids: Any) -> dict[int, str]: ...


async def refreshed(
    store: FactBodies, posted: dict[str, Any], fact_id: int, label: str | None
) -> Answer | None:
    """``posted`` (an answer's JSON) with the lines of ``fact_id`` as they read now; ``label``
    replaces their note (a retraction's), or None to rebuild them. None if nothing changed."""
    answer = Answer.from_json(posted)
    if not any(it.fact_id == fact_id for it in answer.items):
        return None
    fact = await store.fact(fact_id)
    if fact is None:
        return None
    b = AnswerBuilder.continuing(answer)
    items = []
    for it in answer.items:
        if it.fact_id != fact_id:
            items.append(it)
        elif label is not None:
            items.append(dataclasses.replace(it, note=label))
        else:
            items.append(b.add_cluster([fact], group=it.group))
            b.answer.items.pop()  # add_cluster appends; the line takes the old one's place
    answer.items = items
    return await link_sentences(store, answer)
