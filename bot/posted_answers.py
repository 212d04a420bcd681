"""Answers posted where everyone sees them, kept so that a correction edits them in place.

A surface that posts an answer in a channel or a thread (Post to channel, Post to thread, a reply
to a mention, a digest) hands it to :meth:`PostedAnswers.posted` with the platform's reference to
the message. When an editor corrects, retracts or restores a fact, :meth:`PostedAnswers.changed`
edits every kept message that showed it (the most recent ``POSTS_PER_CHANGE``), through the
editor each surface registered: Slack's ``chat.update``, Discord's message edit. The edits run
after the editor has been answered, one after another (the platforms' clients wait out their
rate limits), and each is recorded against the fact's version: ``/fact history`` names them.
Private answers are not kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.observability import error_seen
from facts.answers.contract import Answer
from facts.answers.refresh import refreshed
from facts.store.posted_ledger import PostRow
from facts.store.protocols import DocumentReader, PostedLedger
from facts.store.timestamps import now_utc

__all__ = ["Edit", "PostedAnswers", "PostedMessage"]

log = logging.getLogger("factdesk.posted")



@dataclass(frozen=True)
class PostedMessage:
    """Where a kept answer was posted, as its surface needs it to edit the message: the channel,
    the platform's reference to the message, who asked and the first line the message shows."""

    channel: str
    ref: str
    asked_by: str | None
    shown_from: int


Edit = Callable[[PostedMessage, Answer], Awaitable[None]]  # shows ``answer`` in the posted message


class PostedStore(PostedLedger, DocumentReader, Protocol):
    """What keeping and editing posted answers needs of the store."""


class PostedAnswers:
    """The posted answers of one process's surfaces; ``editors`` by platform name."""

    def __init__(self, store: PostedStore) -> None:
        self.store = store
        self.editors: dict[str, Edit] = {}
        self.kept = 0  # answers kept by this process (tests wait on it)
        self._kept_changed: asyncio.Condition | None = None
        self._running: set[asyncio.Task[list[PostRow]]] = set()

    async def posted(
        self, platform: str, channel: str, ref: str, answer: Answer, *, asked_by: str | None = None,
        shown_from: int = 0,
    ) -> None:
        """Keep an answer just posted in ``channel`` as message ``ref`` (nothing to keep for an
        error, or an answer that shows no fact)."""
        fact_ids = [it.fact_id for it in answer.items[shown_from:] if it.fact_id is not None]
        if answer.error or not ref or not fact_ids:
            return
        await self.store.record_post(
            platform, channel, ref, answer.to_json(), fact_ids, asked_by=asked_by, shown_from=shown_from
        )
        async with self._condition():
            self.kept += 1
            self._condition().notify_all()

    def _condition(self) -> asyncio.Condition:
        if self._kept_changed is None:  # made in the loop that uses it
            self._kept_changed = asyncio.Condition()
        return self._kept_changed

    async def wait_kept(self, count: int) -> None:
        """Wait until this process has kept ``count`` posted answers (for tests)."""
        async with self._condition():
            await self._condition().wait_for(lambda: self.kept >= count)

    def changed(self, fact_id: int, version: int, action: str, note: str) -> None:
        """The desk changed ``fact_id`` (now at ``version``): edit the posts that showed it, after
        the editor has their answer."""
        label = f"Retracted {now_utc()[:10]}: {note}" if action == "retract" else None
        task = asyncio.get_running_loop().create_task(self.update(fact_id, version, label))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def update(self, fact_id: int, version: int, label: str | None) -> list[PostRow]:
        """Edit each kept post that showed ``fact_id``; returns those edited."""
        done: list[PostRow] = []
        for post in await self.store.posts_showing(fact_id):
            edit = self.editors.get(post.platform)
            if edit is None:  # posted by a surface this process does not run
                continue
            answer = await refreshed(self.store, post.answer, fact_id, label)
            if answer is None:
                continue
            try:
                await edit(PostedMessage(post.channel, post.ref, post.asked_by, post.shown_from), answer)
            except Exception:  # one message that cannot be edited (deleted, no access) spoils no other
                log.exception("could not edit posted answer %s %s/%s", post.platform, post.channel, post.ref)
                error_seen("posted_update")
                continue
            await self.store.post_updated(post.id, answer.to_json(), fact_id, version)
            done.append(post)
        return done

    async def settle(self) -> None:
        """Wait for the edits under way (tests; and shutdown, so none is cut half-way)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
