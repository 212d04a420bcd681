"""A digest's content: what is new in the documents, what the desk corrected, retracted, restored
or added in a period, and what happened on this day in earlier years, every line cited."""

from __future__ import annotations

import dataclasses
import datetime as dt

from facts.answers.answer_lines import AnswerBuilder, cluster_by_event
from facts.answers.contract import Answer
from facts.answers.sentence_links import link_sentences
from facts.store.protocols import DigestReader

__all__ = ["NEW_LINES", "build_digest"]

NEW_LINES = 8
ON_THIS_DAY = 5
_GROUPS = {
    "correct": "Corrected",
    "retract": "Retracted",
    "restore": "Restored",
    "add": "Added by the desk",
}


async def build_digest(store: DigestReader, *, start: str, end: str, today: dt.date, title: str) -> Answer:
    """The digest for changes in [start, end) (UTC ISO times) and events on ``today`` in earlier
    years. An answer without items means there was nothing to report."""
    new_ids, changes = await store.digest_changes(start, end)
    b = AnswerBuilder(title, command="/digest")

    # The desk's changes: the last change of each fact decides its section.
    last: dict[int, tuple[str, str | None, str]] = {}
    for change in changes:
        last[change.fact_id] = (change.action, change.note, change.at)
    changed = {f.id: f for f in await store.facts_by_ids(sorted(last))} if last else {}
    for action in ("correct", "retract", "restore", "add"):
        for fact_id, (act, note, at) in last.items():
            fact = changed.get(fact_id)
            if act != action or fact is None:
                continue
            item = b.add_cluster([fact], group=_GROUPS[action])
            if action in {"retract", "restore"}:  # say why, as the correction label does
                label = f"{'Retracted' if action == 'retract' else 'Restored'} {at[:10]}: {note}"
                b.answer.items[-1] = dataclasses.replace(item, note=label)

    fresh = [i for i in new_ids if i not in last]
    facts = {f.id: f for f in await store.facts_by_ids(fresh)} if fresh else {}
    clusters = cluster_by_event(facts[i] for i in fresh if i in facts)
    for cluster in clusters[:NEW_LINES]:
        b.add_cluster(cluster, group="New in the documents")
    if len(clusters) > NEW_LINES:
        b.answer.notes.append(f"{len(clusters) - NEW_LINES} more new lines; /timeline and /search show them.")

    day_ids = await store.on_this_day(today.strftime("%m-%d"), today.year)
    day_facts = {f.id: f for f in await store.facts_by_ids(day_ids)} if day_ids else {}
    for cluster in cluster_by_event(day_facts[i] for i in day_ids if i in day_facts)[:ON_THIS_DAY]:
        b.add_cluster(cluster, group=f"On this day ({today.strftime('%d %B')})")
    return await link_sentences(store, b.answer)
