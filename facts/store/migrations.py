"""Named schema migrations, each applied once in its own transaction.

A migration is never edited after it ships: a change to the schema is a new entry at the
end of :data:`MIGRATIONS`. Applied names are recorded in ``_migrations``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

__all__ = ["MIGRATIONS", "applied_migrations", "migrate"]

INITIAL = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    outlet TEXT NOT NULL,
    title TEXT NOT NULL,
    headline TEXT,
    published TEXT NOT NULL,
    published_precision TEXT NOT NULL CHECK (published_precision IN ('day', 'month')),
    author TEXT,
    date_note TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    content_hash TEXT NOT NULL,
    body TEXT NOT NULL,
    origin TEXT,
    ingested_at TEXT NOT NULL,
    superseded_by INTEGER REFERENCES documents(id),
    UNIQUE (url, version)
);
CREATE INDEX documents_by_hash ON documents(content_hash);

CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    idx INTEGER NOT NULL,
    paragraph INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    is_caption INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    UNIQUE (doc_id, idx)
);

CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, content='passages', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
    INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('country', 'person', 'org')),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (kind, key)
);

CREATE TABLE passage_entities (
    passage_id INTEGER NOT NULL REFERENCES passages(id),
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    title TEXT,
    PRIMARY KEY (passage_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX passage_entities_by_entity ON passage_entities(entity_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    date_start TEXT NOT NULL,
    date_end TEXT NOT NULL,
    date_precision TEXT NOT NULL,
    verb TEXT NOT NULL,
    country TEXT
);
CREATE INDEX events_by_key ON events(date_start, date_end, verb);

CREATE TABLE facts (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL,
    words INTEGER NOT NULL,
    shingles INTEGER NOT NULL,
    shingle_set BLOB NOT NULL DEFAULT x'',
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT,
    date_mod TEXT,
    date_label TEXT,
    date_end_label TEXT,
    date_text TEXT,
    event_id INTEGER REFERENCES events(id),
    salience REAL NOT NULL DEFAULT 0,
    agreement_name TEXT,
    facets TEXT NOT NULL DEFAULT '',
    topic TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retracted')),
    origin TEXT NOT NULL DEFAULT 'extracted',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Covering indexes for timelines: a year's candidates are read from the index alone. Facts
-- spanning more than a year ("the 1990s") are few and have their own index.
CREATE INDEX facts_by_date ON facts(date_start, date_end, salience, status) WHERE date_start IS NOT NULL;
CREATE INDEX facts_long_spans ON facts(date_start, date_end)
    WHERE date_start IS NOT NULL AND julianday(date_end) - julianday(date_start) > 366;
CREATE INDEX facts_by_event ON facts(event_id) WHERE event_id IS NOT NULL;

CREATE TABLE fact_sources (
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    passage_id INTEGER NOT NULL REFERENCES passages(id),
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    quote TEXT NOT NULL,
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT,
    date_label TEXT,
    numbers TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (fact_id, passage_id)
) WITHOUT ROWID;
CREATE INDEX fact_sources_by_doc ON fact_sources(doc_id);
CREATE INDEX fact_sources_by_passage ON fact_sources(passage_id);

CREATE TABLE fact_agreements (
    country TEXT NOT NULL,
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    explicit INTEGER NOT NULL,
    PRIMARY KEY (country, fact_id)
) WITHOUT ROWID;
CREATE INDEX fact_agreements_by_fact ON fact_agreements(fact_id);

CREATE TABLE fact_countries (
    country TEXT NOT NULL,
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    PRIMARY KEY (country, fact_id)
) WITHOUT ROWID;

-- Only each fact's anchor shingles (see facts.extract.near_duplicates.anchors): enough to find candidates;
-- facts.shingle_set holds the full set that decides.
CREATE TABLE fact_shingles (
    hash INTEGER NOT NULL,
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    PRIMARY KEY (hash, fact_id)
) WITHOUT ROWID;

-- How many facts carry each shingle. Shingles carried by very many facts ("the two countries
-- said") say nothing about duplication and are skipped when looking for duplicates.
CREATE TABLE shingle_df (hash INTEGER PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE fact_history (
    id INTEGER PRIMARY KEY,
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    version INTEGER NOT NULL,
    actor TEXT NOT NULL,
    platform TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT,
    snapshot TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX fact_history_by_fact ON fact_history(fact_id, version);

CREATE TABLE _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# The writer counts an anchor's facts straight from fact_shingles (at most
# COMMON_SHINGLE_FACTS rows per lookup) and remembers the common ones: keeping a separate
# count per shingle cost a random-access upsert for every anchor written.
DROP_SHINGLE_DF = """
DROP TABLE shingle_df;
"""

# Editors' corrections (facts.store.corrections): when and why a fact was corrected, and by whom it
# was last changed; the full before/after of every change is in fact_history.
CORRECTIONS = """
ALTER TABLE facts ADD COLUMN corrected_at TEXT;
ALTER TABLE facts ADD COLUMN correction_note TEXT;
ALTER TABLE facts ADD COLUMN changed_by TEXT;
"""

# Scheduled digests: who gets one (a channel, its cron schedule and time zone), and every digest
# sent, one row per channel and scheduled period, which is what makes sending exactly-once.
DIGESTS = """
CREATE TABLE digest_subscriptions (
    channel TEXT PRIMARY KEY,
    schedule TEXT NOT NULL,
    timezone TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('settings', 'command')),
    active INTEGER NOT NULL DEFAULT 1,
    changed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE digest_runs (
    channel TEXT NOT NULL,
    period TEXT NOT NULL,
    covered_from TEXT NOT NULL,
    covered_to TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'empty', 'unknown')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT,
    message_ref TEXT,
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, period)
);
CREATE INDEX fact_history_by_time ON fact_history(at);
CREATE INDEX facts_by_created ON facts(created_at);
"""

# Every attempt of a digest run is claimed by one runner: ``attempts`` is the number of the
# attempt claimed, ``lease_owner`` / ``lease_until`` who holds it and until when, ``posting_at``
# when that runner started the post (after which the outcome is unknown until it says).
DIGEST_LEASES = """
ALTER TABLE digest_runs ADD COLUMN lease_owner TEXT;
ALTER TABLE digest_runs ADD COLUMN lease_until TEXT;
ALTER TABLE digest_runs ADD COLUMN posting_at TEXT;
"""

# Platform deliveries already answered (Slack trigger ids), so a redelivery, also after a
# restart, is answered once; rows expire (``expires_at``, seconds since the epoch).
DELIVERIES = """
CREATE TABLE deliveries (
    key TEXT PRIMARY KEY,
    seen_at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX deliveries_by_expiry ON deliveries(expires_at);
"""

# /ask's semantic search: one vector per passage (its sentence with its context), as 32 bytes of
# signs for a Hamming prefilter and 256 signed bytes for rescoring. Passages stored before this
# migration are embedded by the store's backfill (facts/passage_vectors.py) on first open.
PASSAGE_VECTORS = """
CREATE TABLE passage_vectors (
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id),
    bits BLOB NOT NULL,
    vec BLOB NOT NULL
);
"""

# /ask's answer check scores each candidate on its sentence alone too: that vector is kept beside
# the context vector (256 signed bytes), so nothing but the question is embedded per query. Rows
# stored before this migration keep a NULL and are embedded when asked (facts/ask.py).
PASSAGE_SENTENCE_VECTORS = """
ALTER TABLE passage_vectors ADD COLUMN svec BLOB;
"""

# A store a few times its text (issue 14): every sentence is kept once, in its document's body.
# Passages, facts and their sources point into it by offsets (facts/store/text_spans.py); the
# full-text index keeps no copy (contentless FTS5, filled by the writer); a fact's shingle set is
# recomputed from its span when a duplicate check needs it; and /ask keeps one small vector per
# passage (its own, 4-bit), the context vector being mixed from its neighbours' at query time.
# Vectors are rebuilt by the store's backfill on first open (``vectors_complete`` is cleared).
TEXT_BY_OFFSETS = """
ALTER TABLE facts ADD COLUMN span_doc INTEGER;
ALTER TABLE facts ADD COLUMN span_start INTEGER;
ALTER TABLE facts ADD COLUMN span_end INTEGER;
UPDATE facts SET (span_doc, span_start, span_end) = (
    SELECT p.doc_id, p.start + instr(p.text, facts.text) - 1, p.start + instr(p.text, facts.text) - 1
        + length(facts.text)
    FROM fact_sources s JOIN passages p ON p.id = s.passage_id
    WHERE s.fact_id = facts.id AND instr(p.text, facts.text) > 0 ORDER BY s.passage_id LIMIT 1
);
ALTER TABLE facts ADD COLUMN literal TEXT;
UPDATE facts SET literal = text WHERE span_doc IS NULL OR status != 'active' OR version > 1;
UPDATE facts SET span_doc = NULL, span_start = NULL, span_end = NULL WHERE literal IS NOT NULL;
ALTER TABLE facts DROP COLUMN text;
ALTER TABLE facts RENAME COLUMN literal TO text;
ALTER TABLE facts DROP COLUMN shingle_set;
DROP TRIGGER passages_fts_insert;
DROP TABLE passages_fts;
CREATE VIRTUAL TABLE passages_fts USING fts5(
    text, content='', tokenize='porter unicode61 remove_diacritics 2'
);
INSERT INTO passages_fts (rowid, text) SELECT id, text FROM passages;
ALTER TABLE passages DROP COLUMN text;
CREATE TABLE fact_sources_by_offset (
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    passage_id INTEGER NOT NULL REFERENCES passages(id),
    doc_id INTEGER NOT NULL REFERENCES documents(id),
    date_start TEXT,
    date_end TEXT,
    date_precision TEXT,
    date_label TEXT,
    numbers TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (fact_id, passage_id)
) WITHOUT ROWID;
INSERT INTO fact_sources_by_offset SELECT fact_id, passage_id, doc_id, date_start, date_end,
    date_precision, date_label, numbers FROM fact_sources;
