"""The core as a surface sees it: one :class:`Desk` per process wraps the store and what the
commands are lent (who may edit, the digest scheduler, the fetch policy). Surfaces hold a Desk
and never the store: the form flow's lookups, the country autocomplete and the claim on a
platform's delivery id are asked of it here.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.commands.fact import FactArgs
from bot.commands.fact_forms import Form, form_args, form_fields
from bot.commands.registry import Command, CommandArgs, get_command
from bot.handler import handle, handle_options, run_args
from bot.invocation import Context, Options
from bot.requests import Request
from facts.answers.contract import Answer
from facts.errors import FactdeskError
from facts.store.protocols import FactStore

__all__ = ["DELIVERY_TTL_SECONDS", "EXPIRE_EVERY_SECONDS", "Desk"]

log = logging.getLogger("factdesk.desk")

DELIVERY_TTL_SECONDS = 3600.0  # a delivery id is remembered this long (redeliveries come within minutes)
EXPIRE_EVERY_SECONDS = 600.0  # how often expired delivery ids are swept from the store


class Desk:
    """Runs commands for the surfaces.

    Example::

        desk = Desk(store, Context(access=settings.access()))
        answer = await desk.handle(parse_command_line("/timeline 2019"))
    """

    def __init__(self, store: FactStore, context: Context | None = None) -> None:
        self._store = store
        self.context = context or Context()
        self._swept: float | None = None

    # ------------------------------------------------------------------ commands

    async def handle(self, request: Request) -> Answer:
        """A command typed as text (``request.text`` is parsed once, by the command)."""
        return await handle(request, self._store, context=self.context)

    async def run_options(self, command: Command[Any], values: Options, request: Request) -> Answer:
        """A command with typed options (Discord): they become its arguments directly."""
        return await handle_options(command, values, request, self._store, context=self.context)

    async def run(self, command: Command[Any], args: CommandArgs, request: Request) -> Answer:
        """A command whose arguments a surface built (a submitted form)."""
        return await run_args(command, args, request, self._store, context=self.context)

    async def posted(
        self,
        platform: str,
        channel: str,
        ref: str,
        answer: Answer,
        *,
        asked_by: str | None = None,
        shown_from: int = 0,
    ) -> None:
        """An answer was posted for everyone as message ``ref``: kept, so a correction edits it."""
        if self.context.posted is not None:
            await self.context.posted.posted(
                platform, channel, ref, answer, asked_by=asked_by, shown_from=shown_from
            )

    async def keep_view(self, command: str, actor: str) -> int:
        """Keep the command behind an answer's buttons (any process can answer them again)."""
        return await self._store.keep_view(command, actor)

    async def view_command(self, view_id: int) -> str | None:
        return await self._store.view_command(view_id)

    def changes_record(self, request: Request) -> bool:
        """Whether the command typed in ``request`` changes the record (a correction, an added
        fact, an ingest, a digest posted now): its answer must never be run again by a button."""
        command = get_command(request.command)
        if command is None:
            return False
        try:
            return command.writes(command.parse(request.text))
        except FactdeskError:  # it does not even parse: it changes nothing
            return False

    def allows(self, request: Request) -> bool:
        """Whether the actor may change the record (the core decides again on every run)."""
        return self.context.access.allows(request)

    # ------------------------------------------------------------------ what surfaces offer

    async def reported_countries(self) -> set[str]:
        """Codes of the countries the documents report agreements with (for autocomplete)."""
        return set(await self._store.agreement_countries())

    async def form_for(self, request: Request, action: str, fact_id: int | None) -> Form | Answer:
        """The form behind ``/fact add`` or ``/fact correct <id>``, prefilled from the fact; or the
        answer instead: the core's refusal for a non-editor, "no such fact" for an unknown id."""
        fact_command = _fact_command()
        if not self.allows(request):  # the core refuses (and logs) in its own words
            return await self.run(fact_command, FactArgs(action, fact_id), request)
        fact = await self._store.fact(fact_id) if fact_id is not None else None
        if fact_id is not None and fact is None:
            return await self.run(fact_command, FactArgs("show", fact_id), request)
        title = f"Correct fact {fact_id}" if fact_id is not None else "Add a fact"
        version = fact.version if fact else None
        return Form(action, fact_id, version, title, form_fields(action, fact))

    async def submit_form(
        self,
        request: Request,
        action: str,
        fact_id: int | None,
        version: int | None,
        values: dict[str, str | None],
    ) -> Answer:
        """A submitted form as the ``/fact`` change it stands for (fields left as prefilled, as the
        fact reads now, are left out)."""
        fact = await self._store.fact(fact_id) if fact_id is not None else None
        args = form_args(action, fact_id, version, values, form_fields(action, fact))
        return await self.run(_fact_command(), args, request)

    # ------------------------------------------------------------------ deliveries

    async def first_delivery(self, key: str, now: float) -> bool:
        """Claim a platform's delivery id (``slack:<trigger>``): False for a redelivery or a replay,
        also after a restart. Expired ids are swept every ``EXPIRE_EVERY_SECONDS``. When the store
        fails, True: answering twice beats not answering."""
        try:
            if self._swept is None:
                self._swept = now
            elif now - self._swept >= EXPIRE_EVERY_SECONDS:
                self._swept = now
                await self._store.expire_deliveries(now=now)
            first = await self._store.claim_delivery(key, now=now, ttl=DELIVERY_TTL_SECONDS)
        except Exception:
            log.exception("delivery claim failed; answering %s", key)
            return True
        if not first:
            log.info("redelivery of %s ignored", key)
        return first


def _fact_command() -> Command[Any]:
    command = get_command("fact")
    assert command is not None
    return command
