"""Only editors change the record, whatever spelling the action comes in, on every surface.

The check runs on the command as its own parser reads it, so quoting, escapes, case, whitespace,
invisible characters and look-alike letters either name the same action (and are checked like it)
or name none (and are refused as a usage mistake). The anonymous HTTP API is read-only whoever
``FACTDESK_ADMINS`` names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp
import pytest

from bot.commands.registry import COMMANDS
from bot.digest_scheduler import DigestScheduler
from bot.handler import Access, Context, handle
from bot.requests import Request, parse_command_line
from bot.runtime.serve import Services
from bot.settings import Settings
from facts.answers.contract import Answer
from facts.store.sqlite_store import SQLiteStore

EDITOR = "slack:UEDITOR"
UTC = dt.UTC


class Recorder:
    """A platform that records the digests posted to it."""

    def __init__(self) -> None:
        self.posts: list[str] = []

    async def __call__(self, channel_id: str, answer: Answer) -> str:
        self.posts.append(channel_id)
        return f"m{len(self.posts)}"


def spellings(action: str) -> list[str]:
    """Ways to write ``action`` that a careless check reads as something else."""
    lookalike = action.replace("e", "\u0435").replace("a", "\u0430").replace("o", "\u043e")  # Cyrillic
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in action)
    return [
        action,
        action.upper(),
        action.title(),
        f'"{action}"',
        f"'{action}'",
        f"{action[:2]}''{action[2:]}",
        f'{action[:2]}""{action[2:]}',
        f"\\{action}",
        f"  {action}  ",
        f"\t{action}",
        f"\u00a0{action}",
        f"{action[:2]}\u200d{action[2:]}",
        f"\u200b{action}",
        lookalike,
        fullwidth,
    ]


def fact_line(action: str, spelled: str, fact_id: int) -> str:
    rest = {
        "add": 'text="Ruritania agreed to ship grain." country=el-salvador source=1 quote="ship grain"',
        "correct": f'{fact_id} text="A changed line." note="test"',
        "retract": f"{fact_id} a reason",
        "restore": f"{fact_id} a reason",
    }[action]
    return f"{spelled} {rest}"


ADMIN_FACT = ("add", "correct", "retract", "restore")
ADMIN_DIGEST = ("subscribe", "unsubscribe", "now")
OUTSIDERS = [
    ("slack:UNOBODY", ()),
    ("discord:4242", ("1",)),
    ("http:anonymous", ()),
    (EDITOR.replace("slack", "http"), ()),  # named an admin, but on the read-only surface
]


def every_admin_action() -> list[tuple[str, str]]:
    """(command, action) for every action the registry guards."""
    pairs = []
    for command in COMMANDS:
        if command.admin_only:
            pairs.append((command.name, ""))
        pairs.extend((command.name, action) for action in sorted(command.admin_actions))
    return pairs


def test_the_table_covers_every_guarded_action_of_the_registry() -> None:
    guarded = {(c, a) for c, a in every_admin_action()}
    covered = {("fact", a) for a in ADMIN_FACT} | {("digest", a) for a in ADMIN_DIGEST} | {("ingest", "")}
    assert guarded == covered


async def record_of(store: SQLiteStore) -> tuple[Any, ...]:
    """Everything an editor's change could touch."""
    rows = []
    for sql in (
        "SELECT count(*), total(version), group_concat(status || text, '|') FROM facts",
        "SELECT count(*) FROM fact_history",
        "SELECT count(*) FROM documents",
        "SELECT count(*), group_concat(channel, '|') FROM digest_subscriptions",
        "SELECT count(*) FROM digest_runs",
    ):
        rows.append(tuple(await store.connection.fetchone(sql)))
    return tuple(rows)


async def a_fact_id(store: SQLiteStore) -> int:
    (fact_id,) = await store.connection.fetchone("SELECT min(id) FROM facts WHERE status = 'active'")
    return int(fact_id)


def context_for(store: SQLiteStore, recorder: Recorder) -> Context:
    admins = frozenset({EDITOR, "http:UEDITOR"})
    clock = lambda: dt.datetime(2026, 5, 4, 9, 30, tzinfo=UTC)  # noqa: E731
    scheduler = DigestScheduler(store, {"slack": recorder, "discord": recorder}, clock, empty="line")
    return Context(access=Access(admins=admins, discord_admin_roles=frozenset({"777"})), digests=scheduler)


def lines_for(action_of: str, action: str, fact_id: int) -> list[str]:
    if action_of == "fact":
        return [f"/fact {fact_line(action, s, fact_id)}" for s in spellings(action)]
    if action_of == "digest":
        return [
            f"/digest {s} 0 9 * * 1-5 UTC" if action == "subscribe" else f"/digest {s}"
            for s in spellings(action)
        ]
    return ["/ingest http://127.0.0.1:9/article", "/INGEST http://127.0.0.1:9/article"]


