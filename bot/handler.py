"""The one async entry point from a request to an answer; errors become replies here only."""

from __future__ import annotations

import logging

from bot.registry import COMMANDS, get_command
from bot.requests import Request
from facts.answer import Answer
from facts.errors import FactdeskError
from facts.store import FactStore

__all__ = ["handle", "help_answer"]

log = logging.getLogger("factdesk.handler")


def help_answer(command: str = "/factdesk help") -> Answer:
    """Help lives in ``notes``: items are reserved for cited lines."""
    answer = Answer(command=command, title="factdesk — cited answers from the newsroom's documents")
    answer.notes.extend(f"{c.usage} — {c.help}" for c in COMMANDS)
    answer.notes.append("Every line quotes the sentence it comes from, with its outlet and date.")
    return answer


async def handle(request: Request, store: FactStore) -> Answer:
    """Run one command. User mistakes come back as ``Answer.error`` with the usage line."""
    shown = f"/{request.command} {request.text}".strip()
    command = get_command(request.command)
    if command is None:
        names = ", ".join(f"/{c.name}" for c in COMMANDS)
        return Answer.failure(
            shown, "unknown_command", f"There is no command /{request.command[:40]}. Commands: {names}."
        )
    if command.handler is None:
        return help_answer(shown)
    try:
        return await command.handler(store, request.text, shown)
    except FactdeskError as exc:
        return Answer.failure(shown, exc.code, f"{exc} Usage: {command.usage}")
    except Exception:
        log.exception("command failed: %s", shown)
        return Answer.failure(
            shown, "internal", "Sorry, something went wrong answering that; it has been logged."
        )
