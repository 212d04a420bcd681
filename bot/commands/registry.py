"""The one registry of commands: every surface (CLI, console, Slack, Discord) is built from it."""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.commands.digest import (
    DIGEST_ACTIONS,
    DIGEST_ADMIN_ACTIONS,
    DIGEST_USAGE,
    DigestArgs,
    digest_command,
    parse_digest,
)
from bot.commands.fact import ADMIN_SUBCOMMANDS, FACT_USAGE, SUBCOMMANDS, FactArgs, fact_command, parse_fact
from bot.commands.ingest import INGEST_USAGE, ingest_url
from bot.requests import Request
from facts.answers import queries
from facts.answers.contract import Answer
from facts.store.corrections import Editor
from facts.store.sqlite_store import FactStore

__all__ = ["COMMANDS", "Argument", "Command", "command_text", "get_command"]

# (store, the command's arguments as its parser made them, the command as shown, request, Context)
Handler = Callable[[FactStore, Any, str, Request, Any], Awaitable[Answer]]


def _as_text(text: str) -> str:
    """Commands that change nothing take their text as it is; their queries read it."""
    return text


@dataclass(frozen=True)
class Argument:
    """A typed argument, for surfaces with typed options (Discord).

    ``kind`` is ``"text"``, ``"year"``, ``"int"`` (whole numbers), ``"choice"`` (one of
    ``choices``) or ``"country"`` (offered by autocomplete); ``joiner`` is what precedes the value
    when the arguments are written back as the command's text ("2019" + "-" + "2020").
    """

    name: str
    description: str
    required: bool = True
    kind: str = "text"
    joiner: str = " "
    keyed: bool = False  # written back as name="value" rather than as a bare word
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command:
    """A command as every surface shows it; ``usage`` is the one-line synopsis."""

    name: str
    usage: str
    help: str
    arguments: tuple[Argument, ...]
    handler: Handler | None
    admin_only: bool = False
    # Actions that only the desk's editors may run, as the command's own parser reads them.
    admin_actions: frozenset[str] = frozenset()
    # The one parser of the command's text: what it returns is what the check sees and what the
    # handler runs, so no spelling of an action (quotes, escapes, look-alikes) reaches one without
    # the other. Raises ``UsageError`` on text it cannot read.
    parse: Callable[[str], Any] = _as_text

    def writes(self, args: Any) -> bool:
        """Whether running these parsed arguments can change the record."""
        return self.admin_only or getattr(args, "action", None) in self.admin_actions


async def _agreement(store: FactStore, text: str, command: str, request: Request, context: Any) -> Answer:
    return await queries.agreement(store, text, command=command)


async def _timeline(store: FactStore, text: str, command: str, request: Request, context: Any) -> Answer:
    return await queries.timeline(store, text, command=command)


async def _search(store: FactStore, text: str, command: str, request: Request, context: Any) -> Answer:
    return await queries.search(store, text, command=command)


async def _ask(store: FactStore, text: str, command: str, request: Request, context: Any) -> Answer:
    return await queries.ask(store, text, command=command)


async def _source(store: FactStore, text: str, command: str, request: Request, context: Any) -> Answer:
    return await queries.source(store, text, command=command)


async def _ingest(store: FactStore, text: str, command: str, request: Request, context: Any) -> Answer:
    return await ingest_url(store, text, command, policy=context.fetch)


async def _digest(store: FactStore, args: DigestArgs, command: str, request: Request, context: Any) -> Answer:
    return await digest_command(store, args, command, request, context.digests)


async def _fact(store: FactStore, args: FactArgs, command: str, request: Request, context: Any) -> Answer:
    editor = Editor(actor=request.actor, platform=request.actor.partition(":")[0] or "unknown")
    return await fact_command(store, args, command, editor=editor)


