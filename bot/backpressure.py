"""A bounded number of commands in flight, per process and per user (or per IP address).

Every surface asks the one :class:`Limiter` of the process before it starts a command. Over
either bound the command is not started: the surface answers at once with :data:`BUSY` (Slack
and Discord privately, ``/api/ask`` with a 429). Admission is synchronous (no ``await``), so on
the event loop it is atomic and costs nothing but a dictionary lookup: a flood is refused
before it reaches the store. ``/healthz`` and ``/metrics`` never pass through it.
"""

from __future__ import annotations

from collections import Counter
from types import TracebackType

from bot.observability import command_rejected

__all__ = ["BUSY", "RETRY_AFTER_SECONDS", "Limiter", "Slot"]

BUSY = "factdesk is busy right now; try again in a moment."
RETRY_AFTER_SECONDS = 1


class Slot:
    """A command admitted: release it (or leave its ``with`` block) when the answer is sent."""

    def __init__(self, limiter: Limiter, key: str) -> None:
        self._limiter = limiter
        self.key = key
        self._held = True

    def release(self) -> None:
        """Give the slot back; a second release does nothing."""
        if self._held:
            self._held = False
            self._limiter._release(self.key)

    def __enter__(self) -> Slot:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class Limiter:
    """At most ``total`` commands in flight in the process and ``per_key`` for one key.

    A key is who asks, platform-qualified: ``slack:U123``, ``discord:42``, ``http:10.0.0.7``.
    """

    def __init__(self, total: int, per_key: int) -> None:
        if total < 1 or per_key < 1:
            raise ValueError("limits must be at least 1")
        self.total = total
        self.per_key = per_key
        self._by_key: Counter[str] = Counter()
        self._in_flight = 0
        self._held: dict[str, Slot] = {}

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def would_refuse(self, key: str) -> str | None:
        """``"process"`` or ``"user"`` if a command for ``key`` would be refused now, else None."""
        if self._in_flight >= self.total:
            return "process"
        if self._by_key[key] >= self.per_key:
            return "user"
        return None

    def try_acquire(self, key: str) -> Slot | None:
        """A slot for one command of ``key``, or None (counted in the rejections metric)."""
        scope = self.would_refuse(key)
        if scope is not None:
            self.refused(key, scope)
            return None
        self._in_flight += 1
        self._by_key[key] += 1
        return Slot(self, key)

    def hold(self, token: str, key: str) -> Slot | None:
        """Acquire a slot for ``key`` and keep it under ``token`` for whoever takes it
        next: a front door admits a request, the handler it reaches later owns the slot."""
        slot = self.try_acquire(key)
        if slot is not None:
            self._held[token] = slot
        return slot

    def take(self, token: str) -> Slot | None:
        """The slot held under ``token`` (now the caller's to release), or None."""
        return self._held.pop(token, None)

    @staticmethod
    def refused(key: str, scope: str) -> None:
        """Count one command refused for ``key`` (``scope``: ``process`` or ``user``)."""
        command_rejected(key.partition(":")[0], scope)

    def _release(self, key: str) -> None:
        self._in_flight -= 1
        self._by_key[key] -= 1
        if self._by_key[key] <= 0:
            del self._by_key[key]
