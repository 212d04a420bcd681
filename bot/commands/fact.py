"""``/fact``: the desk corrects the record from chat (show, add, correct, retract, restore, history).

Arguments are written ``key=value`` (quote values with spaces: ``note="wrong day"``); after the
fact id, plain words are the note or reason. ``v=3`` (or ``version=3``) names the version the
editor is looking at: if someone changed the fact since, the change is refused. Discord's typed
options (:func:`fact_options`) and the forms (:mod:`bot.commands.fact_forms`) build the same
:class:`FactArgs` without going through text.
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.invocation import Invocation, Options
from facts.answers.answer_lines import AnswerBuilder
from facts.answers.contract import Answer
from facts.countries import resolve_country
from facts.errors import NotFound, UsageError
from facts.store.corrections import DateSpec, Editor, parse_date_spec
from facts.store.protocols import DocumentReader, FactStore

__all__ = [
    "ADMIN_SUBCOMMANDS",
    "FACT_OPTIONS",
    "FACT_USAGE",
    "SUBCOMMANDS",
    "FactArgs",
    "fact_options",
    "parse_fact",
    "run_fact",
]

SUBCOMMANDS = ("show", "history", "add", "correct", "retract", "restore")
ADMIN_SUBCOMMANDS = frozenset({"add", "correct", "retract", "restore"})
FACT_USAGE = (
    '/fact show <id> | history <id> | correct <id> [text="…"] [date=YYYY-MM-DD] note="…" | '
    'retract <id> <reason> | restore <id> <reason> | add text="…" [date=…] country=<c> '
    'source=<n|url> quote="…"'
)


MAX_FACT_ID = 2**63 - 1  # SQLite's largest integer: a bigger id names no fact and cannot be bound


@dataclass(frozen=True)
class FactArgs:
    """A ``/fact`` command as its one parser read it; ``action`` is what authorisation checks."""

    action: str
    fact_id: int | None
    fields: Mapping[str, str] = field(default_factory=dict)
    rest: str = ""

    def text(self) -> str:
        """The arguments as one would type them (shown with the answer)."""
        parts = [self.action] + ([str(self.fact_id)] if self.fact_id is not None else [])
        parts += [f"{k}={shlex.quote(v)}" for k, v in self.fields.items()]
        return " ".join(parts + ([self.rest] if self.rest else []))


def _fact_id(action: str, raw: str) -> int:
    raw = raw.lstrip("#")
    if not (raw.isascii() and raw.isdigit()):
        raise UsageError(f"/fact {action} needs a fact id, e.g. /fact {action} 12.")
    if int(raw) > MAX_FACT_ID:
        raise NotFound(f"There is no fact {raw[:30]}.")
    return int(raw)


def _action(word: str) -> str:
    if word.lower() not in SUBCOMMANDS:
        raise UsageError(f"Which /fact action? One of {', '.join(SUBCOMMANDS)}.")
    return word.lower()


def parse_fact(text: str) -> FactArgs:
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise UsageError(f"Unbalanced quotes in '{text[:60]}' ({exc}).") from None
    sub, tokens = _action(tokens[0] if tokens else ""), tokens[1:]
    fact_id = None
    if sub != "add":
        fact_id = _fact_id(sub, tokens[0] if tokens else "")
        tokens = tokens[1:]
    fields: dict[str, str] = {}
    words: list[str] = []
    for token in tokens:
        key, eq, value = token.partition("=")
        if eq and key.isidentifier():
            fields[key.lower()] = value
        else:
            words.append(token)
    return FactArgs(sub, fact_id, fields, " ".join(words))


# Discord's typed options that become ``key=value`` fields, in the order they are shown.
FACT_OPTIONS = ("text", "date", "note", "country", "source", "quote", "version")


def fact_options(values: Options) -> FactArgs:
    """``action``, ``id`` and the keyed options, as Discord's typed options give them."""
    given = {k: str(v).strip() for k, v in values.items() if v is not None and str(v).strip()}
    action = _action(given.get("action", ""))
    fact_id = None if action == "add" else _fact_id(action, given.get("id", ""))
    fields = {k: given[k] for k in FACT_OPTIONS if k in given}
    return FactArgs(action, fact_id, fields, given.get("id", "") if action == "add" else "")


def _version(fields: Mapping[str, str]) -> int | None:
    raw = fields.get("v", fields.get("version"))
    if raw is None:
        return None
    number = _whole_number(raw)
    if number is None:
        raise UsageError(f"'{raw[:30]}' is not a version number.")
    return number