COMMANDS: tuple[Command, ...] = (
    Command(
        "agreement",
        "/agreement <country>",
        "A short cited summary of what the documents report about agreements with a country.",
        (Argument("country", "Country name, ISO code, demonym or slug (el-salvador)", kind="country"),),
        _agreement,
    ),
    Command(
        "timeline",
        "/timeline <year | from-to> [country] [page N]",
        "Dated events in a year or range of years, in order, each at its precision.",
        (
            Argument("year", "A year, e.g. 2019 (the first of a range)", kind="year"),
            Argument("to", "Last year of a range, e.g. 2020", required=False, kind="year", joiner="-"),
            Argument("country", "Only events naming this country", required=False, kind="country"),
            Argument(
                "page",
                "Page of a long timeline (20 events each)",
                required=False,
                kind="int",
                joiner=" page ",
            ),
        ),
        _timeline,
    ),
    Command(
        "search",
        "/search <words>",
        "Passages that mention the words, best first, cited.",
        (Argument("query", "Words to look for"),),
        _search,
    ),
    Command(
        "ask",
        "/ask <question>",
        "The passages that answer a question; says so plainly when the documents do not.",
        (Argument("question", "A question in plain words"),),
        _ask,
    ),
    Command(
        "source",
        "/source <n | url>",
        "A source's outlet, title, date, url and the facts taken from it.",
        (Argument("ref", "Source number (see `factdesk sources`) or url"),),
        _source,
    ),
    Command(
        "fact",
        FACT_USAGE,
        "Show a fact and its history; editors add, correct, retract and restore facts.",
        (
            Argument("action", "What to do", kind="choice", choices=SUBCOMMANDS),
            Argument(
                "id",
                "The fact's id (shown by /fact show, in JSON answers and /source)",
                required=False,
                kind="int",
            ),
            Argument("text", "New or added text", required=False, keyed=True),
            Argument(
                "date",
                "Event date: 2019-09-20, 2019-09, 2019 or 2019-11 to 2020-03",
                required=False,
                keyed=True,
            ),
            Argument("note", "Why (required to correct, retract or restore)", required=False, keyed=True),
            Argument(
                "country", "Country the added fact concerns", required=False, kind="country", keyed=True
            ),
            Argument("source", "Source number or url of an added fact", required=False, keyed=True),
            Argument(
                "quote", "The source's words supporting an added fact, verbatim", required=False, keyed=True
            ),
            Argument(
                "version",
                "The version you are looking at (refused if changed since)",
                required=False,
                kind="int",
                keyed=True,
            ),
        ),
        _fact,
        admin_actions=ADMIN_SUBCOMMANDS,
        parse=parse_fact,
    ),
    Command(
        "ingest",
        INGEST_USAGE,
        "Editors: fetch an article from the web and add it; its facts join the answers.",
        (
            Argument("url", "The article's address"),
            Argument(
                "published", "Publication date if the page lacks one (YYYY-MM-DD)", required=False, keyed=True
            ),
            Argument("outlet", "Outlet name if the page lacks one", required=False, keyed=True),
            Argument("title", "Title if the page lacks one", required=False, keyed=True),
        ),
        _ingest,
        admin_only=True,
    ),
    Command(
        "digest",
        DIGEST_USAGE,
        "This channel's scheduled digest: preview it, or (editors) subscribe, unsubscribe, post it now.",
        (
            Argument("action", "What to do", kind="choice", choices=DIGEST_ACTIONS),
            Argument("schedule", "Cron schedule, e.g. 0 9 * * 1-5 (weekdays 09:00)", required=False),
            Argument("timezone", "Time zone, e.g. Europe/Madrid", required=False),
        ),
        _digest,
        admin_actions=DIGEST_ADMIN_ACTIONS,
        parse=parse_digest,
    ),
    Command(
        "factdesk",
        "/factdesk help",
        "What factdesk can do, one line per command.",
        (Argument("topic", "help", required=False),),
        None,
    ),
)

_BY_NAME = {c.name: c for c in COMMANDS}


def command_text(command: Command, values: dict[str, object]) -> str:
    """Typed option values written back as the text a user would type after the command."""
    text = ""
    for argument in command.arguments:
        value = values.get(argument.name)
        if value is None or value == "":
            continue
        shown = str(value).strip()
        if argument.keyed:
            shown = f"{argument.name}={shlex.quote(shown)}"
        text += (argument.joiner if text else "") + shown
    return text


def get_command(name: str) -> Command | None:
    return _BY_NAME.get(name.lower().lstrip("/"))