@pytest.mark.parametrize(("actor", "roles"), OUTSIDERS)
@pytest.mark.parametrize(("command", "action"), every_admin_action())
async def test_no_spelling_of_an_admin_action_lets_an_outsider_change_anything(
    seeded_copy: SQLiteStore, actor: str, roles: tuple[str, ...], command: str, action: str
) -> None:
    recorder = Recorder()
    context = context_for(seeded_copy, recorder)
    # A digest subscription exists, so that unsubscribe and now would have something to act on.
    await context.digests.subscribe("slack:C1", "0 9 * * 1-5", "UTC", origin="command", actor="t")  # type: ignore[union-attr]
    fact_id = await a_fact_id(seeded_copy)
    if action == "restore":
        await handle(Request("fact", f"retract {fact_id} set up", actor=EDITOR), seeded_copy, context=context)
    before = await record_of(seeded_copy)
    for line in lines_for(command, action, fact_id):
        request = parse_command_line(line, actor=actor, channel="slack:C1")
        request = Request(request.command, request.text, actor=actor, channel="slack:C1", roles=roles)
        answer = await handle(request, seeded_copy, context=context)
        assert answer.error is not None, f"{actor} ran {line!r}"
        assert answer.error.code in {"forbidden", "bad_input"}, (line, answer.error)
        raw = Request(command, line.split(" ", 1)[1], actor=actor, channel="slack:C1", roles=roles)
        answer = await handle(raw, seeded_copy, context=context)  # as a surface that does not clean the text
        assert answer.error is not None and answer.error.code in {"forbidden", "bad_input"}, line
    assert await record_of(seeded_copy) == before
    assert recorder.posts == []


@pytest.mark.parametrize("action", ADMIN_FACT)
async def test_every_spelling_that_names_the_action_is_checked_as_that_action(
    seeded_copy: SQLiteStore, action: str
) -> None:
    """The quoted and escaped spellings are the action itself for the parser: outsiders meet
    "forbidden" (not a usage error that would hide a check that never ran)."""
    fact_id = await a_fact_id(seeded_copy)
    context = context_for(seeded_copy, Recorder())
    for spelled in (
        f'"{action}"',
        f"'{action}'",
        f"{action[:2]}''{action[2:]}",
        f"\\{action}",
        action.upper(),
    ):
        answer = await handle(
            Request("fact", fact_line(action, spelled, fact_id), actor="slack:UNOBODY"),
            seeded_copy,
            context=context,
        )
        assert answer.error is not None and answer.error.code == "forbidden", spelled


async def test_an_editor_still_changes_the_record_and_local_surfaces_are_the_desk(
    seeded_copy: SQLiteStore,
) -> None:
    fact_id = await a_fact_id(seeded_copy)
    context = context_for(seeded_copy, Recorder())
    answer = await handle(
        Request("fact", f'"retract" {fact_id} wrong story', actor=EDITOR), seeded_copy, context=context
    )
    assert answer.error is None and "retracted" in answer.title
    answer = await handle(
        Request("fact", f"restore {fact_id} right story", actor="cli:ana"), seeded_copy, context=context
    )
    assert answer.error is None and "restored" in answer.title


async def test_the_http_api_is_read_only_over_a_real_socket(seeded_copy: SQLiteStore) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, db=seeded_copy.path, http_host="127.0.0.1", http_port=0, admins="http:anonymous"
    )
    services = Services(settings, seeded_copy)
    await services.start()
    fact_id = await a_fact_id(seeded_copy)
    before = await record_of(seeded_copy)
    try:
        base = f"http://127.0.0.1:{services.http_port}/api/ask"
        async with aiohttp.ClientSession() as session:
            for action in ADMIN_FACT:
                for spelled in spellings(action):
                    command = f"/fact {fact_line(action, spelled, fact_id)}"
                    async with session.get(base, params={"command": command}) as resp:
                        body = await resp.json()
                        assert resp.status in {400, 403}, command
                        assert body["error"]["code"] in {"forbidden", "bad_input"}, (command, body)
            for command in ("/ingest http://127.0.0.1:9/x", "/digest subscribe", '/digest "now"'):
                async with session.get(base, params={"command": command}) as resp:
                    assert (await resp.json())["error"]["code"] in {"forbidden", "bad_input"}, command
            async with session.get(base, params={"command": "/timeline 2019"}) as resp:
                assert resp.status == 200 and (await resp.json())["items"]
    finally:
        await services.stop()
    assert await record_of(seeded_copy) == before
