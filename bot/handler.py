"""The one async entry point from a request to an answer; errors become replies here only.

A command arrives as text (:func:`handle`: CLI, console, Slack, the HTTP API), as typed options
(:func:`handle_options`: Discord) or as arguments already built (:func:`run_args`: a submitted
form). Each way, the arguments are read once, the editors' check sees what will run, the
command runs, and the answer is given the command as shown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot import answer_cache
from bot.commands.registry import COMMANDS, Command, CommandArgs, get_command, help_answer
from bot.invocation import READ_ONLY_PLATFORMS, Access, Context, Invocation, Options
from bot.observability import command_done, error_seen
from bot.requests import Request, without_surrogates
from facts.answers.contract import Answer
from facts.answers.sentence_links import link_sentences
from facts.errors import ErrorCode, FactdeskError, Forbidden, UsageError
from facts.store.protocols import FactStore

__all__ = ["MAX_COMMAND_CHARS", "Access", "Context", "handle", "handle_options", "help_answer", "run_args"]

log = logging.getLogger("factdesk.handler")

MAX_COMMAND_CHARS = 4_000  # Slack's own cap on a slash command's text; the other surfaces share it
HELP = "factdesk"  # answers whatever follows it, however long


async def handle(
    request: Request, store: FactStore, *, access: Access | None = None, context: Context | None = None
) -> Answer:
    """Run one command typed as text. User mistakes come back as ``Answer.error`` with the usage
    line; a change by someone who is not one of the desk's editors is refused and logged, and
    changes nothing."""
    request = replace(
        request, command=without_surrogates(request.command), text=without_surrogates(request.text)
    )
    context = context or Context(access=access or Access())
    shown = f"/{request.command} {request.text}".strip()
    command = get_command(request.command)
    if command is None:
        names = ", ".join(f"/{c.name}" for c in COMMANDS)
        message = f"There is no command /{request.command[:40]}. Commands: {names}."
        answer = Answer.failure(shown, ErrorCode.UNKNOWN_COMMAND, message)
        return _done(request, None, answer, time.perf_counter())

    if command.name != HELP:
        try:
            _check_length(request.text)
        except UsageError as too_long:
            answer = Answer.failure(shown, too_long.code, f"{too_long} Usage: {command.usage}")
            return _done(request, command, answer, time.perf_counter())
    text = request.text
    as_typed: Callable[[CommandArgs | None], str] = lambda _: shown  # noqa: E731
    as_read = _shown(command, text) if command.shown_as_read else as_typed
    return await _answer(request, store, context, command, lambda: command.parse(text), as_read)


async def handle_options(
    command: Command[Any], values: Options, request: Request, store: FactStore, *, context: Context
) -> Answer:
    """Run one command whose arguments came typed (Discord options): they become the command's
    arguments directly, never text to parse again."""
    given = " ".join(str(v) for v in values.values() if v is not None and str(v) != "")
    return await _answer(
        request, store, context, command, lambda: _capped(command.options(values)), _shown(command, given)
    )


async def run_args(
    command: Command[Any], args: CommandArgs, request: Request, store: FactStore, *, context: Context
) -> Answer:
    """Run one command with arguments a surface built itself (a submitted form)."""
    shown = _shown(command, args.text())
    return await _answer(request, store, context, command, lambda: _capped(args), shown)


def _capped(args: CommandArgs) -> CommandArgs:
    """Typed arguments within the cap that text has (what they would be typed as, at most)."""
    _check_length(args.text())
    return args


def _check_length(text: str) -> None:
    if len(text) > MAX_COMMAND_CHARS:
        raise UsageError(f"That is {len(text):,} characters; a command takes at most {MAX_COMMAND_CHARS:,}.")


def _shown(command: Command[Any], fallback: str) -> Callable[[CommandArgs | None], str]:
    """The command as shown: from its arguments once read, else from what was given."""
    return lambda args: f"/{command.name} {args.text() if args is not None else fallback}".strip()


async def _answer(
    request: Request,
    store: FactStore,
    context: Context,
    command: Command[Any],
    read: Callable[[], CommandArgs],
    shown: Callable[[CommandArgs | None], str],
) -> Answer:
    started = time.perf_counter()
    args: CommandArgs | None = None
    allowed = context.access.allows(request)
    try:
        if command.admin_only and not allowed:  # refused before its arguments are even read
            raise _refused(request, shown(None))
        args = read()  # once: the check and the run see the same action
        if command.writes(args) and not allowed:
            raise _refused(request, shown(args))
        invocation = Invocation.of(request, store, context)
        parsed = args

        async def produce() -> Answer:
            # Every citation points at its sentence on the page (kept in the cached answer).
            return await link_sentences(store, await command.run(parsed, invocation))

        if command.cached and answer_cache.enabled():
            state = await store.state()
            answer = await answer_cache.cache_for(store).answer((command.name, args.text()), state, produce)
        else:
            answer = await produce()
        if not answer.command:  # a scheduled digest's preview names its own
            answer.command = shown(args)
    except FactdeskError as exc:
        usage = f" Usage: {command.usage}" if exc.shows_usage else ""
        answer = Answer.failure(shown(args), exc.code, f"{exc}{usage}")
    except Exception:
        log.exception("command failed: %s", shown(args))
        error_seen("command")
        answer = Answer.failure(
            shown(args), ErrorCode.INTERNAL, "Sorry, something went wrong answering that; it has been logged."
        )
    return _done(request, command, answer, started)


def _done(request: Request, command: Command[Any] | None, answer: Answer, started: float) -> Answer:
    outcome = (
        answer.error.code if answer.error else ("empty" if not answer.items and not answer.notes else "ok")
    )
    name = f"/{command.name}" if command else "unknown"
    command_done(name, outcome, request.platform, time.perf_counter() - started)
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
