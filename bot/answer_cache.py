"""Answers asked again, served from memory until the record changes.

A reporter's `/agreement mexico` is often asked again by the next reporter (and digests and
follow-up buttons re-run the same lookups). A read command's answer depends only on its parsed
arguments and the record, so it is kept under the command's text and reused while the store's
:meth:`~facts.store.protocols.StoreHandle.state` is unchanged: any ingest or correction, by this
process or another one on the same file, changes the state and so empties the cache. Each store
has its own cache (a weak reference: a closed store's cache goes with it). The answer handed out
is a copy, so a surface that decorates it never changes the one kept.
"""

from __future__ import annotations

import copy
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable

from facts.answers.contract import Answer

__all__ = ["AnswerCache", "cache_for", "enabled"]

MAX_ANSWERS = 512  # answers kept per store (a few KB each)


class AnswerCache:
    """The last ``size`` answers, least recently used out first, valid for one store state."""

    def __init__(self, size: int = MAX_ANSWERS) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self._state: Hashable = None
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()

    async def answer(
        self, key: Hashable, state: Hashable, compute: Callable[[], Awaitable[Answer]]
    ) -> Answer:
        """The answer for ``key`` at ``state``: kept, or computed (and kept unless it failed)."""
        if state != self._state:
            self._answers.clear()
            self._state = state
        kept = self._answers.get(key)
        if kept is not None:
            self._answers.move_to_end(key)
            self.hits += 1
            return copy.deepcopy(kept)
        self.misses += 1
        answer = await compute()
        if answer.error is None:
            self._answers[key] = copy.deepcopy(answer)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer


_CACHES: weakref.WeakKeyDictionary[object, AnswerCache] = weakref.WeakKeyDictionary()
_ENABLED = [True]


def cache_for(store: object) -> AnswerCache:
    """The cache of ``store`` (made on first use)."""
    cache = _CACHES.get(store)
    if cache is None:
        cache = _CACHES[store] = AnswerCache()
    return cache


def enabled(on: bool | None = None) -> bool:
    """Whether answers are cached (``factdesk bench`` turns it off to time every answer cold)."""
    if on is not None:
        _ENABLED[0] = on
    return _ENABLED[0]
