"""factdesk's one error vocabulary: every code an answer can carry, and the domain errors behind them.

A command raises one of these; the bot's handler (``bot/handler.py``) turns it into the answer's
``error: {code, message}``, the only place an error becomes a reply. The hierarchy::

    FactdeskError            (base, never raised itself)
    ├── UsageError           bad_input     the request is wrong; the reply adds the usage line
    ├── NotFound             not_found     the source or fact asked for is not in the store
    ├── CorpusError          bad_document  a file offered for ingestion is unusable
    ├── ChangedMeanwhile     conflict      the fact changed since the version the editor saw
    └── Forbidden            forbidden     not one of the desk's editors; nothing changed

Three codes have no exception, since nothing raises them: ``unknown_command`` (the handler finds no
such command), ``busy`` (a surface refuses before the command starts) and ``internal`` (any other
exception, logged with its traceback).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

__all__ = [
    "ChangedMeanwhile",
    "CorpusError",
    "ErrorCode",
    "FactdeskError",
    "Forbidden",
    "NotFound",
    "UsageError",
]


class ErrorCode(StrEnum):
    """The ``code`` of ``Answer.error``; a ``str``, so JSON and logs show the plain value.
    The README's table of error codes lists exactly these (``tests/test_docs.py``)."""

    BAD_INPUT = "bad_input"
    NOT_FOUND = "not_found"
    UNKNOWN_COMMAND = "unknown_command"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    BAD_DOCUMENT = "bad_document"
    BUSY = "busy"
    INTERNAL = "internal"


class FactdeskError(Exception):
    """Base of every error factdesk reports to a person rather than logs as a crash.

    ``code`` is what the answer carries; ``shows_usage`` says whether the reply adds the
    command's usage line (it helps when the request was wrong, not when the person may not)."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL  # each subclass names its own
    shows_usage: ClassVar[bool] = True


class UsageError(FactdeskError):
    """The request itself is wrong (bad argument, unknown country, not a year)."""

    code = ErrorCode.BAD_INPUT


class NotFound(FactdeskError):
    """The thing asked for (a source, a fact) does not exist in the store."""

    code = ErrorCode.NOT_FOUND


class CorpusError(FactdeskError):
    """A file offered for ingestion is unusable; ``path`` and ``field`` name what is wrong."""

    code = ErrorCode.BAD_DOCUMENT

    def __init__(self, path: str, field: str, message: str) -> None:
        super().__init__(f"{path}: {field}: {message}")
        self.path = path
        self.field = field


class ChangedMeanwhile(FactdeskError):
    """A change was made against a version of a fact that is no longer the current one."""

    code = ErrorCode.CONFLICT


class Forbidden(FactdeskError):
    """A change asked by someone who may not change the record; the message says why."""

    code = ErrorCode.FORBIDDEN
    shows_usage = False
