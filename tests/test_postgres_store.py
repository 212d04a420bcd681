"""What the PostgreSQL store adds to the shared contract (tests/test_store.py and the ledgers'
tests run on both engines): how the shared SQL is spoken to psycopg, search text, several
replicas writing one database at once, migrations taken in turns, and copying a SQLite store."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import psycopg_pool
import pytest

from facts.read.article import ArticleInput
from facts.store.migrations import MIGRATIONS as SQLITE_MIGRATIONS
from facts.store.opening import StoreUnavailable, open_store
from facts.store.postgres.connection import to_format_style
from facts.store.postgres.migrations import MIGRATIONS, migrate
from facts.store.postgres.store import PostgresStore, open_postgres_store, redacted, websearch
from facts.store.protocols import PassageQuery

ROOT = Path(__file__).resolve().parent.parent
WIDER_CORPUS = ROOT.parent / "shared" / "eval" / "wider" / "corpus"


@pytest.mark.parametrize(
    ("shared", "psycopg_text"),
    [
        ("SELECT id FROM facts WHERE id = ?", "SELECT id FROM facts WHERE id = %s"),
        ("VALUES (?, ?, ?)", "VALUES (%s, %s, %s)"),
        ("SELECT '?' AS mark, ? AS n", "SELECT '?' AS mark, %s AS n"),  # a quoted ? is text
        ("WHERE title LIKE '%accord%' AND id > ?", "WHERE title LIKE '%%accord%%' AND id > %s"),
        ('SELECT "end" FROM passages WHERE start < ?', 'SELECT "end" FROM passages WHERE start < %s'),
        ("SELECT 'it''s' , ?", "SELECT 'it''s' , %s"),  # a doubled quote stays inside the string
    ],
)
def test_shared_sql_is_spoken_to_psycopg(shared: str, psycopg_text: str) -> None:
    assert to_format_style(shared) == psycopg_text


@pytest.mark.parametrize(
    ("query", "text"),
    [
        (PassageQuery.all_of(["fisheries accord"]), '"fisheries accord"'),
        (PassageQuery.all_of(["anchovy", "quota"]), '"anchovy" "quota"'),
        (PassageQuery.any_of(["anchovy", "sardine"]), '"anchovy" or "sardine"'),
        (PassageQuery.all_of(['say "no" -to   it']), '"say no -to it"'),  # a typed quote is no syntax
    ],
)
def test_a_passage_query_becomes_websearch_text(query: PassageQuery, text: str) -> None:
    assert websearch(query) == text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://desk:s3cret@db.internal:5432/factdesk",
            "postgresql://desk:***@db.internal:5432/factdesk",
        ),
        ("postgresql://desk@127.0.0.1/factdesk", "postgresql://desk@127.0.0.1/factdesk"),
        ("postgres://a:b@host/db", "postgres://a:***@host/db"),
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_the_migrations_have_sqlites_names() -> None:
    assert [name for name, _ in MIGRATIONS] == [name for name, _ in SQLITE_MIGRATIONS]


def test_replicas_starting_together_migrate_once(postgres_url: str) -> None:
    applied: list[list[str]] = []

    def start() -> None:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            applied.append(migrate(conn))

    threads = [threading.Thread(target=start) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(a) for a in applied) == [0, 0, len(MIGRATIONS)]


async def test_no_server_at_the_url_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreUnavailable) as refused:
        await open_store("postgresql://desk:hunter2@127.0.0.1:9/factdesk?connect_timeout=2")
    assert "hunter2" not in str(refused.value) and "\n" not in str(refused.value).strip()
    assert "postgresql://desk:***@127.0.0.1:9" in str(refused.value)


def article(n: int, *, outlet: str = "Harbour Gazette") -> ArticleInput:
    body = (
        f"The ministers of Arveland and Brisia signed accord number {n} on Monday in the port of"
        f" Kessel, setting {n + 10} inspections a year for cargo ships.\n\nOfficials from both"
        f" countries said the accord would take effect on March {1 + n % 27}, 2024."
    )
    return ArticleInput(
        title=f"Accord {n}",
        outlet=outlet,
        published="2024-02-12",
        published_precision="day",
        url=f"https://gazette.example/accord-{n}",
        body=body,
        origin=f"accord-{n}",
    )


async def test_two_replicas_ingesting_at_once_write_every_article_once(postgres_url: str) -> None:
    first = await open_store(postgres_url, bundled_corpus=False)
    second = await open_store(postgres_url, bundled_corpus=False)
    try:

        async def take(store: PostgresStore, ns: range) -> list[str]:
            return [r.status async for r in store.ingest_many([article(n) for n in ns], batch=3)]

        a, b = await asyncio.gather(take(first, range(0, 12)), take(second, range(12, 24)))
        # The same article from both at once: written once, the other finds it there.
        same = await asyncio.gather(first.ingest(article(99)), second.ingest(article(99)))
    finally:
        await first.close()
        await second.close()
    assert a == b == ["added"] * 12
    assert sorted(r.status for r in same) == ["added", "unchanged"]
    with psycopg.connect(postgres_url) as conn:
        docs, urls = conn.execute("SELECT count(*), count(DISTINCT url) FROM documents").fetchone()
        passages, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT (doc_id, idx)) FROM passages"
        ).fetchone()
        (orphans,) = conn.execute(
            "SELECT count(*) FROM fact_sources s LEFT JOIN passages p ON p.id = s.passage_id"
            " WHERE p.id IS NULL"
        ).fetchone()
    assert docs == urls == 25 and passages == distinct and orphans == 0


async def test_a_correction_through_one_replica_is_what_the_other_answers(postgres_url: str) -> None:
    from facts.store.corrections import Editor

    first = await open_store(postgres_url, bundled_corpus=False)
    second = await open_store(postgres_url, bundled_corpus=False)
    try:
        await first.ingest(article(1))
        fact = (await second.document_facts(1))[0]
        before = await second.state()
        await first.correct_fact(
            fact.id,
            text="Arveland and Brisia signed the accord.",
            date=None,
            note="desk wording",
            expected_version=fact.version,
            editor=Editor("slack:UEDITOR", "slack"),
        )
        seen = await second.fact(fact.id)
        after = await second.state()
    finally:
        await first.close()
        await second.close()
    assert seen is not None and seen.text == "Arveland and Brisia signed the accord."
    assert after != before  # the other replica's answer cache sees the record changed


async def test_one_digest_claim_wins_across_replicas(postgres_url: str) -> None:
    replicas = [await open_store(postgres_url, bundled_corpus=False) for _ in range(4)]
    try:
        claims = await asyncio.gather(
            *(
                r.claim_digest_run(
                    "slack:CDESK",
                    "2024-02-12T09:00",
                    "2024-02-11T09:00",
                    "2024-02-12T09:00",
                    owner=f"replica-{i}",
                    now="2024-02-12T09:00:01",
                    lease_until="2024-02-12T09:05:01",
                    max_attempts=5,
                )
                for i, r in enumerate(replicas)
            )
        )
    finally:
        for r in replicas:
            await r.close()
    assert sum(c is not None for c in claims) == 1


def factdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "FACTDESK_BUNDLED_CORPUS": "false", **(env or {})},
    )


def test_migrate_store_copies_everything_and_a_second_run_adds_nothing(
    seeded_db_path: Path, postgres_url: str, tmp_path: Path
) -> None:
    import shutil

    source = tmp_path / "desk.db"
    shutil.copy(seeded_db_path, source)
    fact = json.loads(factdesk("--db", str(source), "ask", "--json", "/agreement el-salvador").stdout)
    fact_id = fact["items"][0]["fact_id"]
    corrected = factdesk(
        "--db", str(source), "fact", "correct", str(fact_id), "text='Desk wording.'", "note=t"
    )
    assert corrected.returncode == 0, corrected.stderr

    first = factdesk("migrate-store", "--from", f"sqlite:///{source}", "--to", postgres_url)
    assert first.returncode == 0, first.stderr
    assert "every table's count matches" in first.stdout
    again = factdesk("migrate-store", "--from", f"sqlite:///{source}", "--to", postgres_url)
    assert again.returncode == 0 and again.stdout.splitlines()[1:] == first.stdout.splitlines()[1:]

    for command in ("/agreement el-salvador", "/timeline 2019", f"/fact history {fact_id}"):
        on_sqlite = factdesk("--db", str(source), "ask", "--json", command)
        on_postgres = factdesk("--db", postgres_url, "ask", "--json", command)
        assert json.loads(on_postgres.stdout) == json.loads(on_sqlite.stdout), command
    # New rows on PostgreSQL take ids after the copied ones.
    added = factdesk(
        "--db", postgres_url, "ingest", str(ROOT.parent / "shared" / "eval" / "wider" / "corpus")
    )
    assert added.returncode == 0, added.stderr


def test_migrate_store_refuses_a_target_holding_another_archive(
    seeded_db_path: Path, postgres_url: str, tmp_path: Path
) -> None:
    other = factdesk(
        "--db", postgres_url, "ingest", str(ROOT.parent / "shared" / "eval" / "wider" / "corpus")
    )
    assert other.returncode == 0, other.stderr
    refused = factdesk("migrate-store", "--from", str(seeded_db_path), "--to", postgres_url)
    assert refused.returncode == 1
    assert "copy into an empty PostgreSQL database" in refused.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "postgresql://a@h/db", "--to", "postgresql://a@h/db2"], "copy from a SQLite store"),
        (["--from", "sqlite:///nowhere/desk.db", "--to", "postgresql://a@127.0.0.1:9/db"], "no store at"),
        (["--from", "sqlite:///desk.db", "--to", "mysql://a@h/db"], "copy from a SQLite store"),
    ],
)
def test_migrate_store_says_what_is_wrong_with_its_arguments(args: list[str], says: str) -> None:
    refused = factdesk("migrate-store", *args)
    assert refused.returncode == 2 and says in refused.stderr


async def test_doctor_checks_a_postgresql_store(postgres_url: str) -> None:
    store = await open_postgres_store(postgres_url, bundled_corpus=False)
    await store.close()
    checked = factdesk("--db", postgres_url, "doctor")
    assert "ok    store postgresql://" in checked.stdout and "migrations: 15 applied" in checked.stdout


async def test_one_replica_claims_a_due_feed_poll(postgres_url: str) -> None:
    replicas = [await open_store(postgres_url, bundled_corpus=False) for _ in range(4)]
    try:
        url, now = "https://harbour.example/feed.xml", "2024-02-12T09:00:00+00:00"
        feed, _ = await replicas[0].add_feed(url, origin="command", added_by="t", now=now)
        claims = await asyncio.gather(
            *(
                r.claim_feed_poll(feed.id, due_at=feed.next_poll_at, until="2024-02-12T09:10:00+00:00")
                for r in replicas
            )
        )
    finally:
        for r in replicas:
            await r.close()
    assert sorted(claims) == [False, False, False, True]


async def test_the_health_probe_fails_while_the_database_refuses_and_passes_once_it_is_back(
    postgres_url: str, postgres_server: str
) -> None:
    store = await open_store(postgres_url, bundled_corpus=False)
    name = postgres_url.rsplit("/", 1)[1]
    try:
        await store.probe()
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
            admin.execute(sql, (name,))
        with pytest.raises((psycopg.Error, psycopg_pool.PoolTimeout)):  # not a hang (TimeoutError)
            await asyncio.wait_for(store.probe(), timeout=30)
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await store.probe()
        assert await store.passage_count() == 0  # and commands are served again
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await store.close()


async def test_two_replicas_starting_on_an_empty_database_seed_it_once(postgres_url: str) -> None:
    """What the replicas deploy does on its first start: both migrate and seed at the same time."""
    first, second = await asyncio.gather(open_store(postgres_url), open_store(postgres_url))
    try:
        docs = await second.documents()
        assert len(docs) == 5 and len({d.url for d in docs}) == 5
        assert [d.id for d in await first.documents()] == [d.id for d in docs]
    finally:
        await first.close()
        await second.close()