DROP TABLE fact_sources;
ALTER TABLE fact_sources_by_offset RENAME TO fact_sources;
CREATE INDEX fact_sources_by_doc ON fact_sources(doc_id);
CREATE INDEX fact_sources_by_passage ON fact_sources(passage_id);
DROP TABLE passage_vectors;
CREATE TABLE passage_vectors (
    passage_id INTEGER PRIMARY KEY REFERENCES passages(id),
    bits BLOB NOT NULL,
    own BLOB NOT NULL
);
CREATE TABLE document_vectors (
    doc_id INTEGER PRIMARY KEY REFERENCES documents(id),
    headline BLOB NOT NULL
);
DELETE FROM _meta WHERE key = 'vectors_complete';
"""

# Commands that read a bounded set whatever the archive's size (issue 14): an agreement's lines are
# read from an index in the order they are ranked (explicit first, then salience, kept beside the
# link), and a timeline walks each year's facts by salience, reading no more than a page needs;
# facts across a new year (and long spans) have their own small index.
RANKED_INDEXES = """
ALTER TABLE fact_agreements ADD COLUMN salience REAL NOT NULL DEFAULT 0;
UPDATE fact_agreements SET salience = (SELECT f.salience FROM facts f WHERE f.id = fact_agreements.fact_id);
CREATE INDEX fact_agreements_ranked ON fact_agreements(country, explicit DESC, salience DESC);
DROP INDEX facts_by_date;
CREATE INDEX facts_by_year ON facts(substr(date_start, 1, 4), salience DESC, date_start, date_end)
    WHERE date_start IS NOT NULL AND substr(date_start, 1, 4) = substr(date_end, 1, 4) AND status = 'active';
