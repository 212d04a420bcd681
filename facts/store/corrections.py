"""The desk's changes to the record: add, correct, retract and restore facts, with full history.

Nothing is deleted. Every change runs in one transaction with its audit row; a change names
the version it was made against, and a fact changed meanwhile is refused ("changed since you
opened it"), so two editors can never silently overwrite each other. These functions run on
the store's connection thread, inside a transaction the store opened.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlparse

from facts.errors import ChangedMeanwhile, NotFound, UsageError
from facts.extract.dates import DateMention, find_dates, main_date, month_end
from facts.store.dialect import index_passage_text, next_id
from facts.store.text_spans import FACT_TEXT
from facts.store.timestamps import now_utc

__all__ = [
    "DateSpec",
    "Editor",
    "HistoryRow",
    "add_fact",
    "change_status",
    "correct_fact",
    "parse_date_spec",
]

_ISO = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_SNAPSHOT = (
    f"{FACT_TEXT} AS text, date_start, date_end, date_precision, date_label, date_end_label, status,"
    " version, corrected_at, correction_note, origin"
)


@dataclass(frozen=True)
class Editor:
    """Who makes a change: a platform-qualified id (``slack:U123``) and the platform."""

    actor: str
    platform: str


@dataclass(frozen=True)
class DateSpec:
    start: str
    end: str
    precision: str
    label: str
    end_label: str | None


@dataclass(frozen=True)
class HistoryRow:
    version: int
    action: str
    actor: str
    platform: str
    at: str
    note: str | None
    changes: dict[str, tuple[Any, Any]]


def _iso_spec(text: str) -> DateSpec | None:
    m = _ISO.match(text)
    if not m:
        return None
    year, month, day = int(m[1]), m[2] and int(m[2]), m[3] and int(m[3])
    try:
        if day:
            d = dt.date(year, month, day)  # type: ignore[arg-type]
            return DateSpec(d.isoformat(), d.isoformat(), "day", d.isoformat(), None)
        if month:
            start = dt.date(year, month, 1)
            return DateSpec(start.isoformat(), month_end(year, month).isoformat(), "month", text, None)
        return DateSpec(f"{year:04d}-01-01", f"{year:04d}-12-31", "year", str(year), None)
    except ValueError:
        return None


def _from_mention(m: DateMention) -> DateSpec:
    return DateSpec(m.start.isoformat(), m.end.isoformat(), m.precision, m.iso, m.iso_end)


def parse_date_spec(text: str, *, today: dt.date) -> DateSpec:
    """An editor's event date at any precision: ``2019-09-20``, ``2019-09``, ``2019``,
    ``2019-11 to 2020-03``, or news wording such as ``Sept. 20, 2019``."""
    text = " ".join(text.split())
    if not text:
        raise UsageError("Give the event date, e.g. 2019-09-20, 2019-09 or 2019.")
    return _in_range(_read_date_spec(text, today=today), text)


EDITOR_YEARS = (1800, 2200)  # an editor's date outside these is a typo, not news


def _in_range(spec: DateSpec, text: str) -> DateSpec:
    low, high = EDITOR_YEARS
    if not (low <= int(spec.start[:4]) and int(spec.end[:4]) <= high):
        raise UsageError(f"'{text[:40]}' is outside the years {low} to {high}; check the year.")
    return spec


def _read_date_spec(text: str, *, today: dt.date) -> DateSpec:
    exact = _iso_spec(text)
    if exact:
        return exact
    parts = re.split(r"\s+(?:to|until|–|-)\s+|\s*–\s*", text)
    if len(parts) == 2:
        a, b = _iso_spec(parts[0]), _iso_spec(parts[1])
        if a and b and a.start <= b.end:
            return DateSpec(a.start, b.end, "range", a.label, b.label)
    found = main_date(find_dates(text, published=today))
    if found is None or len(found.text) < 0.6 * len(text):  # a date, not a sentence holding one
        raise UsageError(f"'{text[:40]}' is not a date I can read; use 2019-09-20, 2019-09 or 2019.")
    return _from_mention(found)


def _snapshot(conn: sqlite3.Connection, fact_id: int) -> dict[str, Any]:
    row = conn.execute(f"SELECT {_SNAPSHOT} FROM facts f WHERE f.id = ?", (fact_id,)).fetchone()
    if row is None:
        raise NotFound(f"There is no fact {fact_id}.")
    return dict(row)  # by column name


def _check_version(current: dict[str, Any], expected: int | None, fact_id: int) -> None:
    if expected is not None and current["version"] != expected:
        raise ChangedMeanwhile(
            f"Fact {fact_id} changed since you opened it (now version {current['version']}, you had"
            f" version {expected}); look at it again with /fact show {fact_id}."
        )


def _audit(
    conn: sqlite3.Connection,
    fact_id: int,
    action: str,
    note: str | None,
    editor: Editor,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> None:
    conn.execute(
        "INSERT INTO fact_history (fact_id, version, actor, platform, action, note, snapshot, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            fact_id,
            after["version"],
            editor.actor,
            editor.platform,
            action,
            note,
            json.dumps({"before": before, "after": after}, ensure_ascii=False, sort_keys=True),
            now_utc(),
        ),
    )


def correct_fact(
    conn: sqlite3.Connection,
    fact_id: int,
    *,
    text: str | None,
    date: DateSpec | None,
    note: str,
    expected_version: int | None,
    editor: Editor,
) -> int:
    """New text and/or date, labelled with ``note``; returns the new version."""
    note = " ".join(note.split())
    if not note:
        raise UsageError('A correction needs a note saying why (note="...").')
    text = " ".join(text.split()) if text is not None else None
    if text is None and date is None:
        raise UsageError('Say what to correct: text="..." and/or date=YYYY-MM-DD.')
    if text == "":
        raise UsageError("The corrected text is empty.")
    before = _snapshot(conn, fact_id)
    _check_version(before, expected_version, fact_id)
    sets = [
        "version = version + 1",
        "corrected_at = ?",
        "correction_note = ?",
        "updated_at = ?",
        "changed_by = ?",
    ]
    now = now_utc()
    args: list[Any] = [now[:10], note, now, editor.actor]
    if text is not None:
        sets.append("text = ?")
        args.append(text)
    if date is not None:
        # A corrected date is the desk's: the line leaves the event it was merged into by date.
        sets += [
            "date_start = ?",
            "date_end = ?",
            "date_precision = ?",
            "date_label = ?",
            "date_end_label = ?",
            "date_mod = NULL",
            "event_id = NULL",
        ]
        args += [date.start, date.end, date.precision, date.label, date.end_label]
    sql = f"UPDATE facts SET {', '.join(sets)} WHERE id = ? AND version = ?"
    cur = conn.execute(sql, (*args, fact_id, before["version"]))
    if cur.rowcount != 1:
        raise ChangedMeanwhile(f"Fact {fact_id} changed while this correction was saved; try again.")
    after = _snapshot(conn, fact_id)
    _audit(conn, fact_id, "correct", note, editor, before, after)
    return int(after["version"])


def change_status(
    conn: sqlite3.Connection,
    fact_id: int,
    *,
    status: str,
    reason: str,
    expected_version: int | None,
    editor: Editor,
) -> int:
    """Retract (``status="retracted"``) or restore (``"active"``) a fact; returns the new version."""
    reason = " ".join(reason.split())
    action = "retract" if status == "retracted" else "restore"
    if not reason:
        raise UsageError(f'Say why you {action} fact {fact_id} (reason="...").')
    before = _snapshot(conn, fact_id)
    _check_version(before, expected_version, fact_id)
    if before["status"] == status:
        state = "retracted" if status == "retracted" else "in the record"
        raise UsageError(f"Fact {fact_id} is already {state}.")
    now = now_utc()
    cur = conn.execute(
        "UPDATE facts SET status = ?, version = version + 1, updated_at = ?, changed_by = ?"
        " WHERE id = ? AND version = ?",
        (status, now, editor.actor, fact_id, before["version"]),
    )
    if cur.rowcount != 1:
        raise ChangedMeanwhile(f"Fact {fact_id} changed while this was saved; try again.")
    after = _snapshot(conn, fact_id)
    _audit(conn, fact_id, action, reason, editor, before, after)
    return int(after["version"])


def _find_quote(body: str, quote: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``body``, whitespace-insensitively."""
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, body)
    return (m.start(), m.end()) if m else None


