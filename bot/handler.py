"""The one async entry point from a request to an answer; errors become replies here only."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

from bot.commands.registry import COMMANDS, get_command
from bot.digest_scheduler import DigestScheduler
from bot.observability import command_done, error_seen
from bot.requests import Request, without_surrogates
from facts.answers.contract import Answer
from facts.errors import ErrorCode, FactdeskError, Forbidden, UsageError
from facts.read.web_article import FetchPolicy
from facts.store.sqlite_store import FactStore

__all__ = ["Access", "Context", "handle", "help_answer"]

log = logging.getLogger("factdesk.handler")


def help_answer(command: str = "/factdesk help") -> Answer:
    """Help lives in ``notes``: items are reserved for cited lines."""
    answer = Answer(command=command, title="factdesk — cited answers from the newsroom's documents")
    answer.notes.extend(f"{c.usage} — {c.help}" for c in COMMANDS)
    answer.notes.append("Every line quotes the sentence it comes from, with its outlet and date.")
    return answer


@dataclass(frozen=True)
class Access:
    """Who may change the record: ``FACTDESK_ADMINS`` ids (``slack:U123``, ``discord:456``) and,
    on Discord, members holding one of ``FACTDESK_DISCORD_ADMIN_ROLES``. Whoever runs the
    command line or the console on the store's machine is the desk."""

    admins: frozenset[str] = frozenset()
    discord_admin_roles: frozenset[str] = frozenset()

    def allows(self, request: Request) -> bool:
        if request.platform in READ_ONLY_PLATFORMS:
            return False
        if request.platform in LOCAL_PLATFORMS:
            return True
        if request.actor in self.admins:
            return True
        return request.platform == "discord" and bool(self.discord_admin_roles & set(request.roles))


MAX_COMMAND_CHARS = 4_000  # Slack's own cap on a slash command's text; the other surfaces share it
LOCAL_PLATFORMS = frozenset({"cli", "console"})
# Surfaces that can never change the record, whoever is named in FACTDESK_ADMINS: the anonymous
# HTTP API. The refusal is decided here, on the parsed command, like every other.
READ_ONLY_PLATFORMS = frozenset({"http"})


@dataclass(frozen=True)
class Context:
    """What a surface lends the commands: who may edit, the digest scheduler when one runs, and
    where ``/ingest`` may fetch from (public addresses only unless the settings allow more)."""

    access: Access = field(default_factory=Access)
    digests: DigestScheduler | None = None
    fetch: FetchPolicy = field(default_factory=FetchPolicy)


async def handle(
    request: Request, store: FactStore, *, access: Access | None = None, context: Context | None = None
) -> Answer:
    """Run one command. User mistakes come back as ``Answer.error`` with the usage line; a change
    by someone who is not one of the desk's editors is refused and logged, and changes nothing."""
    started = time.perf_counter()
    request = replace(
        request, command=without_surrogates(request.command), text=without_surrogates(request.text)
    )
    answer = await _handle(request, store, context or Context(access=access or Access()))
    outcome = (
        answer.error.code if answer.error else ("empty" if not answer.items and not answer.notes else "ok")
    )
    known = get_command(request.command)
    command_done(
        f"/{known.name}" if known else "unknown", outcome, request.platform, time.perf_counter() - started
    )
    return answer


def _refused(request: Request, shown: str) -> Forbidden:
    """The refusal of a change by someone who may not make it, logged; the caller raises it."""
    log.warning("refused: %s may not change the record: %s", request.actor, shown)
    if request.platform in READ_ONLY_PLATFORMS:
        message = (
            "This surface is read-only: the record changes only through an editor's Slack or Discord"
            " account or the command line."
        )
    else:
        message = (
            f"Only the desk's editors can do that, and {request.actor} is not one of them;"
            " an admin can add you to FACTDESK_ADMINS."
        )
    return Forbidden(message)


async def _handle(request: Request, store: FactStore, context: Context) -> Answer:
    shown = f"/{request.command} {request.text}".strip()
    command = get_command(request.command)
    if command is None:
        names = ", ".join(f"/{c.name}" for c in COMMANDS)
        message = f"There is no command /{request.command[:40]}. Commands: {names}."
        return Answer.failure(shown, ErrorCode.UNKNOWN_COMMAND, message)
    if command.handler is None:
        return help_answer(shown)
    try:
        if len(request.text) > MAX_COMMAND_CHARS:
            raise UsageError(
                f"That is {len(request.text):,} characters; a command takes at most {MAX_COMMAND_CHARS:,}."
            )
        args = command.parse(request.text)  # once: the check and the run see the same action
        if command.writes(args) and not context.access.allows(request):
            raise _refused(request, shown)
        return await command.handler(store, args, shown, request, context)
    except FactdeskError as exc:
        usage = f" Usage: {command.usage}" if exc.shows_usage else ""
        return Answer.failure(shown, exc.code, f"{exc}{usage}")
    except Exception:
        log.exception("command failed: %s", shown)
        error_seen("command")
        return Answer.failure(
            shown, ErrorCode.INTERNAL, "Sorry, something went wrong answering that; it has been logged."
        )