CREATE INDEX facts_across_years ON facts(date_start, date_end, salience)
    WHERE date_start IS NOT NULL AND substr(date_start, 1, 4) != substr(date_end, 1, 4) AND status = 'active';
"""

# A smaller store (issue 14): /ask embeds its few hundred candidates again from their text, so a
# passage keeps only the 32 bytes of signs its prefilter reads (its 4-bit vector and the headline's
# were a sixth of the store); an agreement link is keyed by its fact, and the ranked index, which
# holds the key, serves the lookups by country that the old key's own tree served.
SIGNS_ONLY = """
ALTER TABLE passage_vectors DROP COLUMN own;
DROP TABLE document_vectors;
CREATE TABLE fact_agreements_keyed (
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    country TEXT NOT NULL,
    explicit INTEGER NOT NULL,
    salience REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (fact_id, country)
) WITHOUT ROWID;
INSERT INTO fact_agreements_keyed SELECT fact_id, country, explicit, salience FROM fact_agreements;
DROP TABLE fact_agreements;
ALTER TABLE fact_agreements_keyed RENAME TO fact_agreements;
CREATE INDEX fact_agreements_ranked ON fact_agreements(country, explicit DESC, salience DESC);
"""

# Answers posted in channels and threads, the facts each showed, and each edit a correction made
# to them (issue 15): a correction reaches the messages that showed the old line.
POSTED_ANSWERS = """
CREATE TABLE posted_answers (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    channel TEXT NOT NULL,
    ref TEXT NOT NULL,
    asked_by TEXT,
    shown_from INTEGER NOT NULL DEFAULT 0,
    answer TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (platform, channel, ref)
);
CREATE TABLE posted_answer_facts (
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    post_id INTEGER NOT NULL REFERENCES posted_answers(id),
    PRIMARY KEY (fact_id, post_id)
) WITHOUT ROWID;
CREATE TABLE posted_updates (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posted_answers(id),
    fact_id INTEGER NOT NULL REFERENCES facts(id),
    version INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX posted_updates_by_fact ON posted_updates(fact_id);
"""

# The newsroom's RSS and Atom feeds and the items taken from them (issue 15).
FEEDS = """
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL CHECK (origin IN ('settings', 'command')),
    added_by TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    etag TEXT,
    last_modified TEXT,
    next_poll_at TEXT NOT NULL,
    last_polled_at TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE feed_items (
    feed_id INTEGER NOT NULL REFERENCES feeds(id),
    item_key TEXT NOT NULL,
    doc_url TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (feed_id, item_key)
) WITHOUT ROWID;
"""

# /timeline reads facts that cross a new year off two indexes ranked by salience, keyed by the year
# they start in and the year they end in, so that a year's crossings are a page's worth of reads
# however many the archive holds (they were read by date and sorted, which grew with the archive).
# A span that covers a whole year without starting or ending in it is at least 366 days long (from
# December 31 to the next-but-one January 1): those are the long spans.
TIMELINE_CROSSINGS = """
DROP INDEX facts_across_years;
DROP INDEX facts_long_spans;
CREATE INDEX facts_long_spans ON facts(date_start, date_end)
    WHERE date_start IS NOT NULL AND julianday(date_end) - julianday(date_start) >= 366;
CREATE INDEX facts_crossing_from ON facts(substr(date_start, 1, 4), salience DESC)
    WHERE date_start IS NOT NULL AND substr(date_start, 1, 4) != substr(date_end, 1, 4) AND status = 'active';
CREATE INDEX facts_crossing_into ON facts(substr(date_end, 1, 4), salience DESC)
    WHERE date_start IS NOT NULL AND substr(date_start, 1, 4) != substr(date_end, 1, 4) AND status = 'active';
"""

# The command behind an answer's buttons (issue 16): a button names a row, so any process on the
# store, also after a restart, can answer it again (Discord's custom ids hold 100 characters).
ANSWER_VIEWS = """
CREATE TABLE answer_views (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", INITIAL),
    ("0002_drop_shingle_df", DROP_SHINGLE_DF),
    ("0003_corrections", CORRECTIONS),
    ("0004_digests", DIGESTS),
    ("0005_digest_attempt_leases", DIGEST_LEASES),
    ("0006_deliveries", DELIVERIES),
    ("0007_passage_vectors", PASSAGE_VECTORS),
    ("0008_passage_sentence_vectors", PASSAGE_SENTENCE_VECTORS),
    ("0009_text_by_offsets", TEXT_BY_OFFSETS),
    ("0010_ranked_indexes", RANKED_INDEXES),
    ("0011_signs_only", SIGNS_ONLY),
    ("0012_posted_answers", POSTED_ANSWERS),
    ("0013_feeds", FEEDS),
    ("0014_timeline_crossings", TIMELINE_CROSSINGS),
    ("0015_answer_views", ANSWER_VIEWS),
]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [row["name"] for row in conn.execute("SELECT name FROM _migrations ORDER BY name")]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet applied; return the names applied now.

    Each runs in its own ``BEGIN IMMEDIATE`` transaction, so a failure leaves the store at the
    last good migration. Runs on the store's connection thread, outside any transaction.
    """
    done = set(applied_migrations(conn))
    applied: list[str] = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        applied.append(name)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements; trigger bodies keep their inner semicolons."""
    out: list[str] = []
    buf: list[str] = []
    in_trigger = False
    for line in sql.strip().splitlines():
        buf.append(line)
        stripped = line.strip().upper()
        if stripped.startswith("CREATE TRIGGER"):
            in_trigger = True
        if (in_trigger and stripped == "END;") or (not in_trigger and stripped.endswith(";")):
            out.append("\n".join(buf).strip().rstrip(";"))
            buf, in_trigger = [], False
    if "".join(buf).strip():
        out.append("\n".join(buf).strip())
    return out