def add_fact(
    conn: sqlite3.Connection,
    *,
    text: str,
    date: DateSpec | None,
    countries: list[str],
    agreement: bool,
    source_doc: int | None,
    source_url: str | None,
    quote: str,
    outlet: str | None,
    published: str | None,
    editor: Editor,
) -> int:
    """An editor's fact, cited by a quote found in an ingested document or given with its url."""
    text = " ".join(text.split())
    quote = " ".join(quote.split())
    if not text:
        raise UsageError('Give the fact\'s text (text="...").')
    if not quote:
        raise UsageError('Give the supporting quote (quote="..."), verbatim from the source.')
    now = now_utc()
    if source_doc is None and source_url:
        row = conn.execute(
            "SELECT id FROM documents WHERE url = ? AND superseded_by IS NULL", (source_url,)
        ).fetchone()
        source_doc = int(row["id"]) if row else None
    if source_doc is not None:
        doc = conn.execute("SELECT id, body FROM documents WHERE id = ?", (source_doc,)).fetchone()
        if doc is None:
            raise NotFound(f"There is no source {source_doc}; `/source` and `factdesk sources` list them.")
        span = _find_quote(doc["body"], quote)
        if span is None:
            raise UsageError(f"That quote is not in source {source_doc}; copy it verbatim from the article.")
        doc_id = int(doc["id"])
        passage = conn.execute(
            'SELECT id FROM passages WHERE doc_id = ? AND start <= ? AND "end" >= ? ORDER BY idx LIMIT 1',
            (doc_id, span[0], span[1]),
        ).fetchone()
        if passage is None:  # the quote spans sentences: cite it as its own passage
            passage_id = _desk_passage(conn, doc_id, span, doc["body"][span[0] : span[1]])
        else:
            passage_id = int(passage["id"])
    else:
        if not source_url or not urlparse(source_url).scheme.startswith("http"):
            raise UsageError("Give the source: source=<source number or url> and its quote.")
        pub = published or now[:10]
        host = urlparse(source_url).hostname or source_url
        cur = conn.execute(
            "INSERT INTO documents (url, version, outlet, title, published, published_precision, metadata,"
            " content_hash, body, origin, ingested_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, 'desk', ?)"
            " RETURNING id",
            (
                source_url,
                outlet or host,
                source_url,
                pub,
                "month" if len(pub) == 7 else "day",
                json.dumps({"added_by": editor.actor}),
                f"desk:{now}:{source_url}",
                quote,
                now,
            ),
        )
        doc_id = int(cur.fetchone()[0])
        passage_id = _desk_passage(conn, doc_id, (0, len(quote)), quote)
    fact_id = next_id(conn, "facts")
    conn.execute(
        "INSERT INTO facts (id, text, words, shingles, date_start, date_end, date_precision, date_label,"
        " date_end_label, salience, facets, origin, changed_by, created_at, updated_at)"
        " VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, 10, '', 'desk', ?, ?, ?)",
        (
            fact_id,
            text,
            len(text.split()),
            date.start if date else None,
            date.end if date else None,
            date.precision if date else None,
            date.label if date else None,
            date.end_label if date else None,
            editor.actor,
            now,
            now,
        ),
    )
    conn.execute(
        "INSERT INTO fact_sources (fact_id, passage_id, doc_id, date_start, date_end, date_precision,"
        " date_label) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            fact_id,
            passage_id,
            doc_id,
            date.start if date else None,
            date.end if date else None,
            date.precision if date else None,
            date.label if date else None,
        ),
    )
    for code in dict.fromkeys(countries):
        sql = "INSERT INTO fact_countries (country, fact_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
        conn.execute(sql, (code, fact_id))
        if agreement:
            conn.execute(
                "INSERT INTO fact_agreements (country, fact_id, explicit, salience)"
                " VALUES (?, ?, 1, 10) ON CONFLICT DO NOTHING",
                (code, fact_id),
            )
    after = _snapshot(conn, fact_id)
    _audit(conn, fact_id, "add", None, editor, None, after)
    return fact_id


