"""The store: migrations, idempotent and versioned ingest, merging, nothing half-written."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from facts.countries import resolve_country
from facts.read.article import ArticleInput
from facts.store.migrations import MIGRATIONS
from facts.store.protocols import PassageQuery
from facts.store.sqlite_store import SQLiteStore, open_store
from facts.store.text_spans import FACT_TEXT, passage_text
from tests.store_backends import ENGINES

STORE_ENGINES = ENGINES  # each store test runs on SQLite and on PostgreSQL

LEAD = (
    "The governments of Peru and Chile signed a fisheries agreement on Monday that sets quotas "
    "for anchovy boats along their shared coast, officials said."
)
WIRE = (
    "Under the accord, fishing fleets from both countries must report every catch to a joint "
    "commission in Lima within three days of landing."
)


def art(url: str, body: str, *, outlet: str = "Andes Wire", published: str = "2021-03-08") -> ArticleInput:
    return ArticleInput(
        title="Peru and Chile sign fisheries pact",
        outlet=outlet,
        published=published,
        published_precision="day",
        url=url,
        body=body,
        origin=url,
    )


async def count(store: SQLiteStore, table: str) -> int:
    row = await store.connection.fetchone(f"SELECT count(*) AS n FROM {table}")
    return int(row["n"])


async def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    for _ in range(2):
        store = await open_store(path, bundled_corpus=False)
        await store.close()
    con = sqlite3.connect(path)
    names = [r[0] for r in con.execute("SELECT name FROM _migrations ORDER BY name")]
    assert names == [name for name, _ in MIGRATIONS]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


async def test_same_content_twice_adds_nothing(empty_store: SQLiteStore) -> None:
    a = art("https://andes.example/1", f"{LEAD}\n\n{WIRE}\n")
    first = await empty_store.ingest(a)
    before = [await count(empty_store, t) for t in ("documents", "passages", "facts", "fact_sources")]
    second = await empty_store.ingest(a)
    after = [await count(empty_store, t) for t in ("documents", "passages", "facts", "fact_sources")]
    assert (first.status, second.status) == ("added", "unchanged")
    assert before == after


async def test_new_content_at_a_known_url_is_a_new_version(empty_store: SQLiteStore) -> None:
    await empty_store.ingest(art("https://andes.example/1", f"{LEAD}\n"))
    result = await empty_store.ingest(art("https://andes.example/1", f"{LEAD}\n\n{WIRE}\n"))
    assert (result.status, result.version) == ("new_version", 2)
    docs = await empty_store.documents()
    assert [d.version for d in docs] == [1, 2]
    assert docs[0].superseded_by == docs[1].id
    facts = await empty_store.document_facts(docs[1].id)
    assert all(s.doc.id == docs[1].id for f in facts for s in f.sources)


async def test_same_sentence_from_two_outlets_is_one_fact_citing_both(empty_store: SQLiteStore) -> None:
    await empty_store.ingest(art("https://andes.example/1", f"{LEAD}\n\n{WIRE}\n"))
    edited = WIRE.replace("must report", "are required to report")
    await empty_store.ingest(art("https://coast.example/9", f"{edited}\n", outlet="Coast Daily"))
    facts = await empty_store.agreement_facts("PE")
    wire = [f for f in facts if "joint commission" in f.text]
    assert len(wire) == 1
    assert {s.doc.outlet for s in wire[0].sources} == {"Andes Wire", "Coast Daily"}
    assert {s.quote for s in wire[0].sources} == {WIRE, edited}


async def test_a_failed_write_leaves_nothing_behind(
    empty_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await empty_store.ingest(art("https://andes.example/1", f"{LEAD}\n"))
    before = [await count(empty_store, t) for t in ("documents", "passages", "facts", "fact_sources")]

    def boom(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(empty_store._writer, "_write_entities", boom)
    with pytest.raises(RuntimeError):
        await empty_store.ingest(art("https://andes.example/2", f"{WIRE}\n"))
    after = [await count(empty_store, t) for t in ("documents", "passages", "facts", "fact_sources")]
    assert before == after


async def test_passages_keep_offsets_into_the_document(empty_store: SQLiteStore) -> None:
    body = f"FILE - A fishing boat at dawn in Callao, Peru, March 1, 2021.\n\n{LEAD} {WIRE}\n"
    await empty_store.ingest(art("https://andes.example/1", body))
    rows = await empty_store.connection.fetchall(
        f"SELECT p.start, p.end, {passage_text()} AS text, p.kind FROM passages p"
        " JOIN documents d ON d.id = p.doc_id ORDER BY p.idx"
    )
    assert [r["kind"] for r in rows] == ["caption", "sentence", "sentence"]
    assert all(body[s:e] == text for s, e, text, _ in rows)
    # The sentence is kept once, in the body: passages and sources hold offsets, not copies.
    sql = (  # a table's columns, asked the same way of both engines
        "SELECT * FROM passages p JOIN fact_sources s ON s.passage_id = p.id LIMIT 1"
    )
    row = await empty_store.connection.fetchone(sql)
    names = set(row.keys())
    columns = {"passages": names, "fact_sources": names}
    assert "text" not in columns["passages"] and "quote" not in columns["fact_sources"]
    (stored,) = await empty_store.connection.fetchone("SELECT count(*) FROM facts WHERE text IS NOT NULL")
    assert stored == 0  # every extracted fact is a span of its article
    found = await empty_store.search_passages(PassageQuery.all_of(["joint commission"]))
    assert [h.text for h in found] == [WIRE]


async def test_conflicting_figures_are_shown_side_by_side(empty_store: SQLiteStore) -> None:
    said = (
        "Customs officials in both countries said the pact covers {} fishing boats registered in two ports."
    )
    one, two = said.format("4,200"), said.format("3,900")
    await empty_store.ingest(art("https://andes.example/1", f"{LEAD}\n\n{one}\n"))
    await empty_store.ingest(art("https://coast.example/2", f"{LEAD}\n\n{two}\n", outlet="Coast Daily"))
    from facts.answers.queries import agreement

    answer = await agreement(empty_store, resolve_country("peru"))
    line = next(i for i in answer.items if "fishing boats" in i.text)
    assert len(line.citations) == 2
    assert line.note and "4,200" in line.note and "3,900" in line.note and "differ" in line.note


async def test_one_event_told_with_different_dates_shows_both(empty_store: SQLiteStore) -> None:
    other = (
        "Chile and Peru signed the fisheries accord on Sunday after two years of talks, "
        "the foreign ministry in Santiago said."
    )
    await empty_store.ingest(art("https://andes.example/1", f"{LEAD}\n"))
    await empty_store.ingest(art("https://coast.example/2", f"{other}\n", outlet="Coast Daily"))
    from facts.answers.queries import timeline

    answer = await timeline(empty_store, dt.date(2021, 1, 1), dt.date(2021, 12, 31), None, 1, again="2021")
    signed = [i for i in answer.items if "signed" in i.text]
    assert len(signed) == 1
    assert {answer.sources[c.source - 1].outlet for c in signed[0].citations} == {"Andes Wire", "Coast Daily"}
    assert signed[0].note and "2021-03-08" in signed[0].note and "2021-03-07" in signed[0].note


async def test_same_event_in_different_words_is_one_line_citing_each(empty_store: SQLiteStore) -> None:
    other = (
        "Chile and Peru signed the fisheries accord on Monday after two years of talks, "
        "the foreign ministry in Santiago said."
    )
    await empty_store.ingest(art("https://andes.example/1", f"{LEAD}\n"))
    await empty_store.ingest(art("https://coast.example/2", f"{other}\n", outlet="Coast Daily"))
    from facts.answers.queries import agreement

    answer = await agreement(empty_store, resolve_country("chile"))
    signed = [i for i in answer.items if "signed" in i.text]
    assert len(signed) == 1 and len(signed[0].citations) == 2
    assert signed[0].date == "2021-03-08" and signed[0].note is None


async def test_entities_are_stored_with_titles(empty_store: SQLiteStore) -> None:
    body = (
        f"{LEAD}\n\nPeruvian Foreign Minister Ana Ruiz Perez said the quotas would be reviewed yearly.\n\n"
        "Ruiz said the joint commission would meet in Lima.\n"
    )
    await empty_store.ingest(art("https://andes.example/1", body))
    found = await empty_store.connection.fetchall(
        "SELECT e.kind, e.name, pe.title FROM entities e JOIN passage_entities pe ON pe.entity_id = e.id"
    )
    rows = {tuple(r) for r in found}
    assert ("person", "Ana Ruiz Perez", "Foreign Minister") in rows
    assert ("country", "Peru", None) in rows and ("country", "Chile", None) in rows
    people = {name for kind, name, _ in rows if kind == "person"}
    assert people == {"Ana Ruiz Perez"}, "the later 'Ruiz' is the same person"


async def test_bulk_ingest_rolls_back_only_the_failing_article(
    empty_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = empty_store._writer
    real_write = writer._write

    def flaky(article: ArticleInput, *args: object) -> object:
        if article.url.endswith("/bad"):
            real_write(article, *args)  # it gets half-way through, then fails
            raise RuntimeError("disk on fire")
        return real_write(article, *args)

    monkeypatch.setattr(writer, "_write", flaky)
    batch = [
        art("https://andes.example/1", f"{LEAD}\n"),
        art("https://andes.example/bad", f"{WIRE}\n"),
        art("https://coast.example/3", f"{WIRE} More text here about boats.\n", outlet="Coast Daily"),
    ]
    results = [r async for r in empty_store.ingest_many(batch, batch=10)]
    assert [r.status for r in results] == ["added", "failed", "added"]
    assert results[1].error and "disk on fire" in results[1].error
    urls = [d.url for d in await empty_store.documents()]
    assert urls == ["https://andes.example/1", "https://coast.example/3"]
    orphans = await empty_store.connection.fetchone(
        "SELECT count(*) AS n FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)"
    )
    assert orphans["n"] == 0
    assert await count(empty_store, "passages") == 3
    again = [r async for r in empty_store.ingest_many(batch[:1])]
    assert again[0].status == "unchanged"


@pytest.mark.parametrize(
    ("bodies", "expected"),
    [
        # (the url's body in each batch of two, after its first version is stored) -> statuses
        (["second", "first"], ["new_version", "added", "new_version", "added"]),  # back to the first
        (["second", "second"], ["new_version", "added", "unchanged", "added"]),  # the same twice
        (["first", "second"], ["unchanged", "added", "new_version", "added"]),
    ],
)
async def test_a_url_in_two_batches_in_a_row_is_checked_against_what_the_first_wrote(
    empty_store: SQLiteStore, bodies: list[str], expected: list[str]
) -> None:
    """The next batch's stored hashes are read before this batch is written (so that its
    extraction overlaps the write); a url of the batch being written must not be taken as
    unchanged on that earlier reading."""
    text = {"first": f"{LEAD}\n", "second": f"{LEAD} The vote was close.\n"}
    url = "https://andes.example/1"
    await empty_store.ingest(art(url, text["first"]))
    stream = [
        art(url, text[bodies[0]]),
        art("https://coast.example/2", f"{WIRE}\n", outlet="Coast Daily"),
        art(url, text[bodies[1]]),
        art("https://coast.example/3", f"{WIRE} More about boats.\n", outlet="Coast Daily"),
    ]
    results = [r async for r in empty_store.ingest_many(stream, batch=2)]
    assert [r.status for r in results] == expected
    current = [d for d in await empty_store.documents() if d.url == url and d.superseded_by is None]
    assert len(current) == 1 and current[0].version == 1 + expected.count("new_version")


def _write_as_release_0008(path: Path) -> None:
    """One article as the writer before migration 0009 stored it: text copied into passages,
    the full-text index, facts and sources; shingle sets in the fact row; 8-bit vectors."""
    from facts.extract.near_duplicates import anchors, pack, shingles, tokens
    from facts.store.migrations import _statements

    con = sqlite3.connect(path)
    con.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:8]:
        for statement in _statements(sql):
            con.execute(statement)
        con.execute("INSERT INTO _migrations VALUES (?, '2026-01-01')", (name,))
    body = f"{LEAD}\n\n{WIRE}\n"
    con.execute(
        "INSERT INTO documents (id, url, outlet, title, published, published_precision, content_hash, body,"
        " ingested_at) VALUES (1, 'https://andes.example/1', 'Andes Wire', 'Peru and Chile sign fisheries"
        " pact', '2021-03-08', 'day', 'old', ?, '2026-01-01')",
        (body,),
    )
    for idx, text in enumerate((LEAD, WIRE)):
        start = body.index(text)
        con.execute(
            "INSERT INTO passages (id, doc_id, idx, paragraph, start, end, kind, text)"
            " VALUES (?, 1, ?, ?, ?, ?, 'sentence', ?)",
            (idx + 1, idx, idx, start, start + len(text), text),
        )
        shingle_set = shingles(tokens(text))
        con.execute(
            "INSERT INTO facts (id, text, words, shingles, shingle_set, salience, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, 1, '2026-01-01', '2026-01-01')",
            (idx + 1, text, len(tokens(text)), len(shingle_set), pack(shingle_set)),
        )
        rows = [(h, idx + 1) for h in anchors(shingle_set)]
        con.executemany("INSERT INTO fact_shingles (hash, fact_id) VALUES (?, ?)", rows)
        con.execute(
            "INSERT INTO fact_sources (fact_id, passage_id, doc_id, quote) VALUES (?, ?, 1, ?)",
            (idx + 1, idx + 1, text),
        )
        con.execute("INSERT INTO fact_agreements (country, fact_id, explicit) VALUES ('PE', ?, 1)", [idx + 1])
        con.execute(
            "INSERT INTO passage_vectors (passage_id, bits, vec, svec) VALUES (?, ?, ?, ?)",
            (idx + 1, bytes(32), bytes(256), bytes(256)),
        )
    con.execute("INSERT INTO _meta (key, value) VALUES ('vectors_complete', '2026-01-01')")
    con.commit()
    con.close()


async def test_a_store_from_an_older_release_is_upgraded_and_keeps_finding_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _write_as_release_0008(path)
    store = await open_store(path, bundled_corpus=False)
    try:
        # Its text now read by offsets, its index rebuilt, its vectors made again.
        found = await store.search_passages(PassageQuery.all_of(["joint commission"]))
        assert [h.text for h in found] == [WIRE]
        (vectors,) = await store.connection.fetchone("SELECT count(*) FROM passage_vectors")
        assert vectors == 2
        (kept,) = await store.connection.fetchone("SELECT count(*) FROM facts WHERE text IS NOT NULL")
        assert kept == 0
        # A later copy of the wire sentence still merges with the fact stored before the upgrade.
        await store.ingest(art("https://coast.example/2", f"{WIRE}\n", outlet="Coast Daily"))
        wire = [f for f in await store.agreement_facts("PE") if "joint commission" in f.text]
        assert len(wire) == 1
        assert wire[0].text == WIRE
        assert {s.doc.outlet for s in wire[0].sources} == {"Andes Wire", "Coast Daily"}
        assert [s.quote for s in wire[0].sources] == [WIRE, WIRE]
        asked = await store.ask_passages([1, 2])
        assert {p.hit.text for p in asked} == {LEAD, WIRE} and all(p.svec.any() for p in asked)
    finally:
        await store.close()
    con = sqlite3.connect(path)
    names = [r[0] for r in con.execute("SELECT name FROM _migrations ORDER BY name")]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    vector_columns = [r[1] for r in con.execute("PRAGMA table_info(passage_vectors)")]
    agreement_key = [r[2] for r in con.execute("PRAGMA index_info(sqlite_autoindex_fact_agreements_1)")]
    con.close()
    assert names == [name for name, _ in MIGRATIONS]
    assert "shingle_df" not in tables and "document_vectors" not in tables
    assert vector_columns == ["passage_id", "bits"]  # signs only: /ask embeds its candidates again
    assert agreement_key[:2] == ["fact_id", "country"]


async def test_a_failing_migration_leaves_the_store_at_the_last_good_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facts.store.migrations as migrations

    broken = ("9999_broken", "CREATE TABLE half_done (x INTEGER);\nSELECT * FROM no_such_table;")
    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
        await open_store(tmp_path / "m.db", bundled_corpus=False)
    con = sqlite3.connect(tmp_path / "m.db")
    names = [r[0] for r in con.execute("SELECT name FROM _migrations ORDER BY name")]
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert names == [name for name, _ in MIGRATIONS]
    assert "half_done" not in tables


async def test_a_stock_phrase_shared_by_many_sentences_does_not_hide_a_real_duplicate(
    empty_store: SQLiteStore,
) -> None:
    stock = "The two governments said in a joint statement that"
    endings = [
        "anchovy quotas will be reviewed by marine biologists every spring",
        "border crossings near Arica will stay open through the holidays",
        "a new rail link between Tacna and the port is being studied",
        "customs officers would share passenger records under strict privacy rules",
        "copper exports had fallen sharply during the previous winter season",
        "a binational commission will mediate water disputes along the river",
        "students may attend universities in either country without paying extra fees",
        "earthquake drills are planned for coastal towns before the tourist season",
        "pension contributions earned abroad will count toward retirement benefits",
        "smuggling of counterfeit medicines across the desert has nearly doubled",
        "fishing boats caught in storms may shelter in any harbour on the coast",
        "a joint astronomy observatory will be financed from both national budgets",
    ]
    for i, ending in enumerate(endings):
        await empty_store.ingest(art(f"https://andes.example/{i}", f"{stock} {ending}.\n"))
    assert await count(empty_store, "facts") == len(endings)
    again = f"{stock} {endings[5]}.\n"
    await empty_store.ingest(art("https://coast.example/again", again, outlet="Coast Daily"))
    assert await count(empty_store, "facts") == len(endings)
    twice = await empty_store.connection.fetchall(
        f"SELECT {FACT_TEXT} AS text FROM facts f JOIN fact_sources s ON s.fact_id = f.id"
        " GROUP BY f.id HAVING count(*) = 2"
    )
    assert [r["text"] for r in twice] == [again.strip()]


async def test_alike_sentences_about_different_countries_stay_two_facts(empty_store: SQLiteStore) -> None:
    peru = "Peru's foreign ministry did not return calls late Saturday."
    chile = "Chile's foreign ministry did not return calls on Saturday."
    peru_again = "Peru's foreign ministry did not return calls on Saturday."
    for url, text, outlet in [
        ("https://andes.example/1", peru, "Andes Wire"),
        ("https://coast.example/2", chile, "Coast Daily"),
        ("https://sur.example/3", peru_again, "Sur"),
    ]:
        await empty_store.ingest(art(url, f"{text}\n", outlet=outlet))
    rows = [
        tuple(r)
        for r in await empty_store.connection.fetchall(
            f"SELECT {FACT_TEXT}, count(*) FROM facts f JOIN fact_sources s ON s.fact_id = f.id"
            " GROUP BY f.id ORDER BY f.id"
        )
    ]
    assert [tuple(r) for r in rows] == [(peru, 2), (chile, 1)]


async def test_copies_are_looked_for_among_recent_facts_and_older_anchors_are_pruned(
    empty_store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import facts.store.writer as writer

    monkeypatch.setattr(writer, "DEDUP_WINDOW", 4)
    monkeypatch.setattr(writer, "PRUNE_EVERY", 3)
    fillers = [
        "Anchovy quotas will be reviewed by marine biologists from both coasts every spring.",
        "Border crossings near Arica will stay open through the holidays for freight trucks.",
        "A new rail link between Tacna and the port of Arica is being studied by engineers.",
        "Customs officers would share passenger records under strict privacy rules next year.",
        "Copper exports had fallen sharply during the previous winter season in the north.",
    ]
    await empty_store.ingest(art("https://andes.example/wire", f"{WIRE}\n"))
    # A copy while the original is among the last facts: one fact, two sources.
    await empty_store.ingest(art("https://coast.example/1", f"{WIRE}\n", outlet="Coast Daily"))
    assert await count(empty_store, "facts") == 1
    for i, line in enumerate(fillers):
        await empty_store.ingest(art(f"https://andes.example/{i}", f"{line}\n"))
    # Five newer facts later, the original is out of the window: a late copy is a fact of its own.
    await empty_store.ingest(art("https://sur.example/late", f"{WIRE}\n", outlet="Sur"))
    assert await count(empty_store, "facts") == 7
    (oldest,) = await empty_store.connection.fetchone("SELECT min(fact_id) FROM fact_shingles")
    assert oldest > 1  # the original's anchors were pruned: nothing will look for it again
    # A copy of the late one, still recent, finds it.
    await empty_store.ingest(art("https://coast.example/2", f"{WIRE}\n", outlet="Coast Daily"))
    assert await count(empty_store, "facts") == 7


@pytest.mark.parametrize(
    ("start", "end", "in_2019"),
    [
        ("2019-03-01", "2019-03-01", True),  # within the year
        ("2019-11-15", "2020-02-10", True),  # crosses into the next year
        ("2018-11-15", "2019-02-10", True),  # crosses into this year
        ("2018-12-31", "2020-01-01", True),  # covers the whole year: 366 days, a long span
        ("2019-01-01", "2020-01-01", True),  # 365 days from its first day: crosses out of it
        ("2015-01-01", "2022-12-31", True),  # a long span around it
        ("2018-01-01", "2018-12-31", False),
        ("2020-01-01", "2020-03-31", False),
        ("2017-06-01", "2018-06-01", False),  # crosses a new year, not this one
    ],
)
async def test_a_timeline_year_holds_every_fact_whose_interval_overlaps_it(
    empty_store: SQLiteStore, start: str, end: str, in_2019: bool
) -> None:
    await empty_store.ingest(art("https://andes.example/span", f"{LEAD}\n"))
    (fact_id,) = await empty_store.connection.fetchone("SELECT min(id) FROM facts")
    sql = "UPDATE facts SET date_start = ?, date_end = ?, date_precision = 'range' WHERE id = ?"
    await empty_store.connection.execute(sql, (start, end, fact_id))
    found = await empty_store.range_facts("2019-01-01", "2019-12-31")
    assert (fact_id in [f.id for f in found]) is in_2019
