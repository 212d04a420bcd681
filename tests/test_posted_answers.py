"""Posted answers kept and edited after a correction (bot/posted_answers.py), without a platform:
editors stand in for Slack's and Discord's, one of them failing as a deleted message would."""

from __future__ import annotations

from bot.handler import handle
from bot.posted_answers import PostedAnswers, PostedMessage
from bot.requests import parse_command_line
from facts.answers.contract import Answer
from facts.store.corrections import Editor
from facts.store.sqlite_store import SQLiteStore
from tests.store_backends import ENGINES

STORE_ENGINES = ENGINES  # each store test runs on SQLite and on PostgreSQL

DESK = Editor(actor="cli:local", platform="cli")


async def test_a_correction_edits_every_kept_post_showing_the_fact_and_records_each(
    seeded_copy: SQLiteStore,
) -> None:
    answer = await handle(parse_command_line("/timeline 2020"), seeded_copy)
    fact_id = next(it.fact_id for it in answer.items if it.fact_id is not None)
    posted = PostedAnswers(seeded_copy)
    shown: list[tuple[str, Answer]] = []

    async def slack(message: PostedMessage, new: Answer) -> None:
        shown.append((message.ref, new))

    async def discord(message: PostedMessage, new: Answer) -> None:
        raise RuntimeError("Unknown Message")  # deleted in the meantime

    posted.editors.update(slack=slack, discord=discord)
    await posted.posted("slack", "C1", "1700000000.000100", answer, asked_by="jane")
    await posted.posted("discord", "42", "99", answer)
    await posted.posted("slack", "C1", "1700000000.000200", Answer(title="no facts"))  # nothing to keep
    await posted.posted("slack", "C2", "1700000000.000300", answer, shown_from=len(answer.items))
    assert posted.kept == 2

    version = await seeded_copy.correct_fact(
        fact_id, text="The desk's wording of the line.", date=None, note="plainer", expected_version=None,
        editor=DESK,
    )
    done = await posted.update(fact_id, version, None)
    assert [p.platform for p in done] == ["slack"]  # the deleted Discord message spoils nothing else
    (ref, new), = shown
    assert ref == "1700000000.000100"
    line = next(it for it in new.items if it.fact_id == fact_id)
    assert line.text == "The desk's wording of the line." and "plainer" in (line.note or "")
    assert all(c.url for it in new.items for c in it.citations)  # links kept, and made for new quotes
    updates = await seeded_copy.post_updates(fact_id)
    assert [(u.platform, u.channel, u.ref, u.version) for u in updates] == [
        ("slack", "C1", "1700000000.000100", version)
    ]

    # A retraction leaves the line where it was, labelled.
    retracted = await seeded_copy.change_status(
        fact_id, status="retracted", reason="wrong story", expected_version=None, editor=DESK
    )
    await posted.update(fact_id, retracted, "Retracted 2026-12-07: wrong story")
    line = next(it for it in shown[-1][1].items if it.fact_id == fact_id)
    assert line.text == "The desk's wording of the line." and line.note == "Retracted 2026-12-07: wrong story"
