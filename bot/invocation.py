"""What a command runs with: who asked (the request), the store, who may edit, the digest
scheduler, where ``/ingest`` may fetch from and the posted answers a correction edits. Built by
the core for each command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.requests import Request
from facts.read.web_article import FetchPolicy
from facts.store.protocols import FactStore

if TYPE_CHECKING:
    from bot.digest_scheduler import DigestScheduler
    from bot.posted_answers import PostedAnswers

__all__ = ["LOCAL_PLATFORMS", "READ_ONLY_PLATFORMS", "Access", "Context", "Invocation", "Options"]

# A command's typed option values as a surface with typed options (Discord) hands them over,
# by argument name; an option not given is absent or None.
Options = Mapping[str, str | int | None]

LOCAL_PLATFORMS = frozenset({"cli", "console"})
# Surfaces that can never change the record, whoever is named in FACTDESK_ADMINS: the anonymous
# HTTP API. The refusal is decided in the core, on the parsed command, like every other.
READ_ONLY_PLATFORMS = frozenset({"http"})


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


@dataclass(frozen=True)
class Context:
    """What a surface lends the commands: who may edit, the digest scheduler when one runs, and
    where ``/ingest`` may fetch from (public addresses only unless the settings allow more)."""

    access: Access = field(default_factory=Access)
    digests: DigestScheduler | None = None
    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    posted: PostedAnswers | None = None  # answers posted in channels, edited after a correction


@dataclass(frozen=True)
class Invocation:
    """One command's run: the request it answers and what the core lends it."""

    request: Request
    store: FactStore
    access: Access
    digests: DigestScheduler | None
    fetch: FetchPolicy
    posted: PostedAnswers | None = None

    @classmethod
    def of(cls, request: Request, store: FactStore, context: Context) -> Invocation:
        return cls(request, store, context.access, context.digests, context.fetch, context.posted)
