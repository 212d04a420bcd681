"""``@factdesk …`` in a channel or a thread: what the message asks, and how often a user may ask.

A mention is read the way a reporter writes it: ``@factdesk /timeline 2019`` or ``@factdesk
agreement el-salvador`` runs that command; anything else (``@factdesk when did Peru sign the
pact?``) is a question for ``/ask``, and so are a command's name and words that are not its
arguments ("timeline of the talks?"); a bare mention gets the help. The platform's markup
(``<@U123>``, ``<@!42>``, ``<#C1|news>``, ``<!here>``) is removed first, wherever it stands.
The command then goes through the same core as a slash command: authorisation is decided there,
on the parsed command.

Mentions are public and cost the channel attention, so each user gets ``per_minute`` of them in
any sixty seconds (:class:`MentionWindow`); over that, the surface says so privately when the
platform can, and answers nothing.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from bot.commands.registry import Command, get_command
from bot.requests import Request, clean_text
from facts.errors import FactdeskError

__all__ = ["SLOW_DOWN", "MentionWindow", "mention_request"]

SLOW_DOWN = "That is a lot of questions in a minute; ask again in a moment (or use the slash commands)."
# Mentions of users, roles, channels and broadcasts (<@U1>, <@!42>, <@&7>, <#C1|news>, <!here>):
# none is part of a question, and none may be echoed back to ping anyone.
_MARKUP = re.compile(r"<(?:@[!&]?|#|!)[^<>\s]{1,80}>")
_WINDOW_SECONDS = 60.0
_USERS = 10_000  # users remembered at most; the longest idle are forgotten first


def mention_request(text: str, *, actor: str, channel: str | None = None) -> Request:
    """The request a mention's ``text`` makes (the bot's own mention markup removed)."""
    words = clean_text(_MARKUP.sub(" ", text))
    head, _, rest = words.partition(" ")
    command = get_command(head.removeprefix("/").lower())
    if command is not None and (head.startswith("/") or _reads_as(command, rest)):
        return Request(command=command.name, text=rest.strip(), actor=actor, channel=channel)
    if not words:
        return Request(command="factdesk", text="help", actor=actor, channel=channel)
    return Request(command="ask", text=words, actor=actor, channel=channel)


def _reads_as(command: Command[Any], rest: str) -> bool:
    """Whether words after a command's name (no ``/``) are its arguments: "timeline 2019" is,
    "timeline of the talks?" is a question."""
    try:
        command.parse(rest.strip())
    except FactdeskError:
        return False
    return True


class MentionWindow:
    """At most ``per_minute`` mentions per user in any sixty seconds of ``clock``."""

    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}

    def allow(self, user: str) -> bool:
        """Count a mention by ``user`` if it is within the limit; False (and not counted) if not."""
        now = self.clock()
        times = self._seen.pop(user, None) or deque()
        while times and now - times[0] >= _WINDOW_SECONDS:
            times.popleft()
        allowed = len(times) < self.per_minute
        if allowed:
            times.append(now)
        if times:
            self._seen[user] = times  # most recent last: the dict's order is idleness
        while len(self._seen) > _USERS:
            del self._seen[next(iter(self._seen))]
        return allowed
