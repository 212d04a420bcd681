"""The desk corrects the record: add, correct, retract, restore, history; permissions; concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.handler import Access, handle
from bot.requests import Request
from facts.answers.contract import Answer
from facts.errors import ChangedMeanwhile, UsageError
from facts.store.corrections import Editor, parse_date_spec
from facts.store.sqlite_store import SQLiteStore
from tests.store_backends import ENGINES

STORE_ENGINES = ENGINES  # each store test runs on SQLite and on PostgreSQL

EDITOR = "slack:UEDITOR"
ACCESS = Access(admins=frozenset({EDITOR}), discord_admin_roles=frozenset({"777"}))




async def run(store: SQLiteStore, line: str, actor: str = EDITOR, roles: tuple[str, ...] = ()) -> Answer:
    command, _, text = line.partition(" ")
    request = Request(command=command.lstrip("/"), text=text, actor=actor, roles=roles)
    return await handle(request, store, access=ACCESS)


async def a_dated_fact(store: SQLiteStore) -> tuple[int, str]:
    """Some fact of the 2019 timeline and the date it shows."""
    answer = await run(store, "/timeline 2019")
    item = next(i for i in answer.items if i.date_precision == "day")
    assert item.fact_id is not None and item.date
    return item.fact_id, item.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-09-20", ("2019-09-20", "2019-09-20", "day")),
        ("2019-09", ("2019-09-01", "2019-09-30", "month")),
        ("2019", ("2019-01-01", "2019-12-31", "year")),
        ("2019-11 to 2020-03", ("2019-11-01", "2020-03-31", "range")),
        ("Sept. 20, 2019", ("2019-09-20", "2019-09-20", "day")),
    ],
)
def test_editors_give_dates_at_any_precision(text: str, expected: tuple[str, str, str]) -> None:
    spec = parse_date_spec(text, today=dt.date(2026, 11, 24))
    assert (spec.start, spec.end, spec.precision) == expected


@pytest.mark.parametrize("text", ["", "someday", "2019-13-45", "the minister said it was fine"])
def test_a_date_that_does_not_parse_is_refused(text: str) -> None:
    with pytest.raises(UsageError):
        parse_date_spec(text, today=dt.date(2026, 11, 24))


async def test_a_corrected_date_shows_labelled_in_timelines_and_history_keeps_both(
    seeded_copy: SQLiteStore,
) -> None:
    fact_id, old_date = await a_dated_fact(seeded_copy)
    new_date = (dt.date.fromisoformat(old_date) + dt.timedelta(days=1)).isoformat()
    done = await run(seeded_copy, f'/fact correct {fact_id} date={new_date} note="the wire moved it a day"')
    assert done.error is None and "version 2" in done.title
    timeline = await run(seeded_copy, "/timeline 2019")
    line = next(i for i in timeline.items if i.fact_id == fact_id)
    assert line.date == new_date
    assert line.note and line.note.startswith("Corrected ") and "the wire moved it a day" in line.note
    assert line.citations and all(c.quote for c in line.citations)  # still the sources' own words
    history = await run(seeded_copy, f"/fact history {fact_id}", actor="slack:UREADER")
    assert len(history.notes) == 2
    assert history.notes[0].startswith("v1 ") and "extracted" in history.notes[0]
    assert history.notes[1].startswith("v2 ") and f"by {EDITOR} on slack" in history.notes[1]
    assert f"{old_date} → {new_date}" in history.notes[1] and "the wire moved it a day" in history.notes[1]


async def test_corrected_text_shows_in_agreement_answers(seeded_copy: SQLiteStore) -> None:
    answer = await run(seeded_copy, "/agreement el-salvador")
    fact_id = answer.items[0].fact_id
    await run(seeded_copy, f'/fact correct {fact_id} text="The corrected wording." note="misquoted"')
    again = await run(seeded_copy, "/agreement el-salvador")
    line = next(i for i in again.items if i.fact_id == fact_id)
    assert line.text == "The corrected wording." and "misquoted" in (line.note or "")


async def test_retract_removes_from_every_answer_and_restore_brings_back(seeded_copy: SQLiteStore) -> None:
    answer = await run(seeded_copy, "/search asylum")
    fact_id = next(i.fact_id for i in answer.items if i.fact_id)
    refused = await run(seeded_copy, f"/fact retract {fact_id}")
    assert refused.error is not None and "why" in refused.error.message.lower()
    done = await run(seeded_copy, f"/fact retract {fact_id} duplicate of another line")
    assert done.error is None and "retracted" in done.title
    for line in ("/search asylum", "/agreement el-salvador", "/timeline 2019-2020", "/source 1"):
        assert fact_id not in {i.fact_id for i in (await run(seeded_copy, line)).items}, line
    shown = await run(seeded_copy, f"/fact show {fact_id}", actor="slack:UREADER")
    assert shown.error is None and "retracted" in shown.title
    await run(seeded_copy, f"/fact restore {fact_id} reason='checked again: it stands'")
    assert fact_id in {i.fact_id for i in (await run(seeded_copy, "/search asylum")).items}
    history = await run(seeded_copy, f"/fact history {fact_id}")
    assert [n.split(" · ")[2].split()[0] for n in history.notes[1:]] == ["retracted", "restored"]


async def test_a_non_editor_is_refused_and_nothing_changes(
    seeded_copy: SQLiteStore, caplog: pytest.LogCaptureFixture
) -> None:
    fact_id, date = await a_dated_fact(seeded_copy)
    for line in (f"/fact correct {fact_id} date=2001-01-01 note=x", f"/fact retract {fact_id} x",
                 '/fact add text="x" country=peru source=1 quote="x"'):
        refused = await run(seeded_copy, line, actor="slack:USTRANGER")
        assert refused.error is not None and refused.error.code == "forbidden"
        assert "slack:USTRANGER" in refused.error.message
    assert "refused: slack:USTRANGER" in caplog.text
    fact = await seeded_copy.fact(fact_id)
    assert fact is not None and fact.version == 1 and fact.date_label == date
    assert await seeded_copy.fact_history(fact_id) == (await seeded_copy.fact_history(fact_id))[:1]


async def test_discord_admin_roles_grant_editing(seeded_copy: SQLiteStore) -> None:
    fact_id, _ = await a_dated_fact(seeded_copy)
    refused = await run(seeded_copy, f"/fact retract {fact_id} dup", actor="discord:42", roles=("1",))
    allowed = await run(seeded_copy, f"/fact retract {fact_id} dup", actor="discord:42", roles=("1", "777"))
    assert refused.error is not None and allowed.error is None


async def test_two_editors_cannot_lose_an_update(seeded_copy: SQLiteStore) -> None:
    fact_id, _ = await a_dated_fact(seeded_copy)
    first = await run(seeded_copy, f"/fact correct {fact_id} v=1 text='First fix.' note=one")
    second = await run(seeded_copy, f"/fact correct {fact_id} v=1 text='Second fix.' note=two")
    assert first.error is None
    assert second.error is not None and second.error.code == "conflict"
    assert "changed since you opened it" in second.error.message
    fact = await seeded_copy.fact(fact_id)
    assert fact is not None and fact.text == "First fix." and fact.version == 2


async def test_concurrent_changes_are_serialised_and_each_is_audited(seeded_copy: SQLiteStore) -> None:
    fact_id, _ = await a_dated_fact(seeded_copy)
    editor = Editor("slack:UEDITOR", "slack")
    results = await asyncio.gather(
        *(
            seeded_copy.correct_fact(
                fact_id, text=f"Fix {i}.", date=None, note=f"n{i}", expected_version=1, editor=editor
            )
            for i in range(5)
        ),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, ChangedMeanwhile)]
    assert won == [2] and len(lost) == 4
    assert [h.version for h in await seeded_copy.fact_history(fact_id)] == [1, 2]


async def test_bad_input_is_refused_in_one_line(seeded_copy: SQLiteStore) -> None:
    fact_id, _ = await a_dated_fact(seeded_copy)
    for line, needle in [
        ("/fact show 99999", "no fact 99999"),
        ("/fact correct 99999 text=x note=y", "no fact 99999"),
        (f"/fact correct {fact_id} text=x", "note"),
        (f"/fact correct {fact_id} note=why", "what to correct"),
        (f"/fact correct {fact_id} date=someday note=why", "someday"),
        ("/fact frobnicate 1", "Which /fact action"),
        ("/fact correct", "needs a fact id"),
        ('/fact add text="A new fact." country=el-salvador source=1 quote="words that are not there"',
         "not in source 1"),
        ('/fact add text="A new fact." country=atlantis source=1 quote="x"', "atlantis"),
    ]:
        answer = await run(seeded_copy, line)
        assert answer.error is not None, line
        assert needle in answer.error.message and "\n" not in answer.error.message, (line, answer.error)


async def test_an_added_fact_is_cited_and_marked_as_the_desks(seeded_copy: SQLiteStore) -> None:
    source = await seeded_copy.document(doc_id=1)
    assert source is not None
    body_row = await seeded_copy.connection.fetchone("SELECT body FROM documents WHERE id = 1")
    quote = " ".join(str(body_row["body"]).split("\n\n")[1].split()[:12])  # words straight from the article
    added = await run(
        seeded_copy, f'/fact add text="The desk confirmed the accord." date=2019-09-20 country=el-salvador '
        f'source=1 quote="{quote}"'
    )
    assert added.error is None, added.error
    item = added.items[0]
    assert item.note == "Added by the desk." and item.date == "2019-09-20"
    assert item.citations[0].quote and quote.split()[0] in item.citations[0].quote
    summary = await run(seeded_copy, "/agreement el-salvador")
    assert item.fact_id in {i.fact_id for i in summary.items} or len(summary.items) >= 12
    by_url = await run(
        seeded_copy, '/fact add text="The ministry published the text." country=el-salvador '
        'source=https://gob.example/comunicado quote="El texto del acuerdo fue publicado." '
        "published=2019-09-21",
    )
    assert by_url.error is None and by_url.sources[0].url == "https://gob.example/comunicado"
    assert by_url.items[0].citations[0].quote == "El texto del acuerdo fue publicado."
