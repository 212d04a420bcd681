"""The one registry of commands: every surface (CLI, console, Slack, Discord) is built from it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from bot.commands.digest import (
    DIGEST_ACTIONS,
    DIGEST_ADMIN_ACTIONS,
    DIGEST_USAGE,
    digest_options,
    parse_digest,
    run_digest,
)
from bot.commands.fact import ADMIN_SUBCOMMANDS, FACT_USAGE, SUBCOMMANDS, fact_options, parse_fact, run_fact
from bot.commands.ingest import INGEST_USAGE, ingest_options, parse_ingest, run_ingest
from bot.commands.queries import (
    agreement_options,
    ask_options,
    check_options,
    parse_agreement,
    parse_ask,
    parse_check,
    parse_search,
    parse_source,
    parse_timeline,
    run_agreement,
    run_ask,
    run_check,
    run_search,
    run_source,
    run_timeline,
    search_options,
    source_options,
    timeline_options,
)
from bot.invocation import Invocation, Options
from facts.answers.contract import Answer

__all__ = ["COMMANDS", "Argument", "Command", "CommandArgs", "HelpArgs", "get_command", "help_answer"]


class CommandArgs(Protocol):
    """A command's arguments once read: a frozen dataclass that can show itself as typed text."""

    def text(self) -> str: ...


ArgsT = TypeVar("ArgsT", bound=CommandArgs)


@dataclass(frozen=True)
class Argument:
    """A typed argument, for surfaces with typed options (Discord).

    ``kind`` is ``"text"``, ``"year"``, ``"int"`` (whole numbers), ``"choice"`` (one of
    ``choices``) or ``"country"`` (offered by autocomplete).
    """

    name: str
    description: str
    required: bool = True
    kind: str = "text"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Command(Generic[ArgsT]):
    """A command as every surface shows it; ``usage`` is the one-line synopsis.

    ``parse`` reads the command's text (CLI, console, Slack) and ``options`` its typed options
    (Discord) into the same ``ArgsT``; both raise ``UsageError`` on what they cannot read. What
    they return is what the authorisation check sees and what ``run`` runs, so no spelling of
    an action (quotes, escapes, look-alikes) reaches one without the other.
    """

    name: str
    usage: str
    help: str
    arguments: tuple[Argument, ...]
    parse: Callable[[str], ArgsT]
    options: Callable[[Options], ArgsT]
    run: Callable[[ArgsT, Invocation], Awaitable[Answer]]
    admin_only: bool = False
    # Actions that only the desk's editors may run, as the command's own parser reads them.
    admin_actions: frozenset[str] = frozenset()
    # Its answer depends only on its arguments and the record (bot/answer_cache.py).
    cached: bool = False
    # Shown (and carried by buttons) as its arguments read it, not as typed: a long text whose
    # parsed form is short (/check keeps a message's claims).
    shown_as_read: bool = False

    def writes(self, args: ArgsT) -> bool:
        """Whether running these parsed arguments can change the record."""
        return self.admin_only or getattr(args, "action", None) in self.admin_actions


@dataclass(frozen=True)
class HelpArgs:
    """``/factdesk help``: whatever follows the command, the answer is the list of commands."""

    topic: str = ""

    def text(self) -> str:
        return self.topic


def help_answer() -> Answer:
    """Help lives in ``notes``: items are reserved for cited lines."""
    answer = Answer(title="factdesk — cited answers from the newsroom's documents")
    answer.notes.extend(f"{c.usage} — {c.help}" for c in COMMANDS)
    answer.notes.append("Every line quotes the sentence it comes from, with its outlet and date.")
    return answer


async def _run_help(args: HelpArgs, invocation: Invocation) -> Answer:
    return help_answer()


COMMANDS: tuple[Command[Any], ...] = (
    Command(
        "agreement",
        "/agreement <country>",
        "A short cited summary of what the documents report about agreements with a country.",
        (Argument("country", "Country name, ISO code, demonym or slug (el-salvador)", kind="country"),),
        parse_agreement,
        agreement_options,
        run_agreement,
        cached=True,
    ),
    Command(
        "timeline",
        "/timeline <year | from-to> [country] [page N]",
        "Dated events in a year or range of years, in order, each at its precision.",
        (
            Argument("year", "A year, e.g. 2019 (the first of a range)", kind="year"),
            Argument("to", "Last year of a range, e.g. 2020", required=False, kind="year"),
            Argument("country", "Only events naming this country", required=False, kind="country"),
            Argument(
                "page",
                "Page of a long timeline (20 events each)",
                required=False,
                kind="int",
            ),
        ),
        parse_timeline,
        timeline_options,
        run_timeline,
        cached=True,
    ),
    Command(
        "search",
        "/search <words>",
        "Passages that mention the words, best first, cited.",
        (Argument("query", "Words to look for"),),
        parse_search,
        search_options,
        run_search,
        cached=True,
    ),
    Command(
        "ask",
        "/ask <question>",
        "The passages that answer a question; says so plainly when the documents do not.",
        (Argument("question", "A question in plain words"),),
        parse_ask,
        ask_options,
        run_ask,
        cached=True,
    ),
    Command(
        "check",
        "/check <text of a message or a draft>",
        "What the documents say about each claim of a message: its passages, or that they do not say.",
        (Argument("message", "The text whose claims to check"),),
        parse_check,
        check_options,
        run_check,
        cached=True,
        shown_as_read=True,
    ),
    Command(
        "source",
        "/source <n | url>",
        "A source's outlet, title, date, url and the facts taken from it.",
        (Argument("ref", "Source number (see `factdesk sources`) or url"),),
        parse_source,
        source_options,
        run_source,
        cached=True,
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
            Argument("text", "New or added text", required=False),
            Argument(
                "date",
                "Event date: 2019-09-20, 2019-09, 2019 or 2019-11 to 2020-03",
                required=False,
            ),
            Argument("note", "Why (required to correct, retract or restore)", required=False),
            Argument(
                "country", "Country the added fact concerns", required=False, kind="country"
            ),
            Argument("source", "Source number or url of an added fact", required=False),
            Argument(
                "quote", "The source's words supporting an added fact, verbatim", required=False
            ),
            Argument(
                "version",
                "The version you are looking at (refused if changed since)",
                required=False,
                kind="int",
            ),
        ),
        parse_fact,
        fact_options,
        run_fact,
        admin_actions=ADMIN_SUBCOMMANDS,
    ),
    Command(
        "ingest",
        INGEST_USAGE,
        "Editors: fetch an article from the web and add it; its facts join the answers.",
        (
            Argument("url", "The article's address"),
            Argument(
                "published", "Publication date if the page lacks one (YYYY-MM-DD)", required=False
            ),
            Argument("outlet", "Outlet name if the page lacks one", required=False),
            Argument("title", "Title if the page lacks one", required=False),
        ),
        parse_ingest,
        ingest_options,
        run_ingest,
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
        parse_digest,
        digest_options,
        run_digest,
        admin_actions=DIGEST_ADMIN_ACTIONS,
    ),
    Command(
        "factdesk",
        "/factdesk help",
        "What factdesk can do, one line per command.",
        (Argument("topic", "help", required=False),),
        HelpArgs,
        lambda values: HelpArgs(str(values.get("topic") or "")),
        _run_help,
    ),
)

_BY_NAME = {c.name: c for c in COMMANDS}


def get_command(name: str) -> Command[Any] | None:
    return _BY_NAME.get(name.lower().lstrip("/"))