def _whole_number(raw: str) -> int | None:
    """A plain ASCII whole number that SQLite can hold, else None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        return None
    return int(raw)


def _date(fields: Mapping[str, str]) -> DateSpec | None:
    raw = fields.get("date")
    return parse_date_spec(raw, today=dt.date.today()) if raw is not None else None


async def _show(store: DocumentReader, fact_id: int, heading: str | None = None) -> Answer:
    fact = await store.fact(fact_id)
    if fact is None:
        raise NotFound(f"There is no fact {fact_id}.")
    state = "retracted" if fact.status != "active" else "in the record"
    b = AnswerBuilder(heading or f"Fact {fact.id} (version {fact.version}, {state})")
    b.add_cluster([fact])
    origin = "added by the desk" if fact.origin == "desk" else "extracted from the sources"
    b.answer.notes.append(f"Fact {fact.id}: {origin}; version {fact.version}; {state}.")
    if fact.status != "active":
        b.answer.notes.append(f"It appears in no answer; /fact restore {fact.id} <reason> brings it back.")
    return b.answer


async def _history(store: FactStore, fact_id: int) -> Answer:
    if await store.fact(fact_id) is None:
        raise NotFound(f"There is no fact {fact_id}.")
    answer = Answer(title=f"History of fact {fact_id}")
    edits: dict[int, list[str]] = {}
    for u in await store.post_updates(fact_id):
        edits.setdefault(u.version, []).append(f"{u.platform} {u.channel} {u.ref}")
    for row in await store.fact_history(fact_id):
        if row.action == "extracted":
            answer.notes.append(f"v{row.version} · {row.at[:16]} · extracted from the sources at ingest")
            continue
        changes = "; ".join(
            f"{field.replace('_label', '').replace('_', ' ')}: {old or '—'} → {new or '—'}"
            for field, (old, new) in row.changes.items()
            if field != "status" or row.action in {"retract", "restore"}
        )
        why = f" — {row.note}" if row.note else ""
        did = {"add": "added", "correct": "corrected", "retract": "retracted", "restore": "restored"}
        answer.notes.append(
            f"v{row.version} · {row.at[:16]} · {did.get(row.action, row.action)} by {row.actor}"
            f" on {row.platform}"
            f"{': ' + changes if changes else ''}{why}"
        )
        if row.version in edits:  # the channel messages this version edited
            where = "; ".join(edits.pop(row.version))
            answer.notes.append(f"v{row.version} · posted answers updated: {where}")
    return answer


async def run_fact(p: FactArgs, invocation: Invocation) -> Answer:
    """Run one parsed ``/fact`` action; the core has already checked the editor may run it."""
    store, actor = invocation.store, invocation.request.actor
    editor = Editor(actor=actor, platform=actor.partition(":")[0] or "unknown")
    if p.action == "show":
        assert p.fact_id is not None
        return await _show(store, p.fact_id)
    if p.action == "history":
        assert p.fact_id is not None
        return await _history(store, p.fact_id)
    if p.action == "correct":
        assert p.fact_id is not None
        note = p.fields.get("note", p.rest)
        version = await store.correct_fact(
            p.fact_id,
            text=p.fields.get("text"),
            date=_date(p.fields),
            note=note,
            expected_version=_version(p.fields),
            editor=editor,
        )
        if invocation.posted is not None:  # the channel messages that showed the old line
            invocation.posted.changed(p.fact_id, version, "correct", note)
        return await _show(store, p.fact_id, f"Fact {p.fact_id} corrected (version {version})")
    if p.action in {"retract", "restore"}:
        assert p.fact_id is not None
        reason = p.fields.get("reason", p.fields.get("note", p.rest))
        status = "retracted" if p.action == "retract" else "active"
        version = await store.change_status(
            p.fact_id, status=status, reason=reason, expected_version=_version(p.fields), editor=editor
        )
        if invocation.posted is not None:
            invocation.posted.changed(p.fact_id, version, p.action, reason)
        done = "retracted" if p.action == "retract" else "restored"
        return await _show(store, p.fact_id, f"Fact {p.fact_id} {done} (version {version})")
    return await _add(store, p, editor)


async def _add(store: FactStore, p: FactArgs, editor: Editor) -> Answer:
    countries = []
    for name in filter(None, (c.strip() for c in p.fields.get("country", "").split(","))):
        country = resolve_country(name)
        if country is None:
            raise UsageError(f"I don't know a country called '{name[:40]}'.")
        countries.append(country.code)
    if not countries:
        raise UsageError("Say which country the fact concerns: country=<name or slug>.")
    source = p.fields.get("source", "")
    fact_id = await store.add_fact(
        text=p.fields.get("text", p.rest),
        date=_date(p.fields),
        countries=countries,
        agreement=p.fields.get("agreement", "yes").lower() not in {"no", "false", "0"},
        source_doc=_whole_number(source),
        source_url=source if source and _whole_number(source) is None else None,
        quote=p.fields.get("quote", ""),
        outlet=p.fields.get("outlet"),
        published=p.fields.get("published"),
        editor=editor,
    )
    return await _show(store, fact_id, f"Fact {fact_id} added by the desk")