def _desk_passage(conn: sqlite3.Connection, doc_id: int, span: tuple[int, int], text: str) -> int:
    """A passage for a quote no extracted passage holds whole (``text`` is ``body[span]``)."""
    sql = "SELECT coalesce(max(idx), -1) + 1 AS idx FROM passages WHERE doc_id = ?"
    idx = conn.execute(sql, (doc_id,)).fetchone()["idx"]
    passage_id = next_id(conn, "passages")
    conn.execute(
        'INSERT INTO passages (id, doc_id, idx, paragraph, start, "end", kind)'
        " VALUES (?, ?, ?, 0, ?, ?, 'sentence')",
        (passage_id, doc_id, idx, span[0], span[1]),
    )
    index_passage_text(conn, [(passage_id, text)])
    return passage_id


def history(conn: sqlite3.Connection, fact_id: int) -> list[HistoryRow]:
    """Every version of a fact, oldest first: the extracted original, then each change."""
    current = _snapshot(conn, fact_id)
    rows = conn.execute(
        "SELECT version, action, actor, platform, at, note, snapshot FROM fact_history WHERE fact_id = ?"
        " ORDER BY version, id",
        (fact_id,),
    ).fetchall()
    out: list[HistoryRow] = []
    if not rows or rows[0]["action"] != "add":
        first = json.loads(rows[0]["snapshot"])["before"] if rows else current
        sql = "SELECT created_at FROM facts WHERE id = ?"
        created = conn.execute(sql, (fact_id,)).fetchone()["created_at"]
        out.append(HistoryRow(int(first["version"]), "extracted", "factdesk", "ingest", created, None, {}))
    for row in rows:
        data = json.loads(row["snapshot"])
        before, after = data.get("before") or {}, data["after"]
        changes = {
            k: (before.get(k), after.get(k))
            for k in ("text", "date_label", "date_end_label", "date_precision", "status")
            if before.get(k) != after.get(k)
        }
        out.append(
            HistoryRow(
                version=int(row["version"]),
                action=row["action"],
                actor=row["actor"],
                platform=row["platform"],
                at=row["at"],
                note=row["note"],
                changes=changes,
            )
        )
    return out


def as_dict(row: HistoryRow) -> dict[str, Any]:
    return asdict(row)
